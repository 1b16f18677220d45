#![recursion_limit = "256"]
// Pence are written as pounds_pence (10_000_00 is £10,000.00).
#![allow(clippy::inconsistent_digit_grouping)]
// Templates compare values of different string types through to_string().
#![allow(clippy::cmp_owned)]
// Page renderers take the page's parts as arguments rather than a struct of them.
#![allow(clippy::too_many_arguments)]
//! Concord: the platform for public-service collaboration.
//!
//! `lib.rs` builds the application (router and state) from the slices;
//! `main.rs` and the integration tests both use it. The layers, from the
//! bottom: kernel (`config`, `money`, `vocab`), foundation (`error`, `db`,
//! `policy`, `audit`, `metrics`, `state`, `auth`, `work`, `web`, `api`,
//! `imports`, `slice`), capabilities (`home`, `orgs`, `lgsl`, `users`,
//! `account`, `admin`, `partnerships`), and the top (`demo`, `ops`, `cli`, this file).
//! Each layer imports only from layers below it; see docs/architecture.md.

pub mod account;
pub mod admin;
pub mod api;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod datasets;
pub mod db;
pub mod demo;
pub mod error;
pub mod health;
pub mod home;
pub mod imports;
pub mod introductions;
pub mod jobs;
pub mod lgsl;
pub mod metrics;
pub mod money;
pub mod needs;
pub mod notifications;
pub mod ops;
pub mod orgs;
pub mod outbox;
pub mod partnerships;
pub mod policy;
pub mod server;
pub mod skills;
pub mod slice;
pub mod state;
pub mod strategy;
pub mod text;
pub mod time;
pub mod users;
pub mod vocab;
pub mod web;
pub mod work;

use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use crate::state::AppState;

use crate::error::{ApiError, AppError};
use crate::slice::Slice;

/// Every capability, in the order their routes are merged.
const SLICES: &[Slice] = &[
    home::SLICE,
    account::SLICE,
    orgs::SLICE,
    lgsl::SLICE,
    users::SLICE,
    admin::SLICE,
    notifications::SLICE,
    partnerships::SLICE,
    needs::SLICE,
    introductions::SLICE,
    health::SLICE,
    health::report::SLICE,
    strategy::SLICE,
    skills::SLICE,
];

/// Content Security Policy: only our own scripts, styles and images.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole OpenAPI document: every slice's part, with the shared conventions.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = ApiInfo::openapi();
    doc.merge(api::openapi::ProblemSchemas::openapi());
    for slice in SLICES {
        doc.merge((slice.openapi)());
    }
    api::openapi::finish(doc)
}

#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "Concord API",
    version = "1",
    description = "Find partners, run partnerships and share what works across UK public services. Public reference data needs no token; everything else needs 'Authorization: Bearer TOKEN' (create one on your account page). Errors are RFC 9457 problem details."
))]
struct ApiInfo;

async fn openapi_json() -> impl IntoResponse {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOC.get_or_init(|| serde_json::to_string(&openapi_document()).unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str())
}

fn api_routes(state: &AppState) -> Router<AppState> {
    let mut api = Router::new().route("/api/v1/openapi.json", get(openapi_json));
    for slice in SLICES {
        api = api.merge((slice.api)());
    }
    api
        // Unknown API paths get problem details, not the HTML 404 page.
        .route("/api", any(|| async { ApiError(AppError::NotFound) }))
        .route(
            "/api/{*rest}",
            any(|| async { ApiError(AppError::NotFound) }),
        )
        .method_not_allowed_fallback(|| async { ApiError(AppError::MethodNotAllowed) })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::tokens::middleware,
        ))
}

fn page_routes(state: &AppState) -> Router<AppState> {
    let mut pages = Router::new();
    for slice in SLICES {
        pages = pages.merge((slice.pages)());
    }
    pages
        .fallback(|| async { AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::session::middleware,
        ))
        .layer(axum::middleware::from_fn(web::errors::draw))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

pub fn router(state: AppState) -> Router {
    wire(&state.config);
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/assets/{*path}", get(web::assets::serve))
        .route("/favicon.ico", get(web::assets::favicon))
        .merge(api_routes(&state))
        .merge(notifications::http::open_routes())
        .merge(page_routes(&state))
        .layer(axum::middleware::from_fn(web::guard::refuse_nul))
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

/// Serves until `shutdown` resolves, then lets requests in flight finish,
/// for at most the configured shutdown deadline.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let deadline = state.config.shutdown_timeout;
    server::run(router(state), listener, shutdown, deadline).await;
    Ok(())
}

/// Every kind of job this build knows, with its schedule.
pub const JOBS: &[jobs::Kind] = &[
    notifications::DIGEST_JOB,
    partnerships::reminders::JOB,
    needs::interest::reminders::JOB,
    needs::active::JOB,
    health::JOB,
];

/// Connects the capabilities to the shared services: what can be watched,
/// who hears of changes, and the address for links in email. Idempotent.
pub fn wire(config: &config::Config) {
    for kind in [
        partnerships::notify::SUBJECT,
        needs::SUBJECT,
        introductions::SUBJECT,
        orgs::SUBJECT,
        lgsl::SUBJECT,
    ] {
        notifications::subjects::register(kind);
    }
    audit::subscribe(notifications::events::on_change);
    notifications::store::set_public_url(&config.public_url);
}

fn mail_sender(config: &config::Config) -> anyhow::Result<outbox::Sender> {
    outbox::Sender::new(
        config.smtp_url.as_deref(),
        config.mail_dir.clone(),
        &config.mail_from,
        config.mail_lease,
    )
}

/// Starts the job runner and the email sender in this process.
pub fn start_background(state: &AppState) -> anyhow::Result<()> {
    start_sender(state)?;
    jobs::spawn(state.db.clone(), JOBS, Duration::from_secs(5));
    Ok(())
}

/// Starts only the email sender (tests run jobs when they choose).
pub fn start_sender(state: &AppState) -> anyhow::Result<()> {
    wire(&state.config);
    let sender = std::sync::Arc::new(mail_sender(&state.config)?);
    outbox::spawn_sender(state.db.clone(), sender, Duration::from_secs(1));
    Ok(())
}

/// Runs the jobs that are due and sends the email that is waiting, once.
pub fn run_background_once(state: &AppState) -> anyhow::Result<(usize, outbox::Delivered)> {
    wire(&state.config);
    let sender = mail_sender(&state.config)?;
    let ran = jobs::run_due(&state.db, JOBS, db::now())?;
    let sent = outbox::deliver_due(&state.db, &sender, db::now())?;
    Ok((ran, sent))
}

#[cfg(test)]
mod tests {
    /// utoipa keeps the last schema of a name: two vocabularies called
    /// `Kind` in two slices would silently document one with the other's values.
    #[test]
    fn no_two_slices_define_a_schema_of_the_same_name_differently() {
        let mut seen: std::collections::HashMap<String, (usize, serde_json::Value)> =
            std::collections::HashMap::new();
        for (i, slice) in super::SLICES.iter().enumerate() {
            let doc = (slice.openapi)();
            let Some(components) = doc.components else {
                continue;
            };
            for (name, schema) in components.schemas {
                let value = serde_json::to_value(&schema).unwrap();
                if let Some((other, before)) = seen.get(&name) {
                    assert_eq!(
                        before, &value,
                        "schema {name} differs between slices {other} and {i}"
                    );
                }
                seen.insert(name, (i, value));
            }
        }
        assert!(seen.contains_key("NotificationKind") && seen.contains_key("Kind"));
    }
}
