//! Partnership section: joint objectives that can be measured, their
//! progress updates, and a red/amber/green status worked out from progress
//! against time.

pub mod api;
pub mod format;
pub mod http;
pub mod rag;
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
    paths(api::list, api::create, api::get_one, api::patch, api::updates, api::post_update),
    components(schemas(store::ObjectiveInput, store::ObjectivePatch, store::ObjectiveView, store::ProgressInput, store::ProgressView, rag::Rag)),
    tags((name = "objectives", description = "A partnership's joint objectives and progress against them"))
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
