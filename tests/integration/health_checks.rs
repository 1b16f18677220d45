//! Health checks: starting a round (page and API), inviting stakeholders
//! (links only to the lead), email through the outbox, answering by link
//! (page and API) until the round closes or the link expires, tokens that
//! answer only their own invitation, and response rates.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{extract_between, today, TestApp};

const LEAD: &str = "lead@birmingham.example";
const PARTNER: &str = "lead@leeds.example";
const OUTSIDER: &str = "officer@cornwall.example";

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn api_round(app: &TestApp, pid: i64) -> i64 {
    let api = app.api_as(LEAD).await;
    let (status, body, _) = api
        .post(
            &format!("/api/v1/partnerships/{pid}/health-checks"),
            json!({"title": "Autumn health check", "opens_on": date(today()), "closes_on": date(today() + Duration::days(14))}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["questionnaire_name"],
        "Concord partnership health check"
    );
    body["id"].as_i64().unwrap()
}

async fn invite(app: &TestApp, round: i64, people: &[(&str, &str, &str)]) -> Vec<String> {
    let api = app.api_as(LEAD).await;
    let list: Vec<_> = people
        .iter()
        .map(|(e, o, r)| json!({"email": e, "organisation": o, "role": r}))
        .collect();
    let (status, body, _) = api
        .post(
            &format!("/api/v1/health-checks/{round}/invitations"),
            json!({ "invitations": list }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|i| i["answer_url"].as_str().unwrap().to_string())
        .collect()
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

/// The first statement's id of the round's questionnaire, and its factor's.
async fn first_statement(app: &TestApp) -> (i64, i64, i64) {
    let (_, body, _) = app.api_as(LEAD).await.get("/api/v1/questionnaires").await;
    let f = &body[0]["factors"][0];
    (
        f["id"].as_i64().unwrap(),
        f["statements"][0]["id"].as_i64().unwrap(),
        f["statements"][1]["id"].as_i64().unwrap(),
    )
}

fn set_round(
    app: &TestApp,
    round: i64,
    closes_on: chrono::NaiveDate,
    expires: Option<chrono::NaiveDateTime>,
) {
    app.db()
        .write_blocking(move |c| {
            use concord::db::schema::{health_invitations as hi, health_rounds as hr};
            use diesel::prelude::*;
            diesel::update(hr::table.find(round))
                .set(hr::closes_on.eq(closes_on))
                .execute(c)?;
            if let Some(e) = expires {
                diesel::update(hi::table.filter(hi::round_id.eq(round)))
                    .set(hi::expires_at.eq(e))
                    .execute(c)?;
            }
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn a_round_started_on_the_page_and_invited_by_the_lead() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let lead = app.signed_in(LEAD).await;
    let (status, html) = lead
        .get_text(&format!("/partnerships/{pid}/health-checks"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Start a health check"));
    // Close before open is refused with the GOV.UK error summary.
    let t = today();
    let (d, m, y) = (
        t.format("%-d").to_string(),
        t.format("%-m").to_string(),
        t.format("%Y").to_string(),
    );
    let r = lead
        .post_form(
            &format!("/partnerships/{pid}/health-checks"),
            &[
                ("title", "Spring"),
                ("opens_on_day", &d),
                ("opens_on_month", &m),
                ("opens_on_year", &y),
                ("closes_on_day", &d),
                ("closes_on_month", &m),
                ("closes_on_year", &y),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("must be after the date it opens"));
    let c = t + Duration::days(10);
    let (cd, cm, cy) = (
        c.format("%-d").to_string(),
        c.format("%-m").to_string(),
        c.format("%Y").to_string(),
    );
    let r = lead
        .post_form(
            &format!("/partnerships/{pid}/health-checks"),
            &[
                ("title", "Spring"),
                ("opens_on_day", &d),
                ("opens_on_month", &m),
                ("opens_on_year", &y),
                ("closes_on_day", &cd),
                ("closes_on_month", &cm),
                ("closes_on_year", &cy),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let round: i64 = extract_between(&to, "/health-checks/", "?")
        .unwrap()
        .parse()
        .unwrap();
    // Invite on the page: one from each partner.
    let r = lead
        .post_form(
            &format!("/health-checks/{round}/invitations"),
            &[
                ("invite1_email", "ann@birmingham.example"),
                ("invite1_organisation", "BIR"),
                ("invite1_role", "leadership"),
                ("invite2_email", "bob@leeds.example"),
                ("invite2_organisation", "LDS"),
                ("invite2_role", "operational"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mail = app.mail_about("bob@leeds.example", "Health check").await;
    assert!(mail.text.contains("/health/"), "{}", mail.text);
    let (_, html) = lead.get_text(&format!("/health-checks/{round}")).await;
    assert!(html.contains("0 of 2 invited"), "{html}");
    // An organisation that is not an active member cannot be invited.
    let r = lead
        .post_form(
            &format!("/health-checks/{round}/invitations"),
            &[
                ("invite1_email", "x@cornwall.example"),
                ("invite1_organisation", "CON"),
                ("invite1_role", "leadership"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The partner sees the round but cannot run it; an outsider does not see it.
    let partner = app.signed_in(PARTNER).await;
    let (status, html) = partner.get_text(&format!("/health-checks/{round}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Send invitations"));
    let outsider = app.signed_in(OUTSIDER).await;
    assert_eq!(
        outsider
            .get(&format!("/health-checks/{round}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn invitations_by_api_return_links_only_to_the_lead() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let round = api_round(&app, pid).await;
    let body = json!({"invitations": [{"email": "c@leeds.example", "organisation": "LDS", "role": "management"}]});
    let (status, _, _) = app
        .api_as(PARTNER)
        .await
        .post(
            &format!("/api/v1/health-checks/{round}/invitations"),
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .api_as(OUTSIDER)
        .await
        .post(
            &format!("/api/v1/health-checks/{round}/invitations"),
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.api_as(OUTSIDER).await.post(&format!("/api/v1/partnerships/{pid}/health-checks"), json!({"title": "x", "opens_on": date(today()), "closes_on": date(today() + Duration::days(3))})).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN);
    let links = invite(&app, round, &[("c@leeds.example", "LDS", "management")]).await;
    assert!(links[0].contains("/health/"));
    // Nothing but the lead's answer shows a link: not the round, not the list.
    let (status, body, _) = app
        .api_as(PARTNER)
        .await
        .get(&format!("/api/v1/health-checks/{round}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.to_string().contains("/health/"));
    assert_eq!(body["invited"], 1);
    let (_, list, _) = app.api_as(PARTNER).await.get("/api/v1/health-checks").await;
    assert!(list.as_array().unwrap().iter().any(|r| r["id"] == round));
    let (_, list, _) = app
        .api_as(OUTSIDER)
        .await
        .get("/api/v1/health-checks")
        .await;
    assert!(!list.as_array().unwrap().iter().any(|r| r["id"] == round));
    // The email went through the outbox with the same link.
    let mail = app.mail_about("c@leeds.example", "Health check").await;
    assert!(mail.text.contains(&links[0]), "{}", mail.text);
    // Inviting the same person twice is refused.
    let (status, _, _) = app
        .api_as(LEAD)
        .await
        .post(&format!("/api/v1/health-checks/{round}/invitations"), body)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn answers_by_link_until_the_round_closes_and_never_after() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let round = api_round(&app, pid).await;
    let links = invite(
        &app,
        round,
        &[
            ("a@birmingham.example", "BIR", "leadership"),
            ("b@leeds.example", "LDS", "operational"),
            ("c@leeds.example", "LDS", "operational"),
        ],
    )
    .await;
    let (factor, s1, s2) = first_statement(&app).await;
    let anon = app.api();
    let put = |token: String, body: serde_json::Value| {
        let anon = &anon;
        async move {
            anon.send(
                reqwest::Method::PUT,
                &format!("/api/v1/health-responses/{token}"),
                Some(body),
            )
            .await
        }
    };
    // A wrong token is not found.
    let (status, _) = put("nothing-like-a-token".into(), json!({"answers": []})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Answer by API, without a bearer token.
    let t0 = token_of(&links[0]);
    let (status, body) = put(
        t0.clone(),
        json!({"answers": [{"statement_id": s1, "score": 4}, {"statement_id": s2, "dont_know": true}],
               "comments": [{"factor_id": factor, "text": "Clear purpose."}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["answered"], 1);
    assert_eq!(body["dont_know"], 1);
    // A score outside 1–5 is refused.
    let (status, _) = put(
        t0.clone(),
        json!({"answers": [{"statement_id": s1, "score": 6}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Answer by page, without signing in; then change it.
    let b = app.client();
    let t1 = token_of(&links[1]);
    let (status, html) = b.get_text(&format!("/health/{t1}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Save my answers"));
    assert!(
        !html.contains("Clear purpose."),
        "another's comment must not show"
    );
    let csrf = extract_between(&html, "name=\"csrf_token\" value=\"", "\"").unwrap();
    let s1f = format!("s{s1}");
    let cf = format!("c{factor}");
    let r = b
        .http
        .post(format!("{}/health/{t1}", app.base))
        .form(&[
            (s1f.as_str(), "2"),
            (cf.as_str(), "Slow."),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get_text(&format!("/health/{t1}?saved=1")).await;
    assert!(html.contains("your answers are saved"));
    assert!(html.contains("Slow."));
    let r = b
        .http
        .post(format!("{}/health/{t1}", app.base))
        .form(&[(s1f.as_str(), "5"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Without the CSRF token the form is refused.
    let r = b
        .http
        .post(format!("{}/health/{t1}", app.base))
        .form(&[(s1f.as_str(), "1")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    // Each token changed only its own invitation.
    let rows: Vec<(i64, Option<i32>)> = app
        .db()
        .read_blocking(move |c| {
            use concord::db::schema::{health_answers as ha, health_invitations as hi};
            use diesel::prelude::*;
            Ok(ha::table
                .inner_join(hi::table)
                .filter(hi::round_id.eq(round))
                .filter(ha::statement_id.eq(s1))
                .order(hi::id)
                .select((hi::id, ha::score))
                .load(c)?)
        })
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![Some(4), Some(5)]
    );
    // Response rates count answers by partner and role.
    let (_, body, _) = app
        .api_as(LEAD)
        .await
        .get(&format!("/api/v1/health-checks/{round}"))
        .await;
    assert_eq!(
        (body["invited"].as_i64(), body["responded"].as_i64()),
        (Some(3), Some(2))
    );
    let leeds = body["by_partner"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "LDS")
        .unwrap();
    assert_eq!(
        (leeds["invited"].as_i64(), leeds["responded"].as_i64()),
        (Some(2), Some(1))
    );
    let op = body["by_role"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "operational")
        .unwrap();
    assert_eq!(
        (op["invited"].as_i64(), op["responded"].as_i64()),
        (Some(2), Some(1))
    );
    // After the close date, answers are refused with a clear message.
    set_round(&app, round, today() - Duration::days(1), None);
    let (status, body) = put(
        t0.clone(),
        json!({"answers": [{"statement_id": s1, "score": 1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, html) = b.get_text(&format!("/health/{t1}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("has closed"));
    assert!(!html.contains("Save my answers"));
    // An expired link is refused even while the round is open.
    set_round(
        &app,
        round,
        today() + Duration::days(5),
        Some((today() - Duration::days(1)).and_hms_opt(0, 0, 0).unwrap()),
    );
    let (status, body) = put(
        t0.clone(),
        json!({"answers": [{"statement_id": s1, "score": 1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("expired"));
}

#[tokio::test]
async fn the_lead_closes_the_round_and_reminds_once_a_day() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let round = api_round(&app, pid).await;
    let links = invite(&app, round, &[("d@leeds.example", "LDS", "external")]).await;
    let lead = app.signed_in(LEAD).await;
    let r = lead
        .post_form(&format!("/health-checks/{round}/reminders"), &[])
        .await;
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/health-checks/{round}?notice=reminded")
    );
    let r = lead
        .post_form(&format!("/health-checks/{round}/reminders"), &[])
        .await;
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/health-checks/{round}?notice=none_to_remind")
    );
    let mail = app.mail_about("d@leeds.example", "Reminder").await;
    let fresh = extract_between(&mail.text, "/health/", "\n").unwrap();
    // The reminder's link works; the first one no longer does.
    let anon = app.client();
    assert_eq!(
        anon.get(&format!("/health/{fresh}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        anon.get(&format!("/health/{}", token_of(&links[0])))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // A partner cannot close it; the lead can.
    let partner = app.signed_in(PARTNER).await;
    assert_eq!(
        partner
            .post_form(&format!("/health-checks/{round}/close"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = lead
        .post_form(&format!("/health-checks/{round}/close"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = anon.get_text(&format!("/health/{fresh}")).await;
    assert!(html.contains("has closed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rounds_audit_entries_are_read_only_by_its_partnerships_members() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("public").await;
    let round = api_round(&app, pid).await;
    invite(
        &app,
        round,
        &[("ann@birmingham.example", "BIR", "leadership")],
    )
    .await;
    let entries = |body: &str| body.matches("health_round.invite").count();
    assert_eq!(
        app.count("audit_log WHERE action = 'health_round.invite'"),
        1,
        "the invitation is in the trail"
    );
    // The platform admin's organisation is no member: the whole platform's
    // trail still leaves the round out, as the partnership is public but
    // its health checks are its members'.
    let (status, all) = app
        .signed_in("admin@concord.example")
        .await
        .get_text("/audit")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(all.contains("partnership"), "the trail itself is shown");
    assert_eq!(
        entries(&all),
        0,
        "round {round} is not the platform's to read"
    );
}

#[tokio::test]
async fn the_daily_job_closes_rounds_past_their_close_date_once() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let ended = api_round(&app, pid).await;
    let running = api_round(&app, pid).await;
    set_round(&app, ended, today() - Duration::days(1), None);
    let status = |round: i64| {
        app.db()
            .read_blocking(move |c| {
                use concord::db::schema::health_rounds as hr;
                use diesel::prelude::*;
                Ok(hr::table
                    .find(round)
                    .select(hr::status)
                    .first::<String>(c)?)
            })
            .unwrap()
    };
    let audit = app.count("audit_log");
    let closed = concord::health::rounds::reminders::close_finished(app.db(), today()).unwrap();
    assert_eq!(closed, 1);
    assert_eq!(
        (status(ended), status(running)),
        ("closed".into(), "open".into())
    );
    assert_eq!(app.count("audit_log"), audit + 1);
    // The entry says who closed it and why, in the round's own trail.
    let (label, after) = app
        .db()
        .read_blocking(move |c| {
            use concord::db::schema::audit_log as a;
            use diesel::prelude::*;
            Ok(a::table
                .filter(a::action.eq("health_round.close"))
                .filter(a::scope_id.eq(ended))
                .select((a::actor_label, a::after_json))
                .first::<(String, Option<String>)>(c)?)
        })
        .unwrap();
    assert!(label.starts_with("system:"), "{label}");
    assert!(after.unwrap().contains("its close date passed"));
    // A second run closes nothing more and writes nothing.
    let closed = concord::health::rounds::reminders::close_finished(app.db(), today()).unwrap();
    assert_eq!(closed, 0);
    assert_eq!(app.count("audit_log"), audit + 1);
}
