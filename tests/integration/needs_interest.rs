//! Interest in a need: organisations watch, contribute or co-fund with a
//! pledge; the owner answers and posts updates that reach them; pledges
//! pool against a target with a split; and one action turns the need into
//! a partnership with its partners invited and pledges as cost shares.
//! Outsiders see and change nothing; each organisation changes only its own.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{field_errors, TestApp};

const CON_OFFICER: &str = "officer@cornwall.example";
const LDS_LEAD: &str = "lead@leeds.example";
const BIR_OFFICER: &str = "officer@birmingham.example";

/// Cornwall lists a need others may see (or only its own people).
async fn cornwall_need(app: &TestApp, visibility: &str) -> i64 {
    let (status, body, _) = app
        .api_as(CON_OFFICER)
        .await
        .post(
            "/api/v1/needs",
            json!({
                "title": "Report a missed bin online",
                "problem": "Residents phone us when bins are missed; we want them to report it online.",
                "phase": "discovery",
                "collaboration": ["share_funding", "co_develop"],
                "services": [524],
                "visibility": visibility,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// What a person's inbox says, one title per notification.
async fn inbox(app: &TestApp, email: &str) -> Vec<String> {
    let (status, body, _) = app.api_as(email).await.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_co_funder_pledges_is_accepted_hears_updates_and_the_need_becomes_a_partnership() {
    let app = TestApp::with_reference_data().await;
    let need = cornwall_need(&app, "signed_in").await;
    let leeds_member = app.account("LDS", concord::policy::Role::Member).await;
    let leeds = app.api_as(LDS_LEAD).await;
    let cornwall = app.api_as(CON_OFFICER).await;

    // Leeds offers to co-fund with £40,000.
    let (status, interest, _) = leeds
        .post(
            &format!("/api/v1/needs/{need}/interest"),
            json!({ "kind": "co_funder", "pledge_pence": 40_000_00, "note": "We have budget this year" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{interest}");
    assert_eq!(interest["status"], "pending");
    assert_eq!(interest["organisation"]["code"], "LDS");
    let iid = interest["id"].as_i64().unwrap();
    // The owner's people are told it arrived.
    assert!(
        inbox(&app, CON_OFFICER)
            .await
            .iter()
            .any(|t| t.contains("Report a missed bin online") && t.contains("expressed interest")),
        "{:?}",
        inbox(&app, CON_OFFICER).await
    );

    // Cornwall sets a target of £100,000 and accepts, by page.
    let (status, funding) = cornwall
        .send(
            Method::PUT,
            &format!("/api/v1/needs/{need}/funding"),
            Some(json!({ "target_pence": 100_000_00 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{funding}");
    assert_eq!(funding["pledged_pence"], 0, "nothing counts until accepted");
    let owner = app.signed_in(CON_OFFICER).await;
    let r = owner
        .post_form(
            &format!("/needs/{need}/interest/{iid}/answer"),
            &[("decision", "accepted")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = owner.get_text(&at).await;
    assert!(page.contains("Interest accepted"), "the banner says so");
    assert!(page.contains("Leeds") && page.contains("£40,000") && page.contains("Accepted"));
    for person in [LDS_LEAD, leeds_member.as_str()] {
        assert!(
            inbox(&app, person)
                .await
                .iter()
                .any(|t| t.contains("your organisation's interest was accepted")),
            "{person} is told"
        );
    }
    let (_, funding, _) = leeds.get(&format!("/api/v1/needs/{need}/funding")).await;
    assert_eq!(funding["pledged_pence"], 40_000_00);
    assert_eq!(funding["remaining_pence"], 60_000_00);

    // An update reaches every person of the accepted organisation.
    let (status, update, _) = cornwall
        .post(
            &format!("/api/v1/needs/{need}/updates"),
            json!({ "body": "Discovery interviews start in March." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{update}");
    for person in [LDS_LEAD, leeds_member.as_str()] {
        assert!(
            inbox(&app, person)
                .await
                .iter()
                .any(|t| t.contains("Discovery interviews start in March")),
            "{person} hears the update"
        );
    }
    let (_, updates, _) = leeds.get(&format!("/api/v1/needs/{need}/updates")).await;
    assert_eq!(updates[0]["body"], "Discovery interviews start in March.");

    // The split: by what each puts in, equally, and by population.
    let (status, split, _) = leeds
        .get(&format!("/api/v1/needs/{need}/funding/split?method=shares"))
        .await;
    assert_eq!(status, StatusCode::OK, "{split}");
    let rows: Vec<(String, i64, i64)> = split["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["organisation"]["code"].as_str().unwrap().to_string(),
                r["share_bp"].as_i64().unwrap(),
                r["amount_pence"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("CON".to_string(), 6000, 60_000_00),
            ("LDS".to_string(), 4000, 40_000_00)
        ]
    );
    let (_, equal, _) = leeds
        .get(&format!("/api/v1/needs/{need}/funding/split?method=equal"))
        .await;
    assert_eq!(equal["rows"][0]["amount_pence"], 50_000_00);
    let (status, by_population, _) = leeds
        .get(&format!(
            "/api/v1/needs/{need}/funding/split?method=population"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{by_population}");
    let sum: i64 = by_population["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount_pence"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 100_000_00, "nothing lost to rounding");
    let (status, bad, _) = leeds
        .get(&format!(
            "/api/v1/needs/{need}/funding/split?method=biggest"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&bad)[0].0, "method");
    // The page shows the same split without JavaScript.
    let (_, page) = owner
        .get_text(&format!("/needs/{need}?method=shares"))
        .await;
    assert!(page.contains("The target split by agreed shares") && page.contains("60%"));

    // Leeds may not convert it; Cornwall does, once.
    let (status, _, _) = leeds
        .post(&format!("/api/v1/needs/{need}/convert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, done, _) = cornwall
        .post(&format!("/api/v1/needs/{need}/convert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let pid = done["partnership_id"].as_i64().unwrap();
    assert_eq!(done["link"], format!("/partnerships/{pid}"));
    let (status, p, _) = cornwall.get(&format!("/api/v1/partnerships/{pid}")).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["name"], "Report a missed bin online");
    assert!(p["purpose"].as_str().unwrap().contains("report it online"));
    let (_, members, _) = cornwall
        .get(&format!("/api/v1/partnerships/{pid}/members"))
        .await;
    let members: Vec<(String, String, String, Option<i64>)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organisation_code"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
                m["status"].as_str().unwrap().to_string(),
                m["cost_share_bp"].as_i64(),
            )
        })
        .collect();
    assert!(members.contains(&("CON".into(), "lead".into(), "active".into(), Some(6000))));
    assert!(members.contains(&("LDS".into(), "partner".into(), "invited".into(), Some(4000))));
    // Leeds's admin is asked, and answers as for any invitation.
    assert!(inbox(&app, LDS_LEAD)
        .await
        .iter()
        .any(|t| t.contains("invited to join")));
    let (status, _, _) = leeds
        .post(
            &format!("/api/v1/partnerships/{pid}/respond"),
            json!({ "answer": "accept" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The need is closed and links to the partnership; again is refused.
    let (_, shown, _) = cornwall.get(&format!("/api/v1/needs/{need}")).await;
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["partnership_id"], pid);
    let (_, page) = owner.get_text(&format!("/needs/{need}")).await;
    assert!(page.contains(&format!("/partnerships/{pid}")));
    let (status, again, _) = cornwall
        .post(&format!("/api/v1/needs/{need}/convert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(again["detail"]
        .as_str()
        .unwrap()
        .contains("already become a partnership"));
    let r = owner
        .post_form(&format!("/needs/{need}/convert"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("already become a partnership"));
    assert_eq!(app.count("partnerships"), 1);
    // Every step is in the audit trail.
    let actions: Vec<String> = {
        use concord::db::schema::audit_log;
        use diesel::prelude::*;
        app.db()
            .read_blocking(|c| {
                Ok(audit_log::table
                    .filter(audit_log::scope_type.eq("need"))
                    .filter(audit_log::scope_id.eq(need))
                    .order(audit_log::id)
                    .select(audit_log::action)
                    .load::<String>(c)?)
            })
            .unwrap()
    };
    for action in [
        "need.interest.express",
        "need.funding.target",
        "need.interest.accept",
        "need.update.post",
        "need.convert",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pledges_are_checked_and_the_page_says_what_is_wrong() {
    let app = TestApp::with_reference_data().await;
    let need = cornwall_need(&app, "signed_in").await;
    let leeds = app.api_as(LDS_LEAD).await;
    let path = format!("/api/v1/needs/{need}/interest");
    for (body, says) in [
        (json!({ "kind": "co_funder" }), "Enter how much"),
        (
            json!({ "kind": "co_funder", "pledge_pence": -100 }),
            "more than £0",
        ),
        (
            json!({ "kind": "co_funder", "pledge_pence": 0 }),
            "more than £0",
        ),
        (
            json!({ "kind": "watcher", "pledge_pence": 500 }),
            "Only co-funders pledge",
        ),
    ] {
        let (status, problem, _) = leeds.post(&path, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = field_errors(&problem);
        assert_eq!(errors[0].0, "pledge_pence", "{body}");
        assert!(errors[0].1.contains(says), "{body}: {errors:?}");
    }
    let (status, problem, _) = leeds.post(&path, json!({ "kind": "sponsor" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&problem)[0].0, "kind");
    assert_eq!(app.count("need_interests"), 0, "nothing half-written");

    // By page: a GOV.UK error summary, with what was typed kept.
    let page = app.signed_in(LDS_LEAD).await;
    let r = page
        .post_form(
            &format!("/needs/{need}/interest"),
            &[("kind", "co_funder"), ("pledge", "lots"), ("note", "Keen")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text().await.unwrap();
    assert!(text.contains("There is a problem") && text.contains("href=\"#pledge\""));
    assert!(text.contains("is not an amount in pounds") && text.contains("Keen"));
    let r = page
        .post_form(
            &format!("/needs/{need}/interest"),
            &[("kind", "watcher"), ("pledge", "100")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Only co-funders pledge"));
    let r = page
        .post_form(
            &format!("/needs/{need}/interest"),
            &[("kind", "contributor"), ("note", "We built one")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, shown) = page
        .get_text(r.headers()["location"].to_str().unwrap())
        .await;
    assert!(
        shown.contains("Your organisation&#x27;s interest is recorded")
            || shown.contains("interest is recorded")
    );
    assert!(shown.contains("Contributor") && shown.contains("Waiting for an answer"));

    // Saying it again changes the one interest; it stays one row.
    let (status, changed, _) = leeds
        .post(
            &path,
            json!({ "kind": "co_funder", "pledge_pence": 5_000_00 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{changed}");
    assert_eq!(app.count("need_interests"), 1);
    assert_eq!(changed["kind"], "co_funder");
    let iid = changed["id"].as_i64().unwrap();
    // The interested organisation changes its pledge, then withdraws.
    let one = format!("/api/v1/needs/{need}/interest/{iid}");
    let (status, body) = leeds
        .send(Method::PUT, &one, Some(json!({ "pledge_pence": 7_500_00 })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["pledge_pence"], 7_500_00);
    let (status, body) = leeds
        .send(Method::PUT, &one, Some(json!({ "pledge_pence": -1 })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = leeds
        .send(Method::PUT, &one, Some(json!({ "status": "withdrawn" })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "withdrawn");
    // An empty update and a target of nothing are refused.
    let cornwall = app.api_as(CON_OFFICER).await;
    let (status, problem, _) = cornwall
        .post(
            &format!("/api/v1/needs/{need}/updates"),
            json!({ "body": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&problem)[0].0, "body");
    let (status, _) = cornwall
        .send(
            Method::PUT,
            &format!("/api/v1/needs/{need}/funding"),
            Some(json!({ "target_pence": 0 })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Converting with nobody accepted is refused, saying why.
    let (status, problem, _) = cornwall
        .post(&format!("/api/v1/needs/{need}/convert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Accept at least one"));
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_see_nothing_and_each_organisation_changes_only_its_own() {
    let app = TestApp::with_reference_data().await;
    let hidden = cornwall_need(&app, "organisation").await;
    let open = cornwall_need(&app, "signed_in").await;
    let pledge = json!({ "kind": "co_funder", "pledge_pence": 1_000_00 });

    // Organisation-only: another council's people and the signed-out get
    // 404 by API and page, and nothing is written.
    for caller in [app.api_as(LDS_LEAD).await, app.api()] {
        for path in [
            format!("/api/v1/needs/{hidden}/interest"),
            format!("/api/v1/needs/{hidden}/updates"),
            format!("/api/v1/needs/{hidden}/funding/split?method=equal"),
        ] {
            let (status, _, _) = caller.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        let (status, _, _) = caller
            .post(&format!("/api/v1/needs/{hidden}/interest"), pledge.clone())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = caller
            .post(&format!("/api/v1/needs/{hidden}/convert"), json!({}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let r = app
        .signed_in(LDS_LEAD)
        .await
        .post_form(
            &format!("/needs/{hidden}/interest"),
            &[("kind", "co_funder"), ("pledge", "1000")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .signed_in(LDS_LEAD)
        .await
        .get(&format!("/needs/{hidden}/convert"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("need_interests"), 0);

    // Signed out, a signed-in need is not there at all; a public one asks
    // to sign in before anything changes.
    let (status, _, _) = app
        .api()
        .post(&format!("/api/v1/needs/{open}/interest"), pledge.clone())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let public = cornwall_need(&app, "public").await;
    let (status, _, _) = app
        .api()
        .post(&format!("/api/v1/needs/{public}/interest"), pledge.clone())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, list, _) = app
        .api()
        .get(&format!("/api/v1/needs/{public}/interest"))
        .await;
    assert_eq!((status, list), (StatusCode::OK, json!([])));

    // Its own organisation may not express interest in its own need.
    let (status, _, _) = app
        .api_as(CON_OFFICER)
        .await
        .post(&format!("/api/v1/needs/{open}/interest"), pledge.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Leeds pledges; Birmingham (another non-owner) cannot answer, change,
    // withdraw it or convert the need; the owner cannot change the pledge.
    let (_, interest, _) = app
        .api_as(LDS_LEAD)
        .await
        .post(&format!("/api/v1/needs/{open}/interest"), pledge.clone())
        .await;
    let iid = interest["id"].as_i64().unwrap();
    let one = format!("/api/v1/needs/{open}/interest/{iid}");
    let bir = app.api_as(BIR_OFFICER).await;
    for body in [
        json!({ "status": "accepted" }),
        json!({ "pledge_pence": 1 }),
        json!({ "status": "withdrawn" }),
    ] {
        let (status, _) = bir.send(Method::PUT, &one, Some(body.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let r = app
        .signed_in(BIR_OFFICER)
        .await
        .post_form(
            &format!("/needs/{open}/interest/{iid}/answer"),
            &[("decision", "accepted")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .signed_in(BIR_OFFICER)
        .await
        .post_form(&format!("/needs/{open}/interest/{iid}/withdraw"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _, _) = bir
        .post(&format!("/api/v1/needs/{open}/convert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = bir
        .post(
            &format!("/api/v1/needs/{open}/updates"),
            json!({ "body": "Hello" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cornwall = app.api_as(CON_OFFICER).await;
    let (status, _) = cornwall
        .send(
            Method::PUT,
            &one,
            Some(json!({ "pledge_pence": 99_000_00 })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the owner answers; it does not change a pledge"
    );
    // Birmingham sees no pending interest of Leeds, nor its note.
    let (_, seen, _) = bir.get(&format!("/api/v1/needs/{open}/interest")).await;
    assert_eq!(seen, json!([]));
    let (_, seen, _) = app
        .api_as(LDS_LEAD)
        .await
        .get(&format!("/api/v1/needs/{open}/interest"))
        .await;
    assert_eq!(seen[0]["pledge_pence"], 1_000_00, "Leeds sees its own");
    // Nothing changed.
    let (_, seen, _) = cornwall
        .get(&format!("/api/v1/needs/{open}/interest"))
        .await;
    assert_eq!(seen[0]["status"], "pending");
    assert_eq!(seen[0]["pledge_pence"], 1_000_00);
    assert_eq!(app.count("need_updates"), 0);
    assert_eq!(app.count("partnerships"), 0);
}

/// Interest unanswered for 14 days reminds the owner's people, once.
#[tokio::test(flavor = "multi_thread")]
async fn interest_left_unanswered_reminds_the_owner_once() {
    let app = TestApp::with_reference_data().await;
    let need = cornwall_need(&app, "signed_in").await;
    let (status, _, _) = app
        .api_as(LDS_LEAD)
        .await
        .post(
            &format!("/api/v1/needs/{need}/interest"),
            json!({ "kind": "watcher" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let db = app.db().clone();
    let today = crate::common::today();
    let send = move |day: chrono::NaiveDate| {
        let db = db.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                concord::needs::interest::reminders::send(&db, day).unwrap()
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(send(today + chrono::Duration::days(13)).await, 0, "not yet");
    assert_eq!(
        send(today + chrono::Duration::days(14)).await,
        1,
        "Cornwall's one person"
    );
    assert_eq!(send(today + chrono::Duration::days(15)).await, 0, "once");
    assert!(inbox(&app, CON_OFFICER)
        .await
        .iter()
        .any(|t| t.contains("Leeds") && t.contains("waited since")));
}
