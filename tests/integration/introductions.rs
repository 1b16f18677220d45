//! Brokered introductions: a broker (the LGA in the demo data) introduces
//! councils, each answers for itself, an accepted introduction becomes a
//! partnership, and the broker's dashboard counts it. Only the broker and
//! the parties ever see one — by page, API, list or notification.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{field_errors, TestApp};
use concord::policy::Role;

const BIR_LEAD: &str = "lead@birmingham.example";
const BIR_OFFICER: &str = "officer@birmingham.example";
const LDS_LEAD: &str = "lead@leeds.example";
const CON_OFFICER: &str = "officer@cornwall.example";
const PLATFORM_ADMIN: &str = "admin@concord.example";

/// Notifications about introductions a person has.
fn told(app: &TestApp, email: &str) -> i64 {
    app.count(&format!(
        "notifications n JOIN users u ON u.id = n.user_id \
         WHERE n.subject_type = 'introduction' AND u.email = '{email}'"
    ))
}

/// A member of the LGA (a broker in the demo data).
async fn broker(app: &TestApp) -> String {
    app.account("LGA", Role::Member).await
}

async fn proposed(app: &TestApp, broker: &str) -> i64 {
    let (status, body, _) = app
        .api_as(broker)
        .await
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["BIR", "Leeds City Council"], "note": "You both want a shared revenues service." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_introduces_two_councils_who_accept_and_become_a_partnership() {
    let app = TestApp::with_reference_data().await;
    let broker = broker(&app).await;

    // Proposed by page, with a clear error first.
    let page = app.signed_in(&broker).await;
    let (status, form) = page.get_text("/introductions/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Propose an introduction"));
    let r = page
        .post_form(
            "/introductions/new",
            &[
                ("parties", "BIR\nNOSUCH"),
                ("note", ""),
                ("need_id", "twelve"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(
        html.contains("No organisation has the code or name &#39;NOSUCH&#39;")
            || html.contains("No organisation has the code or name 'NOSUCH'")
    );
    assert!(
        html.contains("Enter the need&#39;s number") || html.contains("Enter the need's number")
    );
    assert!(html.contains("Enter a note saying why"));
    let r = page
        .post_form(
            "/introductions/new",
            &[
                ("parties", "BIR\nLeeds City Council"),
                ("note", "You both want a shared revenues service."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("?done=proposed"), "{to}");
    let id: i64 = to
        .trim_start_matches("/introductions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, shown) = page.get_text(&to).await;
    assert!(
        shown.contains("govuk-notification-banner--success")
            && shown.contains("Introduction proposed")
    );
    assert!(shown.contains("Birmingham City Council and Leeds City Council"));

    // Both councils' people are told; the third council is not; the broker is not told of its own proposal.
    assert!(told(&app, BIR_LEAD) >= 1 && told(&app, BIR_OFFICER) >= 1);
    assert_eq!(told(&app, LDS_LEAD), 1);
    assert_eq!(told(&app, CON_OFFICER), 0);
    assert_eq!(told(&app, &broker), 0);
    // The home page sends Leeds to answer it.
    let leeds = app.signed_in(LDS_LEAD).await;
    let (_, home) = leeds.get_text("/").await;
    assert!(home.contains("1 introduction waits for your organisation"));

    // Leeds accepts by page.
    let (_, mine) = leeds.get_text(&format!("/introductions/{id}")).await;
    assert!(mine.contains("Your organisation's answer"));
    let r = leeds
        .post_form(&format!("/introductions/{id}/respond"), &[])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no answer given"
    );
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Select whether your organisation accepts or declines"));
    let r = leeds
        .post_form(
            &format!("/introductions/{id}/respond"),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, after) = leeds
        .get_text(r.headers()["location"].to_str().unwrap())
        .await;
    assert!(after.contains("You accepted the introduction"));
    assert!(
        !after.contains("Your organisation's answer"),
        "one answer per organisation"
    );
    assert_eq!(told(&app, &broker), 1, "the broker hears of the answer");

    // Birmingham accepts by API: everyone has, so it is accepted.
    let bir = app.api_as(BIR_LEAD).await;
    let (status, body, _) = bir
        .post(
            &format!("/api/v1/introductions/{id}/response"),
            json!({ "answer": "accept" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(told(&app, &broker), 2);

    // Converted by Birmingham into a partnership that Birmingham leads.
    let (status, problem, _) = bir
        .post(
            &format!("/api/v1/introductions/{id}/convert"),
            json!({ "into": "partnership", "lead": "CON", "name": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = field_errors(&problem).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["lead", "name"],
        "a lead from outside the parties is refused"
    );
    let (status, made, _) = bir
        .post(
            &format!("/api/v1/introductions/{id}/convert"),
            json!({ "into": "partnership", "lead": "BIR", "name": "Revenues together" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["introduction"]["status"], "converted");
    let pid = made["partnership_id"].as_i64().unwrap();
    let (status, p, _) = bir.get(&format!("/api/v1/partnerships/{pid}")).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let member = |code: &str| {
        p["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["organisation_code"] == code)
            .map(|m| (m["role"].clone(), m["status"].clone()))
    };
    assert_eq!(member("BIR"), Some((json!("lead"), json!("active"))));
    assert_eq!(member("LDS"), Some((json!("partner"), json!("invited"))));
    assert_eq!(p["name"], "Revenues together");
    assert_eq!(told(&app, &broker), 3, "the broker hears of the conversion");
    let (status, _, _) = bir
        .post(
            &format!("/api/v1/introductions/{id}/convert"),
            json!({ "into": "partnership", "lead": "BIR", "name": "Again" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "converted once");

    // The dashboard counts it in this month, by API and page.
    let (status, d, _) = app
        .api_as(&broker)
        .await
        .get("/api/v1/introductions/dashboard")
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(
        d["totals"],
        json!({ "made": 1, "accepted": 1, "converted": 1 })
    );
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    assert_eq!(
        d["months"],
        json!([{ "month": month, "made": 1, "accepted": 1, "converted": 1 }])
    );
    assert_eq!(d["introductions"][0]["status"], "converted");
    let (status, html) = page.get_text("/introductions/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("Introductions by month"));
    assert!(html.contains("concord-table-scroll"));
    // A platform admin sees the counts of any broker.
    let (status, d, _) = app
        .api_as(PLATFORM_ADMIN)
        .await
        .get("/api/v1/introductions/dashboard?broker=LGA")
        .await;
    assert_eq!(
        (status, d["totals"]["made"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    // Audit entries land in the broker's trail.
    assert_eq!(
        app.count("audit_log WHERE entity_type = 'introduction' AND scope_type = 'introduction'"),
        4
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_brokers_propose_and_only_the_broker_and_parties_see_an_introduction() {
    let app = TestApp::with_reference_data().await;
    let broker = broker(&app).await;

    // Not a broker: 403 by API and page.
    let (status, _, _) = app
        .api_as(BIR_LEAD)
        .await
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["LDS", "CON"], "note": "Meet" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .signed_in(BIR_LEAD)
        .await
        .get_text("/introductions/new")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .api()
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["LDS", "CON"], "note": "Meet" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let id = proposed(&app, &broker).await;
    let path = format!("/api/v1/introductions/{id}");

    // Cornwall (a third council) and the signed-out get 404 for everything.
    let cornwall = app.api_as(CON_OFFICER).await;
    assert_eq!(cornwall.get(&path).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = cornwall
        .post(&format!("{path}/response"), json!({ "answer": "accept" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = cornwall
        .post(
            &format!("{path}/convert"),
            json!({ "into": "partnership", "lead": "BIR", "name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.api().get(&path).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .api()
        .post(&format!("{path}/response"), json!({ "answer": "accept" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let con_page = app.signed_in(CON_OFFICER).await;
    assert_eq!(
        con_page.get_text(&format!("/introductions/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let r = con_page
        .post_form(
            &format!("/introductions/{id}/respond"),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.client()
            .get_text(&format!("/introductions/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let signed_out = app.client().get("/introductions").await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER, "sign in first");
    assert_eq!(
        app.api().get("/api/v1/introductions").await.0,
        StatusCode::UNAUTHORIZED
    );

    // Nor does it show in Cornwall's lists or notifications; the parties' lists hold it.
    let (_, list, _) = cornwall.get("/api/v1/introductions").await;
    assert_eq!(list["total"], 0);
    let (_, html) = con_page.get_text("/introductions").await;
    assert!(!html.contains(&format!("/introductions/{id}\"")));
    assert_eq!(told(&app, CON_OFFICER), 0);
    let (_, notes, _) = cornwall.get("/api/v1/notifications").await;
    assert!(!notes.to_string().contains("/introductions/"));
    for email in [BIR_OFFICER, LDS_LEAD, broker.as_str()] {
        let (_, list, _) = app.api_as(email).await.get("/api/v1/introductions").await;
        assert_eq!(list["items"][0]["id"], id, "{email} sees it in their list");
    }
    // A party answers only for itself, and once.
    let leeds = app.api_as(LDS_LEAD).await;
    let (status, body, _) = leeds
        .post(
            &format!("{path}/response"),
            json!({ "answer": "decline", "reason": "Not this year", "organisation": "BIR" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = |code: &str| {
        body["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["organisation"]["code"] == code)
            .map(|p| p["status"].clone())
            .unwrap()
    };
    assert_eq!(
        (answer("LDS"), answer("BIR")),
        (json!("declined"), json!("pending"))
    );
    assert_eq!(body["status"], "declined");
    let (status, _, _) = leeds
        .post(&format!("{path}/response"), json!({ "answer": "accept" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The broker is not a party: it cannot answer.
    let (status, _, _) = app
        .api_as(&broker)
        .await
        .post(&format!("{path}/response"), json!({ "answer": "accept" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A declined introduction is not converted.
    let (status, _, _) = leeds
        .post(
            &format!("{path}/convert"),
            json!({ "into": "partnership", "lead": "LDS", "name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Other councils' dashboards are not theirs to see.
    let (status, _, _) = leeds
        .get("/api/v1/introductions/dashboard?broker=LGA")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem, _) = app
        .api_as(PLATFORM_ADMIN)
        .await
        .get("/api/v1/introductions/dashboard?broker=CON")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&problem)[0].1,
        "Cornwall Council is not a broker"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proposal_about_a_need_the_broker_may_not_see_is_refused() {
    let app = TestApp::with_reference_data().await;
    let broker = broker(&app).await;
    let bir = app.api_as(BIR_OFFICER).await;
    let need = |title: &str, visibility: &str| {
        json!({
            "title": title,
            "problem": "Residents phone us to report bins we missed.",
            "phase": "discovery",
            "collaboration": ["co_develop"],
            "services": [524],
            "visibility": visibility,
        })
    };
    let (_, hidden, _) = bir
        .post("/api/v1/needs", need("Our own bins", "organisation"))
        .await;
    let (_, open, _) = bir
        .post("/api/v1/needs", need("Missed bins", "signed_in"))
        .await;
    let api = app.api_as(&broker).await;
    for need_id in [hidden["id"].as_i64().unwrap(), 999_999] {
        let (status, problem, _) = api
            .post(
                "/api/v1/introductions",
                json!({ "parties": ["BIR", "LDS"], "note": "Meet", "need_id": need_id }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            field_errors(&problem),
            [(
                "need_id".to_string(),
                format!("There is no need {need_id} that you can see")
            )],
            "a hidden need reads as one that does not exist"
        );
    }
    let open_id = open["id"].as_i64().unwrap();
    let (status, made, _) = api
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["BIR", "LDS"], "note": "Meet", "need_id": open_id }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["need"]["title"], "Missed bins");
    // Everyone accepts; it becomes the need with Leeds as a contributor.
    let id = made["id"].as_i64().unwrap();
    for email in [BIR_LEAD, LDS_LEAD] {
        let (status, _, _) = app
            .api_as(email)
            .await
            .post(
                &format!("/api/v1/introductions/{id}/response"),
                json!({ "answer": "accept" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body, _) = api
        .post(
            &format!("/api/v1/introductions/{id}/convert"),
            json!({ "into": "need_with_partners" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["need_id"], open_id);
    assert_eq!(
        app.count(&format!(
            "need_interests i JOIN organisations o ON o.id = i.organisation_id \
             WHERE i.need_id = {open_id} AND o.code = 'LDS' AND i.kind = 'contributor' AND i.status = 'accepted'"
        )),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn platform_admins_mark_brokers_and_organisation_admins_may_not() {
    let app = TestApp::with_reference_data().await;
    let admin = app.api_as(PLATFORM_ADMIN).await;
    let (_, list, _) = app.api().get("/api/v1/brokers").await;
    assert_eq!(list[0]["organisation"]["code"], "LGA", "the demo's broker");

    let (status, _) = app
        .api_as(LDS_LEAD)
        .await
        .send(Method::PUT, "/api/v1/brokers/LDS", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .api()
        .send(Method::PUT, "/api/v1/brokers/LDS", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = app
        .signed_in(LDS_LEAD)
        .await
        .post_form("/admin/brokers", &[("code", "LDS")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let (status, body) = admin.send(Method::PUT, "/api/v1/brokers/LDS", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["organisation"]["name"], "Leeds City Council");
    let (status, _) = admin
        .send(Method::PUT, "/api/v1/brokers/NOSUCH", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Leeds may now propose.
    let (status, _, _) = app
        .api_as(LDS_LEAD)
        .await
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["BIR", "CON"], "note": "Meet" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = admin
        .send(Method::DELETE, "/api/v1/brokers/LDS", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin
        .send(Method::DELETE, "/api/v1/brokers/LDS", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .api_as(LDS_LEAD)
        .await
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["BIR", "CON"], "note": "Meet" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no longer a broker");

    // By page, with an error first and a banner after.
    let page = app.signed_in(PLATFORM_ADMIN).await;
    let r = page.post_form("/admin/brokers", &[("code", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("There is a problem"));
    let r = page
        .post_form("/admin/brokers", &[("code", "Cornwall Council")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page
        .get_text(r.headers()["location"].to_str().unwrap())
        .await;
    assert!(html.contains("CON is now a broker") && html.contains("Cornwall Council"));
    let r = page.post_form("/admin/brokers/CON/remove", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        (
            app.count("audit_log WHERE action = 'broker.grant'"),
            app.count("audit_log WHERE action = 'broker.revoke'")
        ),
        (3, 2),
        "the demo's LGA, Leeds and Cornwall granted; Leeds and Cornwall revoked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_the_introductions_api() {
    let app = TestApp::with_reference_data().await;
    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    for (path, method, success) in [
        ("/api/v1/introductions", "get", "200"),
        ("/api/v1/introductions", "post", "201"),
        ("/api/v1/introductions/{id}", "get", "200"),
        ("/api/v1/introductions/{id}/response", "post", "200"),
        ("/api/v1/introductions/{id}/convert", "post", "201"),
        ("/api/v1/introductions/dashboard", "get", "200"),
        ("/api/v1/brokers", "get", "200"),
        ("/api/v1/brokers/{code}", "put", "200"),
        ("/api/v1/brokers/{code}", "delete", "204"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op["responses"][success].is_object(), "{method} {path}");
    }
    let dashboard = &doc["paths"]["/api/v1/introductions/dashboard"]["get"]["responses"];
    assert!(dashboard["403"].is_object() && dashboard["422"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["IntroductionStatus"]["enum"],
        json!(["proposed", "accepted", "declined", "converted"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_need_the_broker_introduced_counts_as_converted_when_it_becomes_a_partnership() {
    let app = TestApp::with_reference_data().await;
    let broker = broker(&app).await;
    let cornwall = app.api_as(CON_OFFICER).await;
    let leeds = app.api_as(LDS_LEAD).await;
    let (status, need, _) = cornwall
        .post(
            "/api/v1/needs",
            json!({
                "title": "Report a missed bin online",
                "problem": "Residents phone us when bins are missed.",
                "phase": "discovery",
                "collaboration": ["share_funding"],
                "services": [524],
                "visibility": "signed_in",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{need}");
    let need = need["id"].as_i64().unwrap();
    let (status, intro, _) = app
        .api_as(&broker)
        .await
        .post(
            "/api/v1/introductions",
            json!({ "parties": ["CON", "LDS"], "note": "Same need, far apart.", "need_id": need }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{intro}");
    let id = intro["id"].as_i64().unwrap();
    for party in [&cornwall, &leeds] {
        let (status, body, _) = party
            .post(
                &format!("/api/v1/introductions/{id}/response"),
                json!({ "answer": "accept" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // Leeds co-funds through the need itself; Cornwall accepts and converts.
    let (status, interest, _) = leeds
        .post(
            &format!("/api/v1/needs/{need}/interest"),
            json!({ "kind": "co_funder", "pledge_pence": 10_000_00 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{interest}");
    let (status, _) = cornwall
        .send(
            Method::PUT,
            &format!("/api/v1/needs/{need}/interest/{}", interest["id"]),
            Some(json!({ "status": "accepted" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, made, _) = cornwall
        .post(&format!("/api/v1/needs/{need}/convert"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");

    // The broker made it happen: the introduction is converted into it.
    let (_, shown, _) = app
        .api_as(&broker)
        .await
        .get(&format!("/api/v1/introductions/{id}"))
        .await;
    assert_eq!(shown["status"], "converted", "{shown}");
    assert_eq!(shown["partnership_id"], made["partnership_id"]);
    let (_, d, _) = app
        .api_as(&broker)
        .await
        .get("/api/v1/introductions/dashboard")
        .await;
    assert_eq!(
        d["totals"],
        json!({ "made": 1, "accepted": 1, "converted": 1 })
    );
}
