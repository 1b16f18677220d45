//! The needs API: the same store functions and policy as the pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::model::*;
use super::store::{self, NeedFilter, NeedSummary};
use crate::api::{Created, JsonBody, On, Page, PagingParams, Query};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::Action;
use crate::state::AppState;
use crate::work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/needs", get(list).post(create))
        .route("/api/v1/needs/clusters", get(clusters))
        .route("/api/v1/needs/{id}", get(get_one).put(update))
        .route("/api/v1/needs/{id}/matches", get(matches))
}

/// The national pipeline: needs the caller may see, newest change first.
#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", params(NeedFilter, PagingParams),
    responses((status = 200, body = Page<NeedSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(filter): Query<NeedFilter>,
    Query(paging): Query<PagingParams>,
) -> ApiResult<Json<Page<NeedSummary>>> {
    let paging = paging.check()?;
    // Checked as sent: an empty or unknown vocabulary value is refused by
    // the API (pages, whose filters come from forms, take empty as "any").
    filter.refuse_unknown()?;
    let filter = filter.clean();
    let viewer = caller.actor();
    let (items, total) = state
        .db
        .read(move |c| {
            store::list(
                c,
                &filter,
                viewer.as_ref(),
                paging.offset(),
                paging.per_page,
            )
        })
        .await?;
    Ok(Json(Page::new(items, paging, total)))
}

/// Where the needs the caller may see cluster: counts by region, and by
/// region for the most needed services. Takes the pipeline's filters.
#[utoipa::path(get, path = "/api/v1/needs/clusters", tag = "needs", params(NeedFilter),
    responses((status = 200, body = super::search::Clusters)))]
pub async fn clusters(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(filter): Query<NeedFilter>,
) -> ApiResult<Json<super::search::Clusters>> {
    // Checked as sent: an empty or unknown vocabulary value is refused by
    // the API (pages, whose filters come from forms, take empty as "any").
    filter.refuse_unknown()?;
    let filter = filter.clean();
    let viewer = caller.actor();
    let clusters = state
        .db
        .read(move |c| super::search::clusters(c, &filter, viewer.as_ref()))
        .await?;
    Ok(Json(clusters))
}

/// List a need for the caller's organisation.
#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", request_body = NeedDraft,
    responses((status = 201, body = NeedView)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<NeedDraft>,
) -> ApiResult<Created<NeedView>> {
    let view = work::unscoped(
        &state.db,
        caller.user(),
        Action::CreateNeed,
        move |c, user| {
            let draft = body.parse()?;
            let input = NeedInput::parse(&draft).map_err(AppError::Invalid)?;
            let need = store::create(
                c,
                &input,
                user.organisation_id,
                Some(user.id),
                &user.audit_actor(),
            )?;
            store::view(c, &need)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One need.
#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs",
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = NeedView)))]
pub async fn get_one(on: On<Need>) -> ApiResult<Json<NeedView>> {
    on.read(|w| store::view(w.conn, &w.record)).await
}

/// Change a need: its own organisation's people only.
#[utoipa::path(put, path = "/api/v1/needs/{id}", tag = "needs", request_body = NeedDraft,
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = NeedView)), security(("bearer" = [])))]
pub async fn update(on: On<Need>, body: JsonBody<NeedDraft>) -> ApiResult<Json<NeedView>> {
    on.change(Action::EditNeed, body, |w, draft| {
        let input = NeedInput::parse(&draft).map_err(AppError::Invalid)?;
        let need = store::update(w, &input)?;
        store::view(w.conn, &need)
    })
    .await
}

/// Other organisations' needs like this one, best first, each with why.
#[utoipa::path(get, path = "/api/v1/needs/{id}/matches", tag = "needs",
    params(("id" = i64, Path, description = "Need id")),
    responses((status = 200, body = Vec<super::matches::NeedMatch>)))]
pub async fn matches(
    on: On<Need>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<super::matches::NeedMatch>>> {
    let viewer = caller.actor();
    on.read(move |w| super::matches::for_need(w.conn, &w.record, viewer.as_ref(), 20))
        .await
}
