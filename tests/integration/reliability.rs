//! Odd bytes and odd requests: a clear 4xx, never a 500, and never a
//! database's own words shown to a person.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

/// NUL characters made PostgreSQL answer 500 ("invalid byte sequence").
#[tokio::test(flavor = "multi_thread")]
async fn nul_characters_are_refused_clearly_everywhere() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as("lead@birmingham.example").await;

    // In a JSON body: 422 naming the field.
    let (status, problem, content_type) = api
        .post(
            &format!("/api/v1/partnerships/{id}/swot"),
            json!({ "quadrant": "threats", "text": "a\u{0}b" }),
        )
        .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json")
    );
    assert_eq!(problem["errors"][0]["field"], "text");
    let (status, problem, _) = api
        .post("/api/v1/partnerships", json!({ "name": "x", "purpose": "a\u{0}b", "kind": "network", "degree": "networking", "stage": 1, "status": "active", "visibility": "public" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // In an address: 400, as a problem for the API and a page for people.
    for path in [
        "/api/v1/organisations?q=a%00b",
        "/api/v1/partnerships?q=%00",
    ] {
        let (status, problem, _) = app.api().get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(problem["type"], "/problems/bad-request");
    }
    let (status, page) = app.client().get_text("/organisations?q=a%00b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("must not contain a NUL character"));

    // In a form, and in an uploaded file (with its line number).
    let bir = app.signed_in("lead@birmingham.example").await;
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/swot"),
            &[("quadrant", "threats"), ("text", "a\u{0}b")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let csv = "name,purpose,kind,degree,stage,status,visibility,start_date,end_date,lead,partners,services,review_cadence_months\n\
               Bins,ok,shared_service,collaborating,5,active,public,,,BIR,,,\n\
               Nul,a\u{0}b,shared_service,collaborating,5,active,public,,,BIR,,,\n";
    let r = bir.upload("/partnerships/import", csv).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Line 3: contains a NUL character"), "{html}");
    assert_eq!(app.count("swot_items"), 0);
}
