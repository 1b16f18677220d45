//! The national pipeline page: needs the viewer may see, filtered, with a
//! picture of where they cluster by region and service function.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::model::*;
use super::search::{self, Clusters};
use super::store::{self, NeedFilter, NeedSummary};
use crate::error::AppResult;
use crate::orgs::model::Facets;
use crate::state::AppState;
use crate::web::{page, page_number, PageCtx, Pagination};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/needs", get(pipeline))
        .route("/needs/clusters", get(clusters_page))
        .route("/needs/export.csv", get(export))
}

const PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "needs/index.html")]
struct PipelinePage {
    ctx: PageCtx,
    filter: NeedFilter,
    facets: Facets,
    needs: Vec<NeedSummary>,
    pagination: Pagination,
    /// The filters as a query string, for the link to the cluster picture.
    query: String,
    can_import: bool,
}

#[derive(Template)]
#[template(path = "needs/clusters.html")]
struct ClustersPage {
    ctx: PageCtx,
    clusters: Clusters,
    chart: String,
    query: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PipelineQuery {
    q: String,
    phase: String,
    collaboration: String,
    budget_band: String,
    service: String,
    nation: String,
    region: String,
    #[serde(rename = "type")]
    type_code: String,
    organisation: String,
    sort: String,
    page: Option<String>,
}

impl PipelineQuery {
    /// The page is lenient: a value it does not know is treated as "any".
    fn filter(&self) -> NeedFilter {
        NeedFilter {
            q: Some(self.q.clone()),
            phase: Phase::parse(&self.phase).map(|p| p.code().to_string()),
            collaboration: Collaboration::parse(&self.collaboration).map(|c| c.code().to_string()),
            budget_band: BudgetBand::parse(&self.budget_band).map(|b| b.code().to_string()),
            service: self.service.trim().parse().ok(),
            nation: Some(self.nation.clone()),
            region: Some(self.region.clone()),
            type_code: Some(self.type_code.clone()),
            organisation: Some(self.organisation.clone()),
            sort: matches!(self.sort.trim(), "relevance" | "recent")
                .then(|| self.sort.trim().to_string()),
            ..Default::default()
        }
        .clean()
    }
}

/// The filter as (name, value) pairs, for links that keep it.
fn params(filter: &NeedFilter) -> Vec<(&'static str, String)> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("q", text(&filter.q)),
        ("phase", text(&filter.phase)),
        ("collaboration", text(&filter.collaboration)),
        ("budget_band", text(&filter.budget_band)),
        (
            "service",
            filter.service.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("nation", text(&filter.nation)),
        ("region", text(&filter.region)),
        ("type", text(&filter.type_code)),
        ("organisation", text(&filter.organisation)),
        ("sort", text(&filter.sort)),
    ]
}

fn query_string(params: &[(&'static str, String)]) -> String {
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

async fn pipeline(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PipelineQuery>,
) -> AppResult<Response> {
    let viewer = ctx.user.as_ref().map(|u| u.actor());
    let filter = q.filter();
    let number = page_number(q.page.as_deref());
    let f = filter.clone();
    let ((needs, total), facets) = state
        .db
        .read(move |c| {
            Ok((
                store::list(c, &f, viewer.as_ref(), (number - 1) * PER_PAGE, PER_PAGE)?,
                crate::orgs::store::facets(c)?,
            ))
        })
        .await?;
    let params = params(&filter);
    let can_import = ctx.user.as_ref().is_some_and(super::upload::may_import);
    page(
        PipelinePage {
            can_import,
            ctx: ctx.with_nav("needs"),
            pagination: Pagination::new("/needs", &params, number, PER_PAGE, total),
            query: query_string(&params),
            filter,
            facets,
            needs,
        },
        false,
    )
}

/// Where the needs that pass the filters cluster, by region and service.
async fn clusters_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PipelineQuery>,
) -> AppResult<Response> {
    let viewer = ctx.user.as_ref().map(|u| u.actor());
    let filter = q.filter();
    let f = filter.clone();
    let clusters = state
        .db
        .read(move |c| search::clusters(c, &f, viewer.as_ref()))
        .await?;
    let chart = crate::web::charts::heat_grid(
        "clusters",
        "Needs by region and service",
        "How many listed needs name each of the most needed services, region by region. The table below gives the same figures.",
        &clusters.regions.iter().map(|r| r.region.clone()).collect::<Vec<_>>(),
        &clusters.services.iter().map(|s| s.label.clone()).collect::<Vec<_>>(),
        &clusters.regions.iter().map(|r| r.by_service.clone()).collect::<Vec<_>>(),
    );
    page(
        ClustersPage {
            ctx: ctx.with_nav("needs"),
            query: query_string(&params(&filter)),
            clusters,
            chart,
        },
        false,
    )
}

/// The most needs one download holds; filters narrow it.
const EXPORT_LIMIT: i64 = 10_000;

/// The needs that pass the filters as CSV: exactly what the list shows the
/// same person, newest change first.
async fn export(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PipelineQuery>,
) -> AppResult<Response> {
    let viewer = ctx.user.as_ref().map(|u| u.actor());
    let filter = q.filter();
    let (needs, _) = state
        .db
        .read(move |c| store::list(c, &filter, viewer.as_ref(), 0, EXPORT_LIMIT))
        .await?;
    let mut csv = crate::web::csv::CsvWriter::new(&[
        "id",
        "title",
        "organisation",
        "organisation_name",
        "phase",
        "budget_band",
        "visibility",
        "status",
        "updated_at",
    ])?;
    for n in needs {
        csv.row([
            n.id.to_string(),
            n.title,
            n.organisation.code,
            n.organisation.name,
            n.phase.code().to_string(),
            n.budget_band.code().to_string(),
            n.visibility.code().to_string(),
            n.status.code().to_string(),
            n.updated_at.0.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ])?;
    }
    Ok(crate::web::csv::download("needs.csv", csv.finish()?))
}
