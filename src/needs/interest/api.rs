//! The interest, updates, funding and conversion API of a need: the same
//! store functions and policy as the need's page.

use axum::routing::{get, post, put};
use axum::{Json, Router};

use super::convert::{self, Converted};
use super::funding::{self, FundingView, SplitQuery, SplitView};
use super::model::*;
use super::store;
use crate::api::{Created, JsonBody, On, Query};
use crate::error::{ApiResult, AppError};
use crate::needs::model::Need;
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Scoped;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/needs/{id}/interest",
            get(list_interest).post(express),
        )
        .route(
            "/api/v1/needs/{id}/interest/{interest_id}",
            put(change_interest),
        )
        .route(
            "/api/v1/needs/{id}/updates",
            get(list_updates).post(post_update),
        )
        .route(
            "/api/v1/needs/{id}/funding",
            get(get_funding).put(set_funding),
        )
        .route("/api/v1/needs/{id}/funding/split", get(split))
        .route("/api/v1/needs/{id}/convert", post(convert_need))
}

/// Interest in a need: all of it for the owner's people; for others the
/// accepted interest and their own organisation's.
#[utoipa::path(get, path = "/api/v1/needs/{id}/interest", tag = "needs",
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = Vec<InterestView>)))]
pub async fn list_interest(on: On<Need>) -> ApiResult<Json<Vec<InterestView>>> {
    on.read(|w| {
        let all = store::all(w.conn, w.record.id)?;
        Ok(store::visible(w, all))
    })
    .await
}

/// The caller's organisation watches, contributes to or co-funds the need
/// (co-funders pledge, in pence). Again changes the organisation's interest.
#[utoipa::path(post, path = "/api/v1/needs/{id}/interest", tag = "needs", request_body = InterestDraft,
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 201, body = InterestView)), security(("bearer" = [])))]
pub async fn express(
    on: On<Need>,
    body: JsonBody<InterestDraft>,
) -> ApiResult<Created<InterestView>> {
    on.create(Action::ExpressInterest, body, |w, draft| {
        let input = InterestInput::parse(&draft).map_err(AppError::Invalid)?;
        store::express(w, &input)
    })
    .await
}

/// The owner sets `status` to accepted or declined (with a `decline_reason`);
/// the interested organisation changes `kind`, `pledge_pence` or `note`, or
/// sets `status` to withdrawn.
#[utoipa::path(put, path = "/api/v1/needs/{id}/interest/{interest_id}", tag = "needs", request_body = InterestChange,
    params(("id" = i64, Path, description = "Need id"), ("interest_id" = i64, Path, description = "Interest id")),
    responses((status = 200, body = InterestView)), security(("bearer" = [])))]
pub async fn change_interest(
    on: On<Need>,
    body: JsonBody<InterestChange>,
) -> ApiResult<Json<InterestView>> {
    // A bad interest id is judged after the need: a need the caller may
    // not see is "not found" whatever else the path says.
    let id = on.param("interest_id").ok();
    // Who may do what to this interest is the store's to judge, so the
    // work opens for anyone who may see the need.
    on.act(Need::view_action, move |w| {
        let id = id.ok_or_else(|| {
            AppError::BadRequest("Bad path parameter interest_id: it is not a number".into())
        })?;
        store::change(w, id, body)
    })
    .await
}

/// Updates the owner posted, newest first.
#[utoipa::path(get, path = "/api/v1/needs/{id}/updates", tag = "needs",
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = Vec<UpdateView>)))]
pub async fn list_updates(on: On<Need>) -> ApiResult<Json<Vec<UpdateView>>> {
    on.read(|w| store::updates(w.conn, w.record.id)).await
}

/// The owner posts an update to the need's watchers and every organisation
/// whose interest was accepted.
#[utoipa::path(post, path = "/api/v1/needs/{id}/updates", tag = "needs", request_body = UpdateDraft,
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 201, body = UpdateView)), security(("bearer" = [])))]
pub async fn post_update(
    on: On<Need>,
    body: JsonBody<UpdateDraft>,
) -> ApiResult<Created<UpdateView>> {
    on.create(Action::EditNeed, body, |w, draft| {
        let text = draft.parse().map_err(AppError::Invalid)?;
        store::post_update(w, &text)
    })
    .await
}

/// What accepted co-funders pledged against the target.
#[utoipa::path(get, path = "/api/v1/needs/{id}/funding", tag = "needs",
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = FundingView)))]
pub async fn get_funding(on: On<Need>) -> ApiResult<Json<FundingView>> {
    on.read(|w| {
        let all: Vec<InterestView> = store::all(w.conn, w.record.id)?
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        Ok(funding::summary(&w.record, &all))
    })
    .await
}

/// The owner sets the funding target in pence (null for none).
#[utoipa::path(put, path = "/api/v1/needs/{id}/funding", tag = "needs", request_body = FundingDraft,
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = FundingView)), security(("bearer" = [])))]
pub async fn set_funding(
    on: On<Need>,
    body: JsonBody<FundingDraft>,
) -> ApiResult<Json<FundingView>> {
    on.change(Action::EditNeed, body, |w, draft| {
        let target = draft.parse().map_err(AppError::Invalid)?;
        store::set_target(w, target)?;
        let all: Vec<InterestView> = store::all(w.conn, w.record.id)?
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        Ok(funding::summary(&w.record, &all))
    })
    .await
}

/// The funding target (or, without one, what is pledged) split among the
/// owner and the accepted contributors and co-funders: equally, by
/// population, or by what each puts in.
#[utoipa::path(get, path = "/api/v1/needs/{id}/funding/split", tag = "needs",
    params(("id" = i64, Path, description = "Need id"), SplitQuery),
    responses((status = 200, body = SplitView)))]
pub async fn split(on: On<Need>, Query(q): Query<SplitQuery>) -> ApiResult<Json<SplitView>> {
    on.read(move |w| {
        let method = q.method().map_err(|e| AppError::Invalid(vec![e]))?;
        funding::split(w.conn, &w.record, method)
    })
    .await
}

/// Starts a partnership from the need, led by its owner, inviting the
/// accepted contributors and co-funders with their pledges as cost shares;
/// the need closes. Refused (409) when it already became one.
#[utoipa::path(post, path = "/api/v1/needs/{id}/convert", tag = "needs",
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 201, body = Converted)), security(("bearer" = [])))]
pub async fn convert_need(on: On<Need>) -> ApiResult<Created<Converted>> {
    let done = on.act(Action::EditNeed, convert::convert).await?;
    Ok((axum::http::StatusCode::CREATED, done))
}
