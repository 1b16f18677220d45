//! The report as JSON: the same figures and the same anonymity as the page.

use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::load;
use super::stats::Report;
use crate::api::On;
use crate::error::ApiResult;
use crate::health::rounds::api::RoundId;
use crate::health::HealthRound;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health-checks/{id}/report", get(report))
        .merge(super::portfolio::api_routes())
}

/// A round's triangulation report.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub round_id: i64,
    pub partnership_id: i64,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// `open` or `closed`.
    pub status: String,
    /// People invited.
    pub invited: i64,
    #[serde(flatten)]
    pub report: Report,
}

/// The report of a round: each factor overall, by partner and by role,
/// divergences, strengths, concerns, placement on the collaboration
/// spectrum, trend and anonymised comments. Groups of fewer than the
/// threshold (`min_group`, at least 3) are merged into "Other" or left out;
/// with fewer respondents than that in all, no figures at all. Only the
/// people of the partnership's member organisations may read it; anyone
/// else, signed out included, is answered 404.
#[utoipa::path(get, path = "/api/v1/health-checks/{id}/report", tag = "health-checks",
    params(RoundId), responses((status = 200, body = ReportView)))]
pub async fn report(on: On<HealthRound>) -> ApiResult<Json<ReportView>> {
    on.read(|w| {
        let loaded = load::load(w.conn, w.record.id)?;
        let report = loaded.report();
        let r = loaded.round;
        Ok(ReportView {
            round_id: r.id,
            partnership_id: r.partnership_id,
            title: r.title,
            opens_on: r.opens_on,
            closes_on: r.closes_on,
            status: r.status,
            invited: loaded.invited,
            report,
        })
    })
    .await
}
