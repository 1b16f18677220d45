use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn a_platform_admin_adds_partner_organisations_and_invites_users() {
    let app = TestApp::with_reference_data().await;
    let admin = app.signed_in("admin@concord.example").await;
    let (status, html) = admin.get_text("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Add an organisation"));

    let r = admin
        .post_form(
            "/admin/organisations/new",
            &[("code", "bad code"), ("name", ""), ("type_code", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#name\">Enter the organisation&#39;s name</a>")
            || html.contains("<a href=\"#name\">Enter the organisation's name</a>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"#code\">Code must be 2 to 12 characters"));
    assert!(html.contains("<a href=\"#type_code\">Select the type of organisation</a>"));
    assert!(
        html.contains("value=\"bad code\""),
        "what was typed is kept"
    );

    let r = admin
        .post_form(
            "/admin/organisations/new",
            &[
                ("code", "WMP"),
                ("name", "West Midlands Police"),
                ("type_code", "POLICE"),
                ("website", "https://www.west-midlands.police.uk/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/organisations/WMP");
    let (_, page) = admin.get_text("/organisations/WMP").await;
    assert!(
        page.contains("West Midlands Police")
            && page.contains("Police force or police and crime commissioner")
    );
    let (_, dir) = admin.get_text("/organisations?type=POLICE").await;
    assert!(dir.contains("of 1 organisations"));
    let r = admin
        .post_form(
            "/admin/organisations/new",
            &[("code", "WMP"), ("name", "Again"), ("type_code", "POLICE")],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("An organisation with code WMP already exists"));
    let r = admin
        .post_form(
            "/admin/organisations/new",
            &[("code", "BIR"), ("name", "Clash"), ("type_code", "NHS")],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("An organisation with code BIR already exists"),
        "council codes are taken too"
    );

    let r = admin
        .post_form(
            "/admin/users/new",
            &[
                ("email", "chief@wmp.example"),
                ("org", "WMP"),
                ("role", "org_admin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Invitation sent to chief@wmp.example"));

    let (_, audit) = admin.get_text("/audit").await;
    assert!(audit.contains("organisation.create") && audit.contains("admin@concord.example"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_organisation_codes_are_reported_on_the_invite_form() {
    let app = TestApp::with_reference_data().await;
    let admin = app.signed_in("admin@concord.example").await;
    let r = admin
        .post_form(
            "/admin/users/new",
            &[
                ("email", "someone@example.org"),
                ("org", "ZZZ"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#org\">No organisation has the code"),
        "{html}"
    );
    assert_eq!(app.count("invitations"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_creates_organisations_with_problem_details_for_bad_input() {
    let app = TestApp::with_reference_data().await;
    let api = app.api_as("admin@concord.example").await;
    let (status, problem, content_type) = api
        .post(
            "/api/v1/organisations",
            json!({"code": "x", "name": "", "type_code": "SPACESHIP"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["code", "name", "type_code"]);

    let (status, problem, _) = api.post("/api/v1/organisations", json!({"code": 5})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let (status, body, _) =
        api.post("/api/v1/organisations", json!({"code": "NHS-BSOL", "name": "NHS Birmingham and Solihull", "type_code": "NHS", "region": "West Midlands"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["code"], "NHS-BSOL");
    let (status, body, _) = app.api().get("/api/v1/organisations/NHS-BSOL").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type_name"], "NHS body");
    assert_eq!(body["neighbours"], json!([]));
    let (status, _, _) = api
        .post(
            "/api/v1/organisations",
            json!({"code": "NHS-BSOL", "name": "Again", "type_code": "NHS"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
