//! SWOT API handlers: the same store functions and policy as the page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};

use super::model::*;
use super::store;
use crate::api::{JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::Partnership;
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Scoped;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/swot", get(board).post(add))
        .route("/api/v1/partnerships/{id}/swot/{item}", delete(delete_item))
        .route(
            "/api/v1/partnerships/{id}/swot/{item}/vote",
            post(vote).delete(unvote),
        )
}

/// The SWOT board: every item with its votes, most votes first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/swot", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = SwotBoard)))]
pub async fn board(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SwotBoard>> {
    let items = Partnership::view(&state.db, caller.user(), id, move |w| {
        let viewer = Viewer::of(w.person(), w.rel);
        store::board(w.conn, id, &viewer)
    })
    .await?;
    Ok(Json(SwotBoard { items }))
}

/// Add an item to a quadrant, in the name of the caller's organisation.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/swot", tag = "swot", request_body = SwotDraft,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = SwotItem)), security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<SwotDraft>,
) -> ApiResult<(StatusCode, Json<SwotItem>)> {
    let item = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let input = SwotInput::parse(&body.parse()?).map_err(AppError::Invalid)?;
            let item = store::add(w, &input)?;
            let viewer = Viewer::of(w.person(), w.rel);
            store::item(w.conn, id, item, &viewer)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Vote for an item. Voting again changes nothing: one vote per person per item.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/swot/{item}/vote", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id"), ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 200, description = "The item with the caller's vote", body = SwotItem)),
    security(("bearer" = [])))]
pub async fn vote(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, item)): Path<(i64, i64)>,
) -> ApiResult<Json<SwotItem>> {
    change_vote(state, caller, id, item, true).await
}

/// Withdraw the caller's vote for an item, if they had one.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/swot/{item}/vote", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id"), ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 200, description = "The item without the caller's vote", body = SwotItem)),
    security(("bearer" = [])))]
pub async fn unvote(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, item)): Path<(i64, i64)>,
) -> ApiResult<Json<SwotItem>> {
    change_vote(state, caller, id, item, false).await
}

async fn change_vote(
    state: AppState,
    caller: ApiCaller,
    id: i64,
    item: i64,
    add: bool,
) -> ApiResult<Json<SwotItem>> {
    let view = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            if add {
                store::vote(w, item)?;
            } else {
                store::unvote(w, item)?;
            }
            let viewer = Viewer::of(w.person(), w.rel);
            store::item(w.conn, id, item, &viewer)
        },
    )
    .await?;
    Ok(Json(view))
}

/// Delete an item and its votes: whoever added it, or anyone from the lead organisation.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/swot/{item}", tag = "swot",
    params(("id" = i64, Path, description = "Partnership id"), ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 204, description = "Deleted")), security(("bearer" = [])))]
pub async fn delete_item(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, item)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| store::delete(w, item),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
