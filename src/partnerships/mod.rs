//! The partnership register: each partnership's formal structure, members,
//! objectives, governance and agreements, shared risks, costs and benefits,
//! reviews, exit plan and SWOT, and the portfolio across them.
//!
//! A partnership is a scoped record (see `work`): `access.rs` says how it is
//! loaded and how a person's organisation relates to it. Each section lives
//! in its own folder with the same files (see docs/architecture.md).

pub mod access;
pub mod api;
pub mod confirm;
pub mod demo;
pub mod governance;
pub mod header;
pub mod history;
pub mod http;
pub mod ledger;
pub mod members;
pub mod model;
pub mod notice;
pub mod notify;
pub mod objectives;
pub mod owned;
pub mod register;
pub mod reminders;
pub mod reviews;
pub mod risks;
pub mod store;
pub mod summary;
pub mod swot;

use axum::Router;

use crate::slice::Slice;
use crate::state::AppState;

/// The partnership itself: start one, its overview, details and history.
const CORE: Slice = Slice::of::<CoreDoc>(http::routes, api::routes);

/// Every part of the register, each registered once: its pages, API and
/// OpenAPI document. (The navigation between sections is `header::NAV`.)
const SECTIONS: &[Slice] = &[
    CORE,
    register::SLICE,
    members::SLICE,
    objectives::SLICE,
    governance::SLICE,
    risks::SLICE,
    ledger::SLICE,
    reviews::SLICE,
    swot::SLICE,
];

pub const SLICE: Slice = Slice {
    pages,
    api: api_routes,
    openapi,
};

fn pages() -> Router<AppState> {
    SECTIONS
        .iter()
        .fold(Router::new(), |r, s| r.merge((s.pages)()))
}

fn api_routes() -> Router<AppState> {
    SECTIONS
        .iter()
        .fold(Router::new(), |r, s| r.merge((s.api)()))
}

fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = utoipa::openapi::OpenApi::default();
    for section in SECTIONS {
        doc.merge((section.openapi)());
    }
    doc
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::create, api::get_one, api::update, api::get_summary, api::history),
    components(schemas(model::PartnershipDraft)),
    tags((name = "partnerships", description = "The partnership register"))
)]
struct CoreDoc;
