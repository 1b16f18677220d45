//! Partnership section: reviews. Partners review the partnership on a cadence
//! (set on the edit form), record what they found and decided, and agree
//! actions with an owner and a due date that are followed up until done.

pub mod api;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::action_done),
    components(schemas(
        model::Decision,
        model::ActionStatus,
        model::ReviewDraft,
        model::ActionDraft,
        model::ReviewView,
        model::ActionView,
        model::ReviewList
    )),
    tags((name = "reviews", description = "A partnership's reviews and their actions"))
)]
struct ApiDoc;
