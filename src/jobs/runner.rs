//! Running jobs: the kinds a process knows, their schedules, and the loop
//! that queues scheduled runs and works through what is due.

use std::time::Duration as StdDuration;

use chrono::{NaiveDateTime, NaiveTime, Timelike};

use super::{claim, enqueue, finish, Claimed};
use crate::db::Db;
use crate::error::AppResult;

/// When a kind runs by itself.
#[derive(Clone, Copy, Debug)]
pub enum Schedule {
    /// Only when queued.
    OnDemand,
    /// Once a day at this time (UTC).
    Daily(NaiveTime),
    /// At the start of every hour.
    Hourly,
}

impl Schedule {
    /// The run due at or before `now`, as (when, key): one key per run, so
    /// however many instances queue it, it is queued once.
    fn current(&self, kind: &str, now: NaiveDateTime) -> Option<(NaiveDateTime, String)> {
        match self {
            Schedule::OnDemand => None,
            Schedule::Daily(at) => {
                let today = now.date().and_time(*at);
                let when = if today <= now {
                    today
                } else {
                    today - chrono::Duration::days(1)
                };
                Some((when, format!("{kind}:{}", when.format("%Y-%m-%d"))))
            }
            Schedule::Hourly => {
                let when = now
                    .date()
                    .and_hms_opt(now.hour(), 0, 0)
                    .expect("a whole hour exists");
                Some((when, format!("{kind}:{}", when.format("%Y-%m-%dT%H"))))
            }
        }
    }
}

/// A kind of job: its name, how to run it, and when it runs by itself.
#[derive(Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    /// Runs the job; an error is retried, then parked with its message.
    pub run: fn(&Db, &serde_json::Value) -> AppResult<()>,
    pub schedule: Schedule,
}

/// Queues this hour's or today's run of each scheduled kind (once, whoever
/// asks), then runs every due job. Returns how many jobs ran.
pub fn run_due(db: &Db, kinds: &[Kind], now: NaiveDateTime) -> AppResult<usize> {
    db.write_blocking(|c| {
        for kind in kinds {
            if let Some((when, key)) = kind.schedule.current(kind.name, now) {
                enqueue(c, kind.name, &serde_json::json!({}), when, Some(&key))?;
            }
        }
        Ok(())
    })?;
    let mut ran = 0;
    while let Some(job) = db.write_blocking(|c| claim(c, now))? {
        let outcome = run_one(db, kinds, &job);
        if let Err(e) = &outcome {
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
        }
        db.write_blocking(|c| finish(c, &job, outcome.clone(), crate::db::now().max(now)))?;
        ran += 1;
    }
    Ok(ran)
}

/// Runs one claimed job, turning a panic into an error like any other.
fn run_one(db: &Db, kinds: &[Kind], job: &Claimed) -> Result<(), String> {
    let Some(kind) = kinds.iter().find(|k| k.name == job.kind) else {
        return Err(format!("no job kind called '{}'", job.kind));
    };
    let run = kind.run;
    let payload = job.payload.clone();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(db, &payload))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        )),
    }
}

/// Works through due jobs every `every` until the process stops.
pub fn spawn(db: Db, kinds: &'static [Kind], every: StdDuration) {
    tokio::spawn(async move {
        loop {
            let d = db.clone();
            let result =
                tokio::task::spawn_blocking(move || run_due(&d, kinds, crate::db::now())).await;
            match result {
                Ok(Err(e)) => tracing::warn!(error = %e, "job runner could not run"),
                Err(e) => tracing::warn!(error = %e, "job runner stopped unexpectedly"),
                Ok(Ok(_)) => {}
            }
            tokio::time::sleep(every).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_daily_run_is_today_once_its_time_has_come_and_yesterday_before() {
        let daily = Schedule::Daily(NaiveTime::from_hms_opt(6, 0, 0).unwrap());
        assert_eq!(
            daily.current("digest", at("2026-11-30 07:15")),
            Some((at("2026-11-30 06:00"), "digest:2026-11-30".into()))
        );
        assert_eq!(
            daily.current("digest", at("2026-11-30 05:59")),
            Some((at("2026-11-29 06:00"), "digest:2026-11-29".into()))
        );
        assert_eq!(
            Schedule::Hourly.current("reminders", at("2026-11-30 07:15")),
            Some((at("2026-11-30 07:00"), "reminders:2026-11-30T07".into()))
        );
        assert_eq!(
            Schedule::OnDemand.current("x", at("2026-11-30 07:15")),
            None
        );
    }
}
