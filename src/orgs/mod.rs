//! Organisations: every UK council from the mySociety register, plus the
//! police, fire, NHS, voluntary and private partners admins add.

pub mod api;
pub mod http;
pub mod import;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::get_one, api::services, api::create), tags((name = "organisations", description = "Councils and partner organisations")))]
struct ApiDoc;
