//! Partnership section: members. Who is in the partnership and in what
//! role, invitations and answers, contacts, agreed cost shares and the
//! cost-sharing calculator.

pub mod api;
pub mod calculator;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::list,
        api::invite,
        api::update,
        api::remove,
        api::set_cost_shares,
        api::respond,
        api::calculate
    ),
    components(schemas(
        model::InviteDraft,
        model::MemberDraft,
        api::CostShare,
        api::Answer,
        api::CalculatorInput,
        calculator::Calculation,
        calculator::CalculationRow,
        calculator::Method
    ))
)]
struct ApiDoc;
