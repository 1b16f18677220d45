//! The same walk as `probe.rs` for a health check round. A round is always
//! partners-only, even on a public partnership, so this one is public: a
//! signed-in onlooker may read the partnership but nothing of its round.
//! Pages come from crawling the round as the lead (`probe::crawl_under`), API
//! operations from the OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::probe::{api_status, caller, crawl_under, page_status};
use crate::common::{today, TestApp};
use concord::policy::Role;

#[tokio::test(flavor = "multi_thread")]
async fn every_route_about_a_health_round_answers_each_caller_rightly() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("public").await;
    let lead = caller(&app, "lead@birmingham.example").await;
    let day = |d: i64| (today() + chrono::Duration::days(d)).to_string();
    let (status, body, _) = lead
        .1
        .post(
            &format!("/api/v1/partnerships/{pid}/health-checks"),
            json!({ "title": "Probe round", "opens_on": day(0), "closes_on": day(14) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let round = body["id"].as_i64().unwrap();
    let (status, body, _) = lead
        .1
        .post(
            &format!("/api/v1/health-checks/{round}/invitations"),
            json!({ "invitations": [
                { "email": "one@leeds.example", "organisation": "LDS", "role": "management" },
            ] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let mut pages = crawl_under(&lead.0, &format!("/health-checks/{round}")).await;
    assert!(
        pages.len() >= 4,
        "the crawl found the round's pages and forms: {pages:?}"
    );
    // The report's pages, linked from the round only once it has answers.
    for (method, path) in [
        (Method::GET, "report"),
        (Method::GET, "responses.csv"),
        (Method::POST, "report/actions"),
    ] {
        pages.insert((method, format!("/health-checks/{round}/{path}")));
    }
    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    let mut operations = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.starts_with("/api/v1/health-checks/{id}") {
            continue;
        }
        let path = template.replace("{id}", &round.to_string());
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((method, path.clone()));
        }
    }
    assert!(operations.len() >= 3, "{operations:?}");

    let man_member = app.account("MAN", Role::Member).await;
    let man_admin = app.account("MAN", Role::OrgAdmin).await;
    let lds_member = app.account("LDS", Role::Member).await;
    let outsiders = [
        ("signed out", (app.client(), app.api())),
        ("an onlooker", caller(&app, &man_member).await),
        ("an onlooker's admin", caller(&app, &man_admin).await),
        (
            "the platform admin",
            caller(&app, "admin@concord.example").await,
        ),
    ];
    let audit = app.count("audit_log");
    let outbox = app.count("outbox");
    let mut failures = Vec::new();
    for (who, (browser, api)) in &outsiders {
        // The partnership itself is public: the onlookers may read it...
        if *who != "signed out" {
            let status = browser.get(&format!("/partnerships/{pid}")).await.status();
            if status != StatusCode::OK {
                failures.push(format!("{who}: the public partnership -> {status}"));
            }
        }
        // ...but nothing of its round.
        for (method, path) in &pages {
            let status = page_status(browser, method, path).await;
            if status != StatusCode::NOT_FOUND {
                failures.push(format!("{who}: {method} {path} -> {status}"));
            }
        }
        for (method, path) in &operations {
            let status = api_status(api, method, path).await;
            if status != StatusCode::NOT_FOUND {
                failures.push(format!("{who}: {method} {path} -> {status}"));
            }
        }
        let (_, list, _) = api.get("/api/v1/health-checks").await;
        let listed = list
            .as_array()
            .or_else(|| list["items"].as_array())
            .is_some_and(|rounds| rounds.iter().any(|r| r["id"] == round));
        if listed {
            failures.push(format!("{who}: the round is listed"));
        }
        let (_, html) = browser.get_text(&format!("/partnerships/{pid}")).await;
        if html.contains(&format!("/health-checks/{round}")) {
            failures.push(format!("{who}: the partnership page links the round"));
        }
    }
    assert_eq!(
        app.count("audit_log"),
        audit,
        "nothing was changed from outside"
    );
    assert_eq!(app.count("outbox"), outbox, "no reminder was sent");

    // A partner's people see the round and its report, and change nothing
    // that only the lead may change (invite, remind, close).
    let partner = caller(&app, &lds_member).await;
    for (method, path) in &pages {
        let status = page_status(&partner.0, method, path).await;
        let ok = if method == Method::GET {
            status == StatusCode::OK
        } else if path.ends_with("/report/actions") {
            // Actions go to the partnership's reviews, which partners may add.
            status != StatusCode::NOT_FOUND && !status.is_server_error()
        } else {
            status == StatusCode::FORBIDDEN
        };
        if !ok {
            failures.push(format!("a partner: {method} {path} -> {status}"));
        }
    }
    for (method, path) in &operations {
        let status = api_status(&partner.1, method, path).await;
        let ok = if method == Method::GET {
            status == StatusCode::OK
        } else {
            status == StatusCode::FORBIDDEN
        };
        if !ok {
            failures.push(format!("a partner: {method} {path} -> {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
