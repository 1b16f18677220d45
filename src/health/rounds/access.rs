//! How a round is loaded for the unit of work. A round relates to a person
//! as its partnership does, but it is always partners-only: people outside
//! the partnership's active member organisations get "not found", whatever
//! the partnership's own visibility.

use diesel::prelude::*;

use super::model::HealthRound;
use crate::db::schema::{health_rounds, partnerships};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Actor, Relation, Visibility};
use crate::work::Scoped;

impl Scoped for HealthRound {
    const KIND: &'static str = "health_round";

    fn id(&self) -> i64 {
        self.id
    }

    fn load(
        conn: &mut DbConn,
        id: i64,
        actor: Option<&Actor>,
    ) -> AppResult<Option<(HealthRound, Relation)>> {
        let Some(round) = health_rounds::table
            .find(id)
            .select(HealthRound::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let rel = relation(conn, round.partnership_id, actor)?;
        Ok(Some((round, rel)))
    }

    fn view_action(rel: Relation) -> Action {
        Action::ViewHealthReport(rel)
    }

    fn organisations(&self, conn: &mut DbConn) -> AppResult<Vec<i64>> {
        crate::partnerships::store::active_members(conn, self.partnership_id)
            .map(|m| m.0.into_iter().map(|m| m.organisation_id).collect())
    }
}

/// How the actor's organisation relates to the round's partnership, seen
/// as partners-only.
pub fn relation(
    conn: &mut DbConn,
    partnership_id: i64,
    actor: Option<&Actor>,
) -> AppResult<Relation> {
    let p: Partnership = partnerships::table
        .find(partnership_id)
        .select(Partnership::as_select())
        .first(conn)?;
    let mut rel = crate::partnerships::access::relation(conn, &p, actor)?;
    rel.visibility = Visibility::Partners;
    Ok(rel)
}

/// Audit entries the actor may read, as far as health checks go: those
/// about no round, and those of rounds whose partnership the actor's
/// organisation is an active member of (the SQL twin of `ViewHealthReport`).
pub fn audit_readable_by(actor: Option<&Actor>) -> crate::audit::Readable {
    use crate::db::schema::{audit_log, partnership_members as pm};
    let org = actor.map(|a| a.organisation_id).unwrap_or(-1);
    let member_of = pm::table
        .filter(pm::organisation_id.eq(org))
        .filter(pm::status.eq("active"))
        .select(pm::partnership_id);
    let visible = health_rounds::table
        .filter(health_rounds::partnership_id.eq_any(member_of))
        .select(health_rounds::id.nullable());
    Box::new(
        audit_log::scope_type
            .is_null()
            .nullable()
            .or(audit_log::scope_type.ne(<HealthRound as Scoped>::KIND))
            .or(audit_log::scope_id.eq_any(visible)),
    )
}
