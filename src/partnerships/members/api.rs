//! Membership API: the same stores and policy as the members page.

use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use super::calculator::{self, Calculation, Method};
use super::model::{accepts, InviteDraft, InviteInput, MemberChange, MemberDraft};
use super::store;
use crate::api::{Created, JsonBody, On};
use crate::error::{ApiResult, AppError, AppResult};
use crate::partnerships::model::*;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/members", get(list).post(invite))
        .route(
            "/api/v1/partnerships/{id}/members/{member}",
            put(update).delete(remove),
        )
        .route(
            "/api/v1/partnerships/{id}/cost-shares",
            put(set_cost_shares),
        )
        .route("/api/v1/partnerships/{id}/respond", post(respond))
        .route("/api/v1/partnerships/{id}/calculator", post(calculate))
}

/// The members as the caller may see them: what every answer here shows.
fn members(w: &mut Work<'_, Partnership>) -> AppResult<Vec<MemberView>> {
    partnerships::members_as_seen(w.conn, w.record.id, w.rel)
}

/// Member organisations, including invited, declined and former ones.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/members", tag = "partnerships", params(PartnershipId),
    responses((status = 200, body = Vec<MemberView>)))]
pub async fn list(on: On<Partnership>) -> ApiResult<Json<Vec<MemberView>>> {
    on.read(members).await
}

/// Invite an organisation (the lead's people, or organisation admins of members).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/members", tag = "partnerships", params(PartnershipId),
    request_body = InviteDraft, responses((status = 201, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn invite(
    on: On<Partnership>,
    body: JsonBody<InviteDraft>,
) -> ApiResult<Created<Vec<MemberView>>> {
    on.create(Action::ManageMembership, body, |w, draft| {
        let input = InviteInput::parse(w.conn, &draft)?;
        store::invite(w, &input)?;
        members(w)
    })
    .await
}

/// Change a member's role or contact.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/members/{member}", tag = "partnerships",
    params(PartnershipId, ("member" = i64, Path, description = "Member id")),
    request_body = MemberDraft, responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn update(
    on: On<Partnership>,
    body: JsonBody<MemberDraft>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let member = on.param("member")?;
    // Observers are refused here; the store then asks for ManageMembership
    // (a role) or ChangeOrganisationsRecord (a contact).
    on.change(Action::EditPartnership, body, move |w, draft| {
        let change = MemberChange::parse(&draft).map_err(AppError::Invalid)?;
        store::update(w, member, &change)?;
        members(w)
    })
    .await
}

/// Remove a member (kept as "left" in the history).
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/members/{member}", tag = "partnerships",
    params(PartnershipId, ("member" = i64, Path, description = "Member id")),
    responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn remove(on: On<Partnership>) -> ApiResult<Json<Vec<MemberView>>> {
    let member = on.param("member")?;
    on.act(Action::ManageMembership, move |w| {
        store::remove(w, member)?;
        members(w)
    })
    .await
}

#[derive(Deserialize, ToSchema)]
pub struct CostShare {
    pub member_id: i64,
    /// Basis points (10000 = 100%); null clears the agreement.
    #[schema(minimum = 0, maximum = 10000)]
    pub share_bp: Option<i32>,
}

/// Set every active member's agreed cost share at once: all null, or adding up to 10000.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/cost-shares", tag = "partnerships", params(PartnershipId),
    request_body = Vec<CostShare>, responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn set_cost_shares(
    on: On<Partnership>,
    body: JsonBody<Vec<CostShare>>,
) -> ApiResult<Json<Vec<MemberView>>> {
    on.change(Action::ManageMembership, body, |w, given| {
        let given: Vec<_> = given
            .into_iter()
            .map(|s| (s.member_id, s.share_bp))
            .collect();
        let shares = store::check_cost_shares(w.conn, w.record.id, &given)?;
        store::set_cost_shares(w, &shares)?;
        members(w)
    })
    .await
}

#[derive(Deserialize, ToSchema)]
pub struct Answer {
    /// `accept` or `decline`.
    #[schema(pattern = "^(accept|decline)$")]
    pub answer: String,
}

/// Accept or decline an invitation for the caller's organisation (organisation admins).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/respond", tag = "partnerships", params(PartnershipId),
    request_body = Answer, responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn respond(
    on: On<Partnership>,
    body: JsonBody<Answer>,
) -> ApiResult<Json<Vec<MemberView>>> {
    on.change(Action::RespondToInvitation, body, |w, Answer { answer }| {
        let accept = accepts(&answer)
            .ok_or_else(|| AppError::invalid("answer", "answer must be accept or decline"))?;
        store::respond(w, accept)?;
        members(w)
    })
    .await
}

#[derive(Deserialize, ToSchema)]
pub struct CalculatorInput {
    #[schema(minimum = 0)]
    pub amount_pence: i64,
    pub method: Method,
}

/// Split a shared cost among the active members (nothing is saved).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/calculator", tag = "partnerships", params(PartnershipId),
    request_body = CalculatorInput, responses((status = 200, body = Calculation)))]
pub async fn calculate(
    on: On<Partnership>,
    body: JsonBody<CalculatorInput>,
) -> ApiResult<Json<Calculation>> {
    on.read(|w| {
        let input = body.parse()?;
        let members = partnerships::members(w.conn, w.record.id)?;
        calculator::calculate(&members, input.amount_pence, input.method)
    })
    .await
}
