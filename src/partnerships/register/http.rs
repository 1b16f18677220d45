//! The register as a whole: the portfolio page and exports.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::portfolio::{self, Portfolio, PortfolioFilter, PortfolioRow};
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult};
use crate::money::{financial_year_label, pounds};
use crate::state::AppState;
use crate::web::charts::{bar_chart, Bar, BarChart};
use crate::web::csv::{download, CsvWriter};
use crate::web::{html, page, page_number, FormErrors, PageCtx, Pagination};

pub const PER_PAGE: i64 = 25;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships", get(portfolio_page))
        .route("/partnerships.csv", get(export_csv))
        .route("/partnerships.json", get(export_json))
        .route(
            "/partnerships/import",
            get(import_page)
                .post(import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::auth::session::UPLOAD_LIMIT,
                )),
        )
}

#[derive(Template)]
#[template(path = "partnerships/register/portfolio.html")]
struct PortfolioPage {
    ctx: PageCtx,
    filter: PortfolioFilter,
    portfolio: Portfolio,
    pagination: Pagination,
    export_query: String,
    /// LGSL services the viewer's visible partnerships cover: (number, name).
    services: Vec<(i64, String)>,
}

impl PortfolioPage {
    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
    fn is_service(&self, id: &i64) -> bool {
        self.filter.service.as_deref() == Some(id.to_string().as_str())
    }
    fn q(&self) -> &str {
        self.filter.q.as_deref().unwrap_or("")
    }
    /// A link that sorts by `key`, keeping the filters.
    fn sort_url(&self, key: &str) -> String {
        let mut params: Vec<(&str, String)> = self
            .filter
            .params()
            .into_iter()
            .filter(|(k, v)| *k != "sort" && !v.is_empty())
            .collect();
        params.push(("sort", key.to_string()));
        format!(
            "/partnerships?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    }
    fn sorted_by(&self, key: &str) -> bool {
        self.filter.sort.as_deref().unwrap_or("name") == key
    }
    fn money(&self, pence: &i64) -> String {
        pounds(*pence)
    }
    fn rag_class(&self, row: &PortfolioRow) -> &'static str {
        crate::partnerships::summary::rag_tag_class(&row.rag)
    }
    fn rag_label(&self, row: &PortfolioRow) -> &'static str {
        crate::partnerships::summary::rag_label(&row.rag)
    }
    fn kind_chart(&self) -> String {
        bar_chart(
            &BarChart {
                id: "by-kind",
                title: "Partnerships by type",
                description: "Number of partnerships of each type in this portfolio",
                measure: "Number of partnerships",
                empty: "No partnerships to count yet",
            },
            &counts(&self.portfolio.breakdown.by_kind),
        )
    }
    fn degree_chart(&self) -> String {
        bar_chart(
            &BarChart {
                id: "by-degree",
                title: "Partnerships by degree of collaboration",
                description: "Number of partnerships at each point of the collaboration spectrum, from networking to integrating",
                measure: "Number of partnerships",
                empty: "No partnerships to count yet",
            },
            &counts(&self.portfolio.breakdown.by_degree),
        )
    }
    /// (year, expected, realised) for each year with cashable savings.
    fn savings_years(&self) -> Vec<(i32, i64, i64)> {
        let b = &self.portfolio.breakdown;
        let mut years: Vec<i32> = b
            .savings_by_year
            .iter()
            .chain(&b.expected_savings_by_year)
            .map(|(year, _)| *year)
            .collect();
        years.sort();
        years.dedup();
        let of = |list: &[(i32, i64)], year: i32| {
            list.iter()
                .find(|(y, _)| *y == year)
                .map_or(0, |(_, pence)| *pence)
        };
        years
            .into_iter()
            .map(|year| {
                (
                    year,
                    of(&b.expected_savings_by_year, year),
                    of(&b.savings_by_year, year),
                )
            })
            .collect()
    }
    fn savings_table(&self) -> Vec<[String; 3]> {
        self.savings_years()
            .into_iter()
            .map(|(year, expected, realised)| {
                [
                    financial_year_label(year),
                    pounds(expected),
                    pounds(realised),
                ]
            })
            .collect()
    }
    fn savings_chart(&self) -> String {
        // Expected against realised, year by year.
        let bars: Vec<Bar> = self
            .savings_years()
            .into_iter()
            .flat_map(|(year, expected, realised)| {
                let label = financial_year_label(year);
                [("expected", expected), ("realised", realised)].map(|(basis, pence)| Bar {
                    label: format!("{label} {basis}"),
                    value: pence,
                    value_label: pounds(pence),
                })
            })
            .collect();
        bar_chart(
            &BarChart {
                id: "savings",
                title: "Cashable savings by financial year: expected and realised",
                description: "Expected and realised cashable savings recorded in the ledgers of these partnerships, by financial year",
                measure: "Cashable savings (£)",
                empty: "No cashable savings recorded yet",
            },
            &bars,
        )
    }
}

/// A bar for each (code, label, number of partnerships).
fn counts(rows: &[(String, String, i64)]) -> Vec<Bar> {
    rows.iter()
        .map(|(_, label, n)| Bar {
            label: label.clone(),
            value: *n,
            value_label: n.to_string(),
        })
        .collect()
}

#[derive(Deserialize)]
struct PortfolioQuery {
    #[serde(flatten)]
    filter: PortfolioFilter,
    page: Option<String>,
}

async fn portfolio_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PortfolioQuery>,
) -> AppResult<impl IntoResponse> {
    let actor = ctx.user.as_ref().map(|u| u.actor());
    let filter = q.filter.clean(actor.is_some());
    let page = page_number(q.page.as_deref());
    let (f, a) = (filter.clone(), actor.clone());
    let (portfolio, services) = state
        .db
        .read(move |c| {
            let portfolio = portfolio::load(c, &f, a.as_ref(), (page - 1) * PER_PAGE, PER_PAGE)?;
            Ok((portfolio, portfolio::covered_services(c, a.as_ref())?))
        })
        .await?;
    let params = filter.params();
    let pagination = Pagination::new("/partnerships", &params, page, PER_PAGE, portfolio.total);
    let export_query = serde_urlencoded::to_string(
        params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    html(PortfolioPage {
        ctx: ctx.with_nav("partnerships"),
        filter,
        portfolio,
        pagination,
        export_query,
        services,
    })
}

async fn export_rows(
    state: &AppState,
    ctx: &PageCtx,
    filter: PortfolioFilter,
) -> AppResult<Vec<PortfolioRow>> {
    let actor = ctx.user.as_ref().map(|u| u.actor());
    let filter = filter.clean(actor.is_some());
    state
        .db
        .read(move |c| portfolio::all(c, &filter, actor.as_ref()))
        .await
}

/// The register as CSV, with the same filters and visibility as the page.
async fn export_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(filter): Query<PortfolioFilter>,
) -> AppResult<Response> {
    let rows = export_rows(&state, &ctx, filter).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let members = state
        .db
        .read(move |c| crate::partnerships::store::member_codes(c, &ids))
        .await?;
    let mut out = CsvWriter::new(&[
        "id",
        "name",
        "kind",
        "degree",
        "stage",
        "status",
        "visibility",
        "lead",
        "partners",
        "next_review_due",
        "review_overdue",
        "rag",
        "realised_savings_pounds",
        "own_realised_savings_pounds",
    ])?;
    for r in &rows {
        let partners = members.get(&r.id).map(|m| m.join("|")).unwrap_or_default();
        out.row([
            r.id.to_string(),
            r.name.clone(),
            r.kind.code().to_string(),
            r.degree.code().to_string(),
            r.stage.to_string(),
            r.status.code().to_string(),
            r.visibility.code().to_string(),
            r.lead_code.clone().unwrap_or_default(),
            partners,
            r.next_review_due.map(|d| d.to_string()).unwrap_or_default(),
            r.review_overdue.to_string(),
            r.rag.clone(),
            crate::money::decimal(r.realised_savings_pence),
            r.own_realised_savings_pence
                .map(crate::money::decimal)
                .unwrap_or_default(),
        ])?;
    }
    Ok(download("partnerships.csv", out.finish()?))
}

/// The register as JSON, with the same filters and visibility as the page.
async fn export_json(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(filter): Query<PortfolioFilter>,
) -> AppResult<Response> {
    let rows = export_rows(&state, &ctx, filter).await?;
    let body = serde_json::to_vec(&serde_json::json!({ "partnerships": rows }))
        .map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"partnerships.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "partnerships/register/import.html")]
struct ImportPage {
    ctx: PageCtx,
    errors: FormErrors,
    report: Option<crate::imports::ImportReport>,
    columns: &'static [&'static str],
}

fn importer_for(user: &crate::auth::SessionUser) -> AppResult<super::import::Importer> {
    crate::policy::authorize(
        Some(&user.actor()),
        crate::policy::Action::ImportPartnerships,
    )?;
    Ok(super::import::Importer::Person(user.clone()))
}

/// The import form, and what the last upload did or what was wrong with it.
fn import_form(
    ctx: PageCtx,
    errors: FormErrors,
    report: Option<crate::imports::ImportReport>,
) -> AppResult<Response> {
    let invalid = !errors.is_empty();
    page(
        ImportPage {
            ctx: ctx.with_nav("partnerships"),
            errors,
            report,
            columns: super::import::COLUMNS,
        },
        invalid,
    )
}

pub async fn import_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    importer_for(&user)?;
    import_form(ctx, FormErrors::default(), None)
}

pub async fn import_upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let importer = importer_for(&user)?;
    let mut errors = FormErrors::default();
    let mut report = None;
    match crate::web::csv::uploaded(multipart).await? {
        Err(e) => errors = FormErrors(vec![e]),
        Ok(t) => {
            let actor = user.audit_actor();
            let db = state.db.clone();
            let result = tokio::task::spawn_blocking(move || {
                db.write_blocking_as(|c| super::import::import(c, t.as_bytes(), &importer, &actor))
            })
            .await
            .map_err(AppError::internal)?;
            match result {
                Ok(r) => report = Some(r),
                Err(e) => errors.push("file", crate::text::sentence(&e.to_string())),
            }
        }
    }
    import_form(ctx, errors, report)
}
