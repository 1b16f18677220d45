//! The audit trail: one row for every change, with who, when, what, and the
//! record before and after as JSON. Writing a row also publishes a typed
//! [`DomainEvent`] to the subscribers registered at start-up (notifications,
//! activity feeds), in the same transaction as the change.

mod events;

use diesel::prelude::*;
use serde::Serialize;

pub use events::{has_subscribers, subscribe, DomainEvent, Subscriber};

use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::AppResult;

/// Who made a change: a signed-in user, or the system (CLI, importer, demo loader).
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// One change to record: `Change::new(action, entity_type, entity_id)`, then
/// what it was before and after.
#[derive(Clone, Debug)]
pub struct Change {
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The organisation whose trail this belongs in, if one.
    pub organisation_id: Option<i64>,
    /// Every organisation the change concerns (for the domain event).
    pub organisations: Vec<i64>,
    /// The record it belongs to, (type, id), whose visibility governs who
    /// may read the entry: a change to a risk belongs to its partnership.
    pub scope: Option<(String, i64)>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn new(action: &str, entity_type: &str, entity_id: impl ToString) -> Change {
        Change {
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.to_string(),
            organisation_id: None,
            organisations: Vec::new(),
            scope: None,
            before: None,
            after: None,
        }
    }

    /// The record the change belongs to.
    pub fn scoped(mut self, kind: &str, id: i64) -> Change {
        self.scope = Some((kind.to_string(), id));
        self
    }

    /// Files the change in one organisation's trail.
    pub fn in_organisation(mut self, organisation_id: i64) -> Change {
        self.organisation_id = Some(organisation_id);
        if !self.organisations.contains(&organisation_id) {
            self.organisations.push(organisation_id);
        }
        self
    }

    pub fn concerning(mut self, organisations: Vec<i64>) -> Change {
        self.organisations = organisations;
        self
    }

    pub fn before(mut self, value: impl Serialize) -> Change {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: impl Serialize) -> Change {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// Writes the audit row in the caller's transaction, so the change and its
/// record are stored together or not at all, then publishes the event.
pub fn record(conn: &mut DbConn, actor: &Actor, change: Change) -> AppResult<i64> {
    let occurred_at = crate::db::now();
    let id: i64 = diesel::insert_into(audit_log::table)
        .values((
            audit_log::occurred_at.eq(occurred_at),
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor_label.eq(&actor.label),
            audit_log::action.eq(&change.action),
            audit_log::entity_type.eq(&change.entity_type),
            audit_log::entity_id.eq(&change.entity_id),
            audit_log::organisation_id.eq(change.organisation_id),
            audit_log::before_json.eq(change.before.as_ref().map(|v| v.to_string())),
            audit_log::after_json.eq(change.after.as_ref().map(|v| v.to_string())),
            audit_log::scope_type.eq(change.scope.as_ref().map(|(kind, _)| kind.as_str())),
            audit_log::scope_id.eq(change.scope.as_ref().map(|(_, id)| *id)),
        ))
        .returning(audit_log::id)
        .get_result(conn)?;
    events::publish(
        conn,
        &DomainEvent {
            audit_id: id,
            kind: change.action,
            record: (change.entity_type, change.entity_id),
            actor: actor.clone(),
            organisations: change.organisations,
            occurred_at,
        },
    )?;
    Ok(id)
}

#[derive(Queryable, Selectable, Serialize, Debug, Clone, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: crate::time::Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub organisation_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub scope_type: Option<String>,
    pub scope_id: Option<i64>,
}

/// The entries a reader may see: a condition each scoped record type adds
/// (a partnership's entries only for those who may see the partnership).
pub type Readable = Box<
    dyn BoxableExpression<
        audit_log::table,
        crate::db::DbBackend,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
>;

/// Newest first; `organisation_id` narrows to one organisation's changes;
/// `readable` gives one condition per scoped record type, and an entry is
/// listed only if the reader passes them all.
pub fn list(
    conn: &mut DbConn,
    organisation_id: Option<i64>,
    readable: impl Fn() -> Vec<Readable>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<AuditEntry>, i64)> {
    let mut query = audit_log::table.into_boxed();
    let mut count = audit_log::table.into_boxed();
    for condition in readable() {
        query = query.filter(condition);
    }
    for condition in readable() {
        count = count.filter(condition);
    }
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

/// A value as audit JSON (`None` if it cannot be written as JSON).
pub fn to_json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
