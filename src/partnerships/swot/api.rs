//! SWOT API handlers: the same store functions and policy as the page.

use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};

use super::model::*;
use super::store;
use crate::api::{Created, JsonBody, On};
use crate::error::{ApiResult, AppError, AppResult};
use crate::partnerships::model::{Partnership, PartnershipId};
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Work;

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
    params(PartnershipId), responses((status = 200, body = SwotBoard)))]
pub async fn board(on: On<Partnership>) -> ApiResult<Json<SwotBoard>> {
    on.read(|w| {
        let viewer = Viewer::of(w.person(), w.rel);
        let items = store::board(w.conn, w.record.id, &viewer)?;
        Ok(SwotBoard { items })
    })
    .await
}

/// The item as the caller sees it, with their vote.
fn seen(w: &mut Work<'_, Partnership>, item: i64) -> AppResult<SwotItem> {
    let viewer = Viewer::of(w.person(), w.rel);
    store::item(w.conn, w.record.id, item, &viewer)
}

/// Add an item to a quadrant, in the name of the caller's organisation.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/swot", tag = "swot", request_body = SwotDraft,
    params(PartnershipId), responses((status = 201, body = SwotItem)), security(("bearer" = [])))]
pub async fn add(on: On<Partnership>, body: JsonBody<SwotDraft>) -> ApiResult<Created<SwotItem>> {
    on.create(Action::EditPartnership, body, |w, draft| {
        let input = SwotInput::parse(&draft).map_err(AppError::Invalid)?;
        let item = store::add(w, &input)?;
        seen(w, item)
    })
    .await
}

/// Vote for an item. Voting again changes nothing: one vote per person per item.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/swot/{item}/vote", tag = "swot",
    params(PartnershipId, ("item" = i64, Path, description = "SWOT item id")), security(("bearer" = [])),
    responses((status = 200, description = "The item with the caller's vote", body = SwotItem)))]
pub async fn vote(on: On<Partnership>) -> ApiResult<Json<SwotItem>> {
    change_vote(on, store::vote).await
}

/// Withdraw the caller's vote for an item, if they had one.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/swot/{item}/vote", tag = "swot",
    params(PartnershipId, ("item" = i64, Path, description = "SWOT item id")), security(("bearer" = [])),
    responses((status = 200, description = "The item without the caller's vote", body = SwotItem)))]
pub async fn unvote(on: On<Partnership>) -> ApiResult<Json<SwotItem>> {
    change_vote(on, store::unvote).await
}

/// A store change to the caller's vote: `store::vote` or `store::unvote`.
type VoteChange = fn(&mut Work<'_, Partnership>, i64) -> AppResult<bool>;

/// Votes or withdraws the vote with `change`, then answers with the item.
async fn change_vote(on: On<Partnership>, change: VoteChange) -> ApiResult<Json<SwotItem>> {
    on_item(on, move |w, item| {
        change(w, item)?;
        seen(w, item)
    })
    .await
}

/// Does `change` to the item named in the path.
async fn on_item<T, F>(on: On<Partnership>, change: F) -> ApiResult<Json<T>>
where
    T: Send + 'static,
    F: FnOnce(&mut Work<'_, Partnership>, i64) -> AppResult<T> + Send + 'static,
{
    let item = on.param("item")?;
    on.act(Action::EditPartnership, move |w| change(w, item))
        .await
}

/// Delete an item and its votes: whoever added it, or anyone from the lead organisation.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/swot/{item}", tag = "swot",
    params(PartnershipId, ("item" = i64, Path, description = "SWOT item id")),
    responses((status = 204, description = "Deleted")), security(("bearer" = [])))]
pub async fn delete_item(on: On<Partnership>) -> ApiResult<StatusCode> {
    on_item(on, store::delete)
        .await
        .map(|_| StatusCode::NO_CONTENT)
}
