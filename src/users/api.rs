//! People API: invitations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::JsonBody;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::Role;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/invitations", post(invite))
}

#[derive(Deserialize, ToSchema)]
pub struct NewInvitation {
    pub email: String,
    /// Organisation code, e.g. BIR.
    pub organisation: String,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationSent {
    pub id: i64,
    pub email: String,
    pub organisation: String,
    pub role: Role,
    pub expires_at: crate::time::Timestamp,
}

/// Invite someone to an organisation; they get an email with a link to set a password.
/// Organisation admins may invite to their own organisation; platform admins anywhere.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "admin", request_body = NewInvitation,
    responses((status = 201, body = InvitationSent)),
    security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<NewInvitation>,
) -> ApiResult<(StatusCode, Json<InvitationSent>)> {
    let user = caller.require()?.clone();
    let input = body.parse()?;
    let code = input.organisation.clone();
    let org = state
        .db
        .read(move |c| crate::orgs::store::find(c, &code))
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::invalid(
                "organisation",
                format!("No organisation has the code '{}'", input.organisation),
            ),
            other => other,
        })?;
    let inv = super::invite(&state, &user, org.clone(), input.email.clone(), input.role).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationSent {
            id: inv.id,
            email: inv.email,
            organisation: org.code,
            role: input.role,
            expires_at: inv.expires_at,
        }),
    ))
}
