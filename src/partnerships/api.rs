//! Partnership API handlers.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;
