//! Running in production: logging, metrics, health checks, shutdown, backup.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::state::AppState;

pub fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_env("CONCORD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Times each request and logs it in a span keyed on the matched route
/// (so `/organisations/{code}` is one series, not one per council).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let span = tracing::info_span!("request", route = %route, method = %method, path = %request.uri().path());
    let start = Instant::now();
    let response = {
        let _enter = span.enter();
        drop(_enter);
        tracing::Instrument::instrument(next.run(request), span.clone()).await
    };
    let elapsed = start.elapsed();
    let status = response.status().as_u16().to_string();
    state
        .metrics
        .requests
        .with_label_values(&[&route, &method, &status])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[&route, &method])
        .observe(elapsed.as_secs_f64());
    span.in_scope(
        || tracing::info!(status = %status, ms = elapsed.as_secs_f64() * 1000.0, "finished"),
    );
    response
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            "ok\n",
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            "database unreachable\n",
        )
            .into_response()
    }
}

/// Resolves on Ctrl-C or SIGTERM; the server then finishes requests in flight.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A consistent copy of a live SQLite database (VACUUM INTO).
pub fn sqlite_backup(db: &crate::db::Db, dest: &std::path::Path) -> anyhow::Result<()> {
    use diesel::RunQueryDsl;
    let path = dest
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the backup path is not valid UTF-8"))?;
    db.read_blocking(|c| {
        diesel::sql_query("VACUUM INTO ?")
            .bind::<diesel::sql_types::Text, _>(path)
            .execute(c)?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("backup failed: {e}"))
}
