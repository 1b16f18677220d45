//! A probe of every route about a partners-only partnership, as seven kinds
//! of caller. The routes are not listed by hand: API routes come from the
//! OpenAPI document, and pages from crawling the partnership as its lead
//! (every link and every form), so a new section is probed the day it lands.
//!
//! What must hold, whatever the route:
//! - anyone who may not see the partnership (signed out, outsiders, the
//!   platform admin) gets 404, by page and by API, whatever the method;
//! - an observer's people see it but change nothing (403 on every change);
//! - members see every page and export;
//! - nobody gets a server error.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{extract_between, today, Api, Browser, TestApp};
use concord::policy::Role;

/// The seven kinds of caller.
struct Callers {
    anonymous: (Browser, Api),
    outsider: (Browser, Api),
    outsider_admin: (Browser, Api),
    platform_admin: (Browser, Api),
    observer: (Browser, Api),
    partner: (Browser, Api),
    lead: (Browser, Api),
}

pub(super) async fn caller(app: &TestApp, email: &str) -> (Browser, Api) {
    (app.signed_in(email).await, app.api_as(email).await)
}

/// A partners-only partnership with something in every section: Birmingham
/// leads, Leeds is a partner, Cornwall observes.
async fn setup(app: &TestApp) -> (i64, Callers) {
    let id = app.partnership("partners").await;
    let con_admin = app.account("CON", Role::OrgAdmin).await;
    let lds_member = app.account("LDS", Role::Member).await;
    let man_member = app.account("MAN", Role::Member).await;
    let man_admin = app.account("MAN", Role::OrgAdmin).await;
    let lead = caller(app, "lead@birmingham.example").await;
    let base = format!("/api/v1/partnerships/{id}");
    let (status, _, _) = lead
        .1
        .post(
            &format!("{base}/members"),
            json!({ "organisation": "CON", "role": "observer" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let observer = caller(app, &con_admin).await;
    let (status, _, _) = observer
        .1
        .post(&format!("{base}/respond"), json!({ "answer": "accept" }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let day = |d: i64| (today() + chrono::Duration::days(d)).to_string();
    for (path, body) in [
        (
            "objectives",
            json!({ "title": "Cut waiting times", "measure": "Average wait", "unit": "days", "baseline": 30, "target": 10, "start_date": day(-100), "due_date": day(100), "owner": "BIR" }),
        ),
        (
            "agreements",
            json!({ "kind": "mou", "title": "Memorandum of understanding", "signed_on": day(-50) }),
        ),
        (
            "risks",
            json!({ "category": "supplier_failure", "likelihood": 3, "impact": 4, "owner": "BIR", "shares": [{ "organisation": "BIR", "share_bp": 10000 }] }),
        ),
        (
            "ledger",
            json!({ "organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 100000 }),
        ),
        (
            "reviews",
            json!({ "held_on": day(-1), "findings": "On track", "decision": "continue", "actions": [{ "description": "Publish the report", "owner": "LDS", "due_on": day(30) }] }),
        ),
        (
            "swot",
            json!({ "quadrant": "strengths", "text": "Shared staff" }),
        ),
    ] {
        let (status, body, _) = lead.1.post(&format!("{base}/{path}"), body).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {body}");
    }
    let callers = Callers {
        anonymous: (app.client(), app.api()),
        outsider: caller(app, &man_member).await,
        outsider_admin: caller(app, &man_admin).await,
        platform_admin: caller(app, "admin@concord.example").await,
        observer,
        partner: caller(app, &lds_member).await,
        lead,
    };
    (id, callers)
}

/// Every link and form on the partnership's pages, crawled as the lead:
/// (method, path).
async fn crawl(lead: &Browser, id: i64) -> BTreeSet<(Method, String)> {
    crawl_under(lead, &format!("/partnerships/{id}")).await
}

/// Every link and form under `scope`, crawled as `lead` from `scope`
/// itself: (method, path).
pub(super) async fn crawl_under(lead: &Browser, scope: &str) -> BTreeSet<(Method, String)> {
    let scope = scope.to_string();
    let mut found: BTreeSet<(Method, String)> = BTreeSet::new();
    let mut queue = vec![scope.clone()];
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        found.insert((Method::GET, path.clone()));
        let (status, html) = lead.get_text(&path).await;
        assert!(status.is_success(), "the lead opens {path}: {status}");
        if !path.ends_with(".csv") {
            for link in attribute_values(&html, "href=\"") {
                let link = link.split('#').next().unwrap_or("").to_string();
                if link.starts_with(&scope) && !seen.contains(&link) {
                    queue.push(link);
                }
            }
            for form in html.split("<form").skip(1) {
                let tag = form.split('>').next().unwrap_or("");
                let action = extract_between(tag, "action=\"", "\"").unwrap_or_default();
                let action = action.split('#').next().unwrap_or("").to_string();
                if action.starts_with(&scope) {
                    let post = tag.contains("method=\"post\"");
                    found.insert((if post { Method::POST } else { Method::GET }, action));
                }
            }
        }
    }
    found
}

fn attribute_values(html: &str, start: &str) -> Vec<String> {
    html.match_indices(start)
        .filter_map(|(i, _)| html[i + start.len()..].split('"').next())
        .map(|v| v.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

/// Every API operation about one partnership, from the OpenAPI document,
/// with its path filled in: (method, path).
async fn api_operations(app: &TestApp, id: i64, lead: &Api) -> Vec<(Method, String)> {
    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    let base = format!("/api/v1/partnerships/{id}");
    // The ids that stand for the record's parts, by the collection they follow in a path.
    let (_, reviews, _) = lead.get(&format!("{base}/reviews")).await;
    let action = reviews["reviews"][0]["actions"][0]["id"]
        .as_i64()
        .unwrap_or(0);
    let mut ids: Vec<(&str, i64)> = vec![("actions", action)];
    for part in [
        "members",
        "objectives",
        "agreements",
        "risks",
        "ledger",
        "swot",
    ] {
        ids.push((part, first_id(lead, &format!("{base}/{part}")).await));
    }
    let mut operations = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.starts_with("/api/v1/partnerships/{id}") {
            continue;
        }
        // Each {placeholder} takes the id of a thing in the collection just before it.
        let parts: Vec<&str> = template.split('/').collect();
        let path = parts
            .iter()
            .enumerate()
            .map(|(i, p)| match (*p, i.checked_sub(1).map(|j| parts[j])) {
                ("{id}", _) => id.to_string(),
                (p, Some(before)) if p.starts_with('{') => {
                    let found = ids.iter().find(|(part, _)| *part == before);
                    found.map_or(0, |(_, v)| *v).to_string()
                }
                (p, _) => p.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((method, path.clone()));
        }
    }
    operations
}

/// The id of the first thing a list in the API returns.
async fn first_id(api: &Api, path: &str) -> i64 {
    let (_, body, _) = api.get(path).await;
    let items = body
        .as_array()
        .cloned()
        .or_else(|| body["items"].as_array().cloned());
    items
        .unwrap_or_default()
        .first()
        .and_then(|i| i["id"].as_i64())
        .unwrap_or(0)
}

pub(super) async fn page_status(b: &Browser, method: &Method, path: &str) -> StatusCode {
    if method == Method::GET {
        b.get(path).await.status()
    } else {
        b.post_form(path, &[]).await.status()
    }
}

pub(super) async fn api_status(api: &Api, method: &Method, path: &str) -> StatusCode {
    let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
    api.send(method.clone(), path, body).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_about_a_partners_only_partnership_answers_each_caller_rightly() {
    let app = TestApp::with_reference_data().await;
    let (id, c) = setup(&app).await;
    let pages = crawl(&c.lead.0, id).await;
    let operations = api_operations(&app, id, &c.lead.1).await;
    assert!(
        pages.len() >= 25,
        "the crawl found the sections' pages and forms: {pages:?}"
    );
    assert!(
        operations.len() >= 25,
        "the document lists the sections' operations"
    );
    let audit = app.count("audit_log");
    let mut failures = Vec::new();
    let mut check = |who: &str, what: String, status: StatusCode, ok: bool| {
        if !ok || status.is_server_error() {
            failures.push(format!("{who}: {what} -> {status}"));
        }
    };

    // Nobody outside the partnership learns that it exists.
    for (who, (browser, api)) in [
        ("signed out", &c.anonymous),
        ("an outsider", &c.outsider),
        ("an outsider's admin", &c.outsider_admin),
        ("the platform admin", &c.platform_admin),
    ] {
        for (method, path) in &pages {
            let status = page_status(browser, method, path).await;
            check(
                who,
                format!("{method} {path}"),
                status,
                status == StatusCode::NOT_FOUND,
            );
        }
        for (method, path) in &operations {
            let status = api_status(api, method, path).await;
            check(
                who,
                format!("{method} {path}"),
                status,
                status == StatusCode::NOT_FOUND,
            );
        }
    }
    assert_eq!(
        app.count("audit_log"),
        audit,
        "nothing was changed by those who may not see it"
    );

    // An observer sees everything and changes nothing.
    for (method, path) in &pages {
        let status = page_status(&c.observer.0, method, path).await;
        let ok = if path.ends_with("/calculator") {
            status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY
        } else if method == Method::GET {
            status == StatusCode::OK || status == StatusCode::FORBIDDEN
        } else {
            status == StatusCode::FORBIDDEN
        };
        check("the observer", format!("{method} {path}"), status, ok);
    }
    for (method, path) in &operations {
        let status = api_status(&c.observer.1, method, path).await;
        let calculator = path.ends_with("/calculator");
        let ok = if method == Method::GET || calculator {
            status.is_success() || status == StatusCode::UNPROCESSABLE_ENTITY
        } else {
            status == StatusCode::FORBIDDEN
        };
        check("the observer", format!("{method} {path}"), status, ok);
    }
    assert_eq!(app.count("audit_log"), audit, "an observer changed nothing");

    // Members see every page and export, and are never taken for strangers
    // (their empty forms may be refused, or find what another deleted gone);
    // nothing errs for anyone.
    let members = [("a partner's member", &c.partner), ("the lead", &c.lead)];
    for (who, (browser, api)) in members {
        for (method, path) in pages.iter().filter(|(m, _)| m == Method::GET) {
            let status = page_status(browser, method, path).await;
            let ok = status == StatusCode::OK || status == StatusCode::FORBIDDEN;
            check(who, format!("{method} {path}"), status, ok);
        }
        for (method, path) in operations.iter().filter(|(m, _)| m == Method::GET) {
            let status = api_status(api, method, path).await;
            check(
                who,
                format!("{method} {path}"),
                status,
                status == StatusCode::OK,
            );
        }
    }
    for (who, (browser, api)) in members {
        for (method, path) in pages.iter().filter(|(m, _)| m != Method::GET) {
            let status = page_status(browser, method, path).await;
            check(
                who,
                format!("{method} {path}"),
                status,
                status != StatusCode::UNAUTHORIZED,
            );
        }
        for (method, path) in operations.iter().filter(|(m, _)| m != Method::GET) {
            let status = api_status(api, method, path).await;
            check(
                who,
                format!("{method} {path}"),
                status,
                status != StatusCode::UNAUTHORIZED,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The same walk for an organisation-only need: every need operation in the
/// OpenAPI document and every page about it, as callers outside its
/// organisation (404, nothing changed) and inside it (seen).
#[tokio::test(flavor = "multi_thread")]
async fn every_route_about_an_organisation_only_need_answers_each_caller_rightly() {
    let app = TestApp::with_reference_data().await;
    let owner = caller(&app, "officer@birmingham.example").await;
    let (status, body, _) = owner
        .1
        .post(
            "/api/v1/needs",
            json!({ "title": "Internal", "problem": "Only for us", "phase": "concept",
                    "collaboration": ["share_ideas"], "visibility": "organisation" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = body["id"].as_i64().unwrap();
    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    let mut operations = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = if template.starts_with("/api/v1/needs/{id}") {
            template.replace("{id}", &id.to_string())
        } else if template == "/api/v1/watches/{subject_type}/{subject_id}" {
            format!("/api/v1/watches/need/{id}")
        } else {
            continue;
        };
        for method in item.as_object().unwrap().keys() {
            operations.push((
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                path.clone(),
            ));
        }
    }
    assert!(operations.len() >= 5, "{operations:?}");
    let pages = [
        (Method::GET, format!("/needs/{id}")),
        (Method::GET, format!("/needs/{id}/edit")),
        (Method::POST, format!("/needs/{id}/edit")),
    ];
    let outsiders = [
        ("signed out", (app.client(), app.api())),
        ("an outsider", caller(&app, "lead@leeds.example").await),
        (
            "an outsider's member",
            caller(&app, "officer@cornwall.example").await,
        ),
        (
            "the platform admin",
            caller(&app, "admin@concord.example").await,
        ),
    ];
    let audit = app.count("audit_log");
    let mut failures = Vec::new();
    for (who, (browser, api)) in &outsiders {
        for (method, path) in &pages {
            let status = page_status(browser, method, path).await;
            if status != StatusCode::NOT_FOUND {
                failures.push(format!("{who}: {method} {path} -> {status}"));
            }
        }
        for (method, path) in &operations {
            let status = api_status(api, method, path).await;
            // A watch is the caller's own: signed out it is 401 for every
            // record alike, which says nothing about this one.
            let own_watch = *who == "signed out" && path.starts_with("/api/v1/watches/");
            let expected = if own_watch {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::NOT_FOUND
            };
            if status != expected {
                failures.push(format!("{who}: {method} {path} -> {status}"));
            }
        }
        let (_, list, _) = api.get("/api/v1/needs").await;
        if list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == id)
        {
            failures.push(format!("{who}: the need is listed"));
        }
    }
    assert_eq!(
        app.count("audit_log"),
        audit,
        "nothing was changed from outside"
    );
    let colleague = caller(&app, "lead@birmingham.example").await;
    for (method, path) in pages.iter().filter(|(m, _)| m == Method::GET) {
        let status = page_status(&colleague.0, method, path).await;
        if status != StatusCode::OK {
            failures.push(format!("a colleague: {method} {path} -> {status}"));
        }
    }
    for (method, path) in operations.iter().filter(|(m, _)| m == Method::GET) {
        let status = api_status(&colleague.1, method, path).await;
        if status != StatusCode::OK {
            failures.push(format!("a colleague: {method} {path} -> {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
