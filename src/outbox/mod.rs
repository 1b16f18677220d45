//! Outgoing email. A message is written to the `outbox` table in the same
//! transaction as the change that causes it; a sender then claims it, sends
//! it and marks it sent. A claim is a lease: if the process dies between
//! sending and marking, the message is claimed again when the lease runs out
//! and sent once more with the same `Message-ID`, so the receiving side can
//! drop the copy. Temporary failures are retried on [`RETRY_AFTER_SECONDS`];
//! permanent ones (5xx) are marked failed with the server's answer.

mod send;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

pub use send::{spawn_sender, Sender, Transport};

use crate::db::schema::outbox;
use crate::db::{Db, DbConn};
use crate::error::AppResult;

crate::vocab::vocabulary!(
    /// Where a message is.
    Status {
        Queued = "queued": "Queued",
        Sending = "sending": "Sending",
        Sent = "sent": "Sent",
        Failed = "failed": "Failed",
        Cancelled = "cancelled": "Cancelled",
    }
);

/// Waits before attempt 2, 3 … after a temporary failure: 1 minute, 5, 15,
/// 1 hour, 3, 6, 12. The eighth failure marks the message failed (about 23
/// hours after it was first tried).
pub const RETRY_AFTER_SECONDS: [i64; 7] = [60, 300, 900, 3_600, 10_800, 21_600, 43_200];
pub const MAX_ATTEMPTS: i32 = RETRY_AFTER_SECONDS.len() as i32 + 1;

/// One email to send.
#[derive(Clone, Debug, Default)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// An HTML alternative to the text, if any.
    pub html: Option<String>,
    /// A one-click unsubscribe address (RFC 8058), if the mail is optional.
    pub unsubscribe: Option<String>,
}

impl Mail {
    pub fn text(to: &str, subject: &str, text: &str) -> Mail {
        Mail {
            to: to.to_string(),
            subject: subject.to_string(),
            text: text.to_string(),
            ..Mail::default()
        }
    }
}

/// Queues a mail in the caller's transaction. Its `Message-ID` is fixed now,
/// so every attempt to send it carries the same one.
pub fn enqueue(conn: &mut DbConn, mail: &Mail) -> AppResult<i64> {
    use rand::Rng;
    let local: String = (0..16)
        .map(|_| format!("{:02x}", rand::rng().random::<u8>()))
        .collect();
    Ok(diesel::insert_into(outbox::table)
        .values((
            outbox::recipient.eq(&mail.to),
            outbox::subject.eq(&mail.subject),
            outbox::body.eq(&mail.text),
            outbox::html_body.eq(mail.html.as_deref().unwrap_or("")),
            outbox::list_unsubscribe.eq(mail.unsubscribe.as_deref().unwrap_or("")),
            outbox::message_id.eq(local),
            outbox::status.eq(Status::Queued),
            outbox::created_at.eq(crate::db::now()),
        ))
        .returning(outbox::id)
        .get_result(conn)?)
}

/// A claimed message, ready to send.
#[derive(Queryable, Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe: String,
    /// The part before the `@`; the sender adds its own domain.
    pub message_id: String,
    pub attempts: i32,
}

/// Takes the next message due, leasing it until `now + lease`. Call in a
/// write transaction.
pub fn claim(conn: &mut DbConn, now: NaiveDateTime, lease: Duration) -> AppResult<Option<Claimed>> {
    // Two lookups that each stop at their first row (index on status, id):
    // a message whose sender died is taken back first, then the oldest due.
    let abandoned = outbox::table
        .filter(outbox::status.eq(Status::Sending))
        .filter(outbox::claimed_until.lt(now))
        .order(outbox::id)
        .select(outbox::id);
    let due = outbox::table
        .filter(outbox::status.eq(Status::Queued))
        .filter(
            outbox::next_attempt_at
                .is_null()
                .or(outbox::next_attempt_at.le(now)),
        )
        .order(outbox::id)
        .select(outbox::id);
    // PostgreSQL: skip a row another instance is claiming. SQLite: one writer.
    let id: Option<i64> = match conn {
        DbConn::Pg(c) => match abandoned.for_update().skip_locked().first(c).optional()? {
            Some(id) => Some(id),
            None => due.for_update().skip_locked().first(c).optional()?,
        },
        DbConn::Sqlite(c) => match abandoned.first(c).optional()? {
            Some(id) => Some(id),
            None => due.first(c).optional()?,
        },
    };
    let Some(id) = id else { return Ok(None) };
    let claimed = diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(Status::Sending),
            outbox::claimed_until.eq(Some(now + lease)),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .returning((
            outbox::id,
            outbox::recipient,
            outbox::subject,
            outbox::body,
            outbox::html_body,
            outbox::list_unsubscribe,
            outbox::message_id,
            outbox::attempts,
        ))
        .get_result(conn)?;
    Ok(Some(claimed))
}

/// How an attempt to send ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Worth trying again later (server down, 4xx).
    Temporary(String),
    /// Not worth trying again (5xx).
    Permanent(String),
}

/// Records an attempt. Once sent, the message's text is not kept: it may
/// carry a secret link.
pub fn record(
    conn: &mut DbConn,
    m: &Claimed,
    attempt: &Attempt,
    now: NaiveDateTime,
) -> AppResult<()> {
    let target = outbox::table
        .find(m.id)
        .filter(outbox::status.eq(Status::Sending));
    match attempt {
        Attempt::Sent => diesel::update(target)
            .set((
                outbox::status.eq(Status::Sent),
                outbox::sent_at.eq(Some(now)),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::body.eq(""),
                outbox::html_body.eq(""),
                outbox::list_unsubscribe.eq(""),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Attempt::Temporary(e) if m.attempts < MAX_ATTEMPTS => diesel::update(target)
            .set((
                outbox::status.eq(Status::Queued),
                outbox::next_attempt_at.eq(Some(now + retry_delay(m.attempts))),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(Some(e)),
            ))
            .execute(conn)?,
        Attempt::Temporary(e) | Attempt::Permanent(e) => diesel::update(target)
            .set((
                outbox::status.eq(Status::Failed),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(Some(e)),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// The wait after failed attempt number `attempts` (1 for the first).
pub fn retry_delay(attempts: i32) -> Duration {
    let i = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    Duration::seconds(RETRY_AFTER_SECONDS[i.min(RETRY_AFTER_SECONDS.len() - 1)])
}

/// What one pass of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends every message due at `now`, one claim at a time.
pub fn deliver_due(db: &Db, sender: &Sender, now: NaiveDateTime) -> AppResult<Delivered> {
    let mut done = Delivered::default();
    let lease = sender.lease();
    while let Some(m) = db.write_blocking(|c| claim(c, now, lease))? {
        let attempt = sender.send(&m);
        match &attempt {
            Attempt::Sent => done.sent += 1,
            Attempt::Temporary(e) if m.attempts < MAX_ATTEMPTS => {
                tracing::warn!(message = m.id, attempt = m.attempts, error = %e, "email not sent; will retry");
                done.retrying += 1;
            }
            Attempt::Temporary(e) | Attempt::Permanent(e) => {
                tracing::warn!(message = m.id, attempt = m.attempts, error = %e, "email failed");
                done.failed += 1;
            }
        }
        db.write_blocking(|c| record(c, &m, &attempt, crate::db::now().max(now)))?;
        // A server that is down fails every message alike: stop for now.
        if matches!(attempt, Attempt::Temporary(_)) {
            break;
        }
    }
    Ok(done)
}

/// One message as the admin page shows it (never its text).
#[derive(Queryable, Serialize, Debug, Clone, utoipa::ToSchema)]
pub struct Listed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: Status,
    pub attempts: i32,
    pub created_at: crate::time::Timestamp,
    pub sent_at: Option<crate::time::Timestamp>,
    pub next_attempt_at: Option<crate::time::Timestamp>,
    pub last_error: Option<String>,
}

/// The most recent messages, optionally of one status.
pub fn recent(conn: &mut DbConn, status: Option<Status>, limit: i64) -> AppResult<Vec<Listed>> {
    let mut query = outbox::table
        .order(outbox::id.desc())
        .limit(limit)
        .select((
            outbox::id,
            outbox::recipient,
            outbox::subject,
            outbox::status,
            outbox::attempts,
            outbox::created_at,
            outbox::sent_at,
            outbox::next_attempt_at,
            outbox::last_error,
        ))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status));
    }
    Ok(query.load(conn)?)
}

/// Counts by status.
pub fn counts(conn: &mut DbConn) -> AppResult<Vec<(Status, i64)>> {
    Ok(outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Sends a failed message again now, with fresh attempts. Its text is still
/// there: only sent messages lose it.
pub fn retry(conn: &mut DbConn, id: i64) -> AppResult<bool> {
    let changed = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq_any([Status::Failed, Status::Cancelled])),
    )
    .set((
        outbox::status.eq(Status::Queued),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Stops a message that has not been sent.
pub fn cancel(conn: &mut DbConn, id: i64) -> AppResult<bool> {
    let changed = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq_any([Status::Queued, Status::Failed])),
    )
    .set(outbox::status.eq(Status::Cancelled))
    .execute(conn)?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_stated_schedule() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|a| retry_delay(a).num_minutes())
            .collect();
        assert_eq!(waits, [1, 5, 15, 60, 180, 360, 720]);
        assert_eq!(MAX_ATTEMPTS, 8);
    }
}
