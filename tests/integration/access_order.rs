//! The one order of answers for a scoped record, by page and by API: not
//! visible → 404; visible but signed out → 401 (pages: sign in, then back);
//! signed in but not allowed → 403. Nothing is written on the way.
//! Each section's own test file checks its routes the same way; this file
//! covers the partnership itself, its members and its risks.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestApp;

/// One page that needs a right (fetched with GET) and one API write.
struct Probe {
    page: String,
    method: Method,
    api: String,
    body: Value,
}

fn probes(id: i64) -> Vec<Probe> {
    vec![
        Probe {
            page: format!("/partnerships/{id}/edit"),
            method: Method::PUT,
            api: format!("/api/v1/partnerships/{id}"),
            body: json!({ "name": "Taken over", "kind": "network", "degree": "networking", "stage": 1, "status": "active", "visibility": "public" }),
        },
        Probe {
            page: format!("/partnerships/{id}/members"),
            method: Method::POST,
            api: format!("/api/v1/partnerships/{id}/members"),
            body: json!({ "organisation": "CON", "role": "partner" }),
        },
        Probe {
            page: format!("/partnerships/{id}/risks/new"),
            method: Method::POST,
            api: format!("/api/v1/partnerships/{id}/risks"),
            body: json!({ "category": "financial", "likelihood": 3, "impact": 3, "owner": "BIR",
                "shares": [{ "organisation": "BIR", "share_bp": 10000 }] }),
        },
    ]
}

/// Rows anything here could write.
fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("audit_log"),
        app.count("risks"),
        app.count("partnership_members"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partners_only_partnership_is_not_found_by_anyone_outside_it() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let anonymous = app.client();
    let outsider = app.signed_in("officer@cornwall.example").await;
    let outsider_api = app.api_as("officer@cornwall.example").await;
    let before = written(&app);
    for p in probes(id) {
        assert_eq!(
            anonymous.get(&p.page).await.status(),
            StatusCode::NOT_FOUND,
            "{}",
            p.page
        );
        assert_eq!(
            outsider.get(&p.page).await.status(),
            StatusCode::NOT_FOUND,
            "{}",
            p.page
        );
        let (status, problem) = app
            .api()
            .send(p.method.clone(), &p.api, Some(p.body.clone()))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "anonymous {}", p.api);
        assert_eq!(problem["type"], "/problems/not-found");
        // A body that is not even valid JSON still gets 404 first.
        let r = outsider_api
            .http
            .request(p.method.clone(), format!("{}{}", app.base, p.api))
            .bearer_auth(outsider_api.token.as_deref().unwrap())
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "outsider {}", p.api);
    }
    assert_eq!(written(&app), before, "nothing written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_partnership_asks_strangers_to_sign_in_and_refuses_outsiders() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let anonymous = app.client();
    let outsider = app.signed_in("officer@cornwall.example").await;
    let outsider_api = app.api_as("officer@cornwall.example").await;
    let before = written(&app);
    for p in probes(id) {
        let r = anonymous.get(&p.page).await;
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        if p.page.ends_with("/members") {
            // Anyone may read the members of a public partnership.
            assert_eq!(r.status(), StatusCode::OK, "{}", p.page);
        } else {
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", p.page);
            let next = serde_urlencoded::to_string([("next", p.page.as_str())]).unwrap();
            assert_eq!(
                location.as_deref(),
                Some(format!("/sign-in?{next}").as_str())
            );
            assert_eq!(
                outsider.get(&p.page).await.status(),
                StatusCode::FORBIDDEN,
                "{}",
                p.page
            );
        }
        let (status, problem) = app
            .api()
            .send(p.method.clone(), &p.api, Some(p.body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {}", p.api);
        assert_eq!(problem["type"], "/problems/unauthenticated");
        let (status, problem) = outsider_api
            .send(p.method.clone(), &p.api, Some(p.body.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "outsider {}", p.api);
        assert_eq!(problem["type"], "/problems/forbidden");
    }
    // The invitation form on the members page is refused to an outsider too.
    let r = outsider
        .post_form(
            &format!("/partnerships/{id}/members"),
            &[("organisation", "CON"), ("role", "lead")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(written(&app), before, "nothing written");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_page_still_shows_who_is_signed_in() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    let (status, html) = outsider.get_text(&format!("/partnerships/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    assert!(
        html.contains("Sign out"),
        "the signed-in header on a 404 page"
    );
    let (status, html) = outsider.get_text("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Sign out"));
}
