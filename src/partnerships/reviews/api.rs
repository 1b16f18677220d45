//! The reviews JSON API: the same store functions and policy as the page.

use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;

use super::model::*;
use super::store;
use crate::api::{Created, JsonBody, On};
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::{Partnership, PartnershipId};
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/reviews", get(list).post(create))
        .route(
            "/api/v1/partnerships/{id}/reviews/actions/{aid}/done",
            post(action_done),
        )
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The review schedule and every review, newest first, with its actions.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/reviews", tag = "reviews",
    params(PartnershipId), responses((status = 200, body = ReviewList)))]
pub async fn list(on: On<Partnership>) -> ApiResult<Json<ReviewList>> {
    on.read(|w| store::schedule(w.conn, &w.record, today()))
        .await
}

/// Record a review with the actions it agreed. Errors in actions name them
/// by index, like `actions[0].owner`. The next review date moves on.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/reviews", tag = "reviews", request_body = ReviewDraft,
    params(PartnershipId), responses((status = 201, body = ReviewView)), security(("bearer" = [])))]
pub async fn create(
    on: On<Partnership>,
    body: JsonBody<ReviewDraft>,
) -> ApiResult<Created<ReviewView>> {
    on.create(Action::EditPartnership, body, |w, draft| {
        let today = today();
        let members = partnerships::active_members(w.conn, w.record.id)?;
        let ctx = ReviewContext {
            today,
            members: &members,
            names: &ActionNames::Api,
        };
        let input = ReviewInput::parse(&draft, &ctx).map_err(AppError::Invalid)?;
        store::create(w, &input, today)
    })
    .await
}

/// Mark a review action as done today. Marking it again changes nothing.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/reviews/actions/{aid}/done", tag = "reviews",
    params(PartnershipId, ("aid" = i64, Path, description = "Review action id")),
    responses((status = 200, body = ActionView)), security(("bearer" = [])))]
pub async fn action_done(on: On<Partnership>) -> ApiResult<Json<ActionView>> {
    let aid = on.param("aid")?;
    on.act(Action::EditPartnership, move |w| {
        store::mark_done(w, aid, today())
    })
    .await
}
