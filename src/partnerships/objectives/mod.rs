//! Partnership section: joint objectives that can be measured, their
//! progress updates, and a red/amber/green status worked out from progress
//! against time.

pub mod api;
pub mod format;
pub mod http;
pub mod input;
pub mod model;
pub mod rag;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::get_one, api::patch, api::updates, api::post_update),
    components(schemas(
        model::ObjectiveView, model::ProgressView, model::Rag,
        input::ObjectiveDraft, input::ProgressDraft, api::ObjectivePatch
    )),
    tags((name = "objectives", description = "A partnership's joint objectives and progress against them"))
)]
struct ApiDoc;
