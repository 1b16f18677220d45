//! The outbox and the job queue as JSON, for platform admins: the same lists,
//! counts and actions as the page.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::outbox::*;
use crate::api::{Path, Query};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError, Problem};
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::{jobs, outbox};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/outbox", get(list_email))
        .route("/api/v1/admin/outbox/{id}/retry", post(retry_email))
        .route("/api/v1/admin/outbox/{id}/cancel", post(cancel_email))
        .route("/api/v1/admin/jobs", get(list_jobs))
        .route("/api/v1/admin/jobs/{id}/retry", post(retry_job))
        .route("/api/v1/admin/jobs/{id}/cancel", post(cancel_job))
}

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct EmailParams {
    /// Only email with this status.
    #[param(schema_with = email_status_schema)]
    pub status: Option<String>,
    /// How many of the most recent to list, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct JobParams {
    /// How many of the most recent to list, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// How many email have one status.
#[derive(Serialize, ToSchema)]
pub struct EmailCount {
    #[schema(schema_with = email_status_schema)]
    pub status: outbox::Status,
    pub count: i64,
}

/// How many jobs have one status.
#[derive(Serialize, ToSchema)]
pub struct JobCount {
    #[schema(schema_with = job_status_schema)]
    pub status: jobs::Status,
    pub count: i64,
}

/// Every status's count, and the most recent email, newest first.
#[derive(Serialize, ToSchema)]
pub struct EmailList {
    pub counts: Vec<EmailCount>,
    pub items: Vec<EmailView>,
}

/// Every status's count, and the most recent jobs, newest first.
#[derive(Serialize, ToSchema)]
pub struct JobList {
    pub counts: Vec<JobCount>,
    pub items: Vec<JobView>,
}

fn limit(raw: Option<i64>) -> Result<i64, AppError> {
    match raw.unwrap_or(DEFAULT_LIMIT) {
        n if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(AppError::invalid(
            "limit",
            format!("limit must be from 1 to {MAX_LIMIT}"),
        )),
    }
}

/// The outbox: counts by status and the most recent email (never its text).
/// Platform admins only.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", params(EmailParams),
    responses((status = 200, body = EmailList),
        (status = 403, description = "The token's user is not a platform admin.", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_email(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<EmailParams>,
) -> ApiResult<Json<EmailList>> {
    authorize(caller.actor().as_ref(), Action::AdministerPlatform)?;
    let status = email_status_filter(p.status.as_deref())
        .map_err(|message| AppError::invalid("status", message))?;
    let limit = limit(p.limit)?;
    let (counts, items) = state
        .db
        .read(move |c| Ok((email_counts(c)?, recent_email(c, status, limit)?)))
        .await?;
    Ok(Json(EmailList {
        counts: counts
            .into_iter()
            .map(|(status, count)| EmailCount { status, count })
            .collect(),
        items,
    }))
}

/// The job queue: counts by status and the most recent jobs (not their
/// payloads). Platform admins only.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", params(JobParams),
    responses((status = 200, body = JobList),
        (status = 403, description = "The token's user is not a platform admin.", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<JobParams>,
) -> ApiResult<Json<JobList>> {
    authorize(caller.actor().as_ref(), Action::AdministerPlatform)?;
    let limit = limit(p.limit)?;
    let (counts, items) = state
        .db
        .read(move |c| Ok((job_counts(c)?, recent_jobs(c, limit)?)))
        .await?;
    Ok(Json(JobList {
        counts: counts
            .into_iter()
            .map(|(status, count)| JobCount { status, count })
            .collect(),
        items,
    }))
}

/// Send a failed or cancelled email again, with fresh attempts; 409 in any
/// other state. Platform admins only.
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin",
    params(("id" = i64, Path, description = "The email's id")),
    responses((status = 200, body = EmailView)), security(("bearer" = [])))]
pub async fn retry_email(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<EmailView>> {
    Ok(Json(
        act_on_email(&state.db, caller.user(), id, Verb::Retry).await?,
    ))
}

/// Stop a queued or failed email; 409 in any other state. Platform admins only.
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/cancel", tag = "admin",
    params(("id" = i64, Path, description = "The email's id")),
    responses((status = 200, body = EmailView)), security(("bearer" = [])))]
pub async fn cancel_email(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<EmailView>> {
    Ok(Json(
        act_on_email(&state.db, caller.user(), id, Verb::Cancel).await?,
    ))
}

/// Run a failed or cancelled job again now, with fresh attempts; 409 in any
/// other state. Platform admins only.
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", tag = "admin",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = JobView)), security(("bearer" = [])))]
pub async fn retry_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(
        act_on_job(&state.db, caller.user(), id, Verb::Retry).await?,
    ))
}

/// Cancel a queued or failed job; 409 in any other state. Platform admins only.
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/cancel", tag = "admin",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = JobView)), security(("bearer" = [])))]
pub async fn cancel_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(
        act_on_job(&state.db, caller.user(), id, Verb::Cancel).await?,
    ))
}
