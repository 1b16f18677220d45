//! Domain events: what changed, published as each audit row is written.
//! Capabilities subscribe at start-up; a subscriber runs in the transaction
//! of the change, so what it writes (a notification, say) is stored with the
//! change or not at all. The foundation never names a subscriber.

use std::sync::RwLock;

use super::Actor;
use crate::db::DbConn;
use crate::error::AppResult;

/// One change, as subscribers see it.
#[derive(Clone, Debug)]
pub struct DomainEvent {
    /// The audit row that records it.
    pub audit_id: i64,
    /// What happened, e.g. `partnership.risk.create`.
    pub kind: String,
    /// The record it belongs to: (type, id), e.g. ("partnership", "42").
    pub record: (String, String),
    pub actor: Actor,
    /// Organisations the change concerns (a partnership's active members).
    pub organisations: Vec<i64>,
    pub occurred_at: chrono::NaiveDateTime,
}

pub type Subscriber = fn(&mut DbConn, &DomainEvent) -> AppResult<()>;

static SUBSCRIBERS: RwLock<Vec<Subscriber>> = RwLock::new(Vec::new());

/// Adds a subscriber (once: adding the same function again does nothing).
pub fn subscribe(subscriber: Subscriber) {
    let mut all = SUBSCRIBERS.write().unwrap_or_else(|p| p.into_inner());
    if !all.iter().any(|s| std::ptr::fn_addr_eq(*s, subscriber)) {
        all.push(subscriber);
    }
}

/// True when someone listens, so callers can skip work nobody needs.
pub fn has_subscribers() -> bool {
    !SUBSCRIBERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .is_empty()
}

pub(super) fn publish(conn: &mut DbConn, event: &DomainEvent) -> AppResult<()> {
    let subscribers: Vec<Subscriber> = SUBSCRIBERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    for subscriber in subscribers {
        subscriber(conn, event)?;
    }
    Ok(())
}
