//! Jobs: work stored in the database and run later or on a schedule, by the
//! server process or `concord worker`. Whichever instance claims a job runs
//! it; a claim is a lease (`claimed_until`), so a job whose runner died is
//! claimed again when the lease runs out. On PostgreSQL claims skip rows
//! another instance has locked; on SQLite there is one writer at a time.
//! A job that fails or panics is retried with backoff, then parked as
//! `failed` with its error: never lost, and never blocking the queue.

mod runner;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

pub use runner::{run_due, spawn, Kind, Schedule};

use crate::db::schema::jobs;
use crate::db::DbConn;
use crate::error::AppResult;

crate::vocab::vocabulary!(
    /// Where a job is in its life.
    Status {
        Queued = "queued": "Queued",
        Running = "running": "Running",
        Done = "done": "Done",
        Failed = "failed": "Failed",
        Cancelled = "cancelled": "Cancelled",
    }
);

/// How long a claim lasts before another runner may take the job again.
pub const LEASE: Duration = Duration::minutes(15);

/// Waits before retry number 1, 2, 3 …; a job is parked after `max_attempts`.
const RETRY_AFTER_SECONDS: [i64; 5] = [30, 120, 600, 3_600, 21_600];

pub fn retry_delay(attempts: i32) -> Duration {
    let i = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    Duration::seconds(RETRY_AFTER_SECONDS[i.min(RETRY_AFTER_SECONDS.len() - 1)])
}

#[derive(Queryable, Selectable, Serialize, Debug, Clone, utoipa::ToSchema)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub unique_key: Option<String>,
    pub status: Status,
    pub run_at: crate::time::Timestamp,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: crate::time::Timestamp,
    pub finished_at: Option<crate::time::Timestamp>,
}

/// Queues a job. With a `unique_key` the job is queued once: a second
/// enqueue with the same key (from this or another instance) does nothing
/// and returns `None`.
pub fn enqueue(
    conn: &mut DbConn,
    kind: &str,
    payload: &serde_json::Value,
    run_at: NaiveDateTime,
    unique_key: Option<&str>,
) -> AppResult<Option<i64>> {
    let now = crate::db::now();
    let values = (
        jobs::kind.eq(kind),
        jobs::payload.eq(payload.to_string()),
        jobs::unique_key.eq(unique_key),
        jobs::status.eq(Status::Queued),
        jobs::run_at.eq(run_at),
        jobs::created_at.eq(now),
    );
    let id: Option<i64> = crate::db::per_backend!(conn, |c| diesel::insert_into(jobs::table)
        .values(values.clone())
        .on_conflict_do_nothing()
        .returning(jobs::id)
        .get_result(c)
        .optional())?;
    Ok(id)
}

/// A job claimed for running.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    payload: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    max_attempts: i32,
}

/// Takes the next due job, if any, leasing it until `now + LEASE`. Call in
/// a write transaction.
pub fn claim(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<Option<Claimed>> {
    use diesel::sql_types::Timestamp;
    // One statement chooses and marks. PostgreSQL skips rows another instance
    // is claiming; on SQLite the single writer makes it atomic as it stands.
    const DUE: &str =
        "(status = 'queued' AND run_at <= {now}) OR (status = 'running' AND claimed_until < {now})";
    let sql = |lock: &str, until: &str, now: &str| {
        format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, claimed_until = {until} \
             WHERE id = (SELECT id FROM jobs WHERE {} ORDER BY run_at, id LIMIT 1{lock}) \
             RETURNING id, kind, payload, attempts, max_attempts",
            DUE.replace("{now}", now)
        )
    };
    let until = now + LEASE;
    let row: Option<ClaimedRow> = match conn {
        DbConn::Pg(c) => diesel::sql_query(sql(" FOR UPDATE SKIP LOCKED", "$1", "$2"))
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .get_result(c)
            .optional()?,
        DbConn::Sqlite(c) => diesel::sql_query(sql("", "?1", "?2"))
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .get_result(c)
            .optional()?,
    };
    Ok(row.map(|r| Claimed {
        id: r.id,
        kind: r.kind,
        payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
        attempts: r.attempts,
        max_attempts: r.max_attempts,
    }))
}

/// Records how a claimed job ended: done, or failed and retried later, or
/// parked once it has used its attempts.
pub fn finish(
    conn: &mut DbConn,
    job: &Claimed,
    outcome: Result<(), String>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let target = jobs::table
        .find(job.id)
        .filter(jobs::status.eq(Status::Running));
    match outcome {
        Ok(()) => diesel::update(target)
            .set((
                jobs::status.eq(Status::Done),
                jobs::finished_at.eq(Some(now)),
                jobs::claimed_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Err(error) if job.attempts >= job.max_attempts => diesel::update(target)
            .set((
                jobs::status.eq(Status::Failed),
                jobs::finished_at.eq(Some(now)),
                jobs::claimed_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
        Err(error) => diesel::update(target)
            .set((
                jobs::status.eq(Status::Queued),
                jobs::run_at.eq(now + retry_delay(job.attempts)),
                jobs::claimed_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// The most recent jobs, for the admin page.
pub fn recent(conn: &mut DbConn, limit: i64) -> AppResult<Vec<Job>> {
    Ok(jobs::table
        .order(jobs::id.desc())
        .limit(limit)
        .select(Job::as_select())
        .load(conn)?)
}

/// Counts by status, for the admin page.
pub fn counts(conn: &mut DbConn) -> AppResult<Vec<(Status, i64)>> {
    Ok(jobs::table
        .group_by(jobs::status)
        .select((jobs::status, diesel::dsl::count_star()))
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Job> {
    Ok(jobs::table.find(id).select(Job::as_select()).first(conn)?)
}

/// Queues a failed or cancelled job to run again now, with fresh attempts.
pub fn retry(conn: &mut DbConn, id: i64) -> AppResult<bool> {
    let changed = diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::status.eq_any([Status::Failed, Status::Cancelled])),
    )
    .set((
        jobs::status.eq(Status::Queued),
        jobs::attempts.eq(0),
        jobs::run_at.eq(crate::db::now()),
        jobs::finished_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Cancels a job that has not run yet (or failed).
pub fn cancel(conn: &mut DbConn, id: i64) -> AppResult<bool> {
    let changed = diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::status.eq_any([Status::Queued, Status::Failed])),
    )
    .set((
        jobs::status.eq(Status::Cancelled),
        jobs::finished_at.eq(Some(crate::db::now())),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_then_stay_at_the_longest() {
        let waits: Vec<i64> = (1..=7).map(|a| retry_delay(a).num_seconds()).collect();
        assert_eq!(waits, [30, 120, 600, 3_600, 21_600, 21_600, 21_600]);
    }
}
