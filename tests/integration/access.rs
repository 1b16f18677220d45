//! Who may do what, by page and by API. Default deny.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn signed_out_visitors_read_public_data_but_nothing_else() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    for path in [
        "/",
        "/organisations",
        "/organisations/BIR",
        "/services",
        "/services/524",
        "/about/data",
    ] {
        assert_eq!(b.get(path).await.status(), StatusCode::OK, "{path}");
    }
    for path in [
        "/account",
        "/admin",
        "/audit",
        "/organisations/BIR/members",
        "/organisations/BIR/edit",
        "/admin/users/new",
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/sign-in?next="),
            "{path}"
        );
    }
    let api = app.api();
    assert_eq!(api.get("/api/v1/organisations").await.0, StatusCode::OK);
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (status, problem, _) = api
        .post(
            "/api/v1/organisations",
            json!({"code": "XYZ", "name": "X", "type_code": "VCS"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "/problems/unauthenticated");
    let bad = crate::common::Api {
        token: Some("concord_not-a-real-token".into()),
        ..app.api()
    };
    assert_eq!(
        bad.get("/api/v1/organisations").await.0,
        StatusCode::UNAUTHORIZED,
        "a wrong token is refused, not ignored"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_cannot_reach_admin_pages_or_admin_api_calls() {
    let app = TestApp::with_reference_data().await;
    let member = app.signed_in("officer@birmingham.example").await;
    for path in [
        "/admin",
        "/admin/organisations/new",
        "/admin/users/new",
        "/audit",
        "/organisations/BIR/edit",
    ] {
        let (status, html) = member.get_text(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("You do not have permission"), "{path}");
    }
    let before = app.count("organisations");
    let r = member
        .post_form(
            "/admin/organisations/new",
            &[("code", "HACK"), ("name", "Hack"), ("type_code", "VCS")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .post_form(
            "/admin/users/new",
            &[
                ("email", "x@y.example"),
                ("org", "BIR"),
                ("role", "platform_admin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .post_form(
            "/organisations/BIR/members",
            &[("email", "x@y.example"), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .post_form(
            "/organisations/BIR/edit",
            &[("website", "https://evil.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The admin link is not offered either.
    let (_, home) = member.get_text("/").await;
    assert!(!home.contains("href=\"/admin\""));

    let api = app.api_as("officer@birmingham.example").await;
    let (status, problem, content_type) = api
        .post(
            "/api/v1/organisations",
            json!({"code": "HACK", "name": "Hack", "type_code": "VCS"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["title"], "You do not have permission to do this");
    let (status, _, _) = api
        .post(
            "/api/v1/invitations",
            json!({"email": "x@y.example", "organisation": "BIR", "role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("organisations"), before);
    assert_eq!(app.count("invitations"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_org_admin_manages_only_their_own_organisation() {
    let app = TestApp::with_reference_data().await;
    let lead = app.signed_in("lead@birmingham.example").await;
    assert_eq!(
        lead.get("/organisations/BIR/members").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        lead.get("/organisations/LDS/members").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = lead
        .post_form(
            "/organisations/LDS/members",
            &[("email", "x@leeds.example"), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = lead
        .post_form(
            "/organisations/BIR/members",
            &[
                ("email", "x@birmingham.example"),
                ("role", "platform_admin"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "org admins cannot make platform admins"
    );
    assert_eq!(lead.get("/admin").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        lead.get("/audit?org=LDS").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        lead.get("/audit").await.status(),
        StatusCode::OK,
        "their own organisation's trail"
    );

    // They may correct their own organisation's website, and it is audited.
    let r = lead
        .post_form("/organisations/BIR/edit", &[("website", "not a url")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("starting with https://"));
    let r = lead
        .post_form(
            "/organisations/BIR/edit",
            &[("website", "https://www.birmingham.gov.uk/new")],
        )
        .await;
    assert_eq!(r.headers()["location"], "/organisations/BIR");
    assert_eq!(
        lead.post_form(
            "/organisations/LDS/edit",
            &[("website", "https://x.example")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let (_, audit) = lead.get_text("/audit").await;
    assert!(
        audit.contains("organisation.update")
            && audit.contains("https://www.birmingham.gov.uk/new")
    );

    let api = app.api_as("lead@birmingham.example").await;
    let (status, body, _) = api.post("/api/v1/invitations", json!({"email": "api.invitee@birmingham.example", "organisation": "BIR", "role": "org_admin"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, _) = api
        .post(
            "/api/v1/invitations",
            json!({"email": "x@leeds.example", "organisation": "LDS", "role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = api
        .post(
            "/api/v1/organisations",
            json!({"code": "HACK", "name": "Hack", "type_code": "VCS"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
