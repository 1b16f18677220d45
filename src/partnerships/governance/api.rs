//! Agreements API: the same store and policy as the governance page.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::store::{self, AgreementInput, AgreementPatch, AgreementView};
use crate::api;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem};
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/partnerships/{id}/agreements",
            get(list).post(create),
        )
        .route(
            "/api/v1/partnerships/{id}/agreements/{aid}",
            get(get_one).patch(patch).delete(delete),
        )
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The agreements behind a partnership, most recently started first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/agreements", tag = "governance",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<AgreementView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AgreementView>>> {
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

/// Record an agreement: an MoU, contract, statutory delegation or articles.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/agreements", tag = "governance", request_body = AgreementInput,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = AgreementView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<AgreementInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<AgreementView>)> {
    let actor = caller.actor();
    let audit = caller.require()?.audit_actor();
    let input = api::json(body)?;
    let a = state
        .db
        .write(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::EditPartnership)?;
            store::create(c, id, &input, &audit, today())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// One agreement.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<Json<AgreementView>> {
    let actor = caller.actor();
    let a = state
        .db
        .read(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::get(c, id, aid, today())
        })
        .await?;
    Ok(Json(a))
}

/// Change some of an agreement's fields; those left out keep their values and a date set to null is cleared.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance", request_body = AgreementPatch,
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
    body: Result<Json<AgreementPatch>, JsonRejection>,
) -> ApiResult<Json<AgreementView>> {
    let actor = caller.actor();
    let audit = caller.require()?.audit_actor();
    let change = api::json(body)?;
    let a = state
        .db
        .write(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::EditPartnership)?;
            let input = change.apply(store::get(c, id, aid, today())?.input());
            store::update(c, id, aid, &input, &audit, today())
        })
        .await?;
    Ok(Json(a))
}

/// Delete an agreement (the History page keeps what it said).
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let actor = caller.actor();
    let audit = caller.require()?.audit_actor();
    state
        .db
        .write(move |c| {
            crate::partnerships::legacy::load_for(c, id, actor.as_ref(), Action::EditPartnership)?;
            store::delete(c, id, aid, &audit, today())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
