//! The API's view of the caller's own account.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/me", get(me))
}

/// The caller, as seen by the API.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: crate::policy::Role,
    pub organisation: crate::orgs::model::OrgRef,
}

/// Who am I? The user the bearer token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me)),
    security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<Me>> {
    let user = caller.require()?.clone();
    crate::policy::authorize(Some(&user.actor()), crate::policy::Action::ManageOwnAccount)?;
    let org_id = user.organisation_id;
    let org = state
        .db
        .read(move |c| crate::orgs::store::find_by_id(c, org_id))
        .await?;
    Ok(Json(Me {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role,
        organisation: crate::orgs::model::OrgRef {
            code: org.code,
            name: org.name,
            short_name: org.short_name,
        },
    }))
}
