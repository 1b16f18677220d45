//! The register as a whole: the portfolio of partnerships with totals and
//! charts, its exports, and importing partnerships from CSV.

pub mod api;
pub mod http;
pub mod import;
pub mod portfolio;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list))]
struct ApiDoc;
