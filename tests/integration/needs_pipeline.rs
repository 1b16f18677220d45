//! The national pipeline beyond one need: filters by place and kind of
//! organisation, where needs cluster (page and API), the "still active?"
//! question that keeps the pipeline honest, and importing needs on a page
//! through the same policy as the forms.

use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

const BIR_OFFICER: &str = "officer@birmingham.example";
const BIR_LEAD: &str = "lead@birmingham.example";
const LDS_LEAD: &str = "lead@leeds.example";
const CON_OFFICER: &str = "officer@cornwall.example";
const ADMIN: &str = "admin@concord.example";

async fn listed(app: &TestApp, email: &str, title: &str, visibility: &str, service: i64) -> i64 {
    let (status, body, _) = app
        .api_as(email)
        .await
        .post(
            "/api/v1/needs",
            json!({
                "title": title,
                "problem": "Residents tell us the same thing three times.",
                "phase": "discovery",
                "collaboration": ["co_develop"],
                "services": [service],
                "visibility": visibility,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

fn titles(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

/// Sets a column by SQL, for a test's dates.
fn exec(app: &TestApp, sql: String) {
    app.db()
        .write_blocking(|c| {
            concord::db::per_backend!(c, |c| diesel::sql_query(&sql).execute(c))?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pipeline_filters_by_place_and_type_and_shows_where_needs_cluster() {
    let app = TestApp::with_reference_data().await;
    listed(&app, BIR_OFFICER, "Missed bins online", "public", 524).await;
    listed(&app, CON_OFFICER, "Bin rounds app", "public", 524).await;
    listed(&app, LDS_LEAD, "Leeds own plans", "organisation", 524).await;

    let api = app.api();
    let (_, body, _) = api.get("/api/v1/needs?region=West%20Midlands").await;
    assert_eq!(titles(&body), ["Missed bins online"]);
    let (_, body, _) = api.get("/api/v1/needs?type=UA").await;
    assert_eq!(titles(&body), ["Bin rounds app"], "Cornwall is a unitary");
    let (_, body, _) = api.get("/api/v1/needs?nation=England").await;
    assert_eq!(body["total"], 2, "the organisation-only need stays hidden");

    // The cluster counts are the same needs: public ones for the public.
    let (status, clusters, _) = api.get("/api/v1/needs/clusters").await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    assert_eq!(clusters["total"], 2);
    let service = &clusters["services"][0];
    assert_eq!(service["id"], 524);
    assert_eq!(service["needs"], 2);
    let regions: Vec<(String, i64)> = clusters["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(
                r["by_service"][0], r["needs"],
                "each need names the service"
            );
            (
                r["region"].as_str().unwrap().to_string(),
                r["needs"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        regions,
        [
            ("South West".to_string(), 1),
            ("West Midlands".to_string(), 1)
        ]
    );
    // Leeds sees its own need counted in Yorkshire.
    let (_, own, _) = app
        .api_as(LDS_LEAD)
        .await
        .get("/api/v1/needs/clusters?region=Yorkshire%20and%20The%20Humber")
        .await;
    assert_eq!(own["total"], 1, "{own}");
    let (status, bad, _) = api.get("/api/v1/needs/clusters?phase=someday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // The page draws the grid and the table, keeping the filters.
    let (status, page) = app.client().get_text("/needs/clusters?service=524").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("Needs by region and service"));
    assert!(page.contains("West Midlands") && page.contains("South West"));
    assert!(!page.contains("Yorkshire"), "nothing hidden is counted");
    assert!(page.contains("/needs?service=524"), "back to the same list");
    // The download is the same list: nothing hidden, filters kept.
    let (status, csv) = app.client().get_text("/needs/export.csv").await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,title,organisation,"));
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(csv.contains("Missed bins online") && !csv.contains("Leeds own plans"));
    let (_, own) = app
        .signed_in(LDS_LEAD)
        .await
        .get_text("/needs/export.csv?organisation=LDS")
        .await;
    assert!(
        own.contains("Leeds own plans,LDS"),
        "its own people see it: {own}"
    );
    let (_, pipeline) = app.client().get_text("/needs?region=South%20West").await;
    assert!(pipeline.contains("Bin rounds app") && !pipeline.contains("Missed bins online"));
    assert!(pipeline.contains("/needs/clusters?region=South+West"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_need_left_alone_asks_its_owner_and_drops_out_until_answered() {
    let app = TestApp::with_reference_data().await;
    let id = listed(&app, BIR_OFFICER, "Missed bins online", "public", 524).await;
    let fresh = listed(&app, CON_OFFICER, "Bin rounds app", "public", 524).await;
    let now = concord::db::now();
    assert_eq!(
        concord::needs::active::ask(app.db(), now).unwrap(),
        0,
        "too new to ask"
    );

    let long_ago = (now - chrono::Duration::days(91)).format("%Y-%m-%d %H:%M:%S");
    exec(
        &app,
        format!("UPDATE needs SET updated_at = '{long_ago}' WHERE id = {id}"),
    );
    assert_eq!(concord::needs::active::ask(app.db(), now).unwrap(), 1);
    assert_eq!(
        concord::needs::active::ask(app.db(), now).unwrap(),
        0,
        "asked once"
    );
    let mail = app
        .mail_about("lead@birmingham.example", "still active")
        .await;
    assert!(
        mail.text.contains(&format!("/needs/{id}/still-active")),
        "{}",
        mail.text
    );

    // Still listed for 30 days, then gone from the default listing.
    let (_, body, _) = app.api().get("/api/v1/needs").await;
    assert_eq!(body["total"], 2);
    let asked = (now - chrono::Duration::days(31)).format("%Y-%m-%d %H:%M:%S");
    exec(
        &app,
        format!("UPDATE needs SET asked_active_at = '{asked}' WHERE id = {id}"),
    );
    let (_, body, _) = app.api().get("/api/v1/needs").await;
    assert_eq!(titles(&body), ["Bin rounds app"]);
    let (_, body, _) = app.api().get("/api/v1/needs?include_closed=true").await;
    assert_eq!(body["total"], 2, "still there for those who ask");

    // Only its own people answer, by page or API.
    let path = format!("/needs/{id}/still-active");
    let con = app.signed_in(CON_OFFICER).await;
    assert_eq!(con.get(&path).await.status(), StatusCode::FORBIDDEN);
    let r = con.post_form(&path, &[("answer", "no")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) = app
        .api_as(CON_OFFICER)
        .await
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{id}/still-active"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let officer = app.signed_in(BIR_OFFICER).await;
    let (status, question) = officer.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(question.contains("Is this need still active?"));
    let r = officer.post_form(&path, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Select yes if the need is still active"));
    let r = officer.post_form(&path, &[("answer", "yes")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/needs/{id}?notice=still-active")
    );
    let (_, body, _) = app.api().get("/api/v1/needs").await;
    assert_eq!(body["total"], 2, "listed again");
    assert_eq!(
        concord::needs::active::ask(app.db(), now).unwrap(),
        0,
        "its 90 days start again"
    );

    // No: the need closes, by API this time.
    let (status, closed) = app
        .api_as(CON_OFFICER)
        .await
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{fresh}/still-active"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    let (_, body, _) = app.api().get("/api/v1/needs").await;
    assert_eq!(titles(&body), ["Missed bins online"]);
}

const HEADER: &str = "organisation,title,problem,services,phase,collaboration,visibility,tags";

#[tokio::test(flavor = "multi_thread")]
async fn organisation_admins_import_their_own_needs_through_the_policy() {
    let app = TestApp::with_reference_data().await;
    let lead = app.signed_in(BIR_LEAD).await;
    let (status, form) = lead.get_text("/needs/import").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Import needs and projects"));
    let (_, pipeline) = lead.get_text("/needs").await;
    assert!(pipeline.contains("/needs/import"));

    // Members list needs one by one; the import is for admins.
    let officer = app.signed_in(BIR_OFFICER).await;
    assert_eq!(
        officer.get("/needs/import").await.status(),
        StatusCode::FORBIDDEN
    );
    let (_, pipeline) = officer.get_text("/needs").await;
    assert!(!pipeline.contains("/needs/import"));
    let one = format!("{HEADER}\nBIR,Street lights,Lamp posts stay dark for weeks,524,alpha,co_develop,public,lights\n");
    let r = officer.upload("/needs/import", &one).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("needs"), 0);

    // Another organisation's line refuses the whole file, naming the line.
    let mixed = format!(
        "{HEADER}\nBIR,Street lights,Lamp posts stay dark for weeks,524,alpha,co_develop,public,lights\nCON,Cornish lights,Lamp posts stay dark,524,alpha,co_develop,public,\n"
    );
    let r = lead.upload("/needs/import", &mixed).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Line 3"), "{page}");
    assert!(page.contains("only for your own organisation, not CON"));
    assert_eq!(app.count("needs"), 0, "nothing half-written");

    let r = lead.upload("/needs/import", &one).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("1 created"));
    let r = lead.upload("/needs/import", &one).await;
    assert!(
        r.text().await.unwrap().contains("1 unchanged"),
        "again: in place"
    );
    let (_, body, _) = app.api().get("/api/v1/needs?organisation=BIR").await;
    assert_eq!(titles(&body), ["Street lights"]);
    let r = lead.upload("/needs/import", "").await;
    assert!(r.text().await.unwrap().contains("The file is empty"));

    // Leeds's admin cannot change Birmingham's need by naming it either.
    let lds = app.signed_in(LDS_LEAD).await;
    let r = lds
        .upload(
            "/needs/import",
            &format!("{HEADER}\nBIR,Street lights,Taken over,524,live,co_develop,public,\n"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not BIR"));

    // A platform admin may import for any organisation, but still changes
    // an existing need only as its own people could.
    let admin = app.signed_in(ADMIN).await;
    let r = admin
        .upload(
            "/needs/import",
            &format!("{HEADER}\nCON,Cornish lights,Lamp posts stay dark,524,alpha,co_develop,signed_in,\n"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = admin
        .upload(
            "/needs/import",
            &format!("{HEADER}\nBIR,Street lights,Taken over,524,live,co_develop,public,\n"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("only its own people may change it"));
    let (_, body, _) = app.api().get("/api/v1/needs?organisation=BIR").await;
    assert_eq!(body["items"][0]["phase"], "alpha", "unchanged");
    assert_eq!(app.count("needs"), 2);
}

/// Words search the matching index: with words the best match (the title
/// holds them) comes first unless `sort=recent` asks for the newest; a need
/// without the words is not listed; an unknown order is refused.
#[tokio::test(flavor = "multi_thread")]
async fn words_rank_by_best_match_or_by_newest_as_asked() {
    let app = TestApp::with_reference_data().await;
    let mut ids = Vec::new();
    for (title, problem) in [
        ("Report missed bins online", "Residents phone us instead."),
        (
            "Garden waste subscriptions",
            "Residents ask why their bins were collected late.",
        ),
        ("Parking permits", "Residents wait weeks for a permit."),
    ] {
        let (status, body, _) = app
            .api_as(BIR_OFFICER)
            .await
            .post(
                "/api/v1/needs",
                json!({"title": title, "problem": problem, "phase": "discovery",
                       "collaboration": ["share_ideas"], "visibility": "public"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    // Oldest first, a day apart, so "newest" is not a tie.
    for (age, id) in ids.iter().rev().enumerate() {
        exec(
            &app,
            format!(
                "UPDATE needs SET updated_at = '{}' WHERE id = {id}",
                (chrono::Utc::now().naive_utc() - chrono::Duration::days(age as i64 + 1))
                    .format("%Y-%m-%d %H:%M:%S")
            ),
        );
    }
    let api = app.api();
    let order = |body: &serde_json::Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .filter(|id| ids.contains(id))
            .collect()
    };
    let (_, body, _) = api.get("/api/v1/needs?q=bins").await;
    assert_eq!(
        order(&body),
        [ids[0], ids[1]],
        "best match: the title first"
    );
    let (_, body, _) = api.get("/api/v1/needs?q=bins&sort=recent").await;
    assert_eq!(order(&body), [ids[1], ids[0]], "newest first");
    let (_, body, _) = api.get("/api/v1/needs").await;
    assert_eq!(order(&body), [ids[2], ids[1], ids[0]], "no words: newest");
    let (status, body, _) = api.get("/api/v1/needs?q=bins&sort=oldest").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The page offers the same orders and keeps the one chosen.
    let (_, html) = app.client().get_text("/needs?q=bins&sort=recent").await;
    assert!(html.contains("<option value=\"recent\" selected>"));
    let first = html.find("Garden waste subscriptions").unwrap();
    let second = html.find("Report missed bins online").unwrap();
    assert!(first < second, "the page lists the newest first");
}
