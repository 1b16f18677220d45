//! Collaboration skills: one's own profile with exact means, and the
//! organisation's aggregate only for its admins and only from 5 people.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;

/// Every statement scored `score`, except the first of each competency
/// scored `first`.
fn answers(first: i64, score: i64) -> Value {
    let mut m = serde_json::Map::new();
    for (code, _, _) in concord::skills::model::STATEMENTS {
        let s = if code.ends_with("_1") { first } else { score };
        m.insert(code.to_string(), json!(s));
    }
    json!({ "answers": m })
}

async fn take(app: &TestApp, email: &str, first: i64, score: i64) -> Value {
    let (status, body) = app
        .api_as(email)
        .await
        .send(
            reqwest::Method::PUT,
            "/api/v1/account/skills",
            Some(answers(first, score)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A new person in Birmingham; returns their email.
async fn birmingham_person(app: &TestApp, n: usize) -> String {
    let email = format!("skills-{n}@birmingham.example");
    let (db, e) = (app.db().clone(), email.clone());
    tokio::task::spawn_blocking(move || {
        concord::users::store::create_with_password(
            &db,
            &e,
            None,
            "BIR",
            concord::policy::Role::Member,
            crate::common::PASSWORD,
            &concord::audit::Actor::system("test"),
        )
    })
    .await
    .unwrap()
    .expect("a person");
    email
}

fn mean(body: &Value, competency: &str) -> String {
    body["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["competency"] == competency)
        .map(|c| c["mean_label"].as_str().unwrap().to_string())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn own_profile_has_exact_means_and_keeps_history() {
    let app = TestApp::with_reference_data().await;
    let profile = take(&app, "officer@birmingham.example", 2, 5).await;
    // (2 + 5) / 2 for every competency.
    assert_eq!(mean(&profile, "building_trust"), "3.50");
    assert_eq!(profile["competencies"].as_array().unwrap().len(), 7);
    assert_eq!(profile["suggestions"].as_array().unwrap().len(), 2);
    take(&app, "officer@birmingham.example", 1, 2).await;
    let (status, own, _) = app
        .api_as("officer@birmingham.example")
        .await
        .get("/api/v1/account/skills")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["history"].as_array().unwrap().len(), 2);
    assert_eq!(mean(&own["latest"], "sharing_risk"), "1.50");

    // Refused: a score out of range, and missing statements.
    let (status, _) = app
        .api_as("officer@birmingham.example")
        .await
        .send(
            reqwest::Method::PUT,
            "/api/v1/account/skills",
            Some(json!({"answers": {"building_trust_1": 9}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("skills_assessments"), 2);

    // The page: chart, table and suggestions; the form by page too.
    let browser = app.signed_in("officer@birmingham.example").await;
    let (status, page) = browser.get_text("/account/skills").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("1.50") && page.contains("What to try next"));
    let response = browser
        .post_form("/account/skills", &[("building_trust_1", "4")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("govuk-error-summary"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aggregate_waits_for_five_people_and_only_admins_see_it() {
    let app = TestApp::with_reference_data().await;
    take(&app, "officer@birmingham.example", 1, 1).await;
    // The same person again counts once, with their latest answers.
    take(&app, "lead@birmingham.example", 5, 5).await;
    take(&app, "lead@birmingham.example", 3, 3).await;
    let mut people = Vec::new();
    for n in 0..3 {
        people.push(birmingham_person(&app, n).await);
    }
    take(&app, &people[0], 2, 2).await;
    take(&app, &people[1], 4, 4).await;
    // Someone in Leeds does not count for Birmingham.
    take(&app, "lead@leeds.example", 5, 5).await;

    let admin = app.api_as("lead@birmingham.example").await;
    let (status, body, _) = admin.get("/api/v1/organisations/BIR/skills").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["people"].clone(), body["competencies"].clone()),
        (json!(4), Value::Null)
    );
    let lead = app.signed_in("lead@birmingham.example").await;
    let (_, page) = lead.get_text("/organisations/BIR/skills").await;
    assert!(
        page.contains("Not enough people have taken it yet (4 of 5)"),
        "{page}"
    );

    take(&app, &people[2], 5, 3).await;
    let (_, body, _) = admin.get("/api/v1/organisations/BIR/skills").await;
    assert_eq!(body["people"], 5);
    // building_trust: (1+1 + 3+3 + 2+2 + 4+4 + 5+3) / 10 = 2.80
    assert_eq!(mean(&body, "building_trust"), "2.80");
    assert!(
        !body.to_string().contains("answers"),
        "no one's answers: {body}"
    );

    // Not for a member, nor for another organisation's admin.
    let (status, _, _) = app
        .api_as("officer@birmingham.example")
        .await
        .get("/api/v1/organisations/BIR/skills")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .api_as("lead@leeds.example")
        .await
        .get("/api/v1/organisations/BIR/skills")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let officer = app.signed_in("officer@birmingham.example").await;
    assert_eq!(
        officer.get("/organisations/BIR/skills").await.status(),
        StatusCode::FORBIDDEN
    );
}
