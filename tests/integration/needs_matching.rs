//! Finding partners: a need's matches with council-level reasons (profile,
//! partnerships, distance), "Councils and projects like this" for an
//! organisation by API and page, owners told of a new need like theirs — and
//! never a need the viewer or the person told may not see.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

const CON_OFFICER: &str = "officer@cornwall.example";
const LDS_LEAD: &str = "lead@leeds.example";
const BIR_OFFICER: &str = "officer@birmingham.example";

fn bins(title: &str, visibility: &str) -> serde_json::Value {
    json!({
        "title": title,
        "problem": "Residents phone the contact centre when their bin is not emptied. We want people to report a missed bin collection online and see when it is put right.",
        "phase": "discovery",
        "collaboration": ["co_develop"],
        "services": [524],
        "tags": ["waste", "bins"],
        "visibility": visibility,
    })
}

async fn post(app: &TestApp, email: &str, body: serde_json::Value) -> i64 {
    let (status, body, _) = app.api_as(email).await.post("/api/v1/needs", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// A need for an organisation without demo accounts, through the store.
fn listed_for(app: &TestApp, code: &str, title: &str, problem: &str) -> i64 {
    use concord::needs::model::{NeedDraft, NeedInput};
    let draft = NeedDraft {
        title: title.into(),
        problem: problem.into(),
        phase: "discovery".into(),
        collaboration: vec!["share_ideas".into()],
        visibility: "public".into(),
        ..Default::default()
    };
    let code = code.to_string();
    app.db()
        .write_blocking(move |c| {
            let org = concord::orgs::store::find(c, &code)?;
            let input = NeedInput::parse(&draft).map_err(concord::error::AppError::Invalid)?;
            let actor = concord::audit::Actor::system("test");
            Ok(concord::needs::store::create(c, &input, org.id, None, &actor)?.id)
        })
        .unwrap()
}

fn told(app: &TestApp, email: &str) -> i64 {
    app.count(&format!(
        "notifications n JOIN users u ON u.id = n.user_id \
         WHERE u.email = '{email}' AND n.kind = 'similar_need'"
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_distant_council_with_the_same_need_outranks_a_neighbour_without_it() {
    let app = TestApp::with_reference_data().await;
    let cornwall = post(
        &app,
        CON_OFFICER,
        bins("Report a missed bin collection online", "public"),
    )
    .await;
    // Plymouth borders Cornwall but needs something else.
    let plymouth = listed_for(
        &app,
        "PLY",
        "Longer library opening hours",
        "Open our libraries in the evening with self-service kiosks.",
    );
    let mut theirs = bins("Digital household waste reporting", "public");
    theirs["problem"] =
        json!("Households should tell us about a missed refuse collection online and track it.");
    let leeds = post(&app, LDS_LEAD, theirs).await;

    let (status, found, _) = app
        .api()
        .get(&format!("/api/v1/needs/{cornwall}/matches"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = found.as_array().unwrap();
    assert_eq!(list[0]["need"]["id"], leeds, "{found}");
    assert!(list.iter().all(|m| m["need"]["id"] != plymouth), "{found}");
    let kinds: Vec<&str> = list[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"shared_services"), "{kinds:?}");
    let distance = list[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "distance")
        .expect("distance is shown");
    assert!(
        distance["text"].as_str().unwrap().contains(" km ("),
        "{distance}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn councils_and_projects_like_this_by_api_and_page_hide_organisation_only_needs() {
    let app = TestApp::with_reference_data().await;
    post(
        &app,
        CON_OFFICER,
        bins("Report a missed bin collection online", "public"),
    )
    .await;
    let mut theirs = bins("Digital household waste reporting", "signed_in");
    theirs["problem"] =
        json!("Households should tell us about a missed refuse collection online and track it.");
    post(&app, LDS_LEAD, theirs).await;
    let hidden_title = "Missed bins: our internal fix";
    post(&app, BIR_OFFICER, bins(hidden_title, "organisation")).await;

    // Signed out: only public needs, and councils alike with no need.
    let (status, found, _) = app.api().get("/api/v1/organisations/CON/matches").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let list = found.as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|m| m["organisation"]["code"].is_string()
        && m["score"].is_number()
        && m["reasons"].is_array()));
    let text = found.to_string();
    assert!(
        !text.contains(hidden_title) && !text.contains("Digital household"),
        "{found}"
    );
    assert!(
        list.iter().any(|m| m["need"].is_null()
            && m["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "similar_profile")),
        "councils alike with no need: {found}"
    );

    // Signed in elsewhere: the signed-in need, never Birmingham's own.
    let (_, found, _) = app
        .api_as(LDS_LEAD)
        .await
        .get("/api/v1/organisations/CON/matches")
        .await;
    assert!(!found.to_string().contains(hidden_title));
    let (_, found, _) = app
        .api_as(CON_OFFICER)
        .await
        .get("/api/v1/organisations/CON/matches")
        .await;
    assert!(
        found
            .to_string()
            .contains("Digital household waste reporting"),
        "{found}"
    );
    assert!(!found.to_string().contains(hidden_title));
    // Birmingham's people see theirs.
    let (_, found, _) = app
        .api_as(BIR_OFFICER)
        .await
        .get("/api/v1/organisations/CON/matches")
        .await;
    assert!(found.to_string().contains(hidden_title), "{found}");

    let (status, _, _) = app.api().get("/api/v1/organisations/NOPE/matches").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, page) = app.client().get_text("/organisations/CON").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Councils and projects like this"));
    assert!(!page.contains(hidden_title) && !page.contains("Digital household"));
    let (_, page) = app
        .signed_in(CON_OFFICER)
        .await
        .get_text("/organisations/CON")
        .await;
    assert!(page.contains("Digital household waste reporting"));
    assert!(!page.contains(hidden_title));
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_of_like_needs_are_told_of_a_new_one_they_may_see() {
    let app = TestApp::with_reference_data().await;
    post(
        &app,
        CON_OFFICER,
        bins("Report a missed bin collection online", "public"),
    )
    .await;
    assert_eq!(told(&app, CON_OFFICER), 0);

    // Birmingham's organisation-only need: Cornwall may not see it, so is not told.
    post(
        &app,
        BIR_OFFICER,
        bins("Missed bins reported online", "organisation"),
    )
    .await;
    assert_eq!(told(&app, CON_OFFICER), 0);

    // Leeds, far away, lists the same need for signed-in users: Cornwall is told.
    let mut theirs = bins("Digital household waste reporting", "signed_in");
    theirs["problem"] =
        json!("Households should report a missed bin collection online and track it.");
    let leeds = post(&app, LDS_LEAD, theirs).await;
    assert_eq!(told(&app, CON_OFFICER), 1);
    let (_, inbox) = app
        .signed_in(CON_OFFICER)
        .await
        .get_text("/notifications")
        .await;
    assert!(
        inbox.contains("Digital household waste reporting")
            && inbox.contains("a new need like yours"),
        "{inbox}"
    );
    assert_eq!(
        app.count(&format!(
            "notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'similar_need' \
             AND n.link = '/needs/{leeds}' AND u.email = '{CON_OFFICER}'"
        )),
        1
    );
    // Leeds's own people are not told of their own need.
    assert_eq!(told(&app, LDS_LEAD), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn needs_without_stored_terms_get_them_and_still_match() {
    let app = TestApp::with_reference_data().await;
    let cornwall = post(
        &app,
        CON_OFFICER,
        bins("Report a missed bin collection online", "public"),
    )
    .await;
    let mut theirs = bins("Digital household waste reporting", "public");
    theirs["problem"] = json!("Households report a missed refuse collection online.");
    let leeds = post(&app, LDS_LEAD, theirs).await;
    assert!(app.count("need_terms") > 0);
    assert_eq!(app.count("needs WHERE terms = ''"), 0);
    // As if written before terms were stored.
    app.db()
        .write_blocking(|c| {
            use diesel::prelude::*;
            diesel::sql_query("UPDATE needs SET terms = ''").execute(c)?;
            diesel::sql_query("DELETE FROM need_terms").execute(c)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(concord::needs::matches::fill_missing(app.db()).unwrap(), 2);
    assert_eq!(app.count("needs WHERE terms = ''"), 0);
    let (_, found, _) = app
        .api()
        .get(&format!("/api/v1/needs/{cornwall}/matches"))
        .await;
    assert_eq!(found[0]["need"]["id"], leeds, "{found}");
}
