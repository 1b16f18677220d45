//! A person's own account: signing in and out, password, API tokens, and
//! the API's "who am I".

pub mod api;
pub mod http;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::me), tags((name = "account", description = "The caller's own account")))]
struct ApiDoc;
