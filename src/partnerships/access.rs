//! How a partnership is loaded for the unit of work, and the SQL twins of
//! the visibility rule for lists. A partnership the actor may not see is
//! "not found", so its existence does not leak; one they may see but not
//! change is "forbidden".

use diesel::prelude::*;

use super::model::{MemberRole, MemberStatus, Partnership};
use crate::db::schema::{partnership_members, partnerships};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::{Action, Actor, Relation};
use crate::work::Scoped;

impl Scoped for Partnership {
    const KIND: &'static str = "partnership";

    fn id(&self) -> i64 {
        self.id
    }

    fn load(
        conn: &mut DbConn,
        id: i64,
        actor: Option<&Actor>,
    ) -> AppResult<Option<(Partnership, Relation)>> {
        let Some(p) = partnerships::table
            .find(id)
            .select(Partnership::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let rel = relation(conn, &p, actor)?;
        Ok(Some((p, rel)))
    }

    fn view_action(rel: Relation) -> Action {
        Action::ViewPartnership(rel)
    }

    fn organisations(&self, conn: &mut DbConn) -> AppResult<Vec<i64>> {
        Ok(partnership_members::table
            .filter(partnership_members::partnership_id.eq(self.id))
            .filter(partnership_members::status.eq(MemberStatus::Active))
            .select(partnership_members::organisation_id)
            .load(conn)?)
    }

    /// Lists sort by activity: any change inside marks the partnership updated.
    fn touched(&self, conn: &mut DbConn) -> AppResult<()> {
        diesel::update(partnerships::table.find(self.id))
            .set(partnerships::updated_at.eq(crate::db::now()))
            .execute(conn)?;
        Ok(())
    }
}

/// How the actor's organisation relates to a partnership.
pub fn relation(
    conn: &mut DbConn,
    partnership: &Partnership,
    actor: Option<&Actor>,
) -> AppResult<Relation> {
    let membership: Option<(MemberRole, MemberStatus)> = match actor {
        Some(actor) => partnership_members::table
            .filter(partnership_members::partnership_id.eq(partnership.id))
            .filter(partnership_members::organisation_id.eq(actor.organisation_id))
            .select((partnership_members::role, partnership_members::status))
            .first(conn)
            .optional()?,
        None => None,
    };
    Ok(Relation::of_member(partnership.visibility, membership))
}

/// SQL twin of the `ViewPartnership` rule, for lists, searches, exports and
/// totals; tests check it agrees with the policy. A macro, not a function,
/// so the same condition can filter any query that includes `partnerships`
/// (alone or joined), which a boxed expression cannot.
macro_rules! partnership_visible_to {
    ($actor:expr) => {{
        #[allow(unused_imports)]
        use diesel::dsl::IntoSql as _;
        use diesel::prelude::*;
        use $crate::db::schema::{partnership_members as pm_, partnerships as p_};
        let actor: Option<&$crate::policy::Actor> = $actor;
        // Nobody belongs to organisation -1, so the member test fails when signed out.
        let org = actor.map(|a| a.organisation_id).unwrap_or(-1);
        p_::visibility
            .eq("public")
            .or(actor
                .is_some()
                .into_sql::<diesel::sql_types::Bool>()
                .and(p_::visibility.eq("signed_in")))
            // Checked last, and only when signed in: the subquery runs only for
            // rows the cheap tests did not settle.
            .or(actor
                .is_some()
                .into_sql::<diesel::sql_types::Bool>()
                .and(diesel::dsl::exists(
                    pm_::table
                        .filter(pm_::partnership_id.eq(p_::id))
                        .filter(pm_::organisation_id.eq(org))
                        .filter(pm_::status.eq_any(["active", "invited"])),
                )))
    }};
}

/// Partnerships where an organisation has one of `statuses` (e.g. active, invited).
macro_rules! partnership_has_member {
    ($organisation_id:expr, $statuses:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::{partnership_members as pm_, partnerships as p_};
        diesel::dsl::exists(
            pm_::table
                .filter(pm_::partnership_id.eq(p_::id))
                .filter(pm_::organisation_id.eq($organisation_id))
                .filter(pm_::status.eq_any($statuses)),
        )
    }};
}

pub(crate) use partnership_has_member;
pub(crate) use partnership_visible_to;

/// Audit entries the actor may read, as far as partnerships go: those that
/// belong to no partnership, and those of partnerships the actor may see.
/// The SQL twin of `ViewPartnership` applied to the trail.
pub fn audit_readable_by(
    actor: Option<&Actor>,
) -> Box<
    dyn BoxableExpression<
        crate::db::schema::audit_log::table,
        crate::db::DbBackend,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
> {
    use crate::db::schema::audit_log;
    let visible = partnerships::table
        .filter(crate::partnerships::access::partnership_visible_to!(actor))
        .select(partnerships::id.nullable());
    Box::new(
        audit_log::scope_type
            .is_null()
            .nullable()
            .or(audit_log::scope_type.ne("partnership"))
            .or(audit_log::scope_id.eq_any(visible)),
    )
}
