//! Serving HTTP: accept connections, and on shutdown stop accepting, answer
//! the connections already queued, let requests in flight finish, and exit
//! by a deadline whatever clients do. A client that sends its headers too
//! slowly is cut off, so it cannot hold a connection (or a shutdown) open.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(15);

/// Serves `app` on `listener` until `shutdown` resolves; then finishes the
/// requests in flight for at most `deadline`.
pub async fn run(
    app: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    deadline: Duration,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((io, peer)) => connect(&builder, &graceful, &app, io, peer),
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut shutdown => break,
        }
    }
    // Connections the kernel has already queued get an answer, not a reset.
    while let Ok(Ok((io, peer))) =
        tokio::time::timeout(Duration::from_millis(5), listener.accept()).await
    {
        connect(&builder, &graceful, &app, io, peer);
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("every connection finished"),
        _ = tokio::time::sleep(deadline) => {
            tracing::warn!(seconds = deadline.as_secs(), "shutdown deadline passed; closing the connections left")
        }
    }
}

fn connect(
    builder: &Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    app: &Router,
    io: TcpStream,
    peer: SocketAddr,
) {
    // Handlers see the client's address as `ConnectInfo`.
    let service = app
        .clone()
        .map_request(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service))
        .into_owned();
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    });
}
