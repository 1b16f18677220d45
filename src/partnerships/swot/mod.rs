//! Partnership section: the SWOT exercise. Members add strengths,
//! weaknesses, opportunities and threats, vote on them, and see them ranked
//! by votes. Anyone who may see the partnership sees the board; people from
//! member organisations that take part (not observers) add items and vote;
//! whoever added an item, or anyone from the lead, may delete it.

pub mod api;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::board, api::add, api::vote, api::unvote, api::delete_item),
    components(schemas(model::Quadrant, model::SwotDraft, model::SwotItem, model::SwotBoard)),
    tags((name = "swot", description = "A partnership's SWOT exercise: items in four quadrants, ranked by members' votes"))
)]
struct ApiDoc;
