//! How a need is loaded for the unit of work, and the SQL twin of its
//! visibility rule for lists and search. The owning organisation is a need's
//! one member: its people may see and change it whatever the visibility.

use diesel::prelude::*;

use super::model::Need;
use crate::db::schema::needs;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::{Action, Actor, MemberRole, Relation};
use crate::work::Scoped;

impl Scoped for Need {
    const KIND: &'static str = "need";

    fn id(&self) -> i64 {
        self.id
    }

    fn load(
        conn: &mut DbConn,
        id: i64,
        actor: Option<&Actor>,
    ) -> AppResult<Option<(Need, Relation)>> {
        let Some(need) = needs::table
            .find(id)
            .select(Need::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let rel = relation(&need, actor);
        Ok(Some((need, rel)))
    }

    fn view_action(rel: Relation) -> Action {
        Action::ViewNeed(rel)
    }

    fn organisations(&self, _conn: &mut DbConn) -> AppResult<Vec<i64>> {
        Ok(vec![self.organisation_id])
    }

    fn trail_organisation(&self) -> Option<i64> {
        Some(self.organisation_id)
    }

    fn touched(&self, conn: &mut DbConn) -> AppResult<()> {
        diesel::update(needs::table.find(self.id))
            .set(needs::updated_at.eq(crate::db::now()))
            .execute(conn)?;
        Ok(())
    }
}

/// The owning organisation's people relate as its lead; everyone else as outsiders.
pub fn relation(need: &Need, actor: Option<&Actor>) -> Relation {
    let mut rel = Relation::outsider(need.visibility.as_policy());
    if actor.is_some_and(|a| a.organisation_id == need.organisation_id) {
        rel.role = Some(MemberRole::Lead);
    }
    rel
}

/// SQL twin of `ViewNeed`, for lists and search; a test checks it agrees
/// with the policy for every kind of viewer.
macro_rules! need_visible_to {
    ($actor:expr) => {{
        #[allow(unused_imports)]
        use diesel::dsl::IntoSql as _;
        use diesel::prelude::*;
        use $crate::db::schema::needs as n_;
        let actor: Option<&$crate::policy::Actor> = $actor;
        let org = actor.map(|a| a.organisation_id).unwrap_or(-1);
        n_::visibility
            .eq("public")
            .or(actor
                .is_some()
                .into_sql::<diesel::sql_types::Bool>()
                .and(n_::visibility.eq("signed_in")))
            .or(n_::organisation_id.eq(org))
    }};
}

pub(crate) use need_visible_to;

/// Audit entries the actor may read, as far as needs go: those that belong
/// to no need, and those of needs the actor may see.
pub fn audit_readable_by(actor: Option<&Actor>) -> crate::audit::Readable {
    use crate::db::schema::audit_log;
    let visible = needs::table
        .filter(need_visible_to!(actor))
        .select(needs::id.nullable());
    Box::new(
        audit_log::scope_type
            .is_null()
            .nullable()
            .or(audit_log::scope_type.ne("need"))
            .or(audit_log::scope_id.eq_any(visible)),
    )
}
