//! Partnership API: the register, one partnership, members, cost shares and
//! the calculator. Sections (objectives, risks, ...) add their own routes.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access;
use super::calculator::{self, Calculation, Method};
use super::members::{self, InviteInput, MemberUpdate};
use super::model::*;
use super::portfolio::{self, PortfolioFilter, PortfolioRow, Totals};
use super::store;
use super::summary::{self, Summary};
use crate::api::{self, PagingParams};
use crate::audit::Actor as AuditActor;
use crate::audit::AuditEntry;
use crate::auth::ApiCaller;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::error::{ApiResult, AppError, Problem};
use crate::policy::{authorize, Action, Relation};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships", get(list).post(create))
        .route("/api/v1/partnerships/{id}", get(get_one).put(update))
        .route("/api/v1/partnerships/{id}/summary", get(get_summary))
        .route("/api/v1/partnerships/{id}/history", get(history))
        .route(
            "/api/v1/partnerships/{id}/members",
            get(list_members).post(invite),
        )
        .route(
            "/api/v1/partnerships/{id}/members/{member}",
            axum::routing::put(update_member).delete(remove_member),
        )
        .route(
            "/api/v1/partnerships/{id}/cost-shares",
            axum::routing::put(set_cost_shares),
        )
        .route("/api/v1/partnerships/{id}/respond", post(respond))
        .route("/api/v1/partnerships/{id}/calculator", post(calculate))
}

/// Reads from a partnership the caller may see; 404 for everyone else.
pub(crate) async fn read_one<T, F>(
    state: &AppState,
    caller: &ApiCaller,
    id: i64,
    f: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Partnership) -> AppResult<T> + Send + 'static,
{
    let actor = caller.actor();
    state
        .db
        .read(move |c| {
            let (p, _) = access::load_visible(c, id, actor.as_ref())?;
            f(c, &p)
        })
        .await
}

/// Changes a partnership in one transaction, audited as the caller: 404 when
/// they cannot see it, then 401/403 when they may not do `action`.
pub(crate) async fn change<T, F>(
    state: &AppState,
    caller: &ApiCaller,
    id: i64,
    action: fn(Relation) -> Action,
    f: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Partnership, &AuditActor) -> AppResult<T> + Send + 'static,
{
    let actor = caller.actor();
    let audit_actor = caller.require().map(|u| u.audit_actor());
    state
        .db
        .write(move |c| {
            let (p, _) = access::load_for(c, id, actor.as_ref(), action)?;
            f(c, &p, &audit_actor?)
        })
        .await
}

#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `mine` (default when a token is sent) or `all` (all the caller may see).
    pub scope: Option<String>,
    /// Words from the name.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub degree: Option<String>,
    pub stage: Option<String>,
    pub status: Option<String>,
    /// Only partnerships with this organisation (register code) as an active member.
    pub organisation: Option<String>,
    /// name (default), next_review, updated or stage.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioPage {
    pub items: Vec<PortfolioRow>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
    /// Totals over every matching partnership, not just this page.
    pub totals: Totals,
}

/// The register: partnerships the caller may see, filtered and totalled.
#[utoipa::path(get, path = "/api/v1/partnerships", tag = "partnerships", params(ListParams),
    responses((status = 200, body = PortfolioPage), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Json<PortfolioPage>> {
    let p = api::query(params)?;
    let paging = PagingParams {
        page: p.page,
        per_page: p.per_page,
    }
    .check()?;
    let actor = caller.actor();
    let filter = PortfolioFilter {
        scope: p.scope,
        q: p.q,
        kind: p.kind,
        degree: p.degree,
        stage: p.stage,
        status: p.status,
        organisation: p.organisation,
        sort: p.sort,
    }
    .clean(actor.is_some());
    let result = state
        .db
        .read(move |c| {
            portfolio::load(c, &filter, actor.as_ref(), paging.offset(), paging.per_page)
        })
        .await?;
    Ok(Json(PortfolioPage {
        total_pages: ((result.total + paging.per_page - 1) / paging.per_page).max(1),
        items: result.rows,
        page: paging.page,
        per_page: paging.per_page,
        total: result.total,
        totals: result.totals,
    }))
}

/// Start a partnership led by the caller's organisation.
#[utoipa::path(post, path = "/api/v1/partnerships", tag = "partnerships", request_body = PartnershipInput,
    responses((status = 201, body = PartnershipView), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<PartnershipInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<PartnershipView>)> {
    let user = caller.require()?.clone();
    authorize(Some(&user.actor()), Action::CreatePartnership)?;
    let input = api::json(body)?;
    let view = state
        .db
        .write(move |c| {
            let lead = crate::orgs::store::find_by_id(c, user.organisation_id)?;
            let p = store::create(c, &input, &lead, Some(user.id), &user.audit_actor())?;
            store::view(c, &p)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One partnership with its members.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}", tag = "partnerships", params(("id" = i64, Path)),
    responses((status = 200, body = PartnershipView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PartnershipView>> {
    Ok(Json(read_one(&state, &caller, id, store::view).await?))
}

/// Replace a partnership's details and governance.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}", tag = "partnerships", params(("id" = i64, Path)), request_body = PartnershipInput,
    responses((status = 200, body = PartnershipView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<PartnershipInput>, JsonRejection>,
) -> ApiResult<Json<PartnershipView>> {
    let input = api::json(body)?;
    Ok(Json(
        change(
            &state,
            &caller,
            id,
            Action::EditPartnership,
            move |c, p, audit_actor| {
                let p = store::update(c, p, &input, audit_actor)?;
                store::view(c, &p)
            },
        )
        .await?,
    ))
}

/// Headline figures: objectives by RAG, open risks, realised costs and savings, reviews.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/summary", tag = "partnerships", params(("id" = i64, Path)),
    responses((status = 200, body = Summary), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_summary(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Summary>> {
    Ok(Json(
        read_one(&state, &caller, id, move |c, _| {
            summary::for_partnership(c, id)
        })
        .await?,
    ))
}

/// Every change to the partnership, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/history", tag = "partnerships", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AuditEntry>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(
        read_one(&state, &caller, id, move |c, _| {
            summary::history(c, id, 500)
        })
        .await?,
    ))
}

/// Member organisations, including invited, declined and former ones.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/members", tag = "partnerships", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MemberView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<MemberView>>> {
    Ok(Json(
        read_one(&state, &caller, id, move |c, _| store::members(c, id)).await?,
    ))
}

/// Invite an organisation (the lead's users, or org admins of members).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/members", tag = "partnerships", params(("id" = i64, Path)), request_body = InviteInput,
    responses((status = 201, body = Vec<MemberView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<InviteInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Vec<MemberView>>)> {
    let input = api::json(body)?;
    let members = change(
        &state,
        &caller,
        id,
        Action::ManageMembership,
        move |c, p, audit_actor| {
            members::invite(c, p, &input, audit_actor)?;
            store::members(c, id)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(members)))
}

/// Change a member's role or contact.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/members/{member}", tag = "partnerships", params(("id" = i64, Path), ("member" = i64, Path)), request_body = MemberUpdate,
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, member)): Path<(i64, i64)>,
    body: Result<Json<MemberUpdate>, JsonRejection>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let input = api::json(body)?;
    Ok(Json(
        change(
            &state,
            &caller,
            id,
            Action::ManageMembership,
            move |c, p, audit_actor| {
                members::update(c, p, member, &input, audit_actor)?;
                store::members(c, id)
            },
        )
        .await?,
    ))
}

/// Remove a member (kept as "left" in the history).
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/members/{member}", tag = "partnerships", params(("id" = i64, Path), ("member" = i64, Path)),
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, member)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<MemberView>>> {
    Ok(Json(
        change(
            &state,
            &caller,
            id,
            Action::ManageMembership,
            move |c, p, audit_actor| {
                members::remove(c, p, member, audit_actor)?;
                store::members(c, id)
            },
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CostShare {
    pub member_id: i64,
    /// Basis points (10000 = 100%); null clears the agreement.
    pub share_bp: Option<i32>,
}

/// Set every active member's agreed cost share at once: all null, or adding up to 10000.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/cost-shares", tag = "partnerships", params(("id" = i64, Path)), request_body = Vec<CostShare>,
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_cost_shares(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<Vec<CostShare>>, JsonRejection>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let shares: Vec<(i64, Option<i32>)> = api::json(body)?
        .into_iter()
        .map(|s| (s.member_id, s.share_bp))
        .collect();
    if shares
        .iter()
        .any(|(_, s)| s.is_some_and(|bp| !(0..=10_000).contains(&bp)))
    {
        return Err(AppError::invalid(
            "share_bp",
            "Each share must be from 0 to 10000 basis points",
        )
        .into());
    }
    Ok(Json(
        change(
            &state,
            &caller,
            id,
            Action::ManageMembership,
            move |c, p, audit_actor| {
                members::set_cost_shares(c, p, &shares, audit_actor)?;
                store::members(c, id)
            },
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Answer {
    /// `accept` or `decline`.
    pub answer: String,
}

/// Accept or decline an invitation for the caller's organisation (org admins).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/respond", tag = "partnerships", params(("id" = i64, Path)), request_body = Answer,
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn respond(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<Answer>, JsonRejection>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let user = caller.require()?.clone();
    let accept = match api::json(body)?.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::invalid("answer", "answer must be accept or decline").into()),
    };
    Ok(Json(
        state
            .db
            .write(move |c| {
                let (p, _) =
                    access::load_for(c, id, Some(&user.actor()), Action::RespondToInvitation)?;
                members::respond(c, &p, user.organisation_id, accept, &user.audit_actor())?;
                store::members(c, id)
            })
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CalculatorInput {
    pub amount_pence: i64,
    pub method: Method,
}

/// Split a shared cost among the active members (nothing is saved).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/calculator", tag = "partnerships", params(("id" = i64, Path)), request_body = CalculatorInput,
    responses((status = 200, body = Calculation), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn calculate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<CalculatorInput>, JsonRejection>,
) -> ApiResult<Json<Calculation>> {
    let input = api::json(body)?;
    Ok(Json(
        read_one(&state, &caller, id, move |c, _| {
            let members = store::members(c, id)?;
            calculator::calculate_for_api(&members, input.amount_pence, input.method)
        })
        .await?,
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, create, get_one, update, get_summary, history, list_members, invite, update_member, remove_member, set_cost_shares, respond, calculate),
    tags((name = "partnerships", description = "The partnership register"))
)]
pub struct ApiDoc;
