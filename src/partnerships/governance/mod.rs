//! Partnership section: governance. How the partnership makes decisions,
//! meets and reviews, its exit plan (all kept on the partnership itself and
//! edited with its details), and the agreements behind it.

pub mod api;
pub mod http;
pub mod store;

use axum::Router;

use crate::state::AppState;

/// Page routes for this section.
pub fn routes() -> Router<AppState> {
    http::routes()
}

/// JSON API routes for this section, under /api/v1/partnerships/{id}/...
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// This section's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::get_one, api::patch, api::delete),
    components(schemas(store::AgreementInput, store::AgreementPatch, store::AgreementView, store::AgreementKind, store::Renewal)),
    tags((name = "governance", description = "The agreements behind a partnership: MoUs, contracts, statutory delegations"))
)]
pub struct ApiDoc;

/// Transitional until this section moves to the section shape.
pub const SLICE: crate::slice::Slice = crate::slice::Slice {
    pages: routes,
    api: api_routes,
    openapi: || {
        use utoipa::OpenApi;
        ApiDoc::openapi()
    },
};
