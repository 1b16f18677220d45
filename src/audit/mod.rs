//! The audit trail: one row for every change, with who, when, what, and the
//! record before and after as JSON.

pub mod http;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::AppResult;

/// Who made a change: a signed-in user, or the system (CLI, importer, demo loader).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn system(label: &str) -> Actor {
        Actor {
            user_id: None,
            label: format!("system: {label}"),
        }
    }

    pub fn user(user_id: i64, email: &str) -> Actor {
        Actor {
            user_id: Some(user_id),
            label: email.to_string(),
        }
    }
}

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub organisation_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub fn to_json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Writes the audit row in the caller's transaction, so the change and its
/// record are stored together or not at all.
pub fn record(conn: &mut DbConn, actor: &Actor, change: Change<'_>) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::occurred_at.eq(crate::db::now()),
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor_label.eq(&actor.label),
            audit_log::action.eq(change.action),
            audit_log::entity_type.eq(change.entity_type),
            audit_log::entity_id.eq(&change.entity_id),
            audit_log::organisation_id.eq(change.organisation_id),
            audit_log::before_json.eq(change.before.map(|v| v.to_string())),
            audit_log::after_json.eq(change.after.map(|v| v.to_string())),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable, Serialize, Debug, Clone, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: chrono::NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub organisation_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Newest first; `organisation_id` narrows to one organisation's changes.
pub fn list(
    conn: &mut DbConn,
    organisation_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<AuditEntry>, i64)> {
    let mut query = audit_log::table.into_boxed();
    let mut count = audit_log::table.into_boxed();
    if let Some(org) = organisation_id {
        query = query.filter(audit_log::organisation_id.eq(org));
        count = count.filter(audit_log::organisation_id.eq(org));
    }
    let total = count.count().get_result(conn)?;
    let rows = query
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((rows, total))
}
