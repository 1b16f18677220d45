//! The outbox page for platform admins: counts, the recent email (filtered by
//! status) and jobs, and a Retry and a Cancel button on each row whose state
//! allows it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::outbox::*;
use crate::auth::SignedIn;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::web::{html, PageCtx};
use crate::{jobs, outbox};

/// How many of the most recent email and jobs the page shows.
const SHOWN: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{id}/retry", post(retry_email))
        .route("/admin/outbox/{id}/cancel", post(cancel_email))
        .route("/admin/jobs/{id}/retry", post(retry_job))
        .route("/admin/jobs/{id}/cancel", post(cancel_job))
}

// Which buttons a row has and the colour of its tag. `outbox::retry` and
// `cancel` (and the same in `jobs`) decide what is allowed; these follow them.
impl EmailView {
    pub fn can_retry(&self) -> bool {
        matches!(
            self.status,
            outbox::Status::Failed | outbox::Status::Cancelled
        )
    }

    pub fn can_cancel(&self) -> bool {
        matches!(self.status, outbox::Status::Queued | outbox::Status::Failed)
    }

    pub fn tag(&self) -> &'static str {
        match self.status {
            outbox::Status::Queued => "govuk-tag--blue",
            outbox::Status::Sending => "govuk-tag--light-blue",
            outbox::Status::Sent => "govuk-tag--green",
            outbox::Status::Failed => "govuk-tag--red",
            outbox::Status::Cancelled => "govuk-tag--grey",
        }
    }
}

impl JobView {
    pub fn can_retry(&self) -> bool {
        matches!(self.status, jobs::Status::Failed | jobs::Status::Cancelled)
    }

    pub fn can_cancel(&self) -> bool {
        matches!(self.status, jobs::Status::Queued | jobs::Status::Failed)
    }

    pub fn tag(&self) -> &'static str {
        match self.status {
            jobs::Status::Queued => "govuk-tag--blue",
            jobs::Status::Running => "govuk-tag--light-blue",
            jobs::Status::Done => "govuk-tag--green",
            jobs::Status::Failed => "govuk-tag--red",
            jobs::Status::Cancelled => "govuk-tag--grey",
        }
    }
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    ctx: PageCtx,
    filter: Option<outbox::Status>,
    email_counts: Vec<(outbox::Status, i64)>,
    email: Vec<EmailView>,
    job_counts: Vec<(jobs::Status, i64)>,
    jobs: Vec<JobView>,
    notice: Option<String>,
    problem: Option<String>,
}

impl OutboxPage {
    /// The filter's code, for the forms to come back to the same list.
    fn filter_code(&self) -> &'static str {
        self.filter.map_or("", |s| s.code())
    }

    fn is_filter(&self, status: &outbox::Status) -> bool {
        self.filter == Some(*status)
    }
}

#[derive(Deserialize)]
struct PageQuery {
    status: Option<String>,
    /// What was just done, for the banner: email-retried, job-cancelled …
    done: Option<String>,
    id: Option<String>,
}

async fn outbox_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::AdministerPlatform)?;
    let filter = email_status_filter(q.status.as_deref()).map_err(AppError::BadRequest)?;
    let done = q.done.zip(q.id.and_then(|id| id.parse::<i64>().ok()));
    render(&state, ctx, filter, done, None).await
}

/// The page, with a banner for what was just done or the reason it could not be.
async fn render(
    state: &AppState,
    ctx: PageCtx,
    filter: Option<outbox::Status>,
    done: Option<(String, i64)>,
    problem: Option<String>,
) -> AppResult<Response> {
    let (email_counts, email, job_counts, jobs, notice) = state
        .db
        .read(move |c| {
            let notice = match done {
                Some((done, id)) => notice(c, &done, id)?,
                None => None,
            };
            Ok((
                email_counts(c)?,
                recent_email(c, filter, SHOWN)?,
                job_counts(c)?,
                recent_jobs(c, SHOWN)?,
                notice,
            ))
        })
        .await?;
    let status = if problem.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = OutboxPage {
        ctx: ctx.with_nav("admin"),
        filter,
        email_counts,
        email,
        job_counts,
        jobs,
        notice,
        problem,
    };
    Ok((status, html(page)?).into_response())
}

/// The banner after a retry or a cancel; nothing for a code it does not know.
fn notice(c: &mut DbConn, done: &str, id: i64) -> AppResult<Option<String>> {
    let found = |r: AppResult<String>| match r {
        Ok(text) => Ok(Some(text)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    };
    let email =
        |c: &mut DbConn| find_email(c, id).map(|m| format!("email {id} to {}", m.recipient));
    let job = |c: &mut DbConn| find_job(c, id).map(|j| format!("job {id} ({})", j.kind));
    match done {
        "email-retried" => found(email(c).map(|m| format!("The {m} is queued to be sent again."))),
        "email-cancelled" => found(email(c).map(|m| format!("The {m} has been cancelled."))),
        "job-retried" => found(job(c).map(|j| format!("The {j} is queued to run again."))),
        "job-cancelled" => found(job(c).map(|j| format!("The {j} has been cancelled."))),
        _ => Ok(None),
    }
}

/// The list to come back to after a button.
#[derive(Deserialize)]
struct Back {
    #[serde(default)]
    status: String,
}

async fn retry_email(
    s: State<AppState>,
    ctx: PageCtx,
    u: SignedIn,
    id: Path<String>,
    b: Form<Back>,
) -> AppResult<Response> {
    button(s, ctx, u, id, b, Queue::Email, Verb::Retry).await
}

async fn cancel_email(
    s: State<AppState>,
    ctx: PageCtx,
    u: SignedIn,
    id: Path<String>,
    b: Form<Back>,
) -> AppResult<Response> {
    button(s, ctx, u, id, b, Queue::Email, Verb::Cancel).await
}

async fn retry_job(
    s: State<AppState>,
    ctx: PageCtx,
    u: SignedIn,
    id: Path<String>,
    b: Form<Back>,
) -> AppResult<Response> {
    button(s, ctx, u, id, b, Queue::Job, Verb::Retry).await
}

async fn cancel_job(
    s: State<AppState>,
    ctx: PageCtx,
    u: SignedIn,
    id: Path<String>,
    b: Form<Back>,
) -> AppResult<Response> {
    button(s, ctx, u, id, b, Queue::Job, Verb::Cancel).await
}

/// A Retry or Cancel button: back to the page with a banner, or the page
/// again with the reason when the state does not allow it (409).
async fn button(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Form(back): Form<Back>,
    queue: Queue,
    verb: Verb,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), Action::AdministerPlatform)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    // The list to return to; a filter that is not a status is dropped.
    let filter = email_status_filter(Some(&back.status)).unwrap_or(None);
    let result = match queue {
        Queue::Email => act_on_email(&state.db, Some(&user), id, verb)
            .await
            .map(drop),
        Queue::Job => act_on_job(&state.db, Some(&user), id, verb).await.map(drop),
    };
    match result {
        Ok(()) => {
            let what = queue.code();
            let done = match verb {
                Verb::Retry => format!("{what}-retried"),
                Verb::Cancel => format!("{what}-cancelled"),
            };
            let mut query = vec![("done", done), ("id", id.to_string())];
            if let Some(s) = filter {
                query.insert(0, ("status", s.code().to_string()));
            }
            let query = serde_urlencoded::to_string(&query).unwrap_or_default();
            Ok(Redirect::to(&format!("/admin/outbox?{query}")).into_response())
        }
        Err(AppError::Conflict(reason)) => render(&state, ctx, filter, None, Some(reason)).await,
        Err(e) => Err(e),
    }
}
