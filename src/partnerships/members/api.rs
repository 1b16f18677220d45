//! Membership API: the same stores and policy as the members page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use super::calculator::{self, Calculation, Method};
use super::model::{CostShares, InviteDraft, InviteInput, MemberChange, MemberDraft};
use super::store;
use crate::api::{JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::*;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Scoped;

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

/// Member organisations, including invited, declined and former ones.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/members", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<MemberView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let members = Partnership::view(&state.db, caller.user(), id, move |w| {
        partnerships::members_as_seen(w.conn, id, w.rel)
    })
    .await?;
    Ok(Json(members))
}

/// Invite an organisation (the lead's people, or organisation admins of members).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/members", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id")), request_body = InviteDraft,
    responses((status = 201, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<InviteDraft>,
) -> ApiResult<(StatusCode, Json<Vec<MemberView>>)> {
    let members = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::ManageMembership,
        move |w| {
            let input = InviteInput::parse(w.conn, &body.parse()?)?;
            store::invite(w, &input)?;
            partnerships::members_as_seen(w.conn, id, w.rel)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(members)))
}

/// Change a member's role or contact.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/members/{member}", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id"), ("member" = i64, Path, description = "Member id")),
    request_body = MemberDraft, responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, member)): Path<(i64, i64)>,
    body: JsonBody<MemberDraft>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let members = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let change = MemberChange::parse(&body.parse()?).map_err(AppError::Invalid)?;
            store::update(w, member, &change)?;
            partnerships::members_as_seen(w.conn, id, w.rel)
        },
    )
    .await?;
    Ok(Json(members))
}

/// Remove a member (kept as "left" in the history).
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/members/{member}", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id"), ("member" = i64, Path, description = "Member id")),
    responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, member)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let members = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::ManageMembership,
        move |w| {
            store::remove(w, member)?;
            partnerships::members_as_seen(w.conn, id, w.rel)
        },
    )
    .await?;
    Ok(Json(members))
}

#[derive(Deserialize, ToSchema)]
pub struct CostShare {
    pub member_id: i64,
    /// Basis points (10000 = 100%); null clears the agreement.
    #[schema(minimum = 0, maximum = 10000)]
    pub share_bp: Option<i32>,
}

/// Set every active member's agreed cost share at once: all null, or adding up to 10000.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/cost-shares", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id")), request_body = Vec<CostShare>,
    responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn set_cost_shares(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<Vec<CostShare>>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let members = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::ManageMembership,
        move |w| {
            let shares: Vec<(i64, Option<i32>)> = body
                .parse()?
                .into_iter()
                .map(|s| (s.member_id, s.share_bp))
                .collect();
            let members = partnerships::members(w.conn, id)?;
            let shares = CostShares::parse(&shares, &members).map_err(AppError::Invalid)?;
            store::set_cost_shares(w, &shares)?;
            partnerships::members_as_seen(w.conn, id, w.rel)
        },
    )
    .await?;
    Ok(Json(members))
}

#[derive(Deserialize, ToSchema)]
pub struct Answer {
    /// `accept` or `decline`.
    #[schema(pattern = "^(accept|decline)$")]
    pub answer: String,
}

/// Accept or decline an invitation for the caller's organisation (organisation admins).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/respond", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id")), request_body = Answer,
    responses((status = 200, body = Vec<MemberView>)), security(("bearer" = [])))]
pub async fn respond(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<Answer>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let members = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::RespondToInvitation,
        move |w| {
            let accept = match body.parse()?.answer.as_str() {
                "accept" => true,
                "decline" => false,
                _ => {
                    return Err(AppError::invalid(
                        "answer",
                        "answer must be accept or decline",
                    ))
                }
            };
            store::respond(w, accept)?;
            partnerships::members_as_seen(w.conn, id, w.rel)
        },
    )
    .await?;
    Ok(Json(members))
}

#[derive(Deserialize, ToSchema)]
pub struct CalculatorInput {
    #[schema(minimum = 0)]
    pub amount_pence: i64,
    pub method: Method,
}

/// Split a shared cost among the active members (nothing is saved).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/calculator", tag = "partnerships",
    params(("id" = i64, Path, description = "Partnership id")), request_body = CalculatorInput,
    responses((status = 200, body = Calculation)))]
pub async fn calculate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<CalculatorInput>,
) -> ApiResult<Json<Calculation>> {
    let calculation = Partnership::view(&state.db, caller.user(), id, move |w| {
        let input = body.parse()?;
        let members = partnerships::members(w.conn, id)?;
        calculator::calculate(&members, input.amount_pence, input.method)
    })
    .await?;
    Ok(Json(calculation))
}
