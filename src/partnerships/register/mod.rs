//! The register as a whole: the portfolio of partnerships with totals and
//! charts, its exports, and importing partnerships from CSV.

pub mod api;
pub mod http;
pub mod import;
pub mod portfolio;

use crate::slice::Slice;

pub const SLICE: Slice = Slice {
    pages: http::routes,
    api: api::routes,
    openapi,
};

fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    ApiDoc::openapi()
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list))]
struct ApiDoc;
