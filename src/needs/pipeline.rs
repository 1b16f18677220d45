//! The national pipeline page: needs the viewer may see, filtered, with a
//! picture of where they cluster by region and service function.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::model::*;
use super::store::{self, NeedFilter, NeedSummary};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{page, page_number, PageCtx, Pagination};

pub fn routes() -> Router<AppState> {
    Router::new().route("/needs", get(pipeline))
}

const PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "needs/index.html")]
struct PipelinePage {
    ctx: PageCtx,
    filter: NeedFilter,
    needs: Vec<NeedSummary>,
    pagination: Pagination,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PipelineQuery {
    q: String,
    phase: String,
    collaboration: String,
    budget_band: String,
    service: String,
    organisation: String,
    page: Option<String>,
}

async fn pipeline(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PipelineQuery>,
) -> AppResult<Response> {
    let viewer = ctx.user.as_ref().map(|u| u.actor());
    // The page is lenient: a value it does not know is treated as "any".
    let filter = NeedFilter {
        q: Some(q.q.clone()),
        phase: Phase::parse(&q.phase).map(|p| p.code().to_string()),
        collaboration: Collaboration::parse(&q.collaboration).map(|c| c.code().to_string()),
        budget_band: BudgetBand::parse(&q.budget_band).map(|b| b.code().to_string()),
        service: q.service.trim().parse().ok(),
        organisation: Some(q.organisation.clone()),
        ..Default::default()
    }
    .clean();
    let number = page_number(q.page.as_deref());
    let f = filter.clone();
    let (needs, total) = state
        .db
        .read(move |c| store::list(c, &f, viewer.as_ref(), (number - 1) * PER_PAGE, PER_PAGE))
        .await?;
    let params = [
        ("q", filter.q.clone().unwrap_or_default()),
        ("phase", filter.phase.clone().unwrap_or_default()),
        (
            "collaboration",
            filter.collaboration.clone().unwrap_or_default(),
        ),
        (
            "budget_band",
            filter.budget_band.clone().unwrap_or_default(),
        ),
        (
            "service",
            filter.service.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (
            "organisation",
            filter.organisation.clone().unwrap_or_default(),
        ),
    ];
    page(
        PipelinePage {
            ctx: ctx.with_nav("needs"),
            pagination: Pagination::new("/needs", &params, number, PER_PAGE, total),
            filter,
            needs,
        },
        false,
    )
}
