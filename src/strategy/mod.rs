//! The organisation's collaboration strategy: the outcomes it seeks from
//! collaboration and the criteria a partnership must meet to be entered or
//! renewed (a minimum health score, an exit plan, savings covering costs, a
//! risk exposure ceiling, a recent review, an agreement in force). Its
//! admins write it, each save a new version with an audit entry; its people
//! read it, and the strategy review judges every partnership of the
//! organisation against it from the register (`model::evaluate`, pure).

pub mod api;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::get_strategy, api::put_strategy, api::get_review),
    components(schemas(
        model::CriterionKind,
        model::Standing,
        model::StrategyDraft,
        model::CriterionDraft,
        model::Judgement,
        store::StrategyView,
        store::CriterionView,
        store::StrategyReview,
        store::PartnershipStanding
    )),
    tags((name = "strategy", description = "An organisation's collaboration strategy and how its partnerships stand against it"))
)]
struct ApiDoc;
