//! Integration tests for the partnership SWOT section: the page, the API,
//! votes, deleting, validation, and who may do what.

use concord::error::AppResult;
use concord::partnerships::members::model::MemberChange;
use concord::partnerships::model::{MemberRole, Partnership};
use concord::partnerships::swot::model::{SwotDraft, SwotInput};
use concord::partnerships::swot::store;
use concord::policy::{Action, Relation};
use concord::work::Work;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{extract_between, person, Api, Browser, TestApp};

const STRENGTH: &str = "A shared revenues team is already in place";
const THREAT: &str = "Staff turnover in both councils";
const OPPORTUNITY: &str = "Joint procurement of a new benefits system";

/// DELETE with the API client's token; the common `Api` has only GET and POST.
async fn api_delete(api: &Api, path: &str) -> (StatusCode, Value) {
    api.send(reqwest::Method::DELETE, path, None).await
}

/// The board's items as the API gives them, in order.
async fn board(api: &Api, id: i64) -> Vec<Value> {
    let (status, body, _) = api.get(&format!("/api/v1/partnerships/{id}/swot")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn item_id(api: &Api, id: i64, text: &str) -> i64 {
    board(api, id)
        .await
        .iter()
        .find(|i| i["text"] == json!(text))
        .unwrap_or_else(|| panic!("{text} on the board"))["id"]
        .as_i64()
        .unwrap()
}

/// Does `f` as a demo person, through the stores and the same policy as the
/// pages, without the HTTP round trips.
async fn as_person<T: Send + 'static>(
    app: &TestApp,
    id: i64,
    email: &str,
    action: fn(Relation) -> Action,
    f: impl FnOnce(&mut Work<'_, Partnership>) -> AppResult<T> + Send + 'static,
) -> T {
    let (db, email) = (app.db().clone(), email.to_string());
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|c| {
            let user = person(c, &email)?;
            let mut w = Work::<Partnership>::open(c, id, Some(user), action)?;
            f(&mut w)
        })
    })
    .await
    .unwrap()
    .expect("a fixture through the stores")
}

/// An item added by a demo person, through the store. Returns its id.
async fn added(app: &TestApp, id: i64, email: &str, quadrant: &str, text: &str) -> i64 {
    let draft = SwotDraft {
        quadrant: quadrant.into(),
        text: text.into(),
    };
    as_person(app, id, email, Action::EditPartnership, move |w| {
        store::add(w, &SwotInput::parse(&draft).expect("a valid item"))
    })
    .await
}

async fn add(b: &Browser, id: i64, quadrant: &str, text: &str) {
    let r = b
        .post_form(
            &format!("/partnerships/{id}/swot"),
            &[("quadrant", quadrant), ("text", text)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "add {text}");
    assert_eq!(
        plain(&r.headers()["location"]),
        format!("/partnerships/{id}/swot#{quadrant}")
    );
}

/// Presses a Vote, Remove my vote or Delete button.
async fn press(b: &Browser, id: i64, item: i64, button: &str) -> reqwest::Response {
    b.post_form(&format!("/partnerships/{id}/swot/{item}/{button}"), &[])
        .await
}

/// The texts in the summary table, in the order shown.
fn summary_order(html: &str, texts: &[&str]) -> Vec<String> {
    let table = extract_between(html, "Summary by votes", "</table>").expect("the summary table");
    let mut found: Vec<(usize, String)> = texts
        .iter()
        .filter_map(|t| table.find(&format!(">{t}<")).map(|at| (at, t.to_string())))
        .collect();
    found.sort();
    found.into_iter().map(|(_, t)| t).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_add_items_and_vote_and_the_summary_follows_the_votes() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let bir_officer = app.signed_in("officer@birmingham.example").await;
    let lds = app.signed_in("lead@leeds.example").await;
    let api = app.api_as("lead@leeds.example").await;

    let (status, html) = lds.get_text(&format!("/partnerships/{id}/swot")).await;
    assert_eq!(status, StatusCode::OK);
    for (heading, label, field) in [
        ("strengths", "Add a strength", "text-strengths"),
        ("weaknesses", "Add a weakness", "text-weaknesses"),
        ("opportunities", "Add an opportunity", "text-opportunities"),
        ("threats", "Add a threat", "text-threats"),
    ] {
        assert!(
            html.contains(&format!("<h2 class=\"govuk-heading-m\" id=\"{heading}\">")),
            "{heading} heading"
        );
        assert!(
            html.contains(&format!(
                "<label class=\"govuk-label govuk-label--s\" for=\"{field}\">{label}</label>"
            )),
            "{label}"
        );
        assert!(html.contains(&format!("id=\"{field}\" name=\"text\"")));
    }
    assert_eq!(html.matches("govuk-grid-column-one-half").count(), 4);
    assert!(html.contains("Nothing has been added yet."));

    add(&bir, id, "strengths", STRENGTH).await;
    add(&bir, id, "threats", THREAT).await;
    add(&lds, id, "opportunities", OPPORTUNITY).await;
    let (strength, threat, opportunity) = (
        item_id(&api, id, STRENGTH).await,
        item_id(&api, id, THREAT).await,
        item_id(&api, id, OPPORTUNITY).await,
    );

    let r = press(&lds, id, opportunity, "vote").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        plain(&r.headers()["location"]),
        format!("/partnerships/{id}/swot#item-{opportunity}")
    );
    assert_eq!(
        press(&bir, id, opportunity, "vote").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        press(&bir_officer, id, threat, "vote").await.status(),
        StatusCode::SEE_OTHER
    );
    // A second vote by the same person is not counted twice.
    assert_eq!(
        press(&bir, id, opportunity, "vote").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("swot_votes"), 3);

    let (_, html) = bir.get_text(&format!("/partnerships/{id}/swot")).await;
    assert_eq!(
        summary_order(&html, &[STRENGTH, THREAT, OPPORTUNITY]),
        vec![OPPORTUNITY, THREAT, STRENGTH]
    );
    let opp = extract_between(&html, &format!("id=\"item-{opportunity}\""), "</li>").unwrap();
    assert!(
        opp.contains("Leeds City Council · <strong>2 votes</strong>") && opp.contains("You voted"),
        "{opp}"
    );
    assert!(
        opp.contains(&format!(
            "action=\"/partnerships/{id}/swot/{opportunity}/unvote\""
        )) && opp.contains("Remove my vote")
    );
    let thr = extract_between(&html, &format!("id=\"item-{threat}\""), "</li>").unwrap();
    assert!(
        thr.contains("Birmingham City Council · <strong>1 vote</strong>")
            && !thr.contains("You voted"),
        "{thr}"
    );
    assert!(thr.contains(&format!("action=\"/partnerships/{id}/swot/{threat}/vote\"")));
    let table = extract_between(&html, "Summary by votes", "</table>").unwrap();
    assert!(
        table.contains("<th scope=\"col\" class=\"govuk-table__header\">Quadrant</th>")
            && table.contains("<td class=\"govuk-table__cell\">Opportunities</td>")
    );

    // Birmingham withdraws its vote: the opportunity and the threat tie, and the older (the threat) comes first.
    assert_eq!(
        press(&bir, id, opportunity, "unvote").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("swot_votes"), 2);
    let (_, html) = bir.get_text(&format!("/partnerships/{id}/swot")).await;
    assert_eq!(
        summary_order(&html, &[STRENGTH, THREAT, OPPORTUNITY]),
        vec![THREAT, OPPORTUNITY, STRENGTH]
    );

    // Leeds may delete its own item but not Birmingham's; Birmingham, the lead, may delete anyone's.
    let (_, html) = lds.get_text(&format!("/partnerships/{id}/swot")).await;
    assert!(
        html.contains(&format!("/swot/{opportunity}/delete"))
            && !html.contains(&format!("/swot/{strength}/delete"))
    );
    assert_eq!(
        lds.post_form(&format!("/partnerships/{id}/swot/{strength}/delete"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = lds
        .post_form(
            &format!("/partnerships/{id}/swot/{opportunity}/delete"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("swot_votes"), 1, "its vote went with it");
    add(&lds, id, "weaknesses", "Different IT systems").await;
    let weakness = item_id(&api, id, "Different IT systems").await;
    assert_eq!(
        bir_officer
            .post_form(&format!("/partnerships/{id}/swot/{weakness}/delete"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("swot_items"), 2);

    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    for action in [
        "partnership.swot.add",
        "partnership.swot.vote",
        "partnership.swot.unvote",
        "partnership.swot.delete",
    ] {
        assert!(history.contains(action), "{action} in history");
    }
    assert!(history.contains("officer@birmingham.example"));
}

#[tokio::test(flavor = "multi_thread")]
async fn adding_checks_the_text_and_keeps_what_was_typed() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let url = format!("/partnerships/{id}/swot");

    let r = bir
        .post_form(&url, &[("quadrant", "weaknesses"), ("text", "   ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("<title>Error: SWOT"));
    assert!(
        html.contains("<a href=\"#text-weaknesses\">Enter a weakness</a>"),
        "{html}"
    );
    assert!(html.contains("<p id=\"text-weaknesses-error\" class=\"govuk-error-message\">"));
    assert!(
        !html.contains("text-strengths-error"),
        "only the form that was sent shows the error"
    );

    let long = "x".repeat(501);
    let r = bir
        .post_form(&url, &[("quadrant", "opportunities"), ("text", &long)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(
        "<a href=\"#text-opportunities\">Opportunity must be 500 characters or fewer</a>"
    ));
    let typed = extract_between(&html, "id=\"text-opportunities\"", "</textarea>").unwrap();
    assert!(
        typed.ends_with(&format!(">{long}")),
        "what was typed is kept"
    );
    assert!(
        extract_between(&html, "id=\"text-threats\"", "</textarea>")
            .unwrap()
            .ends_with('>'),
        "the other forms stay empty"
    );

    // A tampered quadrant is a bad request, not a field error nobody could fix.
    assert_eq!(
        bir.post_form(&url, &[("quadrant", "picnic"), ("text", "Sandwiches")])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.count("swot_items"), 0, "nothing written");

    // Exactly 500 characters is fine, and line breaks count once.
    let five_hundred = format!("{}\r\n{}", "y".repeat(250), "y".repeat(249));
    assert_eq!(
        bir.post_form(
            &url,
            &[("quadrant", "opportunities"), ("text", &five_hundred)]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let (_, html) = bir.get_text(&url).await;
    assert!(
        html.contains(&format!(">{}<br>{}</p>", "y".repeat(250), "y".repeat(249))),
        "line breaks are kept"
    );

    let api = app.api_as("lead@birmingham.example").await;
    let path = format!("/api/v1/partnerships/{id}/swot");
    for (body, field, message) in [
        (
            json!({"quadrant": "strengths", "text": ""}),
            "text",
            "Enter a strength",
        ),
        (
            json!({"quadrant": "threats", "text": "z".repeat(501)}),
            "text",
            "Threat must be 500 characters or fewer",
        ),
        (
            json!({"quadrant": "picnic", "text": "Sandwiches"}),
            "quadrant",
            "Choose a quadrant: strengths, weaknesses, opportunities or threats",
        ),
        (
            json!({"text": "No quadrant"}),
            "quadrant",
            "Choose a quadrant: strengths, weaknesses, opportunities or threats",
        ),
    ] {
        let (status, problem, content_type) = api.post(&path, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(
            problem["errors"][0],
            json!({"field": field, "message": message}),
            "{body}"
        );
    }
    assert_eq!(app.count("swot_items"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_get_not_found_and_change_nothing() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let other = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let item = added(&app, id, "lead@birmingham.example", "strengths", STRENGTH).await;
    as_person(
        &app,
        id,
        "lead@birmingham.example",
        Action::EditPartnership,
        move |w| store::vote(w, item),
    )
    .await;
    let bir_api = app.api_as("lead@birmingham.example").await;
    let (items, votes) = (app.count("swot_items"), app.count("swot_votes"));

    let outsider = app.signed_in("officer@cornwall.example").await;
    assert_eq!(
        outsider
            .get(&format!("/partnerships/{id}/swot"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/swot"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = outsider
        .post_form(
            &format!("/partnerships/{id}/swot"),
            &[("quadrant", "threats"), ("text", "Hijack")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for action in ["vote", "unvote", "delete"] {
        assert_eq!(
            outsider
                .post_form(&format!("/partnerships/{id}/swot/{item}/{action}"), &[])
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{action}"
        );
    }

    let api = app.api_as("officer@cornwall.example").await;
    let base = format!("/api/v1/partnerships/{id}/swot");
    let (status, _, content_type) = api.get(&base).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    assert_eq!(
        app.api().get(&base).await.0,
        StatusCode::NOT_FOUND,
        "no token"
    );
    assert_eq!(
        api.post(&base, json!({"quadrant": "threats", "text": "Hijack"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post(&format!("{base}/{item}/vote"), json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api_delete(&api, &format!("{base}/{item}/vote")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api_delete(&api, &format!("{base}/{item}")).await.0,
        StatusCode::NOT_FOUND
    );
    // Not visible comes first: without a token a partners-only board is not found (not 401).
    assert_eq!(
        app.api()
            .post(&base, json!({"quadrant": "threats", "text": "Hijack"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // An item is only reachable through its own partnership, even for members of both.
    assert_eq!(
        bir.post_form(&format!("/partnerships/{other}/swot/{item}/delete"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bir_api
            .post(
                &format!("/api/v1/partnerships/{other}/swot/{item}/vote"),
                json!({})
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api_delete(
            &bir_api,
            &format!("/api/v1/partnerships/{other}/swot/{item}")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // A path parameter that is not a number is a 400 problem, as on every API route (`api::Path`).
    let (status, problem, content_type) =
        bir_api.get("/api/v1/partnerships/not-a-number/swot").await;
    assert_eq!(
        (status, content_type.as_str(), &problem["type"]),
        (
            StatusCode::BAD_REQUEST,
            "application/problem+json",
            &json!("/problems/bad-request")
        )
    );
    assert_eq!(
        (app.count("swot_items"), app.count("swot_votes")),
        (items, votes)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn observers_and_onlookers_see_the_board_read_only() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("signed_in").await;
    let item = added(&app, id, "lead@birmingham.example", "threats", THREAT).await;

    // Birmingham makes Leeds an observer.
    as_person(
        &app,
        id,
        "lead@birmingham.example",
        Action::ManageMembership,
        |w| {
            let members = concord::partnerships::store::members(w.conn, w.record.id)?;
            let leeds = members
                .iter()
                .find(|m| m.organisation_code == "LDS")
                .expect("Leeds is a member");
            let change = MemberChange {
                role: MemberRole::Observer,
                contact: Default::default(),
            };
            concord::partnerships::members::store::update(w, leeds.id, &change)
        },
    )
    .await;

    // Cornwall sees a signed-in partnership but is not a member.
    for email in ["lead@leeds.example", "officer@cornwall.example"] {
        let b = app.signed_in(email).await;
        let (status, html) = b.get_text(&format!("/partnerships/{id}/swot")).await;
        assert_eq!(status, StatusCode::OK, "{email}");
        assert!(
            html.contains(THREAT) && html.contains("You can see this board, but only"),
            "{email}"
        );
        assert!(
            !html.contains("Add a threat")
                && !html.contains("/vote\"")
                && !html.contains("/delete\""),
            "{email} sees no forms"
        );
        let r = b
            .post_form(
                &format!("/partnerships/{id}/swot"),
                &[("quadrant", "threats"), ("text", "Observed")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email} adds");
        assert_eq!(
            b.post_form(&format!("/partnerships/{id}/swot/{item}/vote"), &[])
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{email} votes"
        );
        assert_eq!(
            b.post_form(&format!("/partnerships/{id}/swot/{item}/delete"), &[])
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{email} deletes"
        );

        let api = app.api_as(email).await;
        let base = format!("/api/v1/partnerships/{id}/swot");
        let items = board(&api, id).await;
        assert_eq!((items.len(), &items[0]["can_delete"]), (1, &json!(false)));
        let (status, problem, _) = api
            .post(&base, json!({"quadrant": "threats", "text": "Observed"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert_eq!(
            api.post(&format!("{base}/{item}/vote"), json!({})).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api_delete(&api, &format!("{base}/{item}")).await.0,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!((app.count("swot_items"), app.count("swot_votes")), (1, 0));
    // Signed-out visitors do not see a signed-in partnership at all.
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/swot"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_adds_lists_votes_and_deletes() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let lds = app.api_as("lead@leeds.example").await;
    let bir = app.api_as("lead@birmingham.example").await;
    let base = format!("/api/v1/partnerships/{id}/swot");

    let (status, item, _) = lds
        .post(
            &base,
            json!({"quadrant": "opportunities", "text": format!("  {OPPORTUNITY} ")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    assert_eq!(
        (&item["quadrant"], &item["text"], &item["organisation_code"]),
        (&json!("opportunities"), &json!(OPPORTUNITY), &json!("LDS"))
    );
    assert_eq!(
        (&item["votes"], &item["voted"], &item["can_delete"]),
        (&json!(0), &json!(false), &json!(true))
    );
    let opportunity = item["id"].as_i64().unwrap();
    let (status, strength, _) = bir
        .post(&base, json!({"quadrant": "strengths", "text": STRENGTH}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let strength = strength["id"].as_i64().unwrap();

    let (status, after, _) = lds
        .post(&format!("{base}/{strength}/vote"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&after["votes"], &after["voted"]),
        (&json!(1), &json!(true))
    );
    let (_, again, _) = lds
        .post(&format!("{base}/{strength}/vote"), json!({}))
        .await;
    assert_eq!(again["votes"], json!(1), "one vote per person per item");
    let (_, after, _) = bir
        .post(&format!("{base}/{strength}/vote"), json!({}))
        .await;
    assert_eq!(after["votes"], json!(2));
    assert_eq!(app.count("swot_votes"), 2);

    let items = board(&lds, id).await;
    assert_eq!(
        items
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![strength, opportunity],
        "most votes first"
    );
    assert_eq!(
        (
            &items[0]["voted"],
            &items[0]["can_delete"],
            &items[1]["can_delete"]
        ),
        (&json!(true), &json!(false), &json!(true))
    );
    let (_, after) = api_delete(&lds, &format!("{base}/{strength}/vote")).await;
    assert_eq!(
        (&after["votes"], &after["voted"]),
        (&json!(1), &json!(false))
    );
    let (status, after) = api_delete(&lds, &format!("{base}/{strength}/vote")).await;
    assert_eq!(
        (status, &after["votes"]),
        (StatusCode::OK, &json!(1)),
        "withdrawing twice changes nothing"
    );

    assert_eq!(
        api_delete(&lds, &format!("{base}/{strength}")).await.0,
        StatusCode::FORBIDDEN,
        "not Leeds' item, and Leeds is not the lead"
    );
    lds.post(&format!("{base}/{opportunity}/vote"), json!({}))
        .await;
    assert_eq!(
        api_delete(&bir, &format!("{base}/{opportunity}")).await.0,
        StatusCode::NO_CONTENT,
        "the lead may delete anyone's item"
    );
    assert_eq!(
        api_delete(&bir, &format!("{base}/{opportunity}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!((app.count("swot_items"), app.count("swot_votes")), (1, 1));

    let (_, history) = app
        .signed_in("lead@birmingham.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await;
    for action in [
        "partnership.swot.add",
        "partnership.swot.vote",
        "partnership.swot.unvote",
        "partnership.swot.delete",
    ] {
        assert_eq!(
            history.matches(action).count(),
            match action {
                "partnership.swot.add" => 2,
                "partnership.swot.vote" => 3,
                _ => 1,
            },
            "{action}"
        );
    }

    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    for (path, method) in [
        ("/api/v1/partnerships/{id}/swot", "get"),
        ("/api/v1/partnerships/{id}/swot", "post"),
        ("/api/v1/partnerships/{id}/swot/{item}/vote", "post"),
        ("/api/v1/partnerships/{id}/swot/{item}/vote", "delete"),
        ("/api/v1/partnerships/{id}/swot/{item}", "delete"),
    ] {
        assert!(
            doc["paths"][path].get(method).is_some(),
            "{method} {path} in OpenAPI"
        );
    }
    assert!(doc["components"]["schemas"].get("SwotItem").is_some());
    assert_eq!(
        doc["components"]["schemas"]["SwotDraft"]["properties"]["quadrant"]["$ref"],
        json!("#/components/schemas/Quadrant"),
        "the document lists the quadrants"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn swot_answers_404_then_401_then_403_in_that_order() {
    let app = TestApp::with_reference_data().await;
    let hidden = app.partnership("partners").await;
    let public = app.partnership("public").await;
    let item = added(&app, public, "lead@birmingham.example", "threats", THREAT).await;
    // Signing in and making tokens are audited too; only the partnerships' history counts here.
    let written = || {
        (
            app.count("swot_items"),
            app.count("swot_votes"),
            app.count("audit_log WHERE entity_type = 'partnership'"),
        )
    };
    let before = written();
    let outsider = "officer@cornwall.example";
    let new_item = json!({"quadrant": "threats", "text": "Hijack"});
    // Access is judged before the body: even a body that breaks every rule gets the same answer.
    let broken = json!({"quadrant": "picnic", "text": ""});

    // Partners only: nobody outside sees it, signed in or not.
    let page = format!("/partnerships/{hidden}/swot");
    let base = format!("/api/v1/partnerships/{hidden}/swot");
    for (who, browser, api) in [
        ("anonymous", app.client(), app.api()),
        (
            outsider,
            app.signed_in(outsider).await,
            app.api_as(outsider).await,
        ),
    ] {
        assert_eq!(
            browser.get(&page).await.status(),
            StatusCode::NOT_FOUND,
            "{who} page"
        );
        for body in [&new_item, &broken] {
            let (status, _, content_type) = api.post(&base, body.clone()).await;
            assert_eq!(
                (status, content_type.as_str()),
                (StatusCode::NOT_FOUND, "application/problem+json"),
                "{who} API {body}"
            );
        }
    }
    let outsider_page = app.signed_in(outsider).await;
    assert_eq!(
        outsider_page
            .post_form(&page, &[("quadrant", "threats"), ("text", "Hijack")])
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "the outsider's form"
    );

    // Public: everyone sees it; signed out may not change it (401), an outsider signed in may not either (403).
    let page = format!("/partnerships/{public}/swot");
    let base = format!("/api/v1/partnerships/{public}/swot");
    assert_eq!(app.client().get(&page).await.status(), StatusCode::OK);
    // The page's answer to "sign in first" is the sign-in page.
    let r = app
        .client()
        .post_form(&page, &[("quadrant", "threats"), ("text", "Hijack")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the anonymous form");
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in"),
        "{:?}",
        r.headers()["location"]
    );
    for body in [&new_item, &broken] {
        let (status, problem, content_type) = app.api().post(&base, body.clone()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::UNAUTHORIZED, "application/problem+json"),
            "anonymous API {body}: {problem}"
        );
    }
    assert_eq!(
        app.api()
            .post(&format!("{base}/{item}/vote"), json!({}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let api = app.api_as(outsider).await;
    for body in [&new_item, &broken] {
        let (status, problem, content_type) = api.post(&base, body.clone()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::FORBIDDEN, "application/problem+json"),
            "outsider API {body}: {problem}"
        );
    }
    assert_eq!(
        api_delete(&api, &format!("{base}/{item}")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider_page
            .post_form(&page, &[("quadrant", "threats"), ("text", "Hijack")])
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "the outsider's form"
    );
    assert_eq!(
        press(&outsider_page, public, item, "vote").await.status(),
        StatusCode::FORBIDDEN,
        "the outsider's vote"
    );
    assert_eq!(written(), before, "nothing is written");
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
