//! People: organisation members, invitations, and platform administration.

pub mod api;
pub mod http;
pub mod store;

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
#[openapi(paths(api::invite), tags((name = "admin", description = "Platform administration")))]
struct ApiDoc;
