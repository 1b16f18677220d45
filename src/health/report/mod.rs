//! A round's triangulation report: each factor's score overall, by partner
//! and by role, divergences between partners, strengths and concerns, the
//! placement on the collaboration spectrum, anonymised comments, pictures,
//! the trend against earlier rounds, a CSV of anonymised responses, actions
//! into the partnership's reviews, and the organisation's portfolio.
//!
//! - `stats`: the arithmetic on plain rows (no database), anonymity included.
//! - `load`: a round's rows from the tables.
//! - `view`: tables, pictures and the CSV drawn from a report.
//! - `http`, `api`: the report's page, CSV, actions and JSON, each through
//!   the round's unit of work (`HealthRound`, `ViewHealthReport`).
//! - `portfolio`: the organisation's partnerships side by side, from
//!   `summary`: each closed round's headline figures, kept.

pub mod api;
pub mod http;
pub mod load;
pub mod portfolio;
pub mod stats;
pub mod summary;
pub mod view;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(pages, api::routes);

fn pages() -> axum::Router<crate::state::AppState> {
    http::routes().merge(portfolio::page_routes())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::report, portfolio::api),
    components(schemas(
        api::ReportView,
        stats::Report,
        stats::FactorResult,
        stats::GroupResult,
        stats::Cell,
        stats::Divergence,
        stats::Placement,
        stats::Trend,
        stats::FactorTrend,
        stats::Earlier,
        stats::Direction,
        stats::FactorComments,
        portfolio::HealthPortfolioRow,
    ))
)]
// The "health-checks" tag is declared once, by `health::ApiDoc`; OpenAPI
// tag names must be unique.
struct ApiDoc;
