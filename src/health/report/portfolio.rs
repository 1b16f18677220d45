//! The organisation's partnerships side by side: each one's latest closed
//! health check — overall health, placement, trend and divergences — as a
//! sortable table and a bar picture, for the organisation's own people.
//! Each round is read through `HealthRound::load` and the policy's
//! `ViewHealthReport`, the same check as the report itself.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::load;
use super::stats::{self, Direction};
use crate::auth::ApiCaller;
use crate::auth::SessionUser;
use crate::db::schema::{health_rounds, partnership_members, partnerships};
use crate::db::DbConn;
use crate::error::{ApiResult, AppError, AppResult};
use crate::health::HealthRound;
use crate::policy::allows;
use crate::state::AppState;
use crate::web::charts::{bar_chart, Bar};
use crate::web::{page, PageCtx};
use crate::work::Scoped;

pub fn page_routes() -> Router<AppState> {
    Router::new().route("/health-checks/portfolio", get(show))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/api/v1/health-checks/portfolio", get(api))
}

/// One partnership in the portfolio.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HealthPortfolioRow {
    pub partnership_id: i64,
    pub partnership: String,
    /// The latest closed round, if any.
    pub round_id: Option<i64>,
    pub round: Option<String>,
    pub closes_on: Option<chrono::NaiveDate>,
    pub respondents: usize,
    /// `null` with no closed round or too few respondents to show.
    pub overall: Option<f64>,
    pub placement: Option<stats::Placement>,
    pub trend: Option<Direction>,
    pub change: Option<f64>,
    pub divergences: usize,
}

impl HealthPortfolioRow {
    pub fn overall_label(&self) -> String {
        stats::show(self.overall)
    }
    pub fn placement_label(&self) -> &str {
        self.placement.as_ref().map_or("–", |p| p.label.as_str())
    }
    pub fn trend_label(&self) -> String {
        match (self.trend, self.change) {
            (Some(d), Some(c)) => format!("{} {:+.2}", d.arrow(), c),
            _ => "–".to_string(),
        }
    }
    fn placement_rank(&self) -> i64 {
        self.placement
            .as_ref()
            .and_then(|p| {
                crate::partnerships::model::Degree::ALL
                    .iter()
                    .position(|d| d.code() == p.level)
            })
            .map_or(-1, |i| i as i64)
    }
}

/// Sort orders the table offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Name,
    Health,
    Placement,
    Trend,
    Divergences,
}

impl Sort {
    pub const ALL: [(Sort, &'static str, &'static str); 5] = [
        (Sort::Name, "name", "Partnership"),
        (Sort::Health, "health", "Overall health"),
        (Sort::Placement, "placement", "Placement"),
        (Sort::Trend, "trend", "Trend"),
        (Sort::Divergences, "divergences", "Divergences"),
    ];
    fn code(self) -> &'static str {
        Sort::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("name", |(_, c, _)| c)
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// name (default), health, placement, trend or divergences; the
    /// figures sort highest first, names A to Z.
    pub sort: Option<String>,
}

impl PortfolioQuery {
    fn sort(&self) -> Sort {
        match self.sort.as_deref() {
            Some("health") => Sort::Health,
            Some("placement") => Sort::Placement,
            Some("trend") => Sort::Trend,
            Some("divergences") => Sort::Divergences,
            _ => Sort::Name,
        }
    }
}

/// Sorts in place: figures highest first (none last), then by name.
pub fn sort(rows: &mut [HealthPortfolioRow], by: Sort) {
    let name = |a: &HealthPortfolioRow, b: &HealthPortfolioRow| {
        a.partnership
            .to_lowercase()
            .cmp(&b.partnership.to_lowercase())
            .then(a.partnership_id.cmp(&b.partnership_id))
    };
    let desc = |a: Option<f64>, b: Option<f64>| {
        b.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.unwrap_or(f64::NEG_INFINITY))
    };
    rows.sort_by(|a, b| match by {
        Sort::Name => name(a, b),
        Sort::Health => desc(a.overall, b.overall).then_with(|| name(a, b)),
        Sort::Placement => b
            .placement_rank()
            .cmp(&a.placement_rank())
            .then_with(|| name(a, b)),
        Sort::Trend => desc(a.change, b.change).then_with(|| name(a, b)),
        Sort::Divergences => b.divergences.cmp(&a.divergences).then_with(|| name(a, b)),
    });
}

/// The portfolio of `user`'s organisation.
pub fn load(conn: &mut DbConn, user: &SessionUser, by: Sort) -> AppResult<Vec<HealthPortfolioRow>> {
    let actor = user.actor();
    let mine: Vec<(i64, String)> = partnerships::table
        .inner_join(partnership_members::table)
        .filter(partnership_members::organisation_id.eq(user.organisation_id))
        .filter(partnership_members::status.eq("active"))
        .select((partnerships::id, partnerships::name))
        .distinct()
        .load(conn)?;
    let mut rows = Vec::new();
    for (pid, name) in mine {
        let latest: Option<i64> = health_rounds::table
            .filter(health_rounds::partnership_id.eq(pid))
            .filter(health_rounds::status.eq("closed"))
            .order((health_rounds::closes_on.desc(), health_rounds::id.desc()))
            .select(health_rounds::id)
            .first(conn)
            .optional()?;
        let mut row = HealthPortfolioRow {
            partnership_id: pid,
            partnership: name,
            round_id: None,
            round: None,
            closes_on: None,
            respondents: 0,
            overall: None,
            placement: None,
            trend: None,
            change: None,
            divergences: 0,
        };
        if let Some(round_id) = latest {
            // The report's own check: only rounds the person may read.
            let Some((_, rel)) = HealthRound::load(conn, round_id, Some(&actor))? else {
                continue;
            };
            if !allows(Some(&actor), HealthRound::view_action(rel)) {
                continue;
            }
            let loaded = load::load(conn, round_id)?;
            let report = loaded.report();
            row.round_id = Some(round_id);
            row.round = Some(loaded.round.title.clone());
            row.closes_on = Some(loaded.round.closes_on);
            row.respondents = report.respondents;
            row.overall = report.overall;
            row.divergences = report.divergences.len();
            row.trend = report.trend.as_ref().and_then(|t| t.direction);
            row.change = report.trend.as_ref().and_then(|t| t.change);
            row.placement = report.placement;
        } else {
            // No closed round: shown only if the person may see the partnership's rounds.
            let rel = crate::health::rounds::access::relation(conn, pid, Some(&actor))?;
            if !allows(Some(&actor), HealthRound::view_action(rel)) {
                continue;
            }
        }
        rows.push(row);
    }
    sort(&mut rows, by);
    Ok(rows)
}

#[derive(Template)]
#[template(path = "health/report_portfolio.html")]
struct PortfolioPage {
    ctx: PageCtx,
    rows: Vec<HealthPortfolioRow>,
    sort: &'static str,
    chart: String,
}

impl PortfolioPage {
    fn sorts(&self) -> Vec<(&'static str, &'static str)> {
        Sort::ALL.iter().map(|(_, c, l)| (*c, *l)).collect()
    }
    fn is_sort(&self, code: &str) -> bool {
        self.sort == code
    }
}

fn chart(rows: &[HealthPortfolioRow]) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.overall.is_some())
        .map(|r| {
            let value = r.overall.unwrap_or(0.0);
            Bar {
                label: r.partnership.chars().take(30).collect(),
                value: (value * 100.0).round() as i64,
                value_label: format!("{value:.2} – {}", r.placement_label()),
            }
        })
        .collect();
    bar_chart(
        "portfolio-health",
        "Overall health of each partnership",
        "The latest closed health check's overall mean (1 to 5) for each partnership, with its place on the collaboration spectrum; the table gives the same figures.",
        &bars,
    )
}

async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PortfolioQuery>,
) -> AppResult<Response> {
    let user = ctx.user.clone().ok_or(AppError::Unauthenticated)?;
    let by = q.sort();
    let rows = state.db.read(move |c| load(c, &user, by)).await?;
    page(
        PortfolioPage {
            ctx: ctx.with_nav("partnerships"),
            chart: chart(&rows),
            rows,
            sort: by.code(),
        },
        false,
    )
}

/// The caller's organisation's partnerships side by side, each with its
/// latest closed health check: overall health, placement, trend and the
/// number of divergences.
#[utoipa::path(get, path = "/api/v1/health-checks/portfolio", tag = "health-checks",
    params(PortfolioQuery), responses((status = 200, body = Vec<HealthPortfolioRow>)), security(("bearer" = [])))]
pub async fn api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    crate::api::Query(q): crate::api::Query<PortfolioQuery>,
) -> ApiResult<Json<Vec<HealthPortfolioRow>>> {
    let user = caller.ok_or(AppError::Unauthenticated)?;
    let by = q.sort();
    Ok(Json(state.db.read(move |c| load(c, &user, by)).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, name: &str, overall: Option<f64>, divergences: usize) -> HealthPortfolioRow {
        HealthPortfolioRow {
            partnership_id: id,
            partnership: name.into(),
            round_id: None,
            round: None,
            closes_on: None,
            respondents: 0,
            overall,
            placement: None,
            trend: None,
            change: None,
            divergences,
        }
    }

    #[test]
    fn sorts_figures_highest_first_and_missing_last() {
        let mut rows = vec![
            row(1, "b", Some(3.0), 0),
            row(2, "a", None, 2),
            row(3, "c", Some(4.5), 1),
        ];
        sort(&mut rows, Sort::Health);
        assert_eq!(
            rows.iter().map(|r| r.partnership_id).collect::<Vec<_>>(),
            [3, 1, 2]
        );
        sort(&mut rows, Sort::Name);
        assert_eq!(
            rows.iter().map(|r| r.partnership_id).collect::<Vec<_>>(),
            [2, 1, 3]
        );
        sort(&mut rows, Sort::Divergences);
        assert_eq!(
            rows.iter().map(|r| r.partnership_id).collect::<Vec<_>>(),
            [2, 3, 1]
        );
    }
}
