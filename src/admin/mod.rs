//! Platform and organisation administration pages: the audit trail, and the
//! outbox and job queue (page and API).

pub mod audit;
pub mod outbox;
pub mod outbox_api;
pub mod outbox_http;

use axum::Router;

use crate::slice::Slice;
use crate::state::AppState;

pub const SLICE: Slice = Slice::of::<ApiDoc>(pages, outbox_api::routes);

fn pages() -> Router<AppState> {
    audit::routes().merge(outbox_http::routes())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    outbox_api::list_email,
    outbox_api::retry_email,
    outbox_api::cancel_email,
    outbox_api::list_jobs,
    outbox_api::retry_job,
    outbox_api::cancel_job
))]
struct ApiDoc;
