//! Health check rounds in the JSON API: the same stores and policy as the
//! pages. Answers by token need no bearer token: the token is the credential.

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};

use super::model::*;
use super::{answers, invitations, store};
use crate::api::{Created, JsonBody, On, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::{Partnership, PartnershipId};
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/health-checks", post(create))
        .route("/api/v1/health-checks", get(list))
        .route("/api/v1/health-checks/{id}", get(show))
        .route("/api/v1/health-checks/{id}/invitations", post(invite))
        .route("/api/v1/health-responses/{token}", put(answer))
}

fn today() -> chrono::NaiveDate {
    crate::db::now().date()
}

/// The `{id}` of a health check round.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoundId {
    /// Health check round id.
    #[allow(dead_code)]
    id: i64,
}

/// Start a health check round on a partnership (its lead only).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/health-checks", tag = "health-checks",
    request_body = RoundDraft, params(PartnershipId),
    responses((status = 201, body = RoundView)), security(("bearer" = [])))]
pub async fn create(
    on: On<Partnership>,
    body: JsonBody<RoundDraft>,
) -> ApiResult<Created<RoundView>> {
    on.create(Action::RunHealthCheck, body, |w, draft| {
        let today = today();
        let org = w.organisation_id();
        let qs = store::usable_questionnaires(w.conn, org)?;
        let ctx = RoundContext {
            today,
            questionnaires: &qs,
        };
        let input = RoundInput::parse(&draft, &ctx).map_err(AppError::Invalid)?;
        let round = store::create(w, &input)?;
        store::view(w.conn, &round, today)
    })
    .await
}

/// The health check rounds the caller may see: those of partnerships the
/// caller's organisation is an active member of, newest first.
#[utoipa::path(get, path = "/api/v1/health-checks", tag = "health-checks",
    responses((status = 200, body = Vec<RoundView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<RoundView>>> {
    let user = caller.ok_or(AppError::Unauthenticated)?;
    let actor = user.actor();
    let today = today();
    Ok(Json(
        state
            .db
            .read(move |c| {
                let rounds = store::visible_to(c, &actor)?;
                rounds.iter().map(|r| store::view(c, r, today)).collect()
            })
            .await?,
    ))
}

/// One round with its response rates by partner and by role (counts only).
/// Like a partners-only partnership, anyone outside its member
/// organisations, signed out included, is answered 404.
#[utoipa::path(get, path = "/api/v1/health-checks/{id}", tag = "health-checks",
    params(RoundId), responses((status = 200, body = RoundView)))]
pub async fn show(on: On<HealthRound>) -> ApiResult<Json<RoundView>> {
    on.read(|w| store::view(w.conn, &w.record, today())).await
}

/// Invite stakeholders (email, member organisation's register code, role);
/// each gets an email with their own link. The links are returned to the
/// round's lead only, here and nowhere else.
#[utoipa::path(post, path = "/api/v1/health-checks/{id}/invitations", tag = "health-checks",
    request_body = InvitationList, params(RoundId),
    responses((status = 201, body = Vec<InvitationCreated>)), security(("bearer" = [])))]
pub async fn invite(
    on: On<HealthRound>,
    body: JsonBody<InvitationList>,
) -> ApiResult<Created<Vec<InvitationCreated>>> {
    on.create(Action::RunHealthCheck, body, |w, list| {
        let members = crate::partnerships::store::active_members(w.conn, w.record.partnership_id)?;
        let already = invitations::invited_emails(w.conn, w.record.id)?;
        let inputs = InvitationInput::parse_all(&list.invitations, &members, &already, |i| {
            format!("invitations[{i}].")
        })
        .map_err(AppError::Invalid)?;
        invitations::invite(w, &inputs, today())
    })
    .await
}

/// Answer a health check by the link's token (no bearer token): scores 1–5
/// or don't know per statement, and comments per factor. Sending again
/// replaces the answers, until the round closes or the link expires (409).
#[utoipa::path(put, path = "/api/v1/health-responses/{token}", tag = "health-checks",
    request_body = HealthResponseDraft,
    params(("token" = String, Path, description = "The token from the invitation's link")),
    responses((status = 200, body = ResponseSaved)))]
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: JsonBody<HealthResponseDraft>,
) -> ApiResult<Json<ResponseSaved>> {
    Ok(Json(
        state
            .db
            .write(move |c| {
                let invited = answers::find(c, &token)?.ok_or(AppError::NotFound)?;
                let draft = body.parse()?;
                let factors = answers::questionnaire(c, &invited)?;
                let input = ResponseInput::parse(&draft, &factors).map_err(AppError::Invalid)?;
                answers::save(c, &invited, &input, crate::db::now())
            })
            .await?,
    ))
}
