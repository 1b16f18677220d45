//! The partnership register: each partnership's formal structure, members,
//! objectives, governance and agreements, shared risks, costs and benefits,
//! reviews, exit plan and SWOT, and the portfolio across them.

pub mod access;
pub mod api;
pub mod calculator;
pub mod http;
pub mod members;
pub mod model;
pub mod money;
pub mod store;
pub mod summary;

use axum::Router;

use crate::AppState;

/// Every partnership page route.
pub fn routes() -> Router<AppState> {
    Router::new().merge(http::routes()).merge(calculator::routes())
}
