//! Integration tests for the partnership governance section: the governance
//! arrangements and the agreements behind a partnership, by page and API.

use chrono::{Datelike, Days, NaiveDate};
use concord::error::AppResult;
use concord::partnerships::governance::model::{AgreementDraft, AgreementInput};
use concord::partnerships::governance::store;
use concord::partnerships::model::{Partnership, PartnershipInput};
use concord::policy::Action;
use concord::work::Work;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{field_errors, partnership_draft, person, today, Api, Browser, TestApp};

/// Does `f` as Birmingham's lead through the unit of work and the stores,
/// as the pages would (same policy, same audit entries), without HTTP.
async fn as_birmingham<T: Send + 'static>(
    app: &TestApp,
    id: i64,
    f: impl FnOnce(&mut Work<'_, Partnership>) -> AppResult<T> + Send + 'static,
) -> T {
    let db = app.db().clone();
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|c| {
            let bir = person(c, "lead@birmingham.example")?;
            let mut w = Work::<Partnership>::open(c, id, Some(bir), Action::EditPartnership)?;
            f(&mut w)
        })
    })
    .await
    .unwrap()
    .expect("a change made as Birmingham's lead")
}

/// An agreement signed on 14 March 2025 and starting on 1 April 2025, added
/// by Birmingham's lead. Returns its id.
async fn add_agreement(app: &TestApp, id: i64, kind: &str, title: &str) -> i64 {
    let draft = AgreementDraft {
        kind: kind.into(),
        title: title.into(),
        signed_on: NaiveDate::from_ymd_opt(2025, 3, 14),
        starts_on: NaiveDate::from_ymd_opt(2025, 4, 1),
        ..Default::default()
    };
    as_birmingham(app, id, move |w| {
        let input = AgreementInput::parse(&draft).expect("a valid agreement");
        Ok(store::create(w, &input, today())?.id)
    })
    .await
}

/// An agreement form; `renewal` is days from today (negative for past).
fn agreement_form(
    kind: &str,
    title: &str,
    renewal: Option<i64>,
    url: &str,
) -> Vec<(String, String)> {
    let mut fields = vec![
        ("kind".to_string(), kind.to_string()),
        ("title".to_string(), title.to_string()),
        ("signed_on_day".to_string(), "14".to_string()),
        ("signed_on_month".to_string(), "3".to_string()),
        ("signed_on_year".to_string(), "2025".to_string()),
        ("starts_on_day".to_string(), "1".to_string()),
        ("starts_on_month".to_string(), "4".to_string()),
        ("starts_on_year".to_string(), "2025".to_string()),
        ("document_url".to_string(), url.to_string()),
    ];
    if let Some(days) = renewal {
        let d = if days >= 0 {
            today() + Days::new(days as u64)
        } else {
            today() - Days::new(days.unsigned_abs())
        };
        fields.push(("renewal_due_day".into(), d.day().to_string()));
        fields.push(("renewal_due_month".into(), d.month().to_string()));
        fields.push(("renewal_due_year".into(), d.year().to_string()));
    }
    fields
}

async fn post(b: &Browser, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_form(path, &fields).await
}

/// Any method with a JSON body; the shared helper only has GET and POST.
async fn send(api: &Api, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    api.send(method, path, body).await
}

/// The table row that mentions `title`.
fn row_of<'a>(html: &'a str, title: &str) -> &'a str {
    let at = html
        .find(title)
        .unwrap_or_else(|| panic!("{title} on the page"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread")]
async fn governance_shows_how_the_partnership_is_run_and_links_editors_to_change_it() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (status, html) = bir
        .get_text(&format!("/partnerships/{id}/governance"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("No exit plan has been recorded")
            && html.contains("No agreements have been recorded")
    );
    assert!(html.contains(&format!(
        "href=\"/partnerships/{id}/edit\">Change governance and exit plan"
    )));

    let mut draft = partnership_draft("Birmingham and Leeds revenues", "partners");
    draft.decision_body = "Joint committee of the two leaders".into();
    draft.decision_rule = "Unanimous".into();
    draft.meeting_cadence = "Quarterly".into();
    draft.exit_plan = "Twelve months' notice.\nStaff return to their employing council.".into();
    as_birmingham(&app, id, move |w| {
        let input = PartnershipInput::parse(&draft).expect("valid details");
        concord::partnerships::store::update(w, &input)
    })
    .await;
    let (_, html) = bir
        .get_text(&format!("/partnerships/{id}/governance"))
        .await;
    for text in [
        "Joint committee of the two leaders",
        "Unanimous",
        "Quarterly",
        "Every 12 months",
        "1 April 2026",
        "<p class=\"govuk-body\">Twelve months&#39; notice.</p>",
        "<p class=\"govuk-body\">Staff return to their employing council.</p>",
    ] {
        assert!(html.contains(text), "{text}\n{html}");
    }

    assert!(
        html.contains("govuk-tag--red\">Review overdue"),
        "a year after the 1 April 2025 start has passed"
    );

    // Any user of an editing member organisation may edit, not only its admins.
    let officer = app.signed_in("officer@birmingham.example").await;
    let (status, html) = officer
        .get_text(&format!("/partnerships/{id}/governance"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Add an agreement") && html.contains("Change governance and exit plan"));
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_add_change_and_delete_agreements_by_page() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let page = format!("/partnerships/{id}/governance");
    let add = format!("{page}/agreements");
    let (_, html) = bir.get_text(&page).await;
    assert!(
        html.contains("Section 101 delegation (Local Government Act 1972)")
            && html.contains("Section 75 pooled budget (NHS Act 2006)")
    );

    for (kind, title, renewal, url) in [
        (
            "mou",
            "Revenues MoU",
            Some(30),
            "https://birmingham.gov.uk/revenues-mou.pdf",
        ),
        ("s113", "Shared head of revenues", Some(-1), ""),
        ("contract", "Printing contract", Some(200), ""),
        ("s101", "Delegation to Birmingham", None, ""),
    ] {
        let r = post(&bir, &add, &agreement_form(kind, title, renewal, url)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{title}");
        assert_eq!(plain(&r.headers()["location"]), page);
    }
    assert_eq!(app.count("agreements"), 4);
    let (_, html) = bir.get_text(&page).await;
    let mou = row_of(&html, "Revenues MoU");
    assert!(mou.contains("<a class=\"govuk-link\" href=\"https://birmingham.gov.uk/revenues-mou.pdf\" rel=\"noopener\">Revenues MoU</a>"), "{mou}");
    assert!(
        mou.contains("Memorandum of understanding")
            && mou.contains("14 Mar 2025")
            && mou.contains("govuk-tag--yellow\">Renewal due soon")
    );
    let staff = row_of(&html, "Shared head of revenues");
    assert!(staff.contains("govuk-tag--red\">Renewal overdue") && !staff.contains("href=\"http"));
    assert!(
        !row_of(&html, "Printing contract").contains("govuk-tag"),
        "renewal more than 90 days away"
    );
    assert!(
        !row_of(&html, "Delegation to Birmingham").contains("govuk-tag"),
        "no renewal date"
    );

    // Change one: the edit form shows what is stored.
    let aid: i64 = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::agreements::dsl::*;
            use diesel::prelude::*;
            Ok(agreements
                .filter(title.eq("Printing contract"))
                .select(id)
                .first(c)?)
        })
        .unwrap();
    let edit = format!("{page}/agreements/{aid}/edit");
    let (status, html) = bir.get_text(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("value=\"Printing contract\"")
            && html.contains("<option value=\"contract\" selected>")
    );
    let r = post(
        &bir,
        &edit,
        &agreement_form("contract", "Printing and post contract", Some(10), ""),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = bir.get_text(&page).await;
    assert!(row_of(&html, "Printing and post contract").contains("Renewal due soon"));

    // Delete asks first.
    let delete = format!("{page}/agreements/{aid}/delete");
    let (status, html) = bir.get_text(&delete).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Are you sure you want to delete “Printing and post contract”?")
            && html.contains("name=\"csrf_token\"")
    );
    assert_eq!(app.count("agreements"), 4, "asking deletes nothing");
    let r = bir.post_form(&delete, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("agreements"), 3);
    assert_eq!(bir.get(&edit).await.status(), StatusCode::NOT_FOUND);

    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    assert_eq!(history.matches("partnership.agreement.create").count(), 4);
    assert!(
        history.contains("partnership.agreement.update")
            && history.contains("partnership.agreement.delete")
    );
    assert!(
        history.contains("Printing and post contract"),
        "the deleted agreement is kept in the history"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn agreement_forms_explain_every_problem_and_keep_what_was_typed() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let add = format!("/partnerships/{id}/governance/agreements");
    let r = bir
        .post_form(
            &add,
            &[
                ("kind", ""),
                ("title", ""),
                ("signed_on_day", "31"),
                ("signed_on_month", "2"),
                ("signed_on_year", "2025"),
                ("starts_on_day", "1"),
                ("starts_on_month", "4"),
                ("starts_on_year", "2026"),
                ("ends_on_day", "1"),
                ("ends_on_month", "4"),
                ("ends_on_year", "2025"),
                ("renewal_due_day", "1"),
                ("renewal_due_month", ""),
                ("renewal_due_year", ""),
                ("document_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (field, message) in [
        ("kind", "Select the type of agreement"),
        ("title", "Enter the agreement&#39;s title"),
        ("signed_on", "Date signed must be a real date"),
        ("ends_on", "The end date must be after the start date"),
        (
            "renewal_due",
            "Renewal due date must include a month and year",
        ),
        (
            "document_url",
            "Enter the document link as a web address starting with https:// or http://",
        ),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}")),
            "{field}: {message}\n{html}"
        );
    }
    assert!(html.contains("value=\"javascript:alert(1)\"") && html.contains("id=\"signed_on-day\" name=\"signed_on_day\" type=\"text\" inputmode=\"numeric\" value=\"31\""));
    assert!(!html.contains("href=\"javascript:"), "never a link");
    assert_eq!(app.count("agreements"), 0, "nothing half-written");

    let r = post(
        &bir,
        &add,
        &agreement_form("mou", &"x".repeat(201), None, "ftp://files.example/mou.pdf"),
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Title must be 200 characters or fewer")
            && html.contains("Enter the document link as a web address")
    );
    assert_eq!(app.count("agreements"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_adds_lists_changes_and_deletes_agreements() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as("lead@leeds.example").await;
    let base = format!("/api/v1/partnerships/{id}/agreements");
    let (status, body, content_type) = api.post(&base, json!({ "kind": "treaty", "starts_on": "2026-04-01", "ends_on": "2026-01-01", "document_url": "mailto:x@y.z" })).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json")
    );
    let fields: Vec<String> = field_errors(&body).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["kind", "title", "ends_on", "document_url"]);
    assert_eq!(app.count("agreements"), 0);

    let renewal = today() + Days::new(60);
    let (status, a, _) =
        api.post(&base, json!({ "kind": "s75", "title": "Better Care Fund pooled budget", "starts_on": "2025-04-01", "ends_on": "2028-03-31", "renewal_due": renewal })).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(
        (
            a["kind"].as_str(),
            a["renewal"].as_str(),
            a["signed_on"].is_null()
        ),
        (Some("s75"), Some("due_soon"), true)
    );
    let one = format!("{base}/{}", a["id"]);
    let (status, list, _) = api.get(&base).await;
    assert_eq!(
        (status, list.as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let (status, got, _) = api.get(&one).await;
    assert_eq!(
        (status, got["title"].as_str()),
        (StatusCode::OK, Some("Better Care Fund pooled budget"))
    );

    // PATCH: left-out fields stay; null clears a date; the result is checked.
    let (status, body) = send(
        &api,
        Method::PATCH,
        &one,
        Some(json!({ "document_url": "not a link" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body)[0].0, "document_url");
    let (status, a) = send(&api, Method::PATCH, &one, Some(json!({ "renewal_due": null, "signed_on": "2025-03-20", "document_url": "https://leeds.gov.uk/bcf.pdf" }))).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(
        (
            a["renewal_due"].is_null(),
            a["renewal"].is_null(),
            a["signed_on"].as_str(),
            a["ends_on"].as_str(),
            a["title"].as_str()
        ),
        (
            true,
            true,
            Some("2025-03-20"),
            Some("2028-03-31"),
            Some("Better Care Fund pooled budget")
        )
    );

    let (status, _) = send(&api, Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&one).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        send(&api, Method::DELETE, &one, None).await.0,
        StatusCode::NOT_FOUND
    );

    let (_, history) = app
        .signed_in("lead@birmingham.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await;
    for action in [
        "partnership.agreement.create",
        "partnership.agreement.update",
        "partnership.agreement.delete",
    ] {
        assert_eq!(history.matches(action).count(), 1, "{action} once");
    }
    assert!(history.contains("lead@leeds.example"));
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_cannot_see_or_change_a_partners_only_partnerships_agreements() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let aid = add_agreement(&app, id, "mou", "Secret MoU").await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    for path in [
        "/governance".to_string(),
        format!("/governance/agreements/{aid}/edit"),
        format!("/governance/agreements/{aid}/delete"),
    ] {
        assert_eq!(
            outsider
                .get(&format!("/partnerships/{id}{path}"))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/governance"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = post(
        &outsider,
        &format!("/partnerships/{id}/governance/agreements"),
        &agreement_form("mou", "Hijack", None, ""),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post(
        &outsider,
        &format!("/partnerships/{id}/governance/agreements/{aid}/edit"),
        &agreement_form("mou", "Hijack", None, ""),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        outsider
            .post_form(
                &format!("/partnerships/{id}/governance/agreements/{aid}/delete"),
                &[]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let api = app.api_as("officer@cornwall.example").await;
    let base = format!("/api/v1/partnerships/{id}/agreements");
    for path in [base.clone(), format!("{base}/{aid}")] {
        let (status, _, content_type) = api.get(&path).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::NOT_FOUND, "application/problem+json"),
            "{path}"
        );
        assert_eq!(
            app.api().get(&path).await.0,
            StatusCode::NOT_FOUND,
            "anonymous {path}"
        );
    }
    assert_eq!(
        api.post(&base, json!({ "kind": "mou", "title": "Hijack" }))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &api,
            Method::PATCH,
            &format!("{base}/{aid}"),
            Some(json!({ "title": "Hijack" }))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&api, Method::DELETE, &format!("{base}/{aid}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("agreements"), 1);
    let (_, html) = bir
        .get_text(&format!("/partnerships/{id}/governance"))
        .await;
    assert!(html.contains("Secret MoU") && !html.contains("Hijack"));

    // An agreement of one partnership is not found through another.
    let other = app.partnership("partners").await;
    let member_api = app.api_as("lead@birmingham.example").await;
    assert_eq!(
        member_api
            .get(&format!("/api/v1/partnerships/{other}/agreements/{aid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &member_api,
            Method::DELETE,
            &format!("/api/v1/partnerships/{other}/agreements/{aid}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("agreements"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_public_partnership_outsiders_read_agreements_but_cannot_change_them() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    add_agreement(&app, id, "articles", "Articles of the joint company").await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    let (status, html) = outsider
        .get_text(&format!("/partnerships/{id}/governance"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Articles of the joint company")
            && html.contains("Articles of association (company)")
    );
    assert!(
        !html.contains("Add an agreement")
            && !html.contains("Change governance")
            && !html.contains("/delete\"")
    );
    let r = post(
        &outsider,
        &format!("/partnerships/{id}/governance/agreements"),
        &agreement_form("mou", "Hijack", None, ""),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let api = app.api_as("officer@cornwall.example").await;
    assert_eq!(
        api.get(&format!("/api/v1/partnerships/{id}/agreements"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        api.post(
            &format!("/api/v1/partnerships/{id}/agreements"),
            json!({ "kind": "mou", "title": "Hijack" })
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api()
            .post(
                &format!("/api/v1/partnerships/{id}/agreements"),
                json!({ "kind": "mou", "title": "Hijack" })
            )
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("agreements"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_the_agreements_api() {
    let app = TestApp::with_reference_data().await;
    let (status, doc, _) = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for (path, methods) in [
        ("/api/v1/partnerships/{id}/agreements", &["get", "post"][..]),
        (
            "/api/v1/partnerships/{id}/agreements/{aid}",
            &["get", "patch", "delete"][..],
        ),
    ] {
        for method in methods {
            assert!(
                doc["paths"][path].get(*method).is_some(),
                "{method} {path} missing from OpenAPI"
            );
        }
    }
    // The codes themselves are checked once the shared `vocabulary!` macro's schema uses them (reported).
    assert_eq!(
        doc["components"]["schemas"]["AgreementKind"]["enum"]
            .as_array()
            .map(Vec::len),
        Some(7)
    );
    crate::partnerships_objectives::assert_refs_resolve(&doc, &doc["paths"]);
    crate::partnerships_objectives::assert_refs_resolve(&doc, &doc["components"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn governance_answers_404_then_401_then_403_in_that_order() {
    let app = TestApp::with_reference_data().await;
    let anonymous = app.client();
    let anonymous_api = app.api();
    let outsider = app.signed_in("officer@cornwall.example").await;
    let outsider_api = app.api_as("officer@cornwall.example").await;
    let valid = json!({ "kind": "mou", "title": "Hijack" });
    // Judged only after access: a body that breaks the rules changes no answer.
    let invalid = json!({ "kind": "treaty", "document_url": "javascript:alert(1)" });
    let agreement_entries = || {
        app.db()
            .read_blocking(|c| {
                use concord::db::schema::audit_log;
                use diesel::prelude::*;
                Ok(audit_log::table
                    .filter(audit_log::action.like("partnership.agreement.%"))
                    .count()
                    .get_result::<i64>(c)?)
            })
            .unwrap()
    };

    // Not visible (partners only): 404, signed in or not.
    let hidden = app.partnership("partners").await;
    let hidden_aid = add_agreement(&app, hidden, "mou", "Secret MoU").await;
    let page = format!("/partnerships/{hidden}/governance");
    let edit = format!("/partnerships/{hidden}/governance/agreements/{hidden_aid}/edit");
    let write = format!("/api/v1/partnerships/{hidden}/agreements");
    for (who, browser, api) in [
        ("anonymous", &anonymous, &anonymous_api),
        ("outsider", &outsider, &outsider_api),
    ] {
        for path in [&page, &edit] {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::NOT_FOUND,
                "{who} GET {path}"
            );
        }
        for body in [&valid, &invalid] {
            let (status, _, content_type) = api.post(&write, body.clone()).await;
            assert_eq!(
                (status, content_type.as_str()),
                (StatusCode::NOT_FOUND, "application/problem+json"),
                "{who} POST {write} {body}"
            );
        }
    }

    // Visible (public) but signed out: 401; a page sends them to sign in and back.
    let public = app.partnership("public").await;
    let aid = add_agreement(&app, public, "articles", "Articles of the joint company").await;
    let page = format!("/partnerships/{public}/governance");
    let edit = format!("/partnerships/{public}/governance/agreements/{aid}/edit");
    let write = format!("/api/v1/partnerships/{public}/agreements");
    assert_eq!(anonymous.get(&page).await.status(), StatusCode::OK);
    for body in [&valid, &invalid] {
        let (status, problem, _) = anonymous_api.post(&write, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(problem["type"], "/problems/unauthenticated");
    }
    let r = anonymous.get(&edit).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = reqwest::Url::parse(&app.base)
        .unwrap()
        .join(r.headers()["location"].to_str().unwrap())
        .unwrap();
    assert_eq!(to.path(), "/sign-in");
    assert_eq!(
        to.query_pairs()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned()),
        Some(edit.clone()),
        "back to the form after signing in"
    );

    // Signed in but not allowed: 403.
    assert_eq!(outsider.get(&page).await.status(), StatusCode::OK);
    assert_eq!(outsider.get(&edit).await.status(), StatusCode::FORBIDDEN);
    for body in [&valid, &invalid] {
        let (status, problem, _) = outsider_api.post(&write, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(problem["type"], "/problems/forbidden");
    }

    // Nothing was written but the two fixtures.
    assert_eq!(app.count("agreements"), 2);
    assert_eq!(agreement_entries(), 2);
}

/// A redirect's address without the success banner's `?done=<history entry>`
/// (asserting it is there).
fn plain(location: &reqwest::header::HeaderValue) -> String {
    let s = location.to_str().unwrap();
    let (base, rest) = s
        .split_once("?done=")
        .unwrap_or_else(|| panic!("no banner asked for: {s}"));
    format!(
        "{base}{}",
        rest.trim_start_matches(|c: char| c.is_ascii_digit())
    )
}
