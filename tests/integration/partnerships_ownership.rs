//! Records that each partner owns (issue 12, items 2–4): what is recorded
//! for an organisation — a ledger entry, a risk it owns and its share, an
//! objective it owns and its progress, a review action, a SWOT item — is
//! changed or deleted by that organisation's people or the lead, by page
//! and API; every delete asks on a page of its own; every change ends with
//! a banner saying what happened; a realised amount is never dated in a
//! financial year that has not begun.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{today, Api, Browser, TestApp};
use concord::policy::Role;

/// Birmingham leads, Leeds and Cornwall are partners. Returns the
/// partnership's id.
async fn three_partners(app: &TestApp) -> i64 {
    let id = app.partnership("partners").await;
    let con_admin = app.account("CON", Role::OrgAdmin).await;
    let lead = app.api_as("lead@birmingham.example").await;
    let (status, body, _) = lead
        .post(
            &format!("/api/v1/partnerships/{id}/members"),
            json!({ "organisation": "CON", "role": "partner" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body, _) = app
        .api_as(&con_admin)
        .await
        .post(
            &format!("/api/v1/partnerships/{id}/respond"),
            json!({ "answer": "accept" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

async fn both(app: &TestApp, email: &str) -> (Browser, Api) {
    (app.signed_in(email).await, app.api_as(email).await)
}

/// Where a redirect goes.
fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Follows a redirect and returns the page it lands on.
async fn landed(b: &Browser, r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.contains("done="), "the banner is asked for: {to}");
    let (status, html) = b.get_text(&to).await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// Records a realised cost by the page's form.
async fn cost(b: &Browser, page: &str, org: &str, amount: &str, year: &str) -> reqwest::Response {
    let fields = [
        ("organisation", org),
        ("entry_type", "cost"),
        ("basis", "realised"),
        ("financial_year", year),
        ("amount", amount),
        ("description", ""),
    ];
    b.post_form(page, &fields).await
}

fn banner(html: &str) -> String {
    html.split("govuk-notification-banner--success")
        .nth(1)
        .and_then(|s| s.split("govuk-notification-banner__heading\">").nth(1))
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_else(|| panic!("no success banner in {html}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_entry_is_changed_only_by_its_organisation_or_the_lead() {
    let app = TestApp::with_reference_data().await;
    let id = three_partners(&app).await;
    let ledger = format!("/partnerships/{id}/ledger");
    let api_ledger = format!("/api/v1/partnerships/{id}/ledger");
    let bir = both(&app, "officer@birmingham.example").await;
    let con = both(&app, "officer@cornwall.example").await;
    let lds = both(&app, "lead@leeds.example").await;
    let year = concord::money::financial_year_of(today()).to_string();

    // Birmingham's officer records Birmingham's £180,000 cost, and is told so.
    let r = cost(&bir.0, &ledger, "BIR", "180,000", &year).await;
    let html = landed(&bir.0, r).await;
    assert_eq!(
        banner(&html),
        "Cost of £180,000 for Birmingham City Council recorded"
    );
    let (_, list, _) = bir.1.get(&api_ledger).await;
    let bir_entry = list[0]["id"].as_i64().unwrap();
    let confirm = format!("{ledger}/{bir_entry}/delete");

    // Cornwall sees it, is offered no delete, and is refused by page and API.
    let (status, html) = con.0.get_text(&ledger).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("£180,000"));
    assert!(
        !html.contains(&confirm),
        "no delete link on another's entry"
    );
    assert!(
        !html.contains("<option value=\"BIR\""),
        "Cornwall may record only for Cornwall"
    );
    assert_eq!(con.0.get(&confirm).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        con.0.post_form(&confirm, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = con
        .1
        .send(Method::DELETE, &format!("{api_ledger}/{bir_entry}"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = cost(&con.0, &ledger, "BIR", "1", &year).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "recording for Birmingham"
    );
    let (status, _, _) = con
        .1
        .post(&api_ledger, json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 100}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("ledger_entries"), 1);

    // Cornwall records and deletes its own; Leeds cannot delete Cornwall's.
    let (status, con_entry, _) = con
        .1
        .post(&api_ledger, json!({"organisation": "CON", "entry_type": "cashable_saving", "basis": "expected", "financial_year": 2030, "amount_pence": 5_000_00}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{con_entry}");
    let con_entry = con_entry["id"].as_i64().unwrap();
    let (_, html) = con.0.get_text(&ledger).await;
    assert!(html.contains(&format!("{ledger}/{con_entry}/delete")));
    let (status, _) = lds
        .1
        .send(Method::DELETE, &format!("{api_ledger}/{con_entry}"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "Leeds deleting Cornwall's");

    // The lead may delete anyone's entry: Birmingham deletes Cornwall's by API.
    let (status, _) = app
        .api_as("lead@birmingham.example")
        .await
        .send(Method::DELETE, &format!("{api_ledger}/{con_entry}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Birmingham's own officer deletes Birmingham's cost: asked first (a GET
    // deletes nothing), then deleted on POST, and told so.
    let (status, ask) = bir.0.get_text(&confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        ask.contains("Are you sure you want to delete this cost: Cost of £180,000 for Birmingham City Council"),
        "{ask}"
    );
    assert!(ask.contains("govuk-button--warning"));
    assert!(ask.contains(&format!("action=\"{confirm}\"")));
    assert_eq!(app.count("ledger_entries"), 1, "asking deletes nothing");
    let r = bir.0.post_form(&confirm, &[]).await;
    let html = landed(&bir.0, r).await;
    assert_eq!(
        banner(&html),
        "Cost of £180,000 for Birmingham City Council deleted"
    );
    assert_eq!(app.count("ledger_entries"), 0);

    // A banner is only for the person who made the change.
    let done = html.split("done=").nth(1).map(|s| {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    });
    if let Some(done) = done.filter(|d| !d.is_empty()) {
        let (_, other) = con.0.get_text(&format!("{ledger}?done={done}")).await;
        assert!(!other.contains("govuk-notification-banner--success"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_realised_amount_cannot_be_in_a_future_financial_year() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = both(&app, "lead@birmingham.example").await;
    let this_year = concord::money::financial_year_of(today());
    let next = (this_year + 1).to_string();
    let message = format!(
        "A realised amount cannot be in a future financial year: choose {} or earlier, or record it as expected",
        concord::money::financial_year_label(this_year)
    );

    let page = format!("/partnerships/{id}/ledger");
    let fields = [
        ("organisation", "BIR"),
        ("entry_type", "cost"),
        ("basis", "realised"),
        ("financial_year", next.as_str()),
        ("amount", "100"),
        ("description", ""),
    ];
    let r = bir.0.post_form(&page, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"), "{html}");
    assert!(html.contains(&message), "{html}");
    assert!(html.contains("href=\"#financial_year\""));

    let api = format!("/api/v1/partnerships/{id}/ledger");
    let (status, problem, _) = bir
        .1
        .post(&api, json!({"organisation": "BIR", "entry_type": "cashable_saving", "basis": "realised", "financial_year": this_year + 1, "amount_pence": 100}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "financial_year");
    assert_eq!(problem["errors"][0]["message"], message.as_str());
    assert_eq!(app.count("ledger_entries"), 0);

    // A forecast ("expected") may be for any year; realised this year is fine.
    let (status, _, _) = bir
        .1
        .post(&api, json!({"organisation": "BIR", "entry_type": "cashable_saving", "basis": "expected", "financial_year": this_year + 1, "amount_pence": 100}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = bir
        .1
        .post(&api, json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": this_year, "amount_pence": 100}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_risk_is_changed_by_its_owner_or_the_lead() {
    let app = TestApp::with_reference_data().await;
    let id = three_partners(&app).await;
    let lds = both(&app, "lead@leeds.example").await;
    let con = both(&app, "officer@cornwall.example").await;
    let bir = both(&app, "lead@birmingham.example").await;
    let risks = format!("/api/v1/partnerships/{id}/risks");

    let (status, risk, _) = con
        .1
        .post(
            &risks,
            json!({ "category": "financial", "likelihood": 3, "impact": 3, "owner": "LDS",
            "shares": [{ "organisation": "LDS", "share_bp": 10000 }] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Cornwall cannot record Leeds' risk: {risk}"
    );
    let r = con
        .0
        .post_form(
            &format!("/partnerships/{id}/risks/new"),
            &[
                ("category", "financial"),
                ("likelihood", "3"),
                ("impact", "3"),
                ("owner", "LDS"),
                ("status", "open"),
                ("share-LDS", "100"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "nor by page");

    // Cornwall's own risk may not put a share on Leeds (no shares are
    // agreed here); carried by Cornwall alone it may be recorded.
    let split = json!({ "category": "data", "likelihood": 2, "impact": 2, "owner": "CON",
        "shares": [{ "organisation": "CON", "share_bp": 5000 }, { "organisation": "LDS", "share_bp": 5000 }] });
    let (status, _, _) = con.1.post(&risks, split).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a share for Leeds is Leeds' or the lead's"
    );
    let alone = json!({ "category": "data", "likelihood": 2, "impact": 2, "owner": "CON",
        "shares": [{ "organisation": "CON", "share_bp": 10000 }] });
    let (status, body, _) = con.1.post(&risks, alone).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, risk, _) = lds
        .1
        .post(
            &risks,
            json!({ "category": "financial", "likelihood": 3, "impact": 3, "owner": "LDS",
            "shares": [{ "organisation": "LDS", "share_bp": 10000 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{risk}");
    let rid = risk["id"].as_i64().unwrap();
    let one = format!("{risks}/{rid}");
    let page = format!("/partnerships/{id}/risks/{rid}");

    // Cornwall sees it but is offered no change, and is refused.
    let (status, html) = con.0.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(&format!("{page}/edit")));
    assert!(!html.contains("Record a review"));
    assert_eq!(
        con.0.get(&format!("{page}/edit")).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = con
        .1
        .send(Method::PATCH, &one, Some(json!({ "likelihood": 1 })))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let review = json!({ "reviewed_on": today(), "likelihood": 1, "impact": 1, "status": "open", "note": "" });
    let (status, _, _) = con.1.post(&format!("{one}/reviews"), review.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = con
        .0
        .post_form(
            &format!("{page}/reviews"),
            &[
                ("reviewed_on_day", "1"),
                ("reviewed_on_month", "1"),
                ("reviewed_on_year", "2026"),
                ("likelihood", "1"),
                ("impact", "1"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Leeds changes its own risk but not Birmingham's share of it.
    let (status, body) = lds
        .1
        .send(Method::PATCH, &one, Some(json!({ "likelihood": 4 })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = lds
        .1
        .send(
            Method::PATCH,
            &one,
            Some(json!({ "shares": [{ "organisation": "LDS", "share_bp": 5000 }, { "organisation": "BIR", "share_bp": 5000 }] })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another's share is the lead's to set"
    );
    let (html_status, html) = lds.0.get_text(&page).await;
    assert_eq!(html_status, StatusCode::OK);
    assert!(html.contains(&format!("{page}/edit")));

    // The lead may change and review anyone's risk, and is told so.
    let (status, body) = bir
        .1
        .send(
            Method::PATCH,
            &one,
            Some(json!({ "shares": [{ "organisation": "LDS", "share_bp": 5000 }, { "organisation": "BIR", "share_bp": 5000 }] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = bir
        .0
        .post_form(
            &format!("{page}/reviews"),
            &[
                ("reviewed_on_day", "1"),
                ("reviewed_on_month", "4"),
                ("reviewed_on_year", "2026"),
                ("likelihood", "2"),
                ("impact", "2"),
                ("status", "open"),
                ("note", ""),
            ],
        )
        .await;
    let html = landed(&bir.0, r).await;
    assert_eq!(banner(&html), "Risk review recorded");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_objective_and_its_progress_are_its_owners_or_the_leads() {
    let app = TestApp::with_reference_data().await;
    let id = three_partners(&app).await;
    let lds = both(&app, "lead@leeds.example").await;
    let con = both(&app, "officer@cornwall.example").await;
    let bir = both(&app, "lead@birmingham.example").await;
    let objectives = format!("/api/v1/partnerships/{id}/objectives");
    let body = |owner: &str| {
        json!({ "title": "Cut waiting times", "measure": "Average wait", "unit": "days", "baseline": 30, "target": 10,
            "start_date": today() - chrono::Days::new(30), "due_date": today() + chrono::Days::new(300), "owner": owner })
    };
    let (status, _, _) = con.1.post(&objectives, body("LDS")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, o, _) = lds.1.post(&objectives, body("LDS")).await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let one = format!("{objectives}/{oid}");
    let page = format!("/partnerships/{id}/objectives/{oid}");

    let (_, html) = con.0.get_text(&page).await;
    assert!(!html.contains("Record progress"));
    assert!(!html.contains(&format!("{page}/edit")));
    assert_eq!(
        con.0.get(&format!("{page}/edit")).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = con
        .1
        .send(Method::PATCH, &one, Some(json!({ "target": 5 })))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = con
        .1
        .post(&format!("{one}/updates"), json!({ "value": 20 }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = con
        .0
        .post_form(&format!("{page}/updates"), &[("value", "20")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Leeds records progress on its own by page and is told so; so may the lead.
    let r = lds
        .0
        .post_form(&format!("{page}/updates"), &[("value", "20")])
        .await;
    let html = landed(&lds.0, r).await;
    assert_eq!(
        banner(&html),
        "Progress recorded for \u{201c}Cut waiting times\u{201d}"
    );
    let (status, _, _) = bir
        .1
        .post(&format!("{one}/updates"), json!({ "value": 18 }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_swot_item_is_deleted_by_its_organisation_or_the_lead_after_asking() {
    let app = TestApp::with_reference_data().await;
    let id = three_partners(&app).await;
    let lds = both(&app, "lead@leeds.example").await;
    let con = both(&app, "officer@cornwall.example").await;
    let swot = format!("/partnerships/{id}/swot");

    let r = lds
        .0
        .post_form(&swot, &[("quadrant", "threats"), ("text", "Staff leave")])
        .await;
    let html = landed(&lds.0, r).await;
    assert_eq!(
        banner(&html),
        "\u{201c}Staff leave\u{201d} added to Threats"
    );
    let (_, items, _) = lds.1.get(&format!("/api/v1/partnerships/{id}/swot")).await;
    let item = items
        .as_array()
        .and_then(|a| a.first())
        .or_else(|| items["items"].as_array().and_then(|a| a.first()))
        .and_then(|i| i["id"].as_i64())
        .unwrap_or_else(|| panic!("{items}"));
    let confirm = format!("{swot}/{item}/delete");

    let (_, html) = con.0.get_text(&swot).await;
    assert!(html.contains("Staff leave"));
    assert!(!html.contains(&confirm));
    assert_eq!(con.0.get(&confirm).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        con.0.post_form(&confirm, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = con
        .1
        .send(
            Method::DELETE,
            &format!("/api/v1/partnerships/{id}/swot/{item}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, ask) = lds.0.get_text(&confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ask.contains("Are you sure you want to delete the threat"));
    assert_eq!(app.count("swot_items"), 1, "asking deletes nothing");
    let r = lds.0.post_form(&confirm, &[]).await;
    let html = landed(&lds.0, r).await;
    assert_eq!(
        banner(&html),
        "\u{201c}Staff leave\u{201d} deleted from Threats"
    );
    assert_eq!(app.count("swot_items"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_member_asks_first_and_says_so() {
    let app = TestApp::with_reference_data().await;
    let id = three_partners(&app).await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, members, _) = app
        .api_as("lead@birmingham.example")
        .await
        .get(&format!("/api/v1/partnerships/{id}/members"))
        .await;
    let con = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["organisation_code"] == "CON")
        .and_then(|m| m["id"].as_i64())
        .unwrap_or_else(|| panic!("{members}"));
    let confirm = format!("/partnerships/{id}/members/{con}/remove");
    let (_, html) = bir.get_text(&format!("/partnerships/{id}/members")).await;
    assert!(html.contains(&format!("href=\"{confirm}\"")));
    let (status, ask) = bir.get_text(&confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        ask.contains("Are you sure you want to remove Cornwall"),
        "{ask}"
    );
    let lds = app.signed_in("lead@leeds.example").await;
    assert_eq!(lds.get(&confirm).await.status(), StatusCode::FORBIDDEN);
    let r = bir.post_form(&confirm, &[]).await;
    let html = landed(&bir, r).await;
    assert_eq!(banner(&html), "Member organisation removed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_changes_its_own_contact_but_not_anothers() {
    let app = TestApp::with_reference_data().await;
    let id = three_partners(&app).await;
    let con = app.signed_in("officer@cornwall.example").await;
    let (_, members, _) = app
        .api_as("lead@birmingham.example")
        .await
        .get(&format!("/api/v1/partnerships/{id}/members"))
        .await;
    let member = |code: &str| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["organisation_code"] == code)
            .and_then(|m| m["id"].as_i64())
            .unwrap()
    };
    let page = format!("/partnerships/{id}/members");
    let (_, html) = con.get_text(&page).await;
    assert!(html.contains("Change Cornwall Council's contact"), "{html}");
    assert!(!html.contains("Change Leeds City Council's contact"));
    assert!(!html.contains("/remove\""), "only the lead removes members");

    let contact = [
        ("role", "partner"),
        ("contact_name", "Kerra Officer"),
        ("contact_email", "kerra@cornwall.example"),
    ];
    let r = con
        .post_form(&format!("{page}/{}", member("CON")), &contact)
        .await;
    let html = landed(&con, r).await;
    assert_eq!(banner(&html), "Member details saved");
    assert!(html.contains("kerra@cornwall.example"));
    let r = con
        .post_form(&format!("{page}/{}", member("LDS")), &contact)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "Leeds' contact is Leeds'"
    );
}
