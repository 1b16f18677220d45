//! The reviews JSON API: the same store functions and policy as the page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;

use super::model::*;
use super::store;
use crate::api::{JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::Partnership;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Scoped;

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
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = ReviewList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReviewList>> {
    let list = Partnership::view(&state.db, caller.user(), id, move |w| {
        store::schedule(w.conn, &w.record, today())
    })
    .await?;
    Ok(Json(list))
}

/// Record a review with the actions it agreed. Errors in actions name them
/// by index, like `actions[0].owner`. The next review date moves on.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/reviews", tag = "reviews", request_body = ReviewDraft,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = ReviewView)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<ReviewDraft>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let review = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let draft = body.parse()?;
            let members = partnerships::active_members(w.conn, id)?;
            let today = today();
            let ctx = ReviewContext {
                today,
                members: &members,
                names: &ActionNames::Api,
            };
            let input = ReviewInput::parse(&draft, &ctx).map_err(AppError::Invalid)?;
            store::create(w, &input, today)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// Mark a review action as done today. Marking it again changes nothing.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/reviews/actions/{aid}/done", tag = "reviews",
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Review action id")),
    responses((status = 200, body = ActionView)), security(("bearer" = [])))]
pub async fn action_done(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<Json<ActionView>> {
    let action = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| store::mark_done(w, aid, today()),
    )
    .await?;
    Ok(Json(action))
}
