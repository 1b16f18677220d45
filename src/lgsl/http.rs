//! Service pages: LGSL functions and services, and who delivers each service.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::store::{self, FunctionGroup, Service};
use crate::error::{AppError, AppResult};
use crate::orgs::model::OrgRef;
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::web::{html, page_number, PageCtx, Pagination};

const PER_PAGE: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(services))
        .route("/services/{id}", get(service))
}

#[derive(Template)]
#[template(path = "lgsl/index.html")]
struct ServicesPage {
    ctx: PageCtx,
    q: String,
    all: bool,
    services: Vec<Service>,
    pagination: Pagination,
    functions: Vec<FunctionGroup>,
}

#[derive(Deserialize)]
struct ServicesQuery {
    q: Option<String>,
    /// `all` shows services GOV.UK does not list too.
    scope: Option<String>,
    page: Option<String>,
}

async fn services(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<ServicesQuery>,
) -> AppResult<impl IntoResponse> {
    authorize(
        ctx.user.as_ref().map(|u| u.actor()).as_ref(),
        Action::ViewPublicData,
    )?;
    let q = query
        .q
        .map(|q| q.trim().chars().take(100).collect::<String>())
        .unwrap_or_default();
    let all = query.scope.as_deref() == Some("all");
    let page = page_number(query.page.as_deref());
    let q2 = q.clone();
    let (services, total, functions) = state
        .db
        .read(move |c| {
            let (s, t) = store::search(
                c,
                Some(&q2).filter(|q| !q.is_empty()).map(|s| s.as_str()),
                !all,
                (page - 1) * PER_PAGE,
                PER_PAGE,
            )?;
            Ok((s, t, store::function_groups(c)?))
        })
        .await?;
    let params = [
        ("q", q.clone()),
        (
            "scope",
            if all {
                "all".to_string()
            } else {
                String::new()
            },
        ),
    ];
    let pagination = Pagination::new("/services", &params, page, PER_PAGE, total);
    html(ServicesPage {
        ctx: ctx.with_nav("services"),
        q,
        all,
        services,
        pagination,
        functions,
    })
}

#[derive(Template)]
#[template(path = "lgsl/service.html")]
struct ServicePage {
    ctx: PageCtx,
    service: Service,
    councils: Vec<OrgRef>,
    pagination: Pagination,
    watch: Option<crate::notifications::watches::WatchButton>,
    /// The first partnerships covering the service that the viewer may see,
    /// and how many there are in all.
    partnerships: Vec<crate::partnerships::register::portfolio::PortfolioRow>,
    partnerships_total: i64,
}

/// Partnerships the service page lists before linking to the register.
const PARTNERSHIPS_SHOWN: i64 = 10;

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

async fn service(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<impl IntoResponse> {
    authorize(
        ctx.user.as_ref().map(|u| u.actor()).as_ref(),
        Action::ViewPublicData,
    )?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let page = page_number(query.page.as_deref());
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let viewer = ctx.user.as_ref().map(|u| u.actor());
    let (service, councils, total, watch, partnerships) = state
        .db
        .read(move |c| {
            let service = store::find(c, id)?;
            let (councils, total) =
                store::councils_delivering(c, &service, (page - 1) * PER_PAGE, PER_PAGE)?;
            let watch = crate::notifications::watches::button(
                c,
                user_id,
                &crate::notifications::Subject::new("service", id),
                &service.label,
                &format!("/services/{id}"),
            )?;
            // Through the register's own filter, so only what the viewer may see.
            let filter = crate::partnerships::register::portfolio::PortfolioFilter {
                scope: Some("all".into()),
                service: Some(id.to_string()),
                ..Default::default()
            }
            .clean(viewer.is_some());
            let partnerships = crate::partnerships::register::portfolio::load(
                c,
                &filter,
                viewer.as_ref(),
                0,
                PARTNERSHIPS_SHOWN,
            )?;
            Ok((service, councils, total, watch, partnerships))
        })
        .await?;
    let pagination = Pagination::new(&format!("/services/{id}"), &[], page, PER_PAGE, total);
    html(ServicePage {
        ctx: ctx.with_nav("services"),
        service,
        councils,
        pagination,
        watch,
        partnerships_total: partnerships.total,
        partnerships: partnerships.rows,
    })
}
