//! Partnership section: the costs and benefits ledger. Each partner records
//! what the partnership costs it and what it saves, expected or realised, by
//! financial year, so the partnership can report its net value.

pub mod api;
pub mod chart;
pub mod export;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::delete, api::totals),
    components(schemas(
        model::EntryType, model::Basis, model::EntryView, model::EntryTotals,
        model::PartnerTotals, model::YearTotals, model::LedgerTotals, api::NewLedgerEntry
    )),
    tags((name = "ledger", description = "A partnership's costs and benefits"))
)]
struct ApiDoc;
