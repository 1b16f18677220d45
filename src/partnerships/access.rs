//! Loads a partnership together with how the actor relates to it, and asks
//! the policy. A partnership the actor may not see is "not found", so its
//! existence does not leak; one they may see but not change is "forbidden".

use diesel::prelude::*;

use super::model::{MemberRole, MemberStatus, Partnership};
use crate::db::schema::{partnership_members, partnerships};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::policy::{allows, Action, Actor, Relation};

pub fn relation(
    conn: &mut DbConn,
    partnership: &Partnership,
    actor: Option<&Actor>,
) -> AppResult<Relation> {
    let mut rel = Relation {
        visibility: partnership.visibility(),
        role: None,
        invited: false,
    };
    if let Some(actor) = actor {
        let row: Option<(String, String)> = partnership_members::table
            .filter(partnership_members::partnership_id.eq(partnership.id))
            .filter(partnership_members::organisation_id.eq(actor.organisation_id))
            .select((partnership_members::role, partnership_members::status))
            .first(conn)
            .optional()?;
        if let Some((role, status)) = row {
            match MemberStatus::parse(&status) {
                Some(MemberStatus::Active) => rel.role = MemberRole::parse(&role),
                Some(MemberStatus::Invited) => rel.invited = true,
                _ => {}
            }
        }
    }
    Ok(rel)
}

/// The partnership if the actor may see it; `NotFound` otherwise.
pub fn load_visible(
    conn: &mut DbConn,
    id: i64,
    actor: Option<&Actor>,
) -> AppResult<(Partnership, Relation)> {
    let p: Partnership = partnerships::table
        .find(id)
        .select(Partnership::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let rel = relation(conn, &p, actor)?;
    if !allows(actor, Action::ViewPartnership(rel)) {
        return Err(AppError::NotFound);
    }
    Ok((p, rel))
}

/// The partnership if the actor may do `action` to it: `NotFound` when they
/// cannot even see it, `Forbidden` (or sign in) when they can see but not act.
pub fn load_for(
    conn: &mut DbConn,
    id: i64,
    actor: Option<&Actor>,
    action: fn(Relation) -> Action,
) -> AppResult<(Partnership, Relation)> {
    let (p, rel) = load_visible(conn, id, actor)?;
    crate::policy::authorize(actor, action(rel))?;
    Ok((p, rel))
}

/// SQL twin of the `ViewPartnership` rule, for lists, searches, exports and
/// totals; tests check it agrees with the policy. A macro, not a function,
/// so the same condition can filter any query that includes `partnerships`
/// (alone or joined), which a boxed expression cannot.
#[macro_export]
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
#[macro_export]
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
