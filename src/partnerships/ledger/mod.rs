//! Partnership section: the costs and benefits ledger. Each partner records
//! what the partnership costs it and what it saves, expected or realised, by
//! financial year, so the partnership can report its net value.

pub mod api;
pub mod chart;
pub mod http;
pub mod store;

use axum::Router;

use crate::state::AppState;

crate::vocabulary!(
    /// What a ledger entry records.
    EntryType {
        Cost = "cost": "Cost",
        CashableSaving = "cashable_saving": "Cashable saving",
        NonCashableBenefit = "non_cashable_benefit": "Non-cashable benefit",
    }
);

crate::vocabulary!(
    /// Whether an amount is forecast or has happened.
    Basis {
        Expected = "expected": "Expected",
        Realised = "realised": "Realised",
    }
);

/// Financial years a form offers, by start year (2015/16 to 2035/36).
pub const FIRST_YEAR: i32 = 2015;
pub const LAST_YEAR: i32 = 2035;

/// Page routes for this section.
pub fn routes() -> Router<AppState> {
    http::routes()
}

/// JSON API routes for this section, under /api/v1/partnerships/{id}/...
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// This section's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::delete, api::totals),
    components(schemas(EntryType, Basis, store::LedgerInput, store::EntryView, store::Totals, store::PartnerTotals, store::YearTotals, store::LedgerTotals)),
    tags((name = "ledger", description = "A partnership's costs and benefits"))
)]
pub struct ApiDoc;

/// Transitional until this section moves to the section shape.
pub const SLICE: crate::slice::Slice = crate::slice::Slice {
    pages: routes,
    api: api_routes,
    openapi: || {
        use utoipa::OpenApi;
        ApiDoc::openapi()
    },
};
