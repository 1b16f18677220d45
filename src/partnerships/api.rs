//! Partnership API: one partnership, its headline figures and its history.
//! The register, members and each section add their own routes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::history::{self, HistoryEntry};
use super::model::*;
use super::store;
use super::summary::{self, Summary};
use crate::api::{Created, JsonBody, On};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships", axum::routing::post(create))
        .route("/api/v1/partnerships/{id}", get(get_one).put(update))
        .route("/api/v1/partnerships/{id}/summary", get(get_summary))
        .route("/api/v1/partnerships/{id}/history", get(history))
}

/// Start a partnership led by the caller's organisation.
#[utoipa::path(post, path = "/api/v1/partnerships", tag = "partnerships", request_body = PartnershipDraft,
    responses((status = 201, body = PartnershipView)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<PartnershipDraft>,
) -> ApiResult<Created<PartnershipView>> {
    let view = work::unscoped(
        &state.db,
        caller.user(),
        Action::CreatePartnership,
        move |c, user| {
            let input = PartnershipInput::parse(&body.parse()?).map_err(AppError::Invalid)?;
            let lead = crate::orgs::store::find_by_id(c, user.organisation_id)?;
            let p = store::create(c, &input, &lead, Some(user.id), &user.audit_actor())?;
            let lead =
                Relation::of_member(p.visibility, Some((MemberRole::Lead, MemberStatus::Active)));
            store::view(c, &p, lead)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One partnership with its members.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}", tag = "partnerships", params(PartnershipId),
    responses((status = 200, body = PartnershipView)))]
pub async fn get_one(on: On<Partnership>) -> ApiResult<Json<PartnershipView>> {
    on.read(|w| store::view(w.conn, &w.record, w.rel)).await
}

/// Replace a partnership's details and governance.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}", tag = "partnerships", params(PartnershipId),
    request_body = PartnershipDraft, responses((status = 200, body = PartnershipView)), security(("bearer" = [])))]
pub async fn update(
    on: On<Partnership>,
    body: JsonBody<PartnershipDraft>,
) -> ApiResult<Json<PartnershipView>> {
    on.change(Action::EditPartnership, body, |w, draft| {
        let input = PartnershipInput::parse(&draft).map_err(AppError::Invalid)?;
        let p = store::update(w, &input)?;
        store::view(w.conn, &p, w.rel)
    })
    .await
}

/// Headline figures: objectives by RAG, open risks, realised costs and savings, reviews.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/summary", tag = "partnerships", params(PartnershipId),
    responses((status = 200, body = Summary)))]
pub async fn get_summary(on: On<Partnership>) -> ApiResult<Json<Summary>> {
    on.read(|w| summary::for_partnership(w.conn, w.record.id))
        .await
}

/// Every change to the partnership, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/history", tag = "partnerships", params(PartnershipId),
    responses((status = 200, body = Vec<HistoryEntry>)))]
pub async fn history(on: On<Partnership>) -> ApiResult<Json<Vec<HistoryEntry>>> {
    on.read(|w| history::history(w.conn, w.record.id, 500, history::shows_emails(w.rel)))
        .await
}
