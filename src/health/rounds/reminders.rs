//! The daily reminder: three days before a round closes, each stakeholder
//! who has not answered is reminded once (through the outbox, with a fresh
//! link). The invitation's `reminded_at` claims it, so two workers never
//! remind it twice, and the lead's own reminder that day counts too.

use chrono::Duration;
use diesel::prelude::*;

use super::invitations::remind_unanswered;
use super::model::{HealthRound, RoundStatus};
use crate::db::schema::health_rounds as hr;
use crate::db::Db;
use crate::error::AppResult;

pub const JOB: crate::jobs::Kind = crate::jobs::Kind {
    name: "health.reminders",
    run,
    schedule: crate::jobs::Schedule::Daily(match chrono::NaiveTime::from_hms_opt(8, 0, 0) {
        Some(t) => t,
        None => chrono::NaiveTime::MIN,
    }),
};

/// Days before the close date the reminder goes.
pub const DAYS_BEFORE_CLOSE: i64 = 3;

fn run(db: &Db, _: &serde_json::Value) -> AppResult<()> {
    send(db, crate::db::now()).map(|_| ())
}

/// Reminds the unanswered invitations of rounds closing in three days;
/// returns how many reminders went.
pub fn send(db: &Db, now: chrono::NaiveDateTime) -> AppResult<usize> {
    let closing = now.date() + Duration::days(DAYS_BEFORE_CLOSE);
    db.write_blocking(move |c| {
        let rounds: Vec<HealthRound> = hr::table
            .filter(hr::status.eq(RoundStatus::Open))
            .filter(hr::closes_on.eq(closing))
            .select(HealthRound::as_select())
            .load(c)?;
        let mut sent = 0;
        for round in &rounds {
            sent += remind_unanswered(c, round, now)?;
        }
        Ok(sent)
    })
}
