//! Platform and organisation administration pages: the audit trail.

pub mod audit;

use crate::slice::{no_openapi, no_routes, Slice};

pub const SLICE: Slice = Slice {
    pages: audit::routes,
    api: no_routes,
    openapi: no_openapi,
};
