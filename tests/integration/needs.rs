//! Needs and projects: listed by page and API with every rule worded once,
//! changed only by their own organisation's people, seen only as their
//! visibility allows (in the pipeline, on their page, by API), audited, and
//! watched by their organisation's people.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{field_errors, TestApp};

const BIR_OFFICER: &str = "officer@birmingham.example";
const BIR_LEAD: &str = "lead@birmingham.example";
const LDS_LEAD: &str = "lead@leeds.example";
const CON_OFFICER: &str = "officer@cornwall.example";

fn need(title: &str, visibility: &str) -> serde_json::Value {
    json!({
        "title": title,
        "problem": "Residents phone us to report bins we missed; the calls cost us and them.",
        "users_affected": "Every household on a collection round",
        "phase": "discovery",
        "collaboration": ["co_develop", "share_funding"],
        "budget_band": "50k_to_250k",
        "services": [524],
        "tags": ["Waste", "bins"],
        "visibility": visibility,
    })
}

async fn listed(app: &TestApp, email: &str, title: &str, visibility: &str) -> i64 {
    let (status, body, _) = app
        .api_as(email)
        .await
        .post("/api/v1/needs", need(title, visibility))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_lists_a_need_by_page_with_clear_errors_first() {
    let app = TestApp::with_reference_data().await;
    let officer = app.signed_in(BIR_OFFICER).await;
    let (status, form) = officer.get_text("/needs/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("List a need or project") && form.contains("Birmingham City Council"));

    let r = officer
        .post_form(
            "/needs/new",
            &[
                ("title", ""),
                ("problem", ""),
                ("services", "Household waste collection\nBin collections"),
                ("phase", "discovery"),
                ("visibility", "public"),
                ("end_date_day", "1"),
                ("end_date_month", "13"),
                ("end_date_year", "2027"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for message in [
        "Enter a title for the need",
        "Describe the problem to be solved",
        "There is no LGSL service called",
        "Select at least one kind of collaboration you want",
        "End date must be a real date",
    ] {
        assert!(page.contains(message), "missing {message:?}");
    }
    assert!(page.contains("Bin collections"), "what was typed is kept");
    assert_eq!(app.count("needs"), 0, "nothing half-written");

    let r = officer
        .post_form(
            "/needs/new",
            &[
                ("title", "Report a missed bin online"),
                ("problem", "Residents phone us to report missed bins."),
                ("services", "household waste collection"),
                ("phase", "alpha"),
                ("collaboration", "co_develop"),
                ("collaboration", "share_ideas"),
                ("budget_band", "under_10k"),
                ("tags", "waste, Bins"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let (status, shown) = app.client().get_text(&at).await;
    assert_eq!(status, StatusCode::OK, "public: anyone may read it");
    for words in [
        "Report a missed bin online",
        "Household waste collection",
        "Develop it together",
        "Share ideas",
        "Under £10,000",
        "bins",
        "Alpha",
    ] {
        assert!(shown.contains(words), "missing {words:?}");
    }
    assert!(!shown.contains("Change the need"), "not for the public");
    let (_, own) = officer.get_text(&at).await;
    assert!(own.contains("Change the need") && own.contains("You are watching this as a member"));

    // Changing it by page keeps the form's words and audits the change.
    let r = officer
        .post_form(
            &format!("{at}/edit"),
            &[
                ("title", "Report a missed bin online or by text"),
                ("problem", "Residents phone us to report missed bins."),
                ("services", "Household waste collection"),
                ("phase", "beta"),
                ("collaboration", "co_develop"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, audit) = app.signed_in(BIR_LEAD).await.get_text("/audit").await;
    assert!(audit.contains("need.create") && audit.contains("need.update"));
    // The colleague watches it by belonging, and hears of the change.
    let (_, inbox) = app
        .signed_in(BIR_LEAD)
        .await
        .get_text("/notifications")
        .await;
    assert!(
        inbox.contains("Report a missed bin online or by text: Olu Officer changed the details"),
        "{inbox}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_owning_organisation_changes_a_need() {
    let app = TestApp::with_reference_data().await;
    let id = listed(&app, BIR_OFFICER, "Shared pest control", "signed_in").await;
    let mut change = need("Shared pest control contract", "signed_in");
    // Leeds may see it but not change it; nothing changes.
    let (status, _) = app
        .api_as(LDS_LEAD)
        .await
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/needs/{id}"),
            Some(change.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = app
        .signed_in(LDS_LEAD)
        .await
        .get(&format!("/needs/{id}/edit"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Anyone in Birmingham may.
    let (status, body) = app
        .api_as(BIR_LEAD)
        .await
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/needs/{id}"),
            Some(change.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["title"], "Shared pest control contract");
    assert_eq!(body["organisation"]["code"], "BIR");
    // A bad body is refused naming each field, after access is settled.
    change["phase"] = json!("someday");
    change["collaboration"] = json!([]);
    let (status, body) = app
        .api_as(BIR_LEAD)
        .await
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/needs/{id}"),
            Some(change),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = field_errors(&body).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["phase", "collaboration"]);
    // Signed out, a need for signed-in users is not there at all.
    let (status, _) = app
        .api()
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/needs/{id}"),
            Some(need("x", "public")),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_only_need_stays_inside_the_organisation() {
    let app = TestApp::with_reference_data().await;
    let private = listed(
        &app,
        BIR_OFFICER,
        "Internal restructure of bin rounds",
        "organisation",
    )
    .await;
    let members = listed(
        &app,
        BIR_OFFICER,
        "Household waste app for signed-in councils",
        "signed_in",
    )
    .await;
    let public = listed(&app, BIR_OFFICER, "Public household waste app", "public").await;

    let ids = |body: &serde_json::Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect()
    };
    let (_, own, _) = app.api_as(BIR_LEAD).await.get("/api/v1/needs").await;
    assert_eq!(ids(&own), [public, members, private]);
    let (_, other, _) = app.api_as(CON_OFFICER).await.get("/api/v1/needs").await;
    assert_eq!(ids(&other), [public, members]);
    let (_, anonymous, _) = app.api().get("/api/v1/needs").await;
    assert_eq!(ids(&anonymous), [public]);

    // By page and API, the private one is "not found" outside Birmingham.
    let (status, _, _) = app
        .api_as(CON_OFFICER)
        .await
        .get(&format!("/api/v1/needs/{private}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = app.signed_in(CON_OFFICER).await.get_text("/needs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Internal restructure") && page.contains("Public household waste app"));
    let r = app
        .signed_in(CON_OFFICER)
        .await
        .get(&format!("/needs/{private}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nor can it be watched from outside.
    let (status, _) = app
        .api_as(CON_OFFICER)
        .await
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/watches/need/{private}"),
            Some(json!({ "watching": true })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Filters narrow; words search title and problem; unknown vocabulary is refused by the API.
    let (_, found, _) = app
        .api_as(BIR_LEAD)
        .await
        .get("/api/v1/needs?q=restructure&phase=discovery&collaboration=co_develop&service=524")
        .await;
    assert_eq!(ids(&found), [private]);
    let (status, body, _) = app.api().get("/api/v1/needs?phase=someday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body)[0].0, "phase");
}

/// The pipeline's SQL rule and the policy agree for every kind of viewer.
#[tokio::test(flavor = "multi_thread")]
async fn the_pipeline_rule_agrees_with_the_policy() {
    use concord::needs::model::Need;
    use concord::policy::{allows, Actor, Role};
    use concord::work::Scoped;
    let app = TestApp::with_reference_data().await;
    let ids = [
        listed(&app, BIR_OFFICER, "A", "organisation").await,
        listed(&app, BIR_OFFICER, "B", "signed_in").await,
        listed(&app, BIR_OFFICER, "C", "public").await,
    ];
    let db = app.db().clone();
    tokio::task::spawn_blocking(move || {
        let org = |code: &str| {
            db.read_blocking(|c| Ok(concord::orgs::store::find(c, code)?.id))
                .unwrap()
        };
        let viewers = [
            None,
            Some(Actor {
                user_id: 1,
                organisation_id: org("BIR"),
                role: Role::Member,
            }),
            Some(Actor {
                user_id: 1,
                organisation_id: org("LDS"),
                role: Role::OrgAdmin,
            }),
            Some(Actor {
                user_id: 1,
                organisation_id: org("LGA"),
                role: Role::PlatformAdmin,
            }),
        ];
        for viewer in &viewers {
            let (listed, _) = db
                .read_blocking(|c| {
                    concord::needs::store::list(c, &Default::default(), viewer.as_ref(), 0, 100)
                })
                .unwrap();
            for id in ids {
                let allowed = db
                    .read_blocking(|c| {
                        let (need, rel) = Need::load(c, id, viewer.as_ref())?.unwrap();
                        let _ = need;
                        Ok(allows(viewer.as_ref(), Need::view_action(rel)))
                    })
                    .unwrap();
                assert_eq!(
                    listed.iter().any(|n| n.id == id),
                    allowed,
                    "need {id} for {viewer:?}"
                );
            }
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn matches_find_the_same_need_in_other_words_and_never_a_hidden_one() {
    let app = TestApp::with_reference_data().await;
    let mut mine = need("Report a missed bin collection online", "public");
    mine["problem"] =
        json!("Residents phone when their bin is not emptied; we want them to report it online.");
    let (_, body, _) = app
        .api_as(CON_OFFICER)
        .await
        .post("/api/v1/needs", mine)
        .await;
    let cornwall = body["id"].as_i64().unwrap();
    let mut theirs = need("Digital household waste reporting", "public");
    theirs["problem"] = json!(
        "Households should be able to tell us about a missed refuse collection and track it."
    );
    theirs["services"] = json!([]);
    let (_, body, _) = app
        .api_as(LDS_LEAD)
        .await
        .post("/api/v1/needs", theirs)
        .await;
    let leeds = body["id"].as_i64().unwrap();
    let mut unrelated = need("Longer library opening hours", "public");
    unrelated["problem"] = json!("Open libraries in the evening with self-service kiosks.");
    unrelated["services"] = json!([437]);
    app.api_as(LDS_LEAD)
        .await
        .post("/api/v1/needs", unrelated)
        .await;
    let mut hidden = need("Missed bin collections: our internal fix", "organisation");
    hidden["problem"] = json!("Report a missed bin collection online, for our crews only.");
    let (_, body, _) = app
        .api_as(BIR_OFFICER)
        .await
        .post("/api/v1/needs", hidden)
        .await;
    let birmingham = body["id"].as_i64().unwrap();

    for caller in [app.api(), app.api_as(CON_OFFICER).await] {
        let (status, found, _) = caller
            .get(&format!("/api/v1/needs/{cornwall}/matches"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let list = found.as_array().unwrap();
        assert_eq!(list[0]["need"]["id"], leeds, "{found}");
        assert_eq!(list[0]["organisation"]["code"], "LDS");
        assert!(list[0]["score"].as_f64().unwrap() > 0.0);
        assert!(list[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"].is_string() && r["text"].is_string()));
        assert!(
            list.iter().all(|m| m["need"]["id"] != birmingham),
            "an organisation-only need never shows"
        );
    }
    // Birmingham's own people see theirs among the matches.
    let (_, found, _) = app
        .api_as(BIR_LEAD)
        .await
        .get(&format!("/api/v1/needs/{cornwall}/matches"))
        .await;
    assert!(found
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["need"]["id"] == birmingham));
    // The page says why.
    let (_, page) = app.client().get_text(&format!("/needs/{cornwall}")).await;
    assert!(
        page.contains("Others with the same need")
            && page.contains("Digital household waste reporting")
    );
    // A hidden need's matches are as hidden as the need.
    let (status, _, _) = app
        .api_as(CON_OFFICER)
        .await
        .get(&format!("/api/v1/needs/{birmingham}/matches"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `concord import needs FILE`: atomic with line numbers, and again in place.
#[test]
fn needs_import_from_the_command_line_is_atomic_and_repeatable() {
    use crate::common::{backend, TestDb};
    let test_db = TestDb::with_reference_data(backend());
    let dir = tempfile::tempdir().unwrap();
    let run = |csv: &str| {
        let file = dir.path().join("needs.csv");
        std::fs::write(&file, csv).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
            .args([
                "import",
                "needs",
                file.to_str().unwrap(),
                "--database-url",
                &test_db.url,
            ])
            .env("CONCORD_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let header = "organisation,title,problem,services,phase,collaboration,visibility,tags,budget_band,start,end\n";
    let good = "CON,Report a missed bin,Residents phone us,524,discovery,co_develop|share_funding,public,waste|bins,under_10k,2027-01-01,\n\
                LDS,Street lighting faults,Reports take weeks,564,alpha,buy_together,signed_in,,,,\n";
    let (ok, said) = run(&format!(
        "{header}{good}KEN,Third,Problem,524,someday,share_ideas,public,,,,\n"
    ));
    assert!(!ok);
    assert!(said.contains("line 4") && said.contains("phase"), "{said}");
    assert_eq!(test_db.count("needs"), 0, "nothing from a refused file");
    let (ok, said) = run(&format!(
        "{header}{good}XXX,Fourth,Problem,524,alpha,share_ideas,public,,,,\n"
    ));
    assert!(
        !ok && said.contains("line 4") && said.contains("XXX"),
        "{said}"
    );

    let (ok, said) = run(&format!("{header}{good}"));
    assert!(ok, "{said}");
    assert!(said.contains("2 created"), "{said}");
    assert_eq!(test_db.count("need_collaborations"), 3);
    let (ok, said) = run(&format!("{header}{good}"));
    assert!(
        ok && said.contains("0 created, 0 updated, 2 unchanged"),
        "{said}"
    );
    let changed = good.replace("alpha,buy_together", "beta,buy_together");
    let (ok, said) = run(&format!("{header}{changed}"));
    assert!(ok && said.contains("1 updated, 1 unchanged"), "{said}");
    // The same need twice in one file is refused, naming both lines.
    let (ok, said) = run(&format!(
        "{header}{good}CON,report a missed bin,Again,524,alpha,share_ideas,public,,,,\n"
    ));
    assert!(!ok && said.contains("line 4"), "{said}");
}
