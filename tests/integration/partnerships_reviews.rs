//! Reviews: recording reviews with their actions by page and API, the review
//! schedule, marking actions done, validation, history and who may see and
//! change them.

use chrono::{Datelike, Duration, NaiveDate};
use concord::error::AppError;
use concord::partnerships::model::Partnership;
use concord::partnerships::reviews::model::{
    ActionDraft, ActionNames, ReviewContext, ReviewDraft, ReviewInput, ReviewView,
};
use concord::partnerships::reviews::store;
use concord::policy::Action;
use concord::work::Work;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{person, today, TestApp};

fn parts(d: NaiveDate) -> (String, String, String) {
    (
        d.day().to_string(),
        d.month().to_string(),
        d.year().to_string(),
    )
}

/// Sets a partnership's next review date directly, as time passing would.
fn set_next_review(app: &TestApp, id: i64, due: NaiveDate) {
    app.db()
        .write_blocking(move |c| {
            use concord::db::schema::partnerships;
            use diesel::prelude::*;
            diesel::update(partnerships::table.find(id))
                .set(partnerships::next_review_due.eq(Some(due)))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
}

/// Records a review through the store, as `email` would on the page.
fn record_review(app: &TestApp, id: i64, email: &str, draft: ReviewDraft) -> ReviewView {
    let email = email.to_string();
    app.db()
        .write_blocking(move |c| {
            let user = person(c, &email)?;
            let mut w = Work::<Partnership>::open(c, id, Some(user), Action::EditPartnership)?;
            let members = concord::partnerships::store::active_members(w.conn, id)?;
            let ctx = ReviewContext {
                today: today(),
                members: &members,
                names: &ActionNames::Api,
            };
            let input = ReviewInput::parse(&draft, &ctx).map_err(AppError::Invalid)?;
            store::create(&mut w, &input, today())
        })
        .expect("a recorded review")
}

/// A review held today with one action for Birmingham, due today.
fn review_with_an_action() -> ReviewDraft {
    ReviewDraft {
        held_on: Some(today()),
        findings: "Fine".into(),
        decision: "continue".into(),
        actions: vec![ActionDraft {
            description: "Keep going".into(),
            owner: "BIR".into(),
            due_on: Some(today()),
        }],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_record_a_review_with_actions_and_follow_them_up() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let url = format!("/partnerships/{id}/reviews");

    // Started 1 April 2025 with a 12-month cadence: a review was due 1 April 2026.
    set_next_review(&app, id, today() - Duration::days(1));
    let (status, html) = bir.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Every 12 months"));
    assert!(
        html.contains("govuk-warning-text") && html.contains("review is overdue"),
        "{html}"
    );
    assert!(html.contains("No reviews have been recorded yet."));

    let held = today() - Duration::days(10);
    let (hd, hm, hy) = parts(held);
    let past_due = parts(today() - Duration::days(2));
    let later = parts(today() + Duration::days(30));
    let r = bir
        .post_form(
            &url,
            &[
                ("held_on_day", &hd),
                ("held_on_month", &hm),
                ("held_on_year", &hy),
                (
                    "findings",
                    "Savings are behind plan; the contact centre is working well.",
                ),
                ("decision", "improve"),
                ("action1_description", "Re-profile the savings plan"),
                ("action1_owner", "BIR"),
                ("action1_due_on_day", &later.0),
                ("action1_due_on_month", &later.1),
                ("action1_due_on_year", &later.2),
                // Row 2 left blank; row 3 filled in.
                ("action2_description", ""),
                ("action2_owner", ""),
                ("action3_description", "Send the complaints data"),
                ("action3_owner", "LDS"),
                ("action3_due_on_day", &past_due.0),
                ("action3_due_on_month", &past_due.1),
                ("action3_due_on_year", &past_due.2),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    assert_eq!(
        (app.count("reviews"), app.count("review_actions")),
        (1, 2),
        "the blank row is skipped"
    );

    let (_, html) = bir.get_text(&url).await;
    assert!(
        !html.contains("review is overdue"),
        "recording a review moves the next one on"
    );
    let next = held.checked_add_months(chrono::Months::new(12)).unwrap();
    assert!(
        html.contains(&next.format("%-d %B %Y").to_string()),
        "next review a cadence after this one"
    );
    assert!(html.contains(&format!("Review held {}", held.format("%-d %B %Y"))));
    assert!(html.contains("Savings are behind plan; the contact centre is working well."));
    assert!(
        !html.contains("See the exit plan"),
        "only an exit decision links to the exit plan"
    );
    // Overdue first, then open; each with the right tag.
    let overdue = html.find("Send the complaints data").unwrap();
    let open = html.find("Re-profile the savings plan").unwrap();
    assert!(overdue < open, "the overdue action comes first");
    assert!(html.contains("<strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>"));
    assert!(html.contains("<strong class=\"govuk-tag govuk-tag--blue\">Open</strong>"));
    assert_eq!(
        html.matches("/done\"").count(),
        2,
        "a Mark as done button for each open action"
    );

    let done_action = html
        .split("action=\"")
        .find(|s| s.contains("/done\""))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = bir.post_form(&done_action, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A second press changes nothing and is not audited again.
    assert_eq!(
        bir.post_form(&done_action, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, html) = bir.get_text(&url).await;
    assert!(html.contains("<strong class=\"govuk-tag govuk-tag--green\">Done</strong>"));
    assert!(html.contains(&format!("on {}", today().format("%-d %b %Y"))));
    assert_eq!(
        html.matches("/done\"").count(),
        1,
        "only the open action keeps its button"
    );
    let (_, overview) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(
        !overview.contains("review action(s) are overdue"),
        "the overview agrees the overdue action is done"
    );

    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    assert_eq!(history.matches("partnership.review.create").count(), 1);
    assert_eq!(history.matches("partnership.review.action_done").count(), 1);
    assert!(history.contains("Send the complaints data"));

    // Leeds, a partner, records an exit decision: it links to the exit plan.
    let lds = app.signed_in("lead@leeds.example").await;
    let (d, m, y) = parts(today());
    let r = lds
        .post_form(
            &url,
            &[
                ("held_on_day", &d),
                ("held_on_month", &m),
                ("held_on_year", &y),
                ("findings", "The service is coming back in house."),
                ("decision", "exit"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = lds.get_text(&url).await;
    assert!(html.contains(&format!(
        "href=\"/partnerships/{id}/governance#exit-plan\">See the exit plan</a>"
    )));
    assert!(
        html.find("The service is coming back in house.").unwrap()
            < html.find("Savings are behind plan").unwrap(),
        "newest first"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_names_what_is_missing_and_keeps_what_was_typed() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let url = format!("/partnerships/{id}/reviews");
    let tomorrow = parts(today() + Duration::days(1));

    let r = bir
        .post_form(
            &url,
            &[
                ("held_on_day", &tomorrow.0),
                ("held_on_month", &tomorrow.1),
                ("held_on_year", &tomorrow.2),
                ("findings", ""),
                ("decision", "shrug"),
                ("action1_description", "Chase the invoices"),
                ("action1_owner", ""),
                ("action2_owner", "CON"),
                ("action2_due_on_day", "31"),
                ("action2_due_on_month", "2"),
                ("action2_due_on_year", "2027"),
                ("action3_due_on_day", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (field, message) in [
        (
            "held_on",
            "The date the review was held must be today or in the past",
        ),
        ("findings", "Enter what the review found"),
        (
            "decision",
            "Select the review&#39;s decision: continue, improve, renegotiate or exit",
        ),
        (
            "action1_owner",
            "Action 1: select the organisation that owns it",
        ),
        ("action1_due_on", "Action 1: enter the due date"),
        (
            "action2_description",
            "Action 2: enter a description of the action",
        ),
        (
            "action2_owner",
            "Action 2: CON is not an active member of this partnership",
        ),
        ("action2_due_on", "Action 2 due date must be a real date"),
        (
            "action3_due_on",
            "Action 3 due date must include a month and year",
        ),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
            "{field}: {message}\n{html}"
        );
    }
    assert!(
        html.contains("value=\"Chase the invoices\""),
        "what was typed is kept"
    );
    assert!(html.contains("id=\"action2_due_on-day\" name=\"action2_due_on_day\" type=\"text\" inputmode=\"numeric\" value=\"31\""));
    let (d, m, y) = parts(today());
    let r = bir
        .post_form(
            &url,
            &[
                ("held_on_day", &d),
                ("held_on_month", &m),
                ("held_on_year", &y),
                ("findings", "Fine"),
                ("decision", "continue"),
                ("action1_description", "Too early"),
                ("action1_owner", "BIR"),
                ("action1_due_on_day", "1"),
                ("action1_due_on_month", "1"),
                ("action1_due_on_year", "2020"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Action 1: the due date must be on or after the date the review was held")
    );
    assert!(
        html.contains("type=\"radio\" value=\"continue\" checked>"),
        "the chosen decision is kept"
    );
    let r = bir
        .post_form(&url, &[("findings", "Fine"), ("decision", "continue")])
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<a href=\"#held_on\">Enter the date the review was held</a>"));
    assert_eq!(
        (app.count("reviews"), app.count("review_actions")),
        (0, 0),
        "nothing half-written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_records_reviews_with_nested_actions_and_marks_them_done() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as("lead@leeds.example").await;
    let base = format!("/api/v1/partnerships/{id}/reviews");
    let held = today() - Duration::days(3);
    let due = today() + Duration::days(60);

    let (status, body, _) = api
        .post(
            &base,
            json!({"held_on": held, "findings": "On track", "decision": "continue",
            "actions": [{"description": "Publish the annual report", "owner": "LDS", "due_on": due}, {"description": "Agree next year's budget", "owner": "BIR", "due_on": held}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["decision"], "continue");
    assert_eq!(body["actions"].as_array().unwrap().len(), 2);
    let first = &body["actions"][0];
    assert_eq!(
        (
            first["description"].as_str(),
            first["status"].as_str(),
            first["owner_code"].as_str()
        ),
        (
            Some("Agree next year's budget"),
            Some("overdue"),
            Some("BIR")
        ),
        "soonest due first"
    );
    let aid = first["id"].as_i64().unwrap();
    // The action is Birmingham's: Leeds may see it but only Birmingham's
    // people (here also the lead) mark it done.
    let bir_api = app.api_as("lead@birmingham.example").await;

    let (status, list, _) = api.get(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["review_cadence_months"], 12);
    assert_eq!(
        list["next_review_due"],
        json!(held.checked_add_months(chrono::Months::new(12)).unwrap())
    );
    assert_eq!(list["review_overdue"], false);
    assert_eq!(list["reviews"].as_array().unwrap().len(), 1);

    let (status, _, _) = api
        .post(&format!("{base}/actions/{aid}/done"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Leeds marking Birmingham's action"
    );
    let (status, action, _) = bir_api
        .post(&format!("{base}/actions/{aid}/done"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{action}");
    assert_eq!(action["status"], "done");
    assert_eq!(action["done_on"], json!(today()));
    assert_eq!(
        api.post(&format!("{base}/actions/999999/done"), json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (status, problem, content_type) =
        api.post(&base, json!({"held_on": today() + Duration::days(1), "findings": "", "decision": "maybe", "actions": [{"description": "", "owner": "CON"}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "held_on",
            "findings",
            "decision",
            "actions[0].description",
            "actions[0].owner",
            "actions[0].due_on"
        ]
    );
    let (status, problem, _) = api
        .post(
            &base,
            json!({"held_on": "yesterday", "findings": "x", "decision": "exit"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A value that cannot be read is named by its field (the shared JSON body reader).
    assert_eq!(problem["errors"][0]["field"], "held_on");
    assert_eq!((app.count("reviews"), app.count("review_actions")), (1, 2));

    let history = app
        .signed_in("lead@birmingham.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await
        .1;
    assert_eq!(history.matches("partnership.review.create").count(), 1);
    assert_eq!(history.matches("partnership.review.action_done").count(), 1);

    let doc = app.api().get("/api/v1/openapi.json").await.1;
    assert!(doc["paths"]["/api/v1/partnerships/{id}/reviews"]["post"].is_object());
    assert!(
        doc["paths"]["/api/v1/partnerships/{id}/reviews/actions/{aid}/done"]["post"].is_object()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_cannot_see_or_change_a_partners_only_partnerships_reviews() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir_api = app.api_as("lead@birmingham.example").await;
    let base = format!("/api/v1/partnerships/{id}/reviews");
    let review = record_review(&app, id, "lead@birmingham.example", review_with_an_action());
    let aid = review.actions[0].id;

    let outsider = app.signed_in("officer@cornwall.example").await;
    assert_eq!(
        outsider
            .get(&format!("/partnerships/{id}/reviews"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/reviews"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (d, m, y) = parts(today());
    let r = outsider
        .post_form(
            &format!("/partnerships/{id}/reviews"),
            &[
                ("held_on_day", &d),
                ("held_on_month", &m),
                ("held_on_year", &y),
                ("findings", "Hijack"),
                ("decision", "exit"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        outsider
            .post_form(
                &format!("/partnerships/{id}/reviews/actions/{aid}/done"),
                &[]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let api = app.api_as("officer@cornwall.example").await;
    assert_eq!(api.get(&base).await.0, StatusCode::NOT_FOUND);
    let (status, _, content_type) = api
        .post(
            &base,
            json!({"held_on": today(), "findings": "Hijack", "decision": "exit"}),
        )
        .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    assert_eq!(
        api.post(&format!("{base}/actions/{aid}/done"), json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api().get(&base).await.0,
        StatusCode::NOT_FOUND,
        "no token"
    );

    // An action cannot be reached through another partnership its caller may edit.
    let other = app.partnership("partners").await;
    assert_eq!(
        bir_api
            .post(
                &format!("/api/v1/partnerships/{other}/reviews/actions/{aid}/done"),
                json!({})
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        (app.count("reviews"), app.count("review_actions")),
        (1, 1),
        "nothing changed"
    );
    let (_, list, _) = bir_api.get(&base).await;
    assert_eq!(list["reviews"][0]["actions"][0]["status"], "open");
}

#[tokio::test(flavor = "multi_thread")]
async fn reviews_answer_404_then_401_then_403_in_that_order() {
    let app = TestApp::with_reference_data().await;
    let (d, m, y) = parts(today());
    let form = [
        ("held_on_day", d.as_str()),
        ("held_on_month", m.as_str()),
        ("held_on_year", y.as_str()),
        ("findings", "Hijack"),
        ("decision", "exit"),
    ];
    let body = json!({"held_on": today(), "findings": "Hijack", "decision": "exit"});
    let outsider = app.signed_in("officer@cornwall.example").await;
    let outsider_api = app.api_as("officer@cornwall.example").await;

    // Not visible: 404 for everyone outside, signed in or not, page or API.
    let hidden = app.partnership("partners").await;
    let page = format!("/partnerships/{hidden}/reviews");
    let api = format!("/api/v1/partnerships/{hidden}/reviews");
    assert_eq!(
        app.client().get(&page).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(outsider.get(&page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.client().post_form(&page, &form).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider.post_form(&page, &form).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api().post(&api, body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider_api.post(&api, body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    // Whatever was sent: access is settled before the body is read.
    assert_eq!(
        outsider_api
            .post(&api, json!({"held_on": "yesterday"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Visible to all: signed out is 401 (pages: sign in first), an outsider is 403.
    let public = app.partnership("public").await;
    let page = format!("/partnerships/{public}/reviews");
    let api = format!("/api/v1/partnerships/{public}/reviews");
    assert_eq!(app.client().get(&page).await.status(), StatusCode::OK);
    let (status, _, content_type) = app.api().post(&api, body.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::UNAUTHORIZED, "application/problem+json")
    );
    let r = app.client().post_form(&page, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/sign-in"));
    let (status, _, content_type) = outsider_api.post(&api, body.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::FORBIDDEN, "application/problem+json")
    );
    assert_eq!(
        outsider_api
            .post(&api, json!({"held_on": "yesterday"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider.post_form(&page, &form).await.status(),
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        (app.count("reviews"), app.count("review_actions")),
        (0, 0),
        "nothing written"
    );
}
