//! Service API handlers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, Service};
use crate::api::{Page, PagingParams, Path, Query};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::policy::{authorize, Action};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/services", get(list))
        .route("/api/v1/services/{id}", get(get_one))
}

#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words from the label or description, or an LGSL number.
    pub q: Option<String>,
    /// `govuk` (default): only services GOV.UK assigns to a tier; `all`: the whole LGSL.
    #[param(pattern = "^(govuk|all)$")]
    pub scope: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// Search LGSL services.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", params(ListParams),
    responses((status = 200, body = Page<Service>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Page<Service>>> {
    authorize(caller.actor().as_ref(), Action::ViewPublicData)?;
    let paging = PagingParams {
        page: p.page,
        per_page: p.per_page,
    }
    .check()?;
    let all = match p.scope.as_deref() {
        None | Some("govuk") => false,
        Some("all") => true,
        Some(_) => return Err(AppError::invalid("scope", "scope must be govuk or all").into()),
    };
    let q = p.q.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
    let (rows, total) = state
        .db
        .read(move |c| store::search(c, q.as_deref(), !all, paging.offset(), paging.per_page))
        .await?;
    Ok(Json(Page::new(rows, paging, total)))
}

/// One LGSL service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services",
    params(("id" = i64, Path, description = "LGSL identifier")),
    responses((status = 200, body = Service)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Service>> {
    authorize(caller.actor().as_ref(), Action::ViewPublicData)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(state.db.read(move |c| store::find(c, id)).await?))
}
