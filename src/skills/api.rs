//! Skills API: one's own results, a new taking, and the organisation's aggregate.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::model::{SkillsDraft, SkillsInput};
use super::store::{self, OrgSkills, OwnSkills, SkillsProfile};
use crate::api::{JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::{authorize, Action};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/account/skills", get(get_own).put(put_own))
        .route("/api/v1/organisations/{code}/skills", get(get_organisation))
}

/// The caller's own self-assessment results, latest first.
#[utoipa::path(get, path = "/api/v1/account/skills", tag = "skills",
    responses((status = 200, body = OwnSkills)), security(("bearer" = [])))]
pub async fn get_own(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<OwnSkills>> {
    authorize(caller.actor().as_ref(), Action::ManageOwnAccount)?;
    let id = caller.require()?.id;
    Ok(Json(state.db.read(move |c| store::own(c, id)).await?))
}

/// Take the self-assessment: every statement scored 1 to 5. Adds a new
/// dated result; earlier ones are kept.
#[utoipa::path(put, path = "/api/v1/account/skills", tag = "skills", request_body = SkillsDraft,
    responses((status = 200, body = SkillsProfile)), security(("bearer" = [])))]
pub async fn put_own(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<SkillsDraft>,
) -> ApiResult<Json<SkillsProfile>> {
    authorize(caller.actor().as_ref(), Action::ManageOwnAccount)?;
    let user = caller.require()?.clone();
    let input = SkillsInput::parse(&body.parse()?).map_err(AppError::Invalid)?;
    Ok(Json(
        state
            .db
            .write(move |c| store::save(c, &user, &input))
            .await?,
    ))
}

/// The organisation's means per competency over its people's latest
/// results: its admins only, and `competencies` is null until at least 5
/// people have taken it.
#[utoipa::path(get, path = "/api/v1/organisations/{code}/skills", tag = "skills",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    responses((status = 200, body = OrgSkills),
        (status = 403, description = "The caller is not an administrator of the organisation.",
            body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<OrgSkills>> {
    let org = state
        .db
        .read(move |c| {
            let o = crate::orgs::store::find(c, &code)?;
            Ok((o.id, o.code, o.name))
        })
        .await?;
    authorize(
        caller.actor().as_ref(),
        Action::ViewSkillsAggregate {
            organisation_id: org.0,
        },
    )?;
    Ok(Json(
        state.db.read(move |c| store::aggregate(c, &org)).await?,
    ))
}
