//! Questionnaires in the JSON API: the list a lead chooses from, one
//! questionnaire with its versions, creating one and publishing a version.
//! Another organisation's questionnaire is "not found"; changes are for
//! the owning organisation's admins (and platform admins).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::model::*;
use super::store;
use crate::api::{Created, JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::authorize;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/questionnaires", get(list).post(create))
        .route("/api/v1/questionnaires/{id}", get(show))
        .route("/api/v1/questionnaires/{id}/versions", post(publish))
}

/// The `{id}` of a questionnaire.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct QuestionnaireId {
    /// Questionnaire id.
    #[allow(dead_code)]
    id: i64,
}

/// The questionnaires the caller's organisation may use for a round:
/// Concord's own and its own, each at its latest version with its factors
/// and statements.
#[utoipa::path(get, path = "/api/v1/questionnaires", tag = "health-checks",
    responses((status = 200, body = Vec<QuestionnaireView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
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

/// Create a questionnaire for the caller's organisation, with its first
/// version (the organisation's admins). Factors are matched to Concord's
/// own by name, so a report's trend compares them across questionnaires.
#[utoipa::path(post, path = "/api/v1/questionnaires", tag = "health-checks",
    request_body = QuestionnaireDraft,
    responses((status = 201, body = QuestionnaireDetail)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<QuestionnaireDraft>,
) -> ApiResult<Created<QuestionnaireDetail>> {
    let user = caller.require()?.clone();
    let org = Some(user.organisation_id);
    authorize(Some(&user.actor()), store::edit_action(org))?;
    let detail = state
        .db
        .write(move |c| {
            let draft = body.parse()?;
            let taken = store::names_of(c, org)?;
            let input = QuestionnaireInput::parse(&draft, &taken)
                .map_err(|p| AppError::Invalid(field_errors(p)))?;
            let found = store::create(c, &user, org, &input, None)?;
            store::detail(c, &found)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// One questionnaire with every published version (newest first), each
/// with its factors and statements and how many rounds use it. Another
/// organisation's questionnaire answers 404.
#[utoipa::path(get, path = "/api/v1/questionnaires/{id}", tag = "health-checks",
    params(QuestionnaireId),
    responses((status = 200, body = QuestionnaireDetail)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<QuestionnaireDetail>> {
    let actor = caller.actor();
    Ok(Json(
        state
            .db
            .read(move |c| {
                let found = store::open(c, id, actor.as_ref(), store::view_action)?;
                store::detail(c, &found)
            })
            .await?,
    ))
}

/// Publish the next version of a questionnaire: all its factors as they
/// will be. Earlier versions never change, and rounds keep the version
/// they started with; new rounds use this one.
#[utoipa::path(post, path = "/api/v1/questionnaires/{id}/versions", tag = "health-checks",
    request_body = VersionDraft, params(QuestionnaireId),
    responses((status = 201, body = VersionView)), security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<VersionDraft>,
) -> ApiResult<Created<VersionView>> {
    let user = caller.user().cloned();
    let version = state
        .db
        .write(move |c| {
            let actor = user.as_ref().map(|u| u.actor());
            let found = store::open(c, id, actor.as_ref(), store::edit_action)?;
            let user = user.ok_or(AppError::Unauthenticated)?;
            let draft = body.parse()?;
            let input = FactorsInput::parse(&draft.factors)
                .map_err(|p| AppError::Invalid(field_errors(p)))?;
            store::publish(c, &user, &found, &input)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(version)))
}
