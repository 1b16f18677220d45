//! The daily job. Three days before a round closes, each stakeholder who
//! has not answered is reminded once (through the outbox, with a fresh
//! link). The invitation's `reminded_at` claims it, so two workers never
//! remind it twice, and the lead's own reminder that day counts too. And a
//! round whose close date has passed is closed, as if its lead had closed
//! it, so its report counts in the portfolio and later rounds' trends
//! without the lead having to remember.

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
    let now = crate::db::now();
    close_finished(db, now.date())?;
    send(db, now).map(|_| ())
}

/// Closes every open round whose close date is before `today`, with an
/// audit entry each; returns how many it closed.
pub fn close_finished(db: &Db, today: chrono::NaiveDate) -> AppResult<usize> {
    db.write_blocking(move |c| {
        let finished: Vec<HealthRound> = hr::table
            .filter(hr::status.eq(RoundStatus::Open))
            .filter(hr::closes_on.lt(today))
            .select(HealthRound::as_select())
            .load(c)?;
        let actor = crate::audit::Actor::system("health check rounds past their close date");
        let mut closed = 0;
        for round in &finished {
            // Claimed by the update: a second worker finds it closed already.
            let claimed = diesel::update(
                hr::table
                    .find(round.id)
                    .filter(hr::status.eq(RoundStatus::Open)),
            )
            .set(hr::status.eq(RoundStatus::Closed))
            .execute(c)?;
            if claimed == 0 {
                continue;
            }
            crate::health::report::summary::forget(c, round.partnership_id)?;
            let kind = <HealthRound as crate::work::Scoped>::KIND;
            let organisations = crate::work::Scoped::organisations(round, c)?;
            let change = crate::audit::Change::new("health_round.close", kind, round.id)
                .concerning(organisations)
                .scoped(kind, round.id)
                .before(serde_json::json!({"status": "open"}))
                .after(serde_json::json!({"status": "closed", "closed_because": "its close date passed"}));
            crate::audit::record(c, &actor, change)?;
            closed += 1;
        }
        Ok(closed)
    })
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
