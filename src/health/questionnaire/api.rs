//! Questionnaires in the JSON API.

use axum::routing::get;
use axum::{Json, Router};

use super::model::QuestionnaireView;
use super::store;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/questionnaires", get(list))
}

/// The questionnaires the caller's organisation may use for a round:
/// Concord's own and its own, each at its latest version with its factors
/// and statements.
#[utoipa::path(get, path = "/api/v1/questionnaires", tag = "health-checks",
    responses((status = 200, body = Vec<QuestionnaireView>)), security(("bearer" = [])))]
pub async fn list(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<QuestionnaireView>>> {
    let user = caller.ok_or(AppError::Unauthenticated)?;
    let org = user.organisation_id;
    Ok(Json(
        state
            .db
            .read(move |c| store::usable_by(c, Some(org), true))
            .await?,
    ))
}
