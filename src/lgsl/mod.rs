//! The Local Government Service List (LGSL): functions, services, and which
//! councils deliver each service (by tier, from GOV.UK's local services list).

pub mod api;
pub mod http;
pub mod import;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::get_one), tags((name = "services", description = "The Local Government Service List")))]
struct ApiDoc;
