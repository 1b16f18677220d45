//! Health check questionnaires and round settings: an organisation's admin
//! creates a questionnaire (page and API) and publishes versions; a round
//! keeps the version it started on; another organisation's people get
//! "not found" and its members "forbidden"; bad questionnaires are refused
//! naming the line or property; audit entries; a round's anonymity
//! threshold (never below 3) and divergence gap, used by its report.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{extract_between, field_errors, today, TestApp};
use concord::policy::Role;

const LEAD: &str = "lead@birmingham.example";
const MEMBER: &str = "officer@birmingham.example";
const OUTSIDER: &str = "officer@cornwall.example";
const OUTSIDE_ADMIN: &str = "lead@leeds.example";

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn ours() -> Value {
    json!({
        "name": "Birmingham shared services check",
        "factors": [
            {"name": "Trust", "description": "Relying on each other.",
             "statements": ["Partners do what they say.", "I can raise a problem."]},
            {"name": "Delivery", "statements": ["We deliver on time."]}
        ]
    })
}

/// Creates Birmingham's questionnaire by the API; returns its id.
async fn create(app: &TestApp) -> i64 {
    let (status, body, _) = app
        .api_as(LEAD)
        .await
        .post("/api/v1/questionnaires", ours())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn start_round(app: &TestApp, pid: i64, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"title": "Autumn", "opens_on": date(today()), "closes_on": date(today() + Duration::days(14))});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, body, _) = app
        .api_as(LEAD)
        .await
        .post(&format!("/api/v1/partnerships/{pid}/health-checks"), body)
        .await;
    (status, body)
}

#[tokio::test]
async fn a_round_keeps_the_version_it_started_on() {
    let app = TestApp::with_reference_data().await;
    let id = create(&app).await;
    let api = app.api_as(LEAD).await;
    let (status, q, _) = api.get(&format!("/api/v1/questionnaires/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{q}");
    assert_eq!(q["owner"], "Birmingham City Council");
    assert_eq!(q["versions"].as_array().unwrap().len(), 1);
    assert_eq!(q["versions"][0]["version"], 1);
    assert_eq!(q["versions"][0]["factors"][0]["name"], "Trust");
    // A factor named as one of Concord's keeps Concord's code (for the trend).
    assert_eq!(q["versions"][0]["factors"][0]["code"], "trust");
    // It is on the list the lead chooses from, after Concord's own.
    let (_, list, _) = api.get("/api/v1/questionnaires").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Concord partnership health check",
            "Birmingham shared services check"
        ]
    );

    let pid = app.partnership("partners").await;
    let (status, round) = start_round(&app, pid, json!({"questionnaire_id": id})).await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    assert_eq!(round["questionnaire_version"], 1);
    let rid = round["id"].as_i64().unwrap();
    let (_, invited, _) = api
        .post(
            &format!("/api/v1/health-checks/{rid}/invitations"),
            json!({"invitations": [{"email": "ann@leeds.example", "organisation": "LDS", "role": "leadership"}]}),
        )
        .await;
    let link = invited[0]["answer_url"].as_str().unwrap().to_string();
    let token = link.rsplit('/').next().unwrap().to_string();

    // Version 2: Trust's statements reworded, Delivery dropped, Learning added.
    let (status, v2, _) = api
        .post(
            &format!("/api/v1/questionnaires/{id}/versions"),
            json!({"factors": [
                {"name": "Trust", "statements": ["Partners keep their word."]},
                {"name": "Learning", "statements": ["We learn from mistakes."]}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["factors"][0]["code"], "trust");
    let (_, q, _) = api.get(&format!("/api/v1/questionnaires/{id}")).await;
    let versions: Vec<i64> = q["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1]);
    assert_eq!(q["versions"][1]["rounds"], 1, "the round is on version 1");
    assert_eq!(q["versions"][0]["rounds"], 0);
    // Version 1 is as it was.
    assert_eq!(
        q["versions"][1]["factors"][0]["statements"][0]["text"],
        "Partners do what they say."
    );

    // The round still asks version 1's statements, by page and by API.
    let (_, round, _) = api.get(&format!("/api/v1/health-checks/{rid}")).await;
    assert_eq!(round["questionnaire_version"], 1);
    let (status, html) = app.client().get_text(&format!("/health/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Partners do what they say."));
    assert!(html.contains("We deliver on time."));
    assert!(!html.contains("Partners keep their word."));
    // An answer to a version 2 statement is refused; version 1's is taken.
    let v2_statement = v2["factors"][0]["statements"][0]["id"].as_i64().unwrap();
    let v1_statement = q["versions"][1]["factors"][0]["statements"][0]["id"]
        .as_i64()
        .unwrap();
    let anon = app.api();
    let (status, _) = anon
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/health-responses/{token}"),
            Some(json!({"answers": [{"statement_id": v2_statement, "score": 4}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = anon
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/health-responses/{token}"),
            Some(json!({"answers": [{"statement_id": v1_statement, "score": 4}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A round started now uses version 2.
    let (_, later) = start_round(&app, pid, json!({"questionnaire_id": id})).await;
    assert_eq!(later["questionnaire_version"], 2);

    // The pages: the list, the questionnaire with both versions, version 1.
    let lead = app.signed_in(LEAD).await;
    let (status, html) = lead.get_text("/health/questionnaires").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Birmingham shared services check"));
    assert!(html.contains("Version 2 of 2"));
    let (status, html) = lead.get_text(&format!("/health/questionnaires/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Partners keep their word."));
    assert!(html.contains(&format!("/health/questionnaires/{id}/versions/1")));
    let (status, html) = lead
        .get_text(&format!("/health/questionnaires/{id}/versions/1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Partners do what they say."));
    assert!(html.contains("not the latest version"));
    assert_eq!(
        lead.get(&format!("/health/questionnaires/{id}/versions/3"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Audit entries, in words, in Birmingham's trail.
    let entries: Vec<(String, Option<String>)> = app
        .db()
        .read_blocking(move |c| {
            use concord::db::schema::audit_log as a;
            use diesel::prelude::*;
            Ok(a::table
                .filter(a::entity_type.eq("questionnaire"))
                .filter(a::entity_id.eq(id.to_string()))
                .order(a::id)
                .select((a::action, a::after_json))
                .load(c)?)
        })
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, ["questionnaire.create", "questionnaire.publish"]);
    assert!(entries[1]
        .1
        .as_deref()
        .unwrap()
        .contains("Partners keep their word."));
}

#[tokio::test]
async fn created_and_versioned_on_the_pages() {
    let app = TestApp::with_reference_data().await;
    let lead = app.signed_in(LEAD).await;
    let (status, html) = lead.get_text("/health/questionnaires").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Create a questionnaire"));
    // Starting from Concord's own fills the box with its factors.
    let concord_id: i64 = extract_between(
        &html,
        "<a class=\"govuk-link\" href=\"/health/questionnaires/",
        "\"",
    )
    .unwrap()
    .parse()
    .unwrap();
    let (status, html) = lead
        .get_text(&format!("/health/questionnaires/new?from={concord_id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("# Strategy"));
    assert!(html.contains("- The partnership has a clear purpose"));

    // Problems name their line, in the error summary and by the box.
    let bad = "- Orphan statement\n# Trust\n- Fine\n-\n# trust\n- Again\n# Empty\n";
    let r = lead
        .post_form(
            "/health/questionnaires/new",
            &[("name", "Ours"), ("factors", bad), ("from", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"));
    for words in [
        "Line 1: A statement must come after the name of its factor",
        "Line 4: Enter the statement",
        "Line 5: Two factors are called ‘trust’",
        "Line 7: Factor ‘Empty’ has no statements",
    ] {
        assert!(html.contains(words), "{words}");
    }
    assert!(html.contains("href=\"#factors\""));
    // No factors at all, and no name.
    let r = lead
        .post_form(
            "/health/questionnaires/new",
            &[("name", ""), ("factors", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter a name for the questionnaire"));
    assert!(html.contains("Add at least one factor"));

    let good = "# Trust\nRelying on each other.\n- Partners do what they say.\n\n# Delivery\n- We deliver on time.\n";
    let r = lead
        .post_form(
            "/health/questionnaires/new",
            &[("name", "Ours"), ("factors", good), ("from", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = extract_between(&to, "/health/questionnaires/", "?")
        .unwrap()
        .parse()
        .unwrap();
    // The same name again is refused.
    let r = lead
        .post_form(
            "/health/questionnaires/new",
            &[("name", "ours"), ("factors", good)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("already has a questionnaire called"));

    // The new version's form starts from the latest version.
    let (status, html) = lead
        .get_text(&format!("/health/questionnaires/{id}/versions/new"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("# Trust\nRelying on each other.\n- Partners do what they say."));
    let r = lead
        .post_form(
            &format!("/health/questionnaires/{id}/versions/new"),
            &[("factors", "# Trust\n- Partners keep their word.\n")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = lead.get_text(&format!("/health/questionnaires/{id}")).await;
    assert!(html.contains("Version 2, published"));
    assert!(html.contains("Partners keep their word."));
    // A bad version is refused, and version 2 stays the latest.
    let r = lead
        .post_form(
            &format!("/health/questionnaires/{id}/versions/new"),
            &[("factors", "# Trust\n")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Line 1: Factor ‘Trust’ has no statements"));

    // The lead picks it on the partnership's health check page.
    let pid = app.partnership("partners").await;
    let (_, html) = lead
        .get_text(&format!("/partnerships/{pid}/health-checks"))
        .await;
    assert!(html.contains("Ours (version 2)"));
}

#[tokio::test]
async fn outsiders_see_nothing_and_members_change_nothing() {
    let app = TestApp::with_reference_data().await;
    let id = create(&app).await;
    let outside_admin_of_a_third = app.account("MAN", Role::OrgAdmin).await;
    let v2 = json!({"factors": [{"name": "Trust", "statements": ["Changed."]}]});

    // Another organisation's people and admins: not found, by page and API.
    for who in [OUTSIDER, OUTSIDE_ADMIN, outside_admin_of_a_third.as_str()] {
        let page = app.signed_in(who).await;
        for path in [
            format!("/health/questionnaires/{id}"),
            format!("/health/questionnaires/{id}/versions/1"),
            format!("/health/questionnaires/{id}/versions/new"),
        ] {
            assert_eq!(
                page.get(&path).await.status(),
                StatusCode::NOT_FOUND,
                "{who} {path}"
            );
        }
        let r = page
            .post_form(
                &format!("/health/questionnaires/{id}/versions/new"),
                &[("factors", "# Trust\n- Changed.\n")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
        let api = app.api_as(who).await;
        let (status, _, _) = api.get(&format!("/api/v1/questionnaires/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        let (status, _, _) = api
            .post(&format!("/api/v1/questionnaires/{id}/versions"), v2.clone())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        let (_, list, _) = api.get("/api/v1/questionnaires").await;
        assert!(!list
            .to_string()
            .contains("Birmingham shared services check"));
        let (_, html) = page.get_text("/health/questionnaires").await;
        assert!(!html.contains("Birmingham shared services check"));
    }
    // Signed out: not found too.
    let (status, _, _) = app.api().get(&format!("/api/v1/questionnaires/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.client()
            .get(&format!("/health/questionnaires/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Birmingham's members see it but may not change it or create one.
    let member = app.signed_in(MEMBER).await;
    assert_eq!(
        member
            .get(&format!("/health/questionnaires/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    for path in [
        format!("/health/questionnaires/{id}/versions/new"),
        "/health/questionnaires/new".to_string(),
    ] {
        assert_eq!(
            member.get(&path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let r = member
        .post_form(
            "/health/questionnaires/new",
            &[("name", "Mine"), ("factors", "# Trust\n- Yes.\n")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let api = app.api_as(MEMBER).await;
    let (status, _, _) = api
        .post(&format!("/api/v1/questionnaires/{id}/versions"), v2.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = api.post("/api/v1/questionnaires", ours()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = member.get_text("/health/questionnaires").await;
    assert!(!html.contains("Create a questionnaire"));

    // Concord's own: everyone signed in sees it; only platform admins version it.
    let (_, list, _) = api.get("/api/v1/questionnaires").await;
    let concord = list[0]["id"].as_i64().unwrap();
    let (status, _, _) = app
        .api_as(OUTSIDER)
        .await
        .get(&format!("/api/v1/questionnaires/{concord}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .api()
        .get(&format!("/api/v1/questionnaires/{concord}"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app
        .api_as(LEAD)
        .await
        .post(
            &format!("/api/v1/questionnaires/{concord}/versions"),
            v2.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A platform admin may version an organisation's questionnaire.
    let (status, body, _) = app
        .api_as("admin@concord.example")
        .await
        .post(&format!("/api/v1/questionnaires/{id}/versions"), v2)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Nothing the outsiders tried was published.
    let (_, q, _) = app
        .api_as(LEAD)
        .await
        .get(&format!("/api/v1/questionnaires/{id}"))
        .await;
    assert_eq!(q["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_bad_questionnaire_is_refused_naming_the_property() {
    let app = TestApp::with_reference_data().await;
    let api = app.api_as(LEAD).await;
    let cases = [
        (
            json!({"name": "No factors", "factors": []}),
            "factors",
            "Add at least one factor",
        ),
        (
            json!({"name": "Empty statement", "factors": [{"name": "Trust", "statements": ["Fine.", "  "]}]}),
            "factors[0].statements[1]",
            "Enter the statement's words",
        ),
        (
            json!({"name": "Twice", "factors": [{"name": "Trust", "statements": ["A."]}, {"name": "TRUST", "statements": ["B."]}]}),
            "factors[1].name",
            "Two factors are called ‘TRUST’",
        ),
        (
            json!({"name": "No statements", "factors": [{"name": "Trust", "statements": []}]}),
            "factors[0].statements",
            "has no statements",
        ),
        (
            json!({"name": "", "factors": [{"name": "Trust", "statements": ["A."]}]}),
            "name",
            "Enter a name",
        ),
    ];
    for (body, field, words) in cases {
        let (status, problem, _) = api.post("/api/v1/questionnaires", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = field_errors(&problem);
        assert_eq!(errors.len(), 1, "{problem}");
        assert_eq!(errors[0].0, field, "{problem}");
        assert!(errors[0].1.contains(words), "{problem}");
    }
    let (status, _, _) = api
        .post(
            "/api/v1/questionnaires",
            json!({"name": "x", "factors": [], "extra": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A version with a duplicate factor is refused too, and nothing is published.
    let id = create(&app).await;
    let (status, problem, _) = api
        .post(
            &format!("/api/v1/questionnaires/{id}/versions"),
            json!({"factors": [{"name": "A", "statements": ["x"]}, {"name": "a", "statements": ["y"]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&problem)[0].0, "factors[1].name");
    let (_, q, _) = api.get(&format!("/api/v1/questionnaires/{id}")).await;
    assert_eq!(q["versions"].as_array().unwrap().len(), 1);
    assert_eq!(app.count("questionnaires"), 2);
}

/// Invites each (email, organisation) and answers every statement of the
/// round's first factor with `score`.
async fn answered(app: &TestApp, round: i64, people: &[(&str, &str, i32)]) {
    let api = app.api_as(LEAD).await;
    let list: Vec<Value> = people
        .iter()
        .map(|(e, o, _)| json!({"email": e, "organisation": o, "role": "operational"}))
        .collect();
    let (status, body, _) = api
        .post(
            &format!("/api/v1/health-checks/{round}/invitations"),
            json!({ "invitations": list }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, qs, _) = api.get("/api/v1/questionnaires").await;
    let statements: Vec<i64> = qs[0]["factors"][0]["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    for (i, (_, _, score)) in people.iter().enumerate() {
        let token = body[i]["answer_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let answers: Vec<Value> = statements
            .iter()
            .map(|s| json!({"statement_id": s, "score": score}))
            .collect();
        let (status, body) = app
            .api()
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/health-responses/{token}"),
                Some(json!({ "answers": answers })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

const SEVEN: [(&str, &str, i32); 7] = [
    ("a@birmingham.example", "BIR", 5),
    ("b@birmingham.example", "BIR", 5),
    ("c@birmingham.example", "BIR", 5),
    ("d@birmingham.example", "BIR", 5),
    ("e@leeds.example", "LDS", 4),
    ("f@leeds.example", "LDS", 4),
    ("g@leeds.example", "LDS", 4),
];

#[tokio::test]
async fn a_rounds_thresholds_are_its_own() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;

    // Below 3 is refused, by API and page, and so is a gap out of range.
    for (extra, field) in [
        (json!({"min_group": 2}), "min_group"),
        (json!({"min_group": 0}), "min_group"),
        (json!({"divergence_gap": 0}), "divergence_gap"),
        (json!({"divergence_gap": 4.5}), "divergence_gap"),
    ] {
        let (status, problem) = start_round(&app, pid, extra.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}");
        assert_eq!(field_errors(&problem)[0].0, field, "{problem}");
    }
    let (_, problem) = start_round(&app, pid, json!({"min_group": 2})).await;
    assert!(field_errors(&problem)[0].1.contains("must be at least 3"));
    let lead = app.signed_in(LEAD).await;
    let (_, html) = lead
        .get_text(&format!("/partnerships/{pid}/health-checks"))
        .await;
    assert!(html.contains("id=\"min_group\""));
    assert!(html.contains("value=\"3\"") && html.contains("value=\"1.0\""));
    let t = today();
    let c = t + Duration::days(10);
    let (d, m, y) = (
        t.format("%-d").to_string(),
        t.format("%-m").to_string(),
        t.format("%Y").to_string(),
    );
    let (cd, cm, cy) = (
        c.format("%-d").to_string(),
        c.format("%-m").to_string(),
        c.format("%Y").to_string(),
    );
    let form = |min: &'static str, gap: &'static str| {
        vec![
            ("title", "Spring".to_string()),
            ("opens_on_day", d.clone()),
            ("opens_on_month", m.clone()),
            ("opens_on_year", y.clone()),
            ("closes_on_day", cd.clone()),
            ("closes_on_month", cm.clone()),
            ("closes_on_year", cy.clone()),
            ("min_group", min.to_string()),
            ("divergence_gap", gap.to_string()),
        ]
    };
    let fields = form("2", "1.0");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = lead
        .post_form(&format!("/partnerships/{pid}/health-checks"), &pairs)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("The anonymity threshold must be at least 3"));
    assert!(html.contains("href=\"#min_group\""));
    let fields = form("three", "x");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = lead
        .post_form(&format!("/partnerships/{pid}/health-checks"), &pairs)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("must be a whole number of people"));
    assert!(html.contains("must be a number of points"));
    // Set on the page: shown on the round.
    let fields = form("4", "0.5");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = lead
        .post_form(&format!("/partnerships/{pid}/health-checks"), &pairs)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let on_page: i64 = extract_between(&to, "/health-checks/", "?")
        .unwrap()
        .parse()
        .unwrap();
    let (_, html) = lead.get_text(&format!("/health-checks/{on_page}")).await;
    assert!(html.contains("Groups smaller than 4"), "{html}");
    assert!(html.contains("0.50 points"));

    // Four from Birmingham, three from Leeds, Leeds a point lower.
    // Defaults: both partners shown, a divergence of 1.0.
    let (status, plain) = start_round(&app, pid, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (
            plain["min_group"].as_i64(),
            plain["divergence_gap"].as_f64()
        ),
        (Some(3), Some(1.0))
    );
    let plain = plain["id"].as_i64().unwrap();
    answered(&app, plain, &SEVEN).await;
    let api = app.api_as(LEAD).await;
    let (_, r, _) = api
        .get(&format!("/api/v1/health-checks/{plain}/report"))
        .await;
    let labels = |r: &Value| -> Vec<String> {
        r["by_partner"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        labels(&r),
        ["Birmingham City Council", "Leeds City Council"]
    );
    assert_eq!(r["min_group"], 3);
    assert_eq!(r["divergences"].as_array().unwrap().len(), 1);

    // Threshold 4: Leeds's three are hidden (and Birmingham with them, so
    // Leeds cannot be worked out); a gap of 1.5 flags nothing.
    let (status, strict) =
        start_round(&app, pid, json!({"min_group": 4, "divergence_gap": 1.5})).await;
    assert_eq!(status, StatusCode::CREATED, "{strict}");
    assert_eq!(strict["min_group"], 4);
    assert_eq!(strict["divergence_gap"], 1.5);
    let strict = strict["id"].as_i64().unwrap();
    answered(&app, strict, &SEVEN).await;
    let (_, r, _) = api
        .get(&format!("/api/v1/health-checks/{strict}/report"))
        .await;
    assert_eq!(labels(&r), ["Other"]);
    assert_eq!(r["by_partner"][0]["respondents"], 7);
    assert!(!r.to_string().contains("Leeds"));
    assert_eq!(r["min_group"], 4);
    assert_eq!(r["divergence_gap"], 1.5);
    let (_, html) = lead
        .get_text(&format!("/health-checks/{strict}/report"))
        .await;
    assert!(html.contains("groups smaller than 4 are merged into “Other”"));
    assert!(html.contains("a gap of at least 1.50 points"));
    let csv = lead
        .get(&format!("/health-checks/{strict}/responses.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("Leeds") && !csv.contains("Birmingham"));
    // With only three answering, a threshold of 4 shows no figures at all.
    let (_, few) = start_round(&app, pid, json!({"min_group": 4})).await;
    let few = few["id"].as_i64().unwrap();
    answered(&app, few, &SEVEN[4..]).await;
    let (_, r, _) = api
        .get(&format!("/api/v1/health-checks/{few}/report"))
        .await;
    assert_eq!(r["enough"], false);
    assert!(r["factors"].as_array().unwrap().is_empty());
}
