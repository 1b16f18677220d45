use reqwest::StatusCode;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn health_metrics_and_static_assets() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let (status, body) = b.get_text("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));

    b.get("/organisations/BIR").await;
    let (status, metrics) = b.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.contains(r#"concord_http_requests_total{method="GET",route="/organisations/{code}",status="200"} 1"#), "{metrics}");
    assert!(metrics.contains("concord_http_request_duration_seconds_bucket"));

    let css = b.get("/assets/concord.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css");
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let body = css.text().await.unwrap();
    assert!(body.contains(".govuk-header"));
    assert!(
        !body.contains("GDS Transport"),
        "Concord is not on GOV.UK and must not use its typeface"
    );

    assert_eq!(
        b.get("/assets/nope.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_security_headers() {
    let app = TestApp::with_reference_data().await;
    let r = app.client().get("/").await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let csrf_cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("concord_csrf="))
        .expect("CSRF cookie");
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"),
        "{csrf_cookie}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_reports_an_unreachable_database() {
    let app = TestApp::with_reference_data().await;
    let url = app.test_db.url.clone();
    // Break the database out from under the running server.
    // A SQLite file stays readable while the process holds it open, so only
    // PostgreSQL can be taken away from a running server.
    if app.db().backend() != concord::db::Backend::Postgres {
        return;
    }
    use diesel::prelude::*;
    let name = url.rsplit('/').next().unwrap().to_string();
    let mut admin =
        diesel::PgConnection::establish("postgres://postgres@127.0.0.1:5432/postgres").unwrap();
    diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .execute(&mut admin)
    .unwrap();
    let (status, _) = app.client().get_text("/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .unwrap();
}
