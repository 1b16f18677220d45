//! Loads a partnership together with how the actor relates to it, and asks
//! the policy. A partnership the actor may not see is "not found", so its
//! existence does not leak; one they may see but not change is "forbidden".

use diesel::dsl::exists;
use diesel::prelude::*;

use super::model::{MemberRole, MemberStatus, Partnership, Visibility};
use crate::db::schema::{partnership_members, partnerships};
use crate::db::{DbBackend, DbConn};
use crate::error::{AppError, AppResult};
use crate::policy::{allows, Action, Actor, PartnershipRelation};

pub fn relation(conn: &mut DbConn, partnership: &Partnership, actor: Option<&Actor>) -> AppResult<PartnershipRelation> {
    let mut rel = PartnershipRelation { visibility: partnership.visibility(), role: None, invited: false };
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
pub fn load_visible(conn: &mut DbConn, id: i64, actor: Option<&Actor>) -> AppResult<(Partnership, PartnershipRelation)> {
    let p: Partnership = partnerships::table.find(id).select(Partnership::as_select()).first(conn).optional()?.ok_or(AppError::NotFound)?;
    let rel = relation(conn, &p, actor)?;
    if !allows(actor, Action::ViewPartnership(rel)) {
        return Err(AppError::NotFound);
    }
    Ok((p, rel))
}

/// The partnership if the actor may do `action` to it: `NotFound` when they
/// cannot even see it, `Forbidden` (or sign in) when they can see but not act.
pub fn load_for(conn: &mut DbConn, id: i64, actor: Option<&Actor>, action: fn(PartnershipRelation) -> Action) -> AppResult<(Partnership, PartnershipRelation)> {
    let (p, rel) = load_visible(conn, id, actor)?;
    crate::policy::authorize(actor, action(rel))?;
    Ok((p, rel))
}

type Condition = Box<dyn BoxableExpression<partnerships::table, DbBackend, SqlType = diesel::sql_types::Bool>>;

/// SQL twin of the `ViewPartnership` rule, for lists, searches, exports and
/// totals. Tests check it agrees with the policy.
pub fn visible_to(actor: Option<&Actor>) -> Condition {
    let public = partnerships::visibility.eq(Visibility::Public.code());
    let Some(actor) = actor else { return Box::new(public) };
    let member = exists(
        partnership_members::table
            .filter(partnership_members::partnership_id.eq(partnerships::id))
            .filter(partnership_members::organisation_id.eq(actor.organisation_id))
            .filter(partnership_members::status.eq_any([MemberStatus::Active.code(), MemberStatus::Invited.code()])),
    );
    Box::new(public.or(partnerships::visibility.eq(Visibility::SignedIn.code())).or(member))
}

/// Partnerships the actor's organisation is an active or invited member of.
pub fn of_my_organisation(organisation_id: i64) -> Condition {
    Box::new(exists(
        partnership_members::table
            .filter(partnership_members::partnership_id.eq(partnerships::id))
            .filter(partnership_members::organisation_id.eq(organisation_id))
            .filter(partnership_members::status.eq_any([MemberStatus::Active.code(), MemberStatus::Invited.code()])),
    ))
}

