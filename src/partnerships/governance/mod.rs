//! Partnership section: governance. How the partnership makes decisions,
//! meets and reviews, its exit plan (all kept on the partnership itself and
//! edited with its details), and the agreements behind it: MoUs, contracts,
//! statutory delegations, with their renewals flagged ahead of time.

pub mod api;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::get_one, api::patch, api::delete),
    components(schemas(
        model::AgreementDraft,
        model::AgreementView,
        model::AgreementKind,
        model::Renewal,
        api::AgreementPatch
    )),
    tags((name = "governance", description = "The agreements behind a partnership: MoUs, contracts, statutory delegations"))
)]
struct ApiDoc;
