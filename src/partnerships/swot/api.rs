//! SWOT API handlers: the same store functions and policy as the page.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};

use super::store::{self, SwotBoard, SwotInput, SwotItem};
use crate::api;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiResult, AppError, Problem};
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/swot", get(board).post(add))
        .route("/api/v1/partnerships/{id}/swot/{item}", delete(delete_item))
        .route(
            "/api/v1/partnerships/{id}/swot/{item}/vote",
            post(vote).delete(unvote),
        )
}

/// Ids that are not numbers name nothing: not found, as problem details.
fn ids<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(v)| v)
        .map_err(|_| ApiError(AppError::NotFound))
}

/// The SWOT board: every item with its votes, most votes first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/swot", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = SwotBoard), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn board(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<SwotBoard>> {
    let id = ids(path)?;
    let actor = caller.actor();
    let items = state
        .db
        .read(move |c| {
            let (p, rel) = crate::partnerships::legacy::load_for(
                c,
                id,
                actor.as_ref(),
                Action::ViewPartnership,
            )?;
            store::board(c, p.id, actor.as_ref(), rel)
        })
        .await?;
    Ok(Json(SwotBoard { items }))
}

/// Add an item to a quadrant, in the name of the caller's organisation.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/swot", tag = "swot", request_body = SwotInput,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = SwotItem), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<i64>, PathRejection>,
    body: Result<Json<SwotInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<SwotItem>)> {
    let id = ids(path)?;
    let user = caller.require()?.clone();
    let input = api::json(body)?;
    let item = state
        .db
        .write(move |c| {
            let actor = user.actor();
            let (p, rel) = crate::partnerships::legacy::load_for(
                c,
                id,
                Some(&actor),
                Action::EditPartnership,
            )?;
            let item = store::add(c, p.id, &input, &user)?;
            store::item(c, p.id, item, Some(&actor), rel)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Vote for an item. Voting again changes nothing: one vote per person per item.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/swot/{item}/vote", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id"), ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 200, description = "The item with the caller's vote", body = SwotItem), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn vote(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(i64, i64)>, PathRejection>,
) -> ApiResult<Json<SwotItem>> {
    change_vote(state, caller, path, true).await
}

/// Withdraw the caller's vote for an item, if they had one.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/swot/{item}/vote", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id"), ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 200, description = "The item without the caller's vote", body = SwotItem), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn unvote(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(i64, i64)>, PathRejection>,
) -> ApiResult<Json<SwotItem>> {
    change_vote(state, caller, path, false).await
}

async fn change_vote(
    state: AppState,
    caller: ApiCaller,
    path: Result<Path<(i64, i64)>, PathRejection>,
    add: bool,
) -> ApiResult<Json<SwotItem>> {
    let (id, item) = ids(path)?;
    let user = caller.require()?.clone();
    let view = state
        .db
        .write(move |c| {
            let actor = user.actor();
            let (p, rel) = crate::partnerships::legacy::load_for(
                c,
                id,
                Some(&actor),
                Action::EditPartnership,
            )?;
            if add {
                store::vote(c, p.id, item, &user)?;
            } else {
                store::unvote(c, p.id, item, &user)?;
            }
            store::item(c, p.id, item, Some(&actor), rel)
        })
        .await?;
    Ok(Json(view))
}

/// Delete an item and its votes: whoever added it, or anyone from the lead organisation.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/swot/{item}", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id"), ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn delete_item(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(i64, i64)>, PathRejection>,
) -> ApiResult<StatusCode> {
    let (id, item) = ids(path)?;
    let user = caller.require()?.clone();
    state
        .db
        .write(move |c| {
            let (p, rel) = crate::partnerships::legacy::load_for(
                c,
                id,
                Some(&user.actor()),
                Action::EditPartnership,
            )?;
            store::delete(c, p.id, item, &user, rel)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
