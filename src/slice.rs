//! What a capability (or a partnership section) plugs into the application:
//! its pages, its API routes and its part of the OpenAPI document. The app
//! builder in `lib.rs` lists the slices; nothing else wires routes.

use axum::Router;

use crate::state::AppState;

pub struct Slice {
    /// Page routes (HTML, behind sessions and CSRF checks).
    pub pages: fn() -> Router<AppState>,
    /// JSON API routes under /api/v1 (behind bearer tokens).
    pub api: fn() -> Router<AppState>,
    /// This slice's part of the OpenAPI document.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
}

impl Slice {
    /// A slice whose OpenAPI part is the document `D` derives.
    pub const fn of<D: utoipa::OpenApi>(
        pages: fn() -> Router<AppState>,
        api: fn() -> Router<AppState>,
    ) -> Slice {
        Slice {
            pages,
            api,
            openapi: D::openapi,
        }
    }
}

/// For slices with no pages, no API or no document.
pub fn no_routes() -> Router<AppState> {
    Router::new()
}

pub fn no_openapi() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApi::default()
}
