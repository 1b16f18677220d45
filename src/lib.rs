#![recursion_limit = "256"]
// Pence are written as pounds_pence (10_000_00 is £10,000.00).
#![allow(clippy::inconsistent_digit_grouping)]
// Templates compare values of different string types through to_string().
#![allow(clippy::cmp_owned)]
// Page renderers take the page's parts as arguments rather than a struct of them.
#![allow(clippy::too_many_arguments)]
//! Concord: the platform for public-service collaboration.
//!
//! `lib.rs` builds the application (router and state); `main.rs` and the
//! integration tests both use it.

pub mod api;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod imports;
pub mod ops;
pub mod orgs;
pub mod outbox;
pub mod partnerships;
pub mod policy;
pub mod services;
pub mod users;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: ops::Metrics,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
            metrics: ops::Metrics::new(),
        }
    }
}

/// Content Security Policy: only our own scripts, styles and images.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn page_not_found() -> AppError {
    AppError::NotFound
}

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(web::pages::routes())
        .merge(auth::http::routes())
        .merge(orgs::http::routes())
        .merge(services::http::routes())
        .merge(users::http::routes())
        .merge(audit::http::routes())
        .merge(partnerships::routes())
        .fallback(page_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::session::middleware,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/assets/{*path}", get(web::assets::serve))
        .route("/favicon.ico", get(web::assets::favicon))
        .merge(api::routes(state.clone()))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    outbox::spawn_worker(state.db.clone(), state.config.mail_dir.clone());
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
