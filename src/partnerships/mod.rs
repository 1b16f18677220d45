//! The partnership register: each partnership's formal structure, members,
//! objectives, governance and agreements, shared risks, costs and benefits,
//! reviews, exit plan and SWOT, and the portfolio across them.

pub mod access;
pub mod api;
pub mod calculator;
pub mod demo;
pub mod governance;
pub mod http;
pub mod import;
pub mod ledger;
pub mod members;
pub mod model;
pub mod objectives;
pub mod portfolio;
pub mod register;
pub mod reviews;
pub mod risks;
pub mod store;
pub mod summary;
pub mod swot;

use axum::Router;

use crate::slice::Slice;
use crate::state::AppState;

pub const SLICE: Slice = Slice {
    pages: routes,
    api: api_routes,
    openapi,
};

/// Every partnership page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(register::routes())
        .merge(http::routes())
        .merge(calculator::routes())
        .merge(objectives::routes())
        .merge(governance::routes())
        .merge(risks::routes())
        .merge(ledger::routes())
        .merge(reviews::routes())
        .merge(swot::routes())
}

/// Every partnership API route.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .merge(api::routes())
        .merge(objectives::api_routes())
        .merge(governance::api_routes())
        .merge(risks::api_routes())
        .merge(ledger::api_routes())
        .merge(reviews::api_routes())
        .merge(swot::api_routes())
}

/// The partnership sections' parts of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::ApiDoc::openapi();
    for part in [
        objectives::ApiDoc::openapi(),
        governance::ApiDoc::openapi(),
        risks::ApiDoc::openapi(),
        ledger::ApiDoc::openapi(),
        reviews::ApiDoc::openapi(),
        swot::ApiDoc::openapi(),
    ] {
        doc.merge(part);
    }
    doc
}
