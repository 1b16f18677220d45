//! Reviews API handlers: the same store and policy as the page.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::store::{self, ActionView, ReviewInput, ReviewList, ReviewView};
use crate::api;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError, Problem};
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

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The review schedule and every review, newest first, with its actions.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/reviews", tag = "reviews",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = ReviewList), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReviewList>> {
    let actor = caller.actor();
    let list = state
        .db
        .read(move |c| {
            let (p, _) = crate::partnerships::legacy::load_for(
                c,
                id,
                actor.as_ref(),
                Action::ViewPartnership,
            )?;
            store::list_with_schedule(c, &p, today())
        })
        .await?;
    Ok(Json(list))
}

/// Record a review with the actions it agreed. Errors in actions name them
/// by index, like `actions[0].owner`. The next review date moves on.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/reviews", tag = "reviews", request_body = ReviewInput,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = ReviewView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<ReviewInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    // Who may change it is settled before the body is read, so outsiders learn nothing.
    let actor = caller.actor();
    let a2 = actor.clone();
    state
        .db
        .read(move |c| {
            crate::partnerships::legacy::load_for(c, id, a2.as_ref(), Action::EditPartnership)
        })
        .await?;
    let input = api::json(body)?;
    let user = caller.require()?;
    let (audit, user_id) = (user.audit_actor(), user.id);
    let review = state
        .db
        .write(move |c| {
            let (p, _) = crate::partnerships::legacy::load_for(
                c,
                id,
                actor.as_ref(),
                Action::EditPartnership,
            )?;
            store::create(
                c,
                &p,
                &input,
                today(),
                &store::api_names,
                Some(user_id),
                &audit,
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// Mark a review action as done today. Marking it again changes nothing.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/reviews/actions/{aid}/done", tag = "reviews",
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Review action id")),
    responses((status = 200, body = ActionView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn action_done(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<Json<ActionView>> {
    let actor = caller.actor();
    let audit = caller.0.as_ref().map(|u| u.audit_actor());
    let action = state
        .db
        .write(move |c| {
            let (p, _) = crate::partnerships::legacy::load_for(
                c,
                id,
                actor.as_ref(),
                Action::EditPartnership,
            )?;
            store::mark_done(
                c,
                &p,
                aid,
                today(),
                &audit.ok_or(AppError::Unauthenticated)?,
            )
        })
        .await?;
    Ok(Json(action))
}
