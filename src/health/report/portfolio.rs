//! The organisation's partnerships side by side: each one's latest closed
//! health check — overall health, placement, trend and divergences — as a
//! sortable table and a bar picture, for the organisation's own people.
//! Each row goes through the policy's `ViewHealthReport`, the same check as
//! the report itself; the figures come from each round's kept summary.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use std::collections::HashMap;

use super::load;
use super::stats::{self, Direction};
use super::summary::{self, Summary};
use crate::auth::ApiCaller;
use crate::auth::SessionUser;
use crate::db::schema::{health_rounds, partnership_members, partnerships};
use crate::db::DbConn;
use crate::error::{ApiResult, AppError, AppResult};
use crate::health::rounds::model::RoundStatus;
use crate::health::HealthRound;
use crate::policy::{allows, MemberRole, MemberStatus, Relation, Visibility};
use crate::state::AppState;
use crate::web::charts::{bar_chart, Bar, BarChart};
use crate::web::{page, page_number, PageCtx, Pagination};
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

/// The page's query: the API's, and a page number (the API returns every
/// partnership).
#[derive(Deserialize, Default)]
pub struct PortfolioPageQuery {
    pub sort: Option<String>,
    pub page: Option<String>,
}

impl PortfolioQuery {
    fn sort(&self) -> Sort {
        sort_named(self.sort.as_deref())
    }
}

/// A sort order by its code; name for anything else.
fn sort_named(name: Option<&str>) -> Sort {
    Sort::ALL
        .iter()
        .find(|(_, code, _)| Some(*code) == name)
        .map_or(Sort::Name, |(sort, _, _)| *sort)
}

/// Sorts in place: figures highest first (none last), then by name.
pub fn sort(rows: &mut Vec<HealthPortfolioRow>, by: Sort) {
    let desc = |a: Option<f64>, b: Option<f64>| {
        b.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.unwrap_or(f64::NEG_INFINITY))
    };
    // Names lowered once each, not once a comparison: portfolios run to thousands.
    let mut keyed: Vec<(String, HealthPortfolioRow)> = rows
        .drain(..)
        .map(|r| (r.partnership.to_lowercase(), r))
        .collect();
    keyed.sort_by(|(an, a), (bn, b)| {
        let name = || an.cmp(bn).then(a.partnership_id.cmp(&b.partnership_id));
        match by {
            Sort::Name => name(),
            Sort::Health => desc(a.overall, b.overall).then_with(name),
            Sort::Placement => b.placement_rank().cmp(&a.placement_rank()).then_with(name),
            Sort::Trend => desc(a.change, b.change).then_with(name),
            Sort::Divergences => b.divergences.cmp(&a.divergences).then_with(name),
        }
    });
    rows.extend(keyed.into_iter().map(|(_, r)| r));
}

/// The portfolio of `user`'s organisation, with the round summaries it had
/// to compute (see [`read`]).
pub struct Portfolio {
    pub rows: Vec<HealthPortfolioRow>,
    computed: Vec<(summary::Seen, Summary)>,
}

/// The portfolio of `user`'s organisation: its partnerships, each with its
/// latest closed round's summary. Every partnership here has the user's
/// organisation as an active member, so each row's relation comes from that
/// membership and goes through the policy without another query.
pub fn load(conn: &mut DbConn, user: &SessionUser, by: Sort) -> AppResult<Portfolio> {
    let actor = user.actor();
    let mine: Vec<(i64, String, MemberRole)> = partnerships::table
        .inner_join(partnership_members::table)
        .filter(partnership_members::organisation_id.eq(user.organisation_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .select((
            partnerships::id,
            partnerships::name,
            partnership_members::role,
        ))
        .load(conn)?;
    let member_of = partnership_members::table
        .filter(partnership_members::organisation_id.eq(user.organisation_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .select(partnership_members::partnership_id);
    // Each partnership's latest closed round: ordered so the last one wins.
    let closed: Vec<(i64, i64, String, chrono::NaiveDate)> = health_rounds::table
        .filter(health_rounds::partnership_id.eq_any(member_of))
        .filter(health_rounds::status.eq(RoundStatus::Closed))
        .order((
            health_rounds::partnership_id,
            health_rounds::closes_on,
            health_rounds::id,
        ))
        .select((
            health_rounds::id,
            health_rounds::partnership_id,
            health_rounds::title,
            health_rounds::closes_on,
        ))
        .load(conn)?;
    let mut closed_count: HashMap<i64, i64> = HashMap::new();
    for (_, pid, ..) in &closed {
        *closed_count.entry(*pid).or_default() += 1;
    }
    let latest: HashMap<i64, (i64, String, chrono::NaiveDate)> = closed
        .into_iter()
        .map(|(id, pid, title, closes_on)| (pid, (id, title, closes_on)))
        .collect();
    let mut kept = summary::of_member(conn, user.organisation_id)?;
    let mut computed = Vec::new();
    let mut rows = Vec::with_capacity(mine.len());
    for (pid, name, role) in mine {
        let rel = Relation::of_member(Visibility::Partners, Some((role, MemberStatus::Active)));
        if !allows(Some(&actor), HealthRound::view_action(rel)) {
            continue;
        }
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
        if let Some((round_id, title, closes_on)) = latest.get(&pid) {
            let figures = match kept.remove(round_id) {
                Some(figures) => figures,
                None => {
                    let figures = Summary::of(&load::load(conn, *round_id)?.report());
                    let seen = summary::Seen {
                        round: *round_id,
                        partnership: pid,
                        closed_rounds: closed_count.get(&pid).copied().unwrap_or(0),
                    };
                    computed.push((seen, figures.clone()));
                    figures
                }
            };
            row.round_id = Some(*round_id);
            row.round = Some(title.clone());
            row.closes_on = Some(*closes_on);
            row.respondents = figures.respondents;
            row.overall = figures.overall;
            row.placement = figures.placement;
            row.trend = figures.trend;
            row.change = figures.change;
            row.divergences = figures.divergences;
        }
        rows.push(row);
    }
    sort(&mut rows, by);
    Ok(Portfolio { rows, computed })
}

/// Reads the portfolio, then keeps the summaries it computed, so the next
/// reader finds them. Keeping them is a saving, not the answer: if it fails,
/// the reader still gets the figures and the next one computes them again.
async fn read(state: &AppState, user: SessionUser, by: Sort) -> AppResult<Vec<HealthPortfolioRow>> {
    let portfolio = state.db.read(move |c| load(c, &user, by)).await?;
    if !portfolio.computed.is_empty() {
        let computed = portfolio.computed;
        if let Err(e) = state.db.write(move |c| summary::keep(c, &computed)).await {
            tracing::warn!(error = %e, "could not keep health round summaries");
        }
    }
    Ok(portfolio.rows)
}

#[derive(Template)]
#[template(path = "health/report_portfolio.html")]
struct PortfolioPage {
    ctx: PageCtx,
    /// This page's rows; `total` counts them all.
    rows: Vec<HealthPortfolioRow>,
    total: usize,
    sort: &'static str,
    chart: String,
    pagination: Pagination,
}

/// Partnerships a page: an organisation in thousands of partnerships still
/// gets a page it can read (the API returns them all).
const PER_PAGE: i64 = 50;

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
        &BarChart {
            id: "portfolio-health",
            title: "Overall health of each partnership",
            description: "The latest closed health check's overall mean (1 to 5) for each partnership in the table below, with its place on the collaboration spectrum; the table gives the same figures.",
            measure: "Overall mean score, 1 to 5",
            empty: "No closed health checks yet",
        },
        &bars,
    )
}

async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PortfolioPageQuery>,
) -> AppResult<Response> {
    let user = ctx.user.clone().ok_or(AppError::Unauthenticated)?;
    let by = sort_named(q.sort.as_deref());
    let all = read(&state, user, by).await?;
    let total = all.len();
    let number = page_number(q.page.as_deref())
        .min((total as i64 + PER_PAGE - 1) / PER_PAGE)
        .max(1);
    let params = [(
        "sort",
        if by == Sort::Name {
            String::new()
        } else {
            by.code().to_string()
        },
    )];
    let pagination = Pagination::new(
        "/health-checks/portfolio",
        &params,
        number,
        PER_PAGE,
        total as i64,
    );
    let rows: Vec<HealthPortfolioRow> = all
        .into_iter()
        .skip(pagination.offset() as usize)
        .take(PER_PAGE as usize)
        .collect();
    page(
        PortfolioPage {
            ctx: ctx.with_nav("partnerships"),
            chart: chart(&rows),
            rows,
            total,
            sort: by.code(),
            pagination,
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
    Ok(Json(read(&state, user, by).await?))
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
