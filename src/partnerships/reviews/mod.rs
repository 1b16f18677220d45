//! Partnership section: reviews. Partners review the partnership on a cadence
//! (set on the edit form), record what they found and decided, and agree
//! actions with an owner and a due date that are followed up until done.

pub mod api;
pub mod http;
pub mod store;

use axum::Router;

use crate::state::AppState;

crate::vocabulary!(
    /// What a review decided about the partnership's future.
    Decision {
        Continue = "continue": "Continue",
        Improve = "improve": "Improve",
        Renegotiate = "renegotiate": "Renegotiate",
        Exit = "exit": "Exit",
    }
);

crate::vocabulary!(
    /// Where a review action stands; worked out from its dates, not stored.
    ActionStatus {
        Open = "open": "Open",
        Overdue = "overdue": "Overdue",
        Done = "done": "Done",
    }
);

impl ActionStatus {
    /// GOV.UK tag colour.
    pub fn tag_class(self) -> &'static str {
        match self {
            ActionStatus::Open => "govuk-tag--blue",
            ActionStatus::Overdue => "govuk-tag--red",
            ActionStatus::Done => "govuk-tag--green",
        }
    }
}

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
    paths(api::list, api::create, api::action_done),
    components(schemas(Decision, ActionStatus, store::ReviewInput, store::ActionInput, store::ReviewView, store::ActionView, store::ReviewList)),
    tags((name = "reviews", description = "A partnership's reviews and their actions"))
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
