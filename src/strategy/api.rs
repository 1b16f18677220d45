//! Strategy API: read and write an organisation's strategy, and the
//! strategy review. 404 for an unknown organisation, then 401 / 403.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::model::{StrategyDraft, StrategyInput};
use super::store::{self, StrategyReview, StrategyView};
use crate::api::{JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::{authorize, Action};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/organisations/{code}/strategy",
            get(get_strategy).put(put_strategy),
        )
        .route(
            "/api/v1/organisations/{code}/strategy/review",
            get(get_review),
        )
}

/// The organisation by code (404), then the caller's permission (401 / 403).
async fn organisation_for(
    state: &AppState,
    caller: &ApiCaller,
    code: String,
    action: fn(i64) -> Action,
) -> Result<(i64, String, String), AppError> {
    let org = state
        .db
        .read(move |c| store::organisation(c, &code))
        .await?;
    authorize(caller.actor().as_ref(), action(org.0))?;
    Ok(org)
}

/// The organisation's collaboration strategy in force (`version` null
/// before one is written): its own people and platform admins.
#[utoipa::path(get, path = "/api/v1/organisations/{code}/strategy", tag = "strategy",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    responses((status = 200, body = StrategyView),
        (status = 403, description = "The caller is not one of the organisation's people.",
            body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_strategy(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<StrategyView>> {
    let org = organisation_for(&state, &caller, code, |organisation_id| {
        Action::ViewCollaborationStrategy { organisation_id }
    })
    .await?;
    Ok(Json(state.db.read(move |c| store::current(c, &org)).await?))
}

/// Write a new version of the strategy (the whole of it): its admins.
#[utoipa::path(put, path = "/api/v1/organisations/{code}/strategy", tag = "strategy",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    request_body = StrategyDraft,
    responses((status = 200, body = StrategyView)), security(("bearer" = [])))]
pub async fn put_strategy(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    body: JsonBody<StrategyDraft>,
) -> ApiResult<Json<StrategyView>> {
    let org = organisation_for(&state, &caller, code, |organisation_id| {
        Action::SetCollaborationStrategy { organisation_id }
    })
    .await?;
    let user = caller.require()?.clone();
    let draft = body.parse()?;
    let input = StrategyInput::parse(&draft).map_err(AppError::Invalid)?;
    let saved = state
        .db
        .write(move |c| store::save(c, &user, &org, &input))
        .await?;
    Ok(Json(saved))
}

/// Every partnership of the organisation against each criterion of its
/// strategy: met, not met or not known, from the register and the latest
/// health check.
#[utoipa::path(get, path = "/api/v1/organisations/{code}/strategy/review", tag = "strategy",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    responses((status = 200, body = StrategyReview),
        (status = 403, description = "The caller is not one of the organisation's people.",
            body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_review(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<StrategyReview>> {
    let org = organisation_for(&state, &caller, code, |organisation_id| {
        Action::ViewCollaborationStrategy { organisation_id }
    })
    .await?;
    let review = state
        .db
        .read(move |c| store::review(c, &org, store::today()))
        .await?;
    Ok(Json(review))
}
