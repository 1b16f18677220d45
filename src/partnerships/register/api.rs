//! The register's API: the partnerships the caller may see, filtered and totalled.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::portfolio::{self, PortfolioFilter, PortfolioRow, Totals};
use crate::api::{PagingParams, Query};
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/partnerships", get(list))
}

#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `mine` (default when a token is sent) or `all` (all the caller may see).
    #[param(pattern = "^(mine|all)$")]
    pub scope: Option<String>,
    /// Words from the name.
    pub q: Option<String>,
    #[param(value_type = Option<crate::partnerships::model::Kind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<crate::partnerships::model::Degree>)]
    pub degree: Option<String>,
    /// ISO 44001 stage, 1 to 8.
    #[param(pattern = "^[1-8]$")]
    pub stage: Option<String>,
    #[param(value_type = Option<crate::partnerships::model::Status>)]
    pub status: Option<String>,
    /// Only partnerships with this organisation (register code) as an active member.
    pub organisation: Option<String>,
    /// Only partnerships covering this LGSL service (its number).
    #[param(pattern = "^[1-9][0-9]{0,8}$")]
    pub service: Option<String>,
    /// name (default), next_review, updated or stage.
    #[param(pattern = "^(name|next_review|updated|stage)$")]
    pub sort: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
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
    responses((status = 200, body = PortfolioPage)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<PortfolioPage>> {
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
        service: p.service,
        sort: p.sort,
    };
    filter.refuse_unknown()?;
    let filter = filter.clean(actor.is_some());
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
