//! Transitional: the old load-check-act helpers that sections not yet moved
//! to the unit of work still call. Deleted when the last section has moved.

use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Actor as AuditActor, Change};
use crate::auth::SessionUser;
use crate::db::schema::{organisations, partnership_members};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::policy::{allows, Action, Actor, Relation};
use crate::state::AppState;
use crate::work::Scoped;

pub fn load_visible(
    conn: &mut DbConn,
    id: i64,
    actor: Option<&Actor>,
) -> AppResult<(Partnership, Relation)> {
    let (p, rel) = Partnership::load(conn, id, actor)?.ok_or(AppError::NotFound)?;
    if !allows(actor, Action::ViewPartnership(rel)) {
        return Err(AppError::NotFound);
    }
    Ok((p, rel))
}

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

pub async fn load(
    state: &AppState,
    user: Option<&SessionUser>,
    id: i64,
    action: fn(Relation) -> Action,
) -> AppResult<(Partnership, Relation)> {
    let actor = user.map(|u| u.actor());
    state
        .db
        .read(move |c| load_for(c, id, actor.as_ref(), action))
        .await
}

pub fn record(
    conn: &mut DbConn,
    actor: &AuditActor,
    partnership_id: i64,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    super::store::get(conn, partnership_id)?.touched(conn)?;
    let mut change =
        Change::new(action, "partnership", partnership_id).scoped("partnership", partnership_id);
    change.before = before;
    change.after = after;
    audit::record(conn, actor, change)?;
    Ok(())
}

pub fn active_member_orgs(
    conn: &mut DbConn,
    partnership_id: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(partnership_members::table
        .inner_join(organisations::table)
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .order(organisations::name.asc())
        .select((organisations::id, organisations::code, organisations::name))
        .load(conn)?)
}

pub fn active_member_id(
    conn: &mut DbConn,
    partnership_id: i64,
    code: &str,
    field: &str,
) -> AppResult<i64> {
    active_member_orgs(conn, partnership_id)?
        .into_iter()
        .find(|(_, c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(id, _, _)| id)
        .ok_or_else(|| {
            AppError::invalid(
                field,
                if code.trim().is_empty() {
                    "Select a member organisation".to_string()
                } else {
                    format!(
                        "{} is not an active member of this partnership",
                        code.trim()
                    )
                },
            )
        })
}

/// The header as the old page handlers build it.
pub fn header(
    p: Partnership,
    rel: Relation,
    section: &'static str,
    user: Option<&SessionUser>,
) -> super::header::Header {
    let actor = user.map(|u| u.actor());
    super::header::Header {
        can_edit: allows(actor.as_ref(), Action::EditPartnership(rel)),
        can_manage: allows(actor.as_ref(), Action::ManageMembership(rel)),
        can_respond: allows(actor.as_ref(), Action::RespondToInvitation(rel)),
        p,
        rel,
        section,
    }
}
