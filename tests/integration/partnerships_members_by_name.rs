//! Choosing organisations and service areas by name (issue 12, item 8):
//! inviting by name on the page, choosing among several that match, a name
//! that matches none; the API still taking a code; service areas by name.

use reqwest::StatusCode;

use crate::common::{partnership_form, TestApp};

/// Starts a partnership on the page with these fields changed; its id.
async fn start(bir: &crate::common::Browser, changed: &[(&'static str, &str)]) -> String {
    let mut form = partnership_form("Named partners", "partners");
    form.retain(|(k, _)| !changed.iter().any(|(c, _)| c == k));
    form.extend(changed.iter().map(|(k, v)| (*k, v.to_string())));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = bir.post_form("/partnerships/new", &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let location = r.headers()["location"].to_str().unwrap().to_string();
    location
        .trim_start_matches("/partnerships/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_is_invited_by_its_name_and_a_name_that_matches_several_offers_them() {
    let app = TestApp::with_reference_data().await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let id = start(&bir, &[]).await;
    let members = format!("/partnerships/{id}/members");

    let (_, html) = bir.get_text(&members).await;
    assert!(html.contains("Its name or code, like Leeds City Council or LDS"));

    // By its full name, in any case.
    let r = bir
        .post_form(
            &members,
            &[("organisation", "leeds city council"), ("role", "partner")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = bir.get_text(&members).await;
    assert!(html.contains("Leeds City Council"), "{html}");

    // A name that matches several: the form asks which, as radios.
    let r = bir
        .post_form(
            &members,
            &[("organisation", "Newcastle"), ("role", "observer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Which ‘Newcastle’ did you mean?"), "{html}");
    assert!(html.contains("<a href=\"#organisation\">More than one organisation matches"));
    assert!(html.contains("id=\"organisation\" name=\"organisation\" type=\"radio\""));
    for (name, code) in [
        ("Newcastle City Council", "NET"),
        ("Newcastle-under-Lyme Borough Council", "NEC"),
    ] {
        assert!(html.contains(name), "{name} offered");
        assert!(
            html.contains(&format!("type=\"radio\" value=\"{code}\"")),
            "{code} to choose"
        );
    }
    assert_eq!(app.count("partnership_members"), 2, "nobody invited yet");
    // Choosing one invites it.
    let r = bir
        .post_form(&members, &[("organisation", "NET"), ("role", "observer")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = bir.get_text(&members).await;
    assert!(html.contains("Newcastle City Council"));

    // A name that matches none says so, and keeps what was typed.
    let r = bir
        .post_form(
            &members,
            &[("organisation", "Atlantis"), ("role", "partner")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("No organisation has the code or name &#39;Atlantis&#39;"),
        "{html}"
    );
    assert!(html.contains("value=\"Atlantis\""));
    // Nothing typed.
    let r = bir
        .post_form(&members, &[("organisation", " "), ("role", "partner")])
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter the name or code of the organisation to invite"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_still_takes_a_code_and_a_name_only_when_it_is_unambiguous() {
    let app = TestApp::with_reference_data().await;
    let bir = app.api_as("lead@birmingham.example").await;
    let (status, created, _) = bir
        .post("/api/v1/partnerships", serde_json::json!({"name": "By API", "kind": "digital_platform", "degree": "cooperating", "stage": 2, "status": "proposed", "visibility": "partners", "services": [524]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["services"], serde_json::json!([524]));
    let members = format!("/api/v1/partnerships/{}/members", created["id"]);

    let (status, body, _) = bir
        .post(
            &members,
            serde_json::json!({"organisation": "LDS", "role": "partner"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["organisation_code"] == "LDS"));

    let (status, problem, _) = bir
        .post(
            &members,
            serde_json::json!({"organisation": "Newcastle", "role": "partner"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert_eq!(problem["errors"][0]["field"], "organisation");
    assert!(
        message.contains("Newcastle City Council (NET)") && message.contains("(NEC)"),
        "{message}"
    );

    let (status, body, _) = bir
        .post(
            &members,
            serde_json::json!({"organisation": "Cornwall Council", "role": "observer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["organisation_code"] == "CON"));

    let (status, _, _) = bir
        .post(
            &members,
            serde_json::json!({"organisation": "QQQ", "role": "partner"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partnership_is_started_with_service_areas_chosen_by_name() {
    let app = TestApp::with_reference_data().await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, html) = bir.get_text("/partnerships/new").await;
    assert!(html.contains("Names from the Local Government Service List, one per line"));

    // An unknown name is refused with close names, and nothing is written.
    let form = partnership_form("Named services", "partners");
    let mut fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fields.retain(|(k, _)| *k != "services");
    fields.push(("services", "Household waste collection\nCouncil tax"));
    let r = bir.post_form("/partnerships/new", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(
            "There is no LGSL service called &#39;Council tax&#39;. Did you mean: Council tax"
        ),
        "{html}"
    );
    assert_eq!(app.count("partnerships"), 0);

    let id = start(
        &bir,
        &[(
            "services",
            "household waste collection\r\nCouncil tax account enquiries\n",
        )],
    )
    .await;
    let (_, html) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(
        html.contains("Household waste collection</a> (LGSL 524)"),
        "{html}"
    );
    assert!(html.contains("Council tax account enquiries</a> (LGSL 58)"));

    // Editing shows them by name, one per line.
    let (_, html) = bir.get_text(&format!("/partnerships/{id}/edit")).await;
    assert!(
        html.contains("Council tax account enquiries\nHousehold waste collection</textarea>"),
        "{html}"
    );
    // Numbers still work, as before.
    let id = start(&bir, &[("services", "524, 58")]).await;
    let (_, html) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(html.contains("(LGSL 524)") && html.contains("(LGSL 58)"));
}
