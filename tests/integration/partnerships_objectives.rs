//! Integration tests for the partnership objectives section: objectives,
//! progress updates and their RAG, by page and API, and who may see and change them.

use chrono::{Datelike, Days, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use concord::partnerships::model::Partnership;
use concord::partnerships::objectives::input::ObjectiveDraft;
use concord::partnerships::objectives::store;
use concord::policy::Action;
use concord::work::Work;

use crate::common::{field_errors, person, today, Api, Browser, TestApp};

/// (day, month, year) as a GOV.UK date input takes them.
fn parts(d: NaiveDate) -> [String; 3] {
    [
        d.day().to_string(),
        d.month().to_string(),
        d.year().to_string(),
    ]
}

/// The add-objective form, 100 days in and 100 days to go, so halfway today.
fn objective_form(title: &str, baseline: &str, target: &str, owner: &str) -> Vec<(String, String)> {
    let [sd, sm, sy] = parts(today() - Days::new(100));
    let [dd, dm, dy] = parts(today() + Days::new(100));
    [
        ("title", title),
        ("measure", "Missed collections per 100,000"),
        ("unit", "%"),
        ("baseline", baseline),
        ("target", target),
        ("start_date_day", sd.as_str()),
        ("start_date_month", sm.as_str()),
        ("start_date_year", sy.as_str()),
        ("due_date_day", dd.as_str()),
        ("due_date_month", dm.as_str()),
        ("due_date_year", dy.as_str()),
        ("owner", owner),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn post(b: &Browser, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_form(path, &fields).await
}

fn with(mut fields: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(k, _)| k != key);
    fields.push((key.into(), value.into()));
    fields
}

/// Any method with a JSON body; the shared helper only has GET and POST.
async fn send(api: &Api, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
    api.send(method, path, Some(body)).await
}

/// An objective added through the store as Birmingham's lead would add it
/// on the page (same policy, same audit entry), owned by Birmingham, from
/// `baseline` to `target` between the given dates. Returns its id.
async fn add_objective(
    app: &TestApp,
    id: i64,
    title: &str,
    (baseline, target): (f64, f64),
    (start_date, due_date): (NaiveDate, NaiveDate),
) -> i64 {
    let draft = ObjectiveDraft {
        title: title.into(),
        measure: "Datasets published".into(),
        baseline: Some(baseline),
        target: Some(target),
        start_date: Some(start_date),
        due_date: Some(due_date),
        owner: "BIR".into(),
        ..Default::default()
    };
    let db = app.db().clone();
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|c| {
            let bir = person(c, "lead@birmingham.example")?;
            let mut w = Work::<Partnership>::open(c, id, Some(bir), Action::EditPartnership)?;
            let input = store::check(w.conn, id, &draft, None)?;
            Ok(store::create(&mut w, &input, today())?.id)
        })
    })
    .await
    .unwrap()
    .expect("an objective")
}

/// The objective id from the redirect after adding one.
fn objective_id(r: &reqwest::Response) -> i64 {
    plain(&r.headers()["location"])
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_set_an_objective_and_record_progress_by_page() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (status, html) = bir
        .get_text(&format!("/partnerships/{id}/objectives"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No joint objectives have been set yet"));
    assert!(html.contains("Add an objective") && html.contains("name=\"csrf_token\""));
    assert!(html.contains("Usually the date the baseline was measured"));
    assert!(
        html.contains("<option value=\"LDS\">Leeds City Council</option>"),
        "active members to choose from"
    );

    let r = post(
        &bir,
        &format!("/partnerships/{id}/objectives"),
        &objective_form("Share one revenues system", "0", "200", "LDS"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let oid = objective_id(&r);
    let page = format!("/partnerships/{id}/objectives/{oid}");
    let (status, html) = bir.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Share one revenues system") && html.contains("Leeds City Council"));
    assert!(
        html.contains("0% on ") && html.contains("200% by "),
        "baseline and target with their unit"
    );
    assert!(html.contains("No progress has been recorded yet"));
    let hint_today = format!("Leave blank for today, {}", today().format("%-d %-m %Y"));
    assert!(html.contains(&hint_today), "today's date in the hint");

    // Halfway through the time, halfway to the target: green. Blank date means today.
    let r = post(
        &bir,
        &format!("{page}/updates"),
        &[
            ("value".into(), "100".into()),
            ("note".into(), "Both councils live on the new system".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(plain(&r.headers()["location"]), page);
    // Ten days ago, well behind: red. It is older, so listed after today's.
    let [d, m, y] = parts(today() - Days::new(10));
    let r = post(
        &bir,
        &format!("{page}/updates"),
        &[
            ("value".into(), "20".into()),
            ("recorded_on_day".into(), d),
            ("recorded_on_month".into(), m),
            ("recorded_on_year".into(), y),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = bir.get_text(&page).await;
    let newest = html.find("Both councils live on the new system").unwrap();
    let older = html
        .find(&(today() - Days::new(10)).format("%-d %b %Y").to_string())
        .unwrap();
    assert!(newest < older, "newest first");
    assert!(html.contains("govuk-tag--green\">Green") && html.contains("govuk-tag--red\">Red"));
    assert!(
        html.contains("<td class=\"govuk-table__cell\">Bola Lead</td>"),
        "who recorded it"
    );
    let stored: Vec<String> = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::objective_updates::dsl::*;
            use diesel::prelude::*;
            Ok(objective_updates.order(id.asc()).select(rag).load(c)?)
        })
        .unwrap();
    assert_eq!(
        stored,
        ["green", "red"],
        "the RAG is stored with each update"
    );

    let (_, list) = bir
        .get_text(&format!("/partnerships/{id}/objectives"))
        .await;
    assert!(
        list.contains("0% → 200%")
            && list.contains("50%")
            && list.contains("govuk-tag--green\">Green"),
        "latest update and progress in the list"
    );
    let (_, overview) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(
        overview.contains("govuk-tag--green\">Green"),
        "the overview reads the latest RAG"
    );

    // Raising the target works the stored RAGs out again: 100 of 300 is a third, amber.
    let (status, edit) = bir.get_text(&format!("{page}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        edit.contains("value=\"Share one revenues system\"")
            && edit.contains("<option value=\"LDS\" selected>")
    );
    let r = post(
        &bir,
        &format!("{page}/edit"),
        &with(
            objective_form("Share one revenues system", "0", "300", "BIR"),
            "unit",
            "",
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = bir.get_text(&page).await;
    assert!(html.contains("govuk-tag--yellow\">Amber") && html.contains("Birmingham City Council"));
    assert!(html.contains("33%"));

    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    for action in [
        "partnership.objective.create",
        "partnership.objective.progress",
        "partnership.objective.update",
    ] {
        assert!(history.contains(action), "{action} in history");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn objective_forms_explain_every_problem_and_write_nothing() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/objectives"),
            &[("baseline", "lots"), ("owner", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (field, message) in [
        ("title", "Enter the objective&#39;s title"),
        ("measure", "Enter what will be measured"),
        ("baseline", "Baseline must be a number, like 250 or 12.5"),
        ("target", "Enter the target"),
        ("start_date", "Enter the start date"),
        ("due_date", "Enter the due date"),
        ("owner", "Select a member organisation"),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
            "{field}: {message}\n{html}"
        );
    }
    assert!(html.contains("value=\"lots\""), "what was typed is kept");

    // Target equal to baseline, due before start, an owner who is not a member.
    let [sd, sm, sy] = parts(today());
    let mut form = with(
        with(
            objective_form("Bins", "10", "10", "CON"),
            "due_date_day",
            &sd,
        ),
        "due_date_month",
        &sm,
    );
    form = with(
        with(with(form, "due_date_year", &sy), "start_date_day", &sd),
        "start_date_month",
        &sm,
    );
    form = with(form, "start_date_year", &(today().year() + 1).to_string());
    let r = post(&bir, &format!("/partnerships/{id}/objectives"), &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("The target must be different from the baseline"));
    assert!(html.contains("The due date must be after the start date"));
    assert!(html.contains("CON is not an active member of this partnership"));
    assert_eq!(app.count("objectives"), 0, "nothing half-written");

    let r = post(
        &bir,
        &format!("/partnerships/{id}/objectives"),
        &objective_form("Bins", "500", "300", "BIR"),
    )
    .await;
    let page = format!("/partnerships/{id}/objectives/{}", objective_id(&r));
    let r = bir
        .post_form(
            &format!("{page}/updates"),
            &[("value", ""), ("note", "kept")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#value\">Enter the value</a>")
            && html.contains(">kept</textarea>")
    );
    let [d, m, y] = parts(today() + Days::new(1));
    let r = bir
        .post_form(
            &format!("{page}/updates"),
            &[
                ("value", "x"),
                ("recorded_on_day", &d),
                ("recorded_on_month", &m),
                ("recorded_on_year", &y),
            ],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Value must be a number")
            && html.contains("The date recorded must be today or in the past"),
        "{html}"
    );
    let [d, m, y] = parts(today() - Days::new(101));
    let r = bir
        .post_form(
            &format!("{page}/updates"),
            &[
                ("value", "450"),
                ("recorded_on_day", &d),
                ("recorded_on_month", &m),
                ("recorded_on_year", &y),
            ],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The date recorded must be on or after the objective&#39;s start date"));
    assert_eq!(app.count("objective_updates"), 0);

    // Once progress is recorded, the start cannot move past it.
    let [d, m, y] = parts(today() - Days::new(50));
    assert_eq!(
        bir.post_form(
            &format!("{page}/updates"),
            &[
                ("value", "400"),
                ("recorded_on_day", &d),
                ("recorded_on_month", &m),
                ("recorded_on_year", &y)
            ]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let [sd, sm, sy] = parts(today() - Days::new(10));
    let form = with(
        with(
            with(
                objective_form("Bins", "500", "300", "BIR"),
                "start_date_day",
                &sd,
            ),
            "start_date_month",
            &sm,
        ),
        "start_date_year",
        &sy,
    );
    let r = post(&bir, &format!("{page}/edit"), &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The start date cannot be after the first progress update"));
}

#[tokio::test(flavor = "multi_thread")]
async fn overdue_objectives_are_flagged_until_their_target_is_met() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as("lead@leeds.example").await;
    let body = json!({ "title": "Cut waiting times", "measure": "Average wait", "unit": "days", "baseline": 30, "target": 10,
        "start_date": today() - Days::new(400), "due_date": today() - Days::new(30), "owner": "lds" });
    let (status, o, _) = api
        .post(&format!("/api/v1/partnerships/{id}/objectives"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    assert_eq!(
        (o["overdue"].as_bool(), o["owner"].as_str()),
        (Some(true), Some("LDS"))
    );
    let updates = format!("/api/v1/partnerships/{id}/objectives/{}/updates", o["id"]);
    // Past the due date and short of the target: red, however close.
    let (status, u, _) = api.post(&updates, json!({ "value": 11 })).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (
            u["rag"].as_str(),
            u["progress_percent"].as_f64(),
            u["recorded_on"].as_str()
        ),
        (Some("red"), Some(95.0), Some(today().to_string().as_str()))
    );
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, html) = bir
        .get_text(&format!("/partnerships/{id}/objectives"))
        .await;
    assert!(html.contains("govuk-tag--red\">Overdue") && html.contains("11 days"));
    // Met (a target that goes down): no longer overdue.
    let (_, u, _) = api
        .post(&updates, json!({ "value": 9.5, "note": "New triage" }))
        .await;
    assert_eq!(u["rag"], "green");
    let (_, html) = bir
        .get_text(&format!("/partnerships/{id}/objectives"))
        .await;
    assert!(!html.contains("Overdue") && html.contains("9.5 days"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_lists_adds_changes_and_records_progress() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as("lead@birmingham.example").await;
    let base = format!("/api/v1/partnerships/{id}/objectives");
    let (status, body, content_type) = api
        .post(
            &base,
            json!({ "title": "", "baseline": 5, "target": 5, "owner": "CON" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let errors = field_errors(&body);
    for (field, message) in [
        ("title", "Enter the objective's title"),
        ("measure", "Enter what will be measured"),
        ("target", "The target must be different from the baseline"),
        ("start_date", "Enter the start date"),
        ("due_date", "Enter the due date"),
        ("owner", "CON is not an active member of this partnership"),
    ] {
        assert!(
            errors.contains(&(field.to_string(), message.to_string())),
            "{field}: {message} in {errors:?}"
        );
    }
    assert_eq!(app.count("objectives"), 0);

    let new = json!({ "title": "Shared digital front door", "measure": "Transactions online", "unit": "%", "baseline": 40, "target": 80,
        "start_date": today() - Days::new(100), "due_date": today() + Days::new(100), "owner": "BIR" });
    let (status, o, _) = api.post(&base, new).await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    let one = format!("{base}/{}", o["id"]);
    assert_eq!(
        (
            o["overdue"].as_bool(),
            o["latest"].is_null(),
            o["owner_name"].as_str()
        ),
        (Some(false), true, Some("Birmingham City Council"))
    );

    let (status, u, _) = api
        .post(
            &format!("{one}/updates"),
            json!({ "value": 52, "recorded_on": today(), "note": "Council tax online" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{u}");
    assert_eq!(
        (u["rag"].as_str(), u["progress_percent"].as_f64()),
        (Some("amber"), Some(30.0)),
        "30% against 50% expected"
    );
    let (status, body, _) = api
        .post(
            &format!("{one}/updates"),
            json!({ "value": 60, "recorded_on": today() + Days::new(3) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [(
            "recorded_on".to_string(),
            "The date recorded must be today or in the past".to_string()
        )]
    );
    let (_, body, _) = api
        .post(&format!("{one}/updates"), json!({ "note": "no value" }))
        .await;
    assert_eq!(
        field_errors(&body),
        [("value".to_string(), "Enter the value".to_string())]
    );

    let (status, list, _) = api.get(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["latest"]["rag"], "amber");
    let (_, history, _) = api.get(&format!("{one}/updates")).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["note"], "Council tax online");

    // A PATCH keeps what it leaves out, checks the result, and re-rates past updates.
    let (status, body) = send(&api, Method::PATCH, &one, json!({ "target": 40 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [(
            "target".to_string(),
            "The target must be different from the baseline".to_string()
        )]
    );
    let (status, o) = send(
        &api,
        Method::PATCH,
        &one,
        json!({ "target": 60, "title": "Digital front door" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(
        (
            o["title"].as_str(),
            o["measure"].as_str(),
            o["latest"]["rag"].as_str()
        ),
        (
            Some("Digital front door"),
            Some("Transactions online"),
            Some("green")
        )
    );
    let (_, o, _) = api.get(&one).await;
    assert_eq!(o["target"], 60.0);

    // Objectives of another partnership are not found through this one.
    let other = app.partnership("partners").await;
    assert_eq!(
        api.get(&format!(
            "/api/v1/partnerships/{other}/objectives/{}",
            o["id"]
        ))
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &api,
            Method::PATCH,
            &format!("/api/v1/partnerships/{other}/objectives/{}", o["id"]),
            json!({ "title": "x" })
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    assert_eq!(
        history.matches("partnership.objective.").count(),
        3,
        "create, progress and one update; refused changes leave no trace"
    );
    // What the history keeps of each change.
    let entries: Vec<(String, Option<String>, Option<String>)> = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::audit_log::dsl::*;
            use diesel::prelude::*;
            Ok(audit_log
                .filter(action.like("partnership.objective.%"))
                .order(id.asc())
                .select((action, before_json, after_json))
                .load(c)?)
        })
        .unwrap();
    let keys = |j: &Option<String>| -> Vec<String> {
        let v: Value = serde_json::from_str(j.as_deref().unwrap_or("null")).unwrap();
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let objective = [
        "baseline",
        "due_date",
        "measure",
        "objective",
        "owner",
        "start_date",
        "target",
        "title",
        "unit",
    ];
    assert_eq!(entries[0].0, "partnership.objective.create");
    assert_eq!(
        (keys(&entries[0].1), keys(&entries[0].2)),
        (vec![], objective.map(String::from).to_vec())
    );
    assert_eq!(entries[1].0, "partnership.objective.progress");
    assert_eq!(
        keys(&entries[1].2),
        ["note", "objective", "rag", "recorded_on", "title", "value"]
    );
    assert_eq!(entries[2].0, "partnership.objective.update");
    assert_eq!(keys(&entries[2].1), objective);
    let after: Value = serde_json::from_str(entries[2].2.as_deref().unwrap()).unwrap();
    assert_eq!(
        (
            after["title"].as_str(),
            after["target"].as_f64(),
            after["owner"].as_str()
        ),
        (Some("Digital front door"), Some(60.0), Some("BIR"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_cannot_see_or_change_a_partners_only_partnerships_objectives() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let oid = add_objective(
        &app,
        id,
        "Joint fraud team",
        (0.0, 10.0),
        (today() - Days::new(100), today() + Days::new(100)),
    )
    .await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    for path in [
        "/objectives".to_string(),
        format!("/objectives/{oid}"),
        format!("/objectives/{oid}/edit"),
    ] {
        assert_eq!(
            outsider
                .get(&format!("/partnerships/{id}{path}"))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        // Not visible comes first: signing in would not help (it used to
        // send anonymous callers of the edit page to sign in).
        assert_eq!(
            app.client()
                .get(&format!("/partnerships/{id}{path}"))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "anonymous {path}"
        );
    }
    let r = post(
        &outsider,
        &format!("/partnerships/{id}/objectives"),
        &objective_form("Hijack", "0", "10", "BIR"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post(
        &outsider,
        &format!("/partnerships/{id}/objectives/{oid}/edit"),
        &objective_form("Hijack", "0", "10", "BIR"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        outsider
            .post_form(
                &format!("/partnerships/{id}/objectives/{oid}/updates"),
                &[("value", "5")]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let api = app.api_as("officer@cornwall.example").await;
    let base = format!("/api/v1/partnerships/{id}/objectives");
    for path in [
        base.clone(),
        format!("{base}/{oid}"),
        format!("{base}/{oid}/updates"),
    ] {
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
        api.post(&base, json!({ "title": "Hijack" })).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post(&format!("{base}/{oid}/updates"), json!({ "value": 5 }))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &api,
            Method::PATCH,
            &format!("{base}/{oid}"),
            json!({ "title": "Hijack" })
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        (app.count("objectives"), app.count("objective_updates")),
        (1, 0)
    );
    let (_, html) = bir
        .get_text(&format!("/partnerships/{id}/objectives/{oid}"))
        .await;
    assert!(html.contains("Joint fraud team") && !html.contains("Hijack"));
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_public_partnership_outsiders_see_objectives_but_no_forms() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let oid = add_objective(
        &app,
        id,
        "Open data",
        (0.0, 20.0),
        (today() - Days::new(10), today() + Days::new(300)),
    )
    .await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    let (status, html) = outsider
        .get_text(&format!("/partnerships/{id}/objectives/{oid}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Open data")
            && !html.contains("Record progress")
            && !html.contains("Change this objective")
    );
    let (_, html) = outsider
        .get_text(&format!("/partnerships/{id}/objectives"))
        .await;
    assert!(!html.contains("Add an objective"));
    assert_eq!(
        outsider
            .post_form(
                &format!("/partnerships/{id}/objectives/{oid}/updates"),
                &[("value", "5")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let outsider_api = app.api_as("officer@cornwall.example").await;
    assert_eq!(
        outsider_api
            .post(
                &format!("/api/v1/partnerships/{id}/objectives/{oid}/updates"),
                json!({ "value": 5 })
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api()
            .get(&format!("/api/v1/partnerships/{id}/objectives"))
            .await
            .0,
        StatusCode::OK,
        "public means public"
    );
    assert_eq!(app.count("objective_updates"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn objectives_answer_404_then_401_then_403_in_that_order() {
    let app = TestApp::with_reference_data().await;
    let dates = (today() - Days::new(100), today() + Days::new(100));
    let body = json!({ "title": "Hijack", "measure": "Anything", "baseline": 0, "target": 10,
        "start_date": dates.0, "due_date": dates.1, "owner": "BIR" });
    let outsider = app.signed_in("officer@cornwall.example").await;
    let outsider_api = app.api_as("officer@cornwall.example").await;

    // Partners only: nobody outside learns it is there, signed in or not,
    // whatever they send.
    let hidden = app.partnership("partners").await;
    let oid = add_objective(&app, hidden, "Joint fraud team", (0.0, 10.0), dates).await;
    let page = format!("/partnerships/{hidden}/objectives/{oid}/edit");
    let api = format!("/api/v1/partnerships/{hidden}/objectives");
    assert_eq!(
        app.client().get(&page).await.status(),
        StatusCode::NOT_FOUND,
        "anonymous page"
    );
    assert_eq!(
        outsider.get(&page).await.status(),
        StatusCode::NOT_FOUND,
        "outsider page"
    );
    let (status, _, content_type) = app.api().post(&api, body.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json"),
        "anonymous API"
    );
    assert_eq!(
        outsider_api.post(&api, body.clone()).await.0,
        StatusCode::NOT_FOUND,
        "outsider API"
    );
    assert_eq!(
        outsider_api
            .post(&api, json!({ "baseline": "lots" }))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "the body is judged only after access"
    );

    // Public: anyone may look, so signed out is asked to sign in (pages:
    // then come back) and signed in without a member organisation is refused.
    let public = app.partnership("public").await;
    let oid = add_objective(&app, public, "Open data", (0.0, 20.0), dates).await;
    let page = format!("/partnerships/{public}/objectives/{oid}/edit");
    let api = format!("/api/v1/partnerships/{public}/objectives");
    let r = app.client().get(&page).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "anonymous page");
    assert_eq!(
        r.headers()["location"],
        format!("/sign-in?next={}", page.replace('/', "%2F")).as_str()
    );
    let (status, _, content_type) = app.api().post(&api, body.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::UNAUTHORIZED, "application/problem+json"),
        "anonymous API"
    );
    assert_eq!(
        outsider.get(&page).await.status(),
        StatusCode::FORBIDDEN,
        "outsider page"
    );
    let (status, _, content_type) = outsider_api.post(&api, body.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::FORBIDDEN, "application/problem+json"),
        "outsider API"
    );
    assert_eq!(
        outsider_api
            .post(&api, json!({ "baseline": "lots" }))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "the body is judged only after access"
    );

    let written: i64 = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::audit_log::dsl::*;
            use diesel::prelude::*;
            Ok(audit_log
                .filter(action.like("partnership.objective.%"))
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(
        (
            app.count("objectives"),
            app.count("objective_updates"),
            written
        ),
        (2, 0, 2),
        "only the two objectives the test added"
    );
}

/// Every `$ref` in the document names a component that is there.
pub fn assert_refs_resolve(doc: &Value, node: &Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let (kind, name) = r
                    .strip_prefix("#/components/")
                    .and_then(|rest| rest.split_once('/'))
                    .unwrap_or_else(|| panic!("unexpected $ref {r}"));
                assert!(
                    doc["components"][kind].get(name).is_some(),
                    "{r} is not in the document"
                );
            }
            map.values().for_each(|v| assert_refs_resolve(doc, v));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_refs_resolve(doc, v)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_the_objectives_api() {
    let app = TestApp::with_reference_data().await;
    let (status, doc, _) = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for (path, methods) in [
        ("/api/v1/partnerships/{id}/objectives", &["get", "post"][..]),
        (
            "/api/v1/partnerships/{id}/objectives/{oid}",
            &["get", "patch"][..],
        ),
        (
            "/api/v1/partnerships/{id}/objectives/{oid}/updates",
            &["get", "post"][..],
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
        doc["components"]["schemas"]["Rag"]["enum"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_refs_resolve(&doc, &doc["paths"]);
    assert_refs_resolve(&doc, &doc["components"]);
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
