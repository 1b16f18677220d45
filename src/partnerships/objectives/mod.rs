//! Partnership section: objectives. (Being built.)

use axum::Router;

use crate::AppState;

/// Page routes for this section.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// JSON API routes for this section, under /api/v1/partnerships/{id}/...
pub fn api_routes() -> Router<AppState> {
    Router::new()
}

/// This section's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;
