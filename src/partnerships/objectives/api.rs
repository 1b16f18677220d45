//! Objectives API: the same store and policy as the pages.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::store::{
    self, ObjectiveInput, ObjectivePatch, ObjectiveView, ProgressInput, ProgressView,
};
use crate::api;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem};
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/partnerships/{id}/objectives",
            get(list).post(create),
        )
        .route(
            "/api/v1/partnerships/{id}/objectives/{oid}",
            get(get_one).patch(patch),
        )
        .route(
            "/api/v1/partnerships/{id}/objectives/{oid}/updates",
            get(updates).post(post_update),
        )
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A partnership's joint objectives with their latest progress, soonest due first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives", tag = "objectives",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<ObjectiveView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ObjectiveView>>> {
    let actor = caller.actor();
    let rows = state
        .db
        .read(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::list(c, id, today())
        })
        .await?;
    Ok(Json(rows))
}

/// Add a measurable joint objective.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/objectives", tag = "objectives", request_body = ObjectiveInput,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = ObjectiveView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<ObjectiveInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ObjectiveView>)> {
    let actor = caller.actor();
    let audit = caller.require()?.audit_actor();
    let input = api::json(body)?;
    let o = state
        .db
        .write(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::EditPartnership)?;
            store::create(c, id, &input, &audit, today())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// One objective with its latest progress.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives/{oid}", tag = "objectives",
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = ObjectiveView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
) -> ApiResult<Json<ObjectiveView>> {
    let actor = caller.actor();
    let o = state
        .db
        .read(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::get(c, id, oid, today())
        })
        .await?;
    Ok(Json(o))
}

/// Change some of an objective's fields; those left out keep their values.
/// Changing the numbers or dates works out the stored RAG of past updates again.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/objectives/{oid}", tag = "objectives", request_body = ObjectivePatch,
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = ObjectiveView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
    body: Result<Json<ObjectivePatch>, JsonRejection>,
) -> ApiResult<Json<ObjectiveView>> {
    let actor = caller.actor();
    let audit = caller.require()?.audit_actor();
    let change = api::json(body)?;
    let o = state
        .db
        .write(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::EditPartnership)?;
            let input = change.apply(store::get(c, id, oid, today())?.input());
            store::update(c, id, oid, &input, &audit, today())
        })
        .await?;
    Ok(Json(o))
}

/// An objective's progress updates, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives/{oid}/updates", tag = "objectives",
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = Vec<ProgressView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn updates(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<ProgressView>>> {
    let actor = caller.actor();
    let rows = state
        .db
        .read(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::history(c, id, oid)
        })
        .await?;
    Ok(Json(rows))
}

/// Record progress: the measure's value on a date. The RAG is worked out and stored with it.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/objectives/{oid}/updates", tag = "objectives", request_body = ProgressInput,
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 201, body = ProgressView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn post_update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
    body: Result<Json<ProgressInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ProgressView>)> {
    let actor = caller.actor();
    let user = caller.require()?;
    let (user_id, audit) = (user.id, user.audit_actor());
    let input = api::json(body)?;
    let u = state
        .db
        .write(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::EditPartnership)?;
            store::record_progress(c, id, oid, &input, Some(user_id), &audit, today())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(u)))
}
