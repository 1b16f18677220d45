//! Partnership section: the shared risk register. Councils say partnerships
//! fail for "a lack of formal structure and clear and robust risk sharing
//! arrangements", so each risk records who carries what share of it.

pub mod api;
pub mod export;
pub mod exposure;
pub mod heatmap;
pub mod http;
pub mod input;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::get_one, api::update, api::review, api::exposure_of),
    components(schemas(
        model::RiskView, model::RiskShare, model::RiskDetail, model::RiskReview,
        exposure::RiskExposure, exposure::PartnerRiskExposure, model::RiskCategory, model::RiskStatus,
        api::NewRisk, api::RiskPatch, api::RiskShareInput, api::NewRiskReview
    )),
    tags((name = "risks", description = "Each partnership's shared risk register: risks, who carries what share, reviews and exposure"))
)]
struct ApiDoc;
