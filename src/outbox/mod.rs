//! Outgoing email. Messages are written to the `outbox` table in the same
//! transaction as the change that caused them, then a background worker
//! delivers them, so a crash never loses or half-sends one.
//!
//! Delivery today: every message is written to the log, and to a folder of
//! `.eml` files when `--mail-dir` is set. SMTP delivery is not built yet.

use std::path::PathBuf;
use std::time::Duration;

use diesel::prelude::*;

use crate::db::schema::outbox;
use crate::db::{Db, DbConn};
use crate::error::AppResult;

pub fn enqueue(conn: &mut DbConn, recipient: &str, subject: &str, body: &str) -> AppResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::recipient.eq(recipient),
            outbox::subject.eq(subject),
            outbox::body.eq(body),
            outbox::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Debug, Clone)]
pub struct Message {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Messages not yet delivered, oldest first.
pub fn pending(conn: &mut DbConn, limit: i64) -> AppResult<Vec<Message>> {
    Ok(outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::attempts.lt(10))
        .order(outbox::id.asc())
        .limit(limit)
        .select((outbox::id, outbox::recipient, outbox::subject, outbox::body))
        .load(conn)?)
}

fn deliver(message: &Message, mail_dir: Option<&PathBuf>) -> Result<(), String> {
    // Messages carry secrets (invitation links): the log says who and what, never the body.
    tracing::info!(to = %message.recipient, subject = %message.subject, "email sent");
    if let Some(dir) = mail_dir {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let eml = format!(
            "To: {}\r\nFrom: Concord <no-reply@concord.invalid>\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
            message.recipient, message.subject, message.body
        );
        std::fs::write(dir.join(format!("{:06}.eml", message.id)), eml)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Delivers what is waiting; returns how many were sent.
pub fn deliver_pending(db: &Db, mail_dir: Option<&PathBuf>) -> AppResult<usize> {
    let messages = db.read_blocking(|c| pending(c, 50))?;
    let mut sent = 0;
    for m in messages {
        let result = deliver(&m, mail_dir);
        db.write_blocking(|c| {
            let now = crate::db::now();
            match &result {
                Ok(()) => diesel::update(outbox::table.find(m.id))
                    .set((
                        outbox::sent_at.eq(Some(now)),
                        outbox::attempts.eq(outbox::attempts + 1),
                        // Once sent, the body (and any link in it) is not kept.
                        outbox::body.eq(""),
                    ))
                    .execute(c)?,
                Err(e) => diesel::update(outbox::table.find(m.id))
                    .set((
                        outbox::last_error.eq(Some(e)),
                        outbox::attempts.eq(outbox::attempts + 1),
                    ))
                    .execute(c)?,
            };
            Ok(())
        })?;
        if result.is_ok() {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Polls the outbox every second until the server stops.
pub fn spawn_worker(db: Db, mail_dir: Option<PathBuf>) {
    tokio::spawn(async move {
        loop {
            let (d, m) = (db.clone(), mail_dir.clone());
            match tokio::task::spawn_blocking(move || deliver_pending(&d, m.as_ref())).await {
                Ok(Err(e)) => tracing::warn!(error = %e, "outbox delivery failed"),
                Err(e) => tracing::warn!(error = %e, "outbox worker panicked"),
                Ok(Ok(_)) => {}
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}
