//! Ledger API handlers: the same store and policy as the page.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete as delete_route, get};
use axum::{Json, Router};

use super::store::{self, EntryView, LedgerInput, LedgerTotals};
use crate::api;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError, AppResult, Problem};
use crate::partnerships::legacy::active_member_orgs;
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Relation};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/ledger", get(list).post(create))
        .route("/api/v1/partnerships/{id}/ledger/totals", get(totals))
        .route(
            "/api/v1/partnerships/{id}/ledger/{eid}",
            delete_route(delete),
        )
}

async fn load(
    state: &AppState,
    caller: &ApiCaller,
    id: i64,
    action: fn(Relation) -> Action,
) -> AppResult<Partnership> {
    let actor = caller.actor();
    Ok(state
        .db
        .read(move |c| crate::partnerships::legacy::load_for(c, id, actor.as_ref(), action))
        .await?
        .0)
}

/// A partnership's costs and benefits, by financial year.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/ledger", tag = "ledger",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<EntryView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EntryView>>> {
    let p = load(&state, &caller, id, Action::ViewPartnership).await?;
    Ok(Json(state.db.read(move |c| store::list(c, p.id)).await?))
}

/// Totals for the partnership, each partner and each financial year. Net
/// realised is realised cashable savings less realised costs.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/ledger/totals", tag = "ledger",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = LedgerTotals), (status = 404, body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn totals(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<LedgerTotals>> {
    let p = load(&state, &caller, id, Action::ViewPartnership).await?;
    let (entries, members) = state
        .db
        .read(move |c| Ok((store::list(c, p.id)?, active_member_orgs(c, p.id)?)))
        .await?;
    Ok(Json(store::totals(&entries, &members)))
}

/// Record a cost, cashable saving or non-cashable benefit for a member organisation.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/ledger", tag = "ledger", request_body = LedgerInput,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = EntryView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<LedgerInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<EntryView>)> {
    // Who may change it is settled before the body is read, so outsiders learn nothing.
    load(&state, &caller, id, Action::EditPartnership).await?;
    let input = api::json(body)?;
    let user = caller.require()?;
    let (actor, audit, user_id) = (caller.actor(), user.audit_actor(), user.id);
    let entry = state
        .db
        .write(move |c| {
            let (p, _) = crate::partnerships::legacy::load_for(
                c,
                id,
                actor.as_ref(),
                Action::EditPartnership,
            )?;
            store::create(c, &p, &input, Some(user_id), &audit)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Delete an entry. The partnership's history keeps what it said.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/ledger/{eid}", tag = "ledger",
    params(("id" = i64, Path, description = "Partnership id"), ("eid" = i64, Path, description = "Ledger entry id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, eid)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let actor = caller.actor();
    let audit = caller.0.as_ref().map(|u| u.audit_actor());
    state
        .db
        .write(move |c| {
            let (p, _) = crate::partnerships::legacy::load_for(
                c,
                id,
                actor.as_ref(),
                Action::EditPartnership,
            )?;
            store::delete(c, &p, eid, &audit.ok_or(AppError::Unauthenticated)?)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
