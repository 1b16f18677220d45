//! The outbox and the job queue, for platform admins: what is waiting, what
//! failed and why, and retrying or cancelling one email or job. The views and
//! the actions are here; the page is in `outbox_http.rs`, the JSON API in
//! `outbox_api.rs`. Email is shown without its text: it may carry a secret link.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::schema::outbox as outbox_table;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::policy::Action;
use crate::time::Timestamp;
use crate::{jobs, outbox};

/// An email as admins see it: who it is for and how sending went, never its text.
#[derive(Serialize, Debug, Clone, ToSchema)]
pub struct EmailView {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    #[schema(schema_with = email_status_schema)]
    pub status: outbox::Status,
    /// Attempts to send it so far (a retry starts again from 0).
    pub attempts: i32,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// When the sender tries again after a temporary failure.
    pub next_attempt_at: Option<Timestamp>,
    /// The mail server's answer to the last failed attempt.
    pub last_error: Option<String>,
}

impl From<outbox::Listed> for EmailView {
    fn from(m: outbox::Listed) -> EmailView {
        EmailView {
            id: m.id,
            recipient: m.recipient,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            created_at: m.created_at,
            sent_at: m.sent_at,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
        }
    }
}

/// A job as admins see it (not its payload).
#[derive(Serialize, Debug, Clone, ToSchema)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    #[schema(schema_with = job_status_schema)]
    pub status: jobs::Status,
    /// When it runs (or ran, or runs again).
    pub run_at: Timestamp,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

impl From<jobs::Job> for JobView {
    fn from(j: jobs::Job) -> JobView {
        JobView {
            id: j.id,
            kind: j.kind,
            status: j.status,
            run_at: j.run_at,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

fn codes_schema(codes: Vec<&'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some(description))
        .build()
}

/// Written out in place: a schema named `Status` is the partnership's.
pub fn email_status_schema() -> Object {
    let codes = outbox::Status::ALL.iter().map(|s| s.code()).collect();
    codes_schema(codes, "Where an email is")
}

pub fn job_status_schema() -> Object {
    let codes = jobs::Status::ALL.iter().map(|s| s.code()).collect();
    codes_schema(codes, "Where a job is")
}

/// Which queue an item is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Email,
    Job,
}

impl Queue {
    pub fn code(self) -> &'static str {
        match self {
            Queue::Email => "email",
            Queue::Job => "job",
        }
    }

    /// (audit action prefix, audit entity type).
    fn audit_names(self) -> (&'static str, &'static str) {
        match self {
            Queue::Email => ("outbox", "email"),
            Queue::Job => ("job", "job"),
        }
    }
}

/// Asked of one email or job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Retry,
    Cancel,
}

impl Verb {
    fn code(self) -> &'static str {
        match self {
            Verb::Retry => "retry",
            Verb::Cancel => "cancel",
        }
    }
}

/// An email status from a query string: none for every email; an unknown
/// one is refused with the statuses there are.
pub fn email_status_filter(raw: Option<&str>) -> Result<Option<outbox::Status>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(code) => outbox::Status::parse(code).map(Some).ok_or_else(|| {
            let codes: Vec<&str> = outbox::Status::ALL.iter().map(|s| s.code()).collect();
            let (last, rest) = codes.split_last().unwrap_or((&"", &[]));
            format!(
                "No email has the status \"{code}\": use {} or {last}.",
                rest.join(", ")
            )
        }),
    }
}

/// Counts for every status, in the vocabulary's order (0 where none).
fn every<S: Copy + PartialEq>(all: &[S], found: Vec<(S, i64)>) -> Vec<(S, i64)> {
    all.iter()
        .map(|s| {
            (
                *s,
                found.iter().find(|(f, _)| f == s).map_or(0, |(_, n)| *n),
            )
        })
        .collect()
}

pub fn email_counts(conn: &mut DbConn) -> AppResult<Vec<(outbox::Status, i64)>> {
    Ok(every(outbox::Status::ALL, outbox::counts(conn)?))
}

pub fn job_counts(conn: &mut DbConn) -> AppResult<Vec<(jobs::Status, i64)>> {
    Ok(every(jobs::Status::ALL, jobs::counts(conn)?))
}

pub fn recent_email(
    conn: &mut DbConn,
    status: Option<outbox::Status>,
    limit: i64,
) -> AppResult<Vec<EmailView>> {
    Ok(outbox::recent(conn, status, limit)?
        .into_iter()
        .map(EmailView::from)
        .collect())
}

pub fn recent_jobs(conn: &mut DbConn, limit: i64) -> AppResult<Vec<JobView>> {
    Ok(jobs::recent(conn, limit)?
        .into_iter()
        .map(JobView::from)
        .collect())
}

/// One email (404 if there is none).
pub fn find_email(conn: &mut DbConn, id: i64) -> AppResult<EmailView> {
    use outbox_table::dsl as o;
    let listed: outbox::Listed = o::outbox
        .find(id)
        .select((
            o::id,
            o::recipient,
            o::subject,
            o::status,
            o::attempts,
            o::created_at,
            o::sent_at,
            o::next_attempt_at,
            o::last_error,
        ))
        .first(conn)?;
    Ok(listed.into())
}

pub fn find_job(conn: &mut DbConn, id: i64) -> AppResult<JobView> {
    Ok(jobs::find(conn, id)?.into())
}

/// Retries or cancels an email or a job as `user`, who must be a platform
/// admin: 404 if there is no such thing, 409 if its state does not allow it.
/// The change and its audit entry are written together.
async fn act<V, F>(
    db: &Db,
    user: Option<&SessionUser>,
    id: i64,
    verb: Verb,
    queue: Queue,
    find: fn(&mut DbConn, i64) -> AppResult<V>,
    change: F,
) -> AppResult<V>
where
    V: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &V) -> AppResult<()> + Send + 'static,
{
    crate::work::unscoped(db, user, Action::AdministerPlatform, move |c, user| {
        let before = find(c, id)?;
        change(c, &before)?;
        let after = find(c, id)?;
        let (prefix, entity) = queue.audit_names();
        let action = format!("{prefix}.{}", verb.code());
        let entry = Change::new(&action, entity, id)
            .before(&before)
            .after(&after);
        audit::record(c, &user.audit_actor(), entry)?;
        Ok(after)
    })
    .await
}

pub async fn act_on_email(
    db: &Db,
    user: Option<&SessionUser>,
    id: i64,
    verb: Verb,
) -> AppResult<EmailView> {
    act(db, user, id, verb, Queue::Email, find_email, move |c, m: &EmailView| {
        let done = match verb {
            Verb::Retry => outbox::retry(c, id)?,
            Verb::Cancel => outbox::cancel(c, id)?,
        };
        let status = m.status.label().to_lowercase();
        match (done, verb) {
            (true, _) => Ok(()),
            (false, Verb::Retry) => Err(AppError::Conflict(format!("Email {id} is {status}, so it cannot be retried: only failed or cancelled email can be sent again."))),
            (false, Verb::Cancel) => Err(AppError::Conflict(format!("Email {id} is {status}, so it cannot be cancelled: only queued or failed email can be cancelled."))),
        }
    })
    .await
}

pub async fn act_on_job(
    db: &Db,
    user: Option<&SessionUser>,
    id: i64,
    verb: Verb,
) -> AppResult<JobView> {
    act(db, user, id, verb, Queue::Job, find_job, move |c, j: &JobView| {
        let done = match verb {
            Verb::Retry => jobs::retry(c, id)?,
            Verb::Cancel => jobs::cancel(c, id)?,
        };
        let (kind, status) = (&j.kind, j.status.label().to_lowercase());
        match (done, verb) {
            (true, _) => Ok(()),
            (false, Verb::Retry) => Err(AppError::Conflict(format!("Job {id} ({kind}) is {status}, so it cannot be retried: only failed or cancelled jobs can run again."))),
            (false, Verb::Cancel) => Err(AppError::Conflict(format!("Job {id} ({kind}) is {status}, so it cannot be cancelled: only queued or failed jobs can be cancelled."))),
        }
    })
    .await
}
