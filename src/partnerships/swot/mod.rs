//! Partnership section: the SWOT exercise. Members add strengths,
//! weaknesses, opportunities and threats, vote on them, and see them ranked
//! by votes. `store.rs` holds the rules; `http.rs` the page; `api.rs` the JSON API.

pub mod api;
pub mod http;
pub mod store;

use axum::Router;

use crate::state::AppState;

crate::vocabulary!(
    /// The four quadrants of a SWOT board.
    Quadrant {
        Strengths = "strengths": "Strengths",
        Weaknesses = "weaknesses": "Weaknesses",
        Opportunities = "opportunities": "Opportunities",
        Threats = "threats": "Threats",
    }
);

impl Quadrant {
    /// One item of the quadrant, for labels and messages: "strength".
    pub fn singular(self) -> &'static str {
        match self {
            Quadrant::Strengths => "strength",
            Quadrant::Weaknesses => "weakness",
            Quadrant::Opportunities => "opportunity",
            Quadrant::Threats => "threat",
        }
    }

    /// With its article: "a strength", "an opportunity".
    pub fn one(self) -> &'static str {
        match self {
            Quadrant::Strengths => "a strength",
            Quadrant::Weaknesses => "a weakness",
            Quadrant::Opportunities => "an opportunity",
            Quadrant::Threats => "a threat",
        }
    }

    /// The add form's label: "Add a strength".
    pub fn add_label(self) -> String {
        format!("Add {}", self.one())
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
    paths(api::board, api::add, api::vote, api::unvote, api::delete_item),
    components(schemas(Quadrant, store::SwotInput, store::SwotItem, store::SwotBoard)),
    tags((name = "swot", description = "A partnership's SWOT exercise: items in four quadrants, ranked by members' votes"))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_naturally() {
        assert_eq!(Quadrant::Strengths.add_label(), "Add a strength");
        assert_eq!(Quadrant::Opportunities.add_label(), "Add an opportunity");
        assert_eq!(Quadrant::parse("threats"), Some(Quadrant::Threats));
        assert_eq!(Quadrant::parse("Threats"), None, "codes are exact");
    }
}

/// Transitional until this section moves to the section shape.
pub const SLICE: crate::slice::Slice = crate::slice::Slice {
    pages: routes,
    api: api_routes,
    openapi: || {
        use utoipa::OpenApi;
        ApiDoc::openapi()
    },
};
