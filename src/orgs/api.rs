//! Organisation API handlers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::*;
use super::store;
use crate::api::{JsonBody, Page, PagingParams, Path, Query};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::lgsl::store::Service;
use crate::policy::{authorize, Action};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organisations", get(list).post(create))
        .route("/api/v1/organisations/{code}", get(get_one))
        .route("/api/v1/organisations/{code}/services", get(services))
        .route("/api/v1/organisations/{code}/matches", get(matches))
}

/// Directory search and filters; the same as the directory page.
#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words from the name, a register code (BIR) or a GSS code (E08000025).
    pub q: Option<String>,
    /// England, Scotland, Wales or Northern Ireland.
    pub nation: Option<String>,
    /// e.g. West Midlands.
    pub region: Option<String>,
    /// Type code, e.g. MD, NMD, UA, CTY, LBO, POLICE.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub type_code: Option<String>,
    /// current (default), former or all.
    #[param(pattern = "^(current|former|all)$")]
    pub status: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// Search the organisations directory.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(ListParams),
    responses((status = 200, body = Page<OrganisationSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Page<OrganisationSummary>>> {
    authorize(caller.actor().as_ref(), Action::ViewPublicData)?;
    let paging = PagingParams {
        page: p.page,
        per_page: p.per_page,
    }
    .check()?;
    if p.status
        .as_deref()
        .is_some_and(|s| !["current", "former", "all"].contains(&s))
    {
        return Err(AppError::invalid("status", "status must be current, former or all").into());
    }
    let filter = OrgFilter {
        q: p.q,
        nation: p.nation,
        region: p.region,
        type_code: p.type_code,
        status: p.status,
    }
    .clean();
    let (rows, total) = state
        .db
        .read(move |c| store::search(c, &filter, paging.offset(), paging.per_page))
        .await?;
    Ok(Json(Page::new(
        rows.iter().map(Organisation::summary).collect(),
        paging,
        total,
    )))
}

/// One organisation with its neighbours and similar councils.
#[utoipa::path(get, path = "/api/v1/organisations/{code}", tag = "organisations",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    responses((status = 200, body = OrganisationDetail)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<OrganisationDetail>> {
    authorize(caller.actor().as_ref(), Action::ViewPublicData)?;
    let detail = state
        .db
        .read(move |c| {
            let org = store::find(c, &code)?;
            store::detail(c, &org)
        })
        .await?;
    Ok(Json(detail))
}

/// The LGSL services an organisation delivers.
#[utoipa::path(get, path = "/api/v1/organisations/{code}/services", tag = "organisations",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    responses((status = 200, body = Vec<Service>)))]
pub async fn services(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<Service>>> {
    authorize(caller.actor().as_ref(), Action::ViewPublicData)?;
    let services = state
        .db
        .read(move |c| {
            let org = store::find(c, &code)?;
            crate::lgsl::store::for_tier(c, org.tier.as_deref())
        })
        .await?;
    Ok(Json(services))
}

/// Councils and projects like this organisation: other organisations' needs
/// like its own open needs (those the caller may see), then councils of the
/// same profile (`need` null), best first, each with why. 404 for an unknown code.
#[utoipa::path(get, path = "/api/v1/organisations/{code}/matches", tag = "organisations",
    params(("code" = String, Path, description = "Register code (BIR) or GSS code (E08000025)")),
    responses((status = 200, body = Vec<crate::needs::matches::NeedMatch>)))]
pub async fn matches(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<crate::needs::matches::NeedMatch>>> {
    let viewer = caller.actor();
    authorize(viewer.as_ref(), Action::ViewPublicData)?;
    let found = state
        .db
        .read(move |c| {
            let org = store::find(c, &code)?;
            crate::needs::matches::for_organisation(c, org.id, viewer.as_ref(), 20)
        })
        .await?;
    Ok(Json(found))
}

/// Add an organisation that is not in the council register (platform admins only).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "admin", request_body = NewOrganisation,
    responses((status = 201, body = OrganisationSummary)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<NewOrganisation>,
) -> ApiResult<(StatusCode, Json<OrganisationSummary>)> {
    authorize(caller.actor().as_ref(), Action::CreateOrganisation)?;
    let input = body.parse()?;
    let actor = caller.require()?.audit_actor();
    let org = state
        .db
        .write(move |c| store::create(c, &input, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(org.summary())))
}
