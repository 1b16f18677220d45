//! People: organisation members, invitations, and platform administration.

pub mod api;
pub mod http;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::invite), tags((name = "admin", description = "Platform administration")))]
struct ApiDoc;
