//! Health check reports: figures exactly as worked by hand, a divergence
//! flagged, anonymity in the page, the API and the CSV (a partner with two
//! respondents never shows), no emails in the CSV, an action from the report
//! in the partnership's review actions, the portfolio, and who may read it:
//! outsiders, platform admins who are not members, and the signed-out get
//! "not found".

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{today, TestApp};

const LEAD: &str = "lead@birmingham.example";
const PARTNER: &str = "lead@leeds.example";
const OUTSIDER: &str = "officer@cornwall.example";
const ADMIN: &str = "admin@concord.example";

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn new_round(app: &TestApp, pid: i64, title: &str) -> i64 {
    let (status, body, _) = app
        .api_as(LEAD)
        .await
        .post(
            &format!("/api/v1/partnerships/{pid}/health-checks"),
            json!({"title": title, "opens_on": date(today()), "closes_on": date(today() + Duration::days(14))}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// The first two factors' (id, name, first two statement ids).
async fn two_factors(app: &TestApp) -> [(i64, String, i64, i64); 2] {
    let (_, body, _) = app.api_as(LEAD).await.get("/api/v1/questionnaires").await;
    let f = |i: usize| {
        let f = &body[0]["factors"][i];
        (
            f["id"].as_i64().unwrap(),
            f["name"].as_str().unwrap().to_string(),
            f["statements"][0]["id"].as_i64().unwrap(),
            f["statements"][1]["id"].as_i64().unwrap(),
        )
    };
    [f(0), f(1)]
}

/// Invites each (email, organisation, role) and answers with its four
/// scores (factor 1: two statements, factor 2: two; `None` is don't know).
async fn answer_all(
    app: &TestApp,
    round: i64,
    people: &[(&str, &str, &str, [Option<i32>; 4])],
    comment: Option<&str>,
) {
    let factors = two_factors(app).await;
    let list: Vec<Value> = people
        .iter()
        .map(|(e, o, r, _)| json!({"email": e, "organisation": o, "role": r}))
        .collect();
    let (status, body, _) = app
        .api_as(LEAD)
        .await
        .post(
            &format!("/api/v1/health-checks/{round}/invitations"),
            json!({ "invitations": list }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let links: Vec<String> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["answer_url"].as_str().unwrap().to_string())
        .collect();
    let statements = [factors[0].2, factors[0].3, factors[1].2, factors[1].3];
    let anon = app.api();
    for (i, (_, _, _, scores)) in people.iter().enumerate() {
        let answers: Vec<Value> = statements
            .iter()
            .zip(scores)
            .map(|(s, score)| match score {
                Some(v) => json!({"statement_id": s, "score": v}),
                None => json!({"statement_id": s, "dont_know": true}),
            })
            .collect();
        let comments: Vec<Value> = match (i, comment) {
            (0, Some(text)) => vec![json!({"factor_id": factors[0].0, "text": text})],
            _ => Vec::new(),
        };
        let token = links[i].rsplit('/').next().unwrap();
        let (status, body) = anon
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/health-responses/{token}"),
                Some(json!({"answers": answers, "comments": comments})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// Birmingham's three score the first factor high, Leeds's three low.
const SIX: [(&str, &str, &str, [Option<i32>; 4]); 6] = [
    (
        "one@birmingham.example",
        "BIR",
        "leadership",
        [Some(5), Some(4), Some(4), Some(4)],
    ),
    (
        "two@birmingham.example",
        "BIR",
        "leadership",
        [Some(5), Some(5), Some(3), None],
    ),
    (
        "three@birmingham.example",
        "BIR",
        "operational",
        [Some(4), None, Some(4), Some(3)],
    ),
    (
        "four@leeds.example",
        "LDS",
        "operational",
        [Some(2), Some(3), Some(4), Some(4)],
    ),
    (
        "five@leeds.example",
        "LDS",
        "operational",
        [Some(3), Some(2), None, None],
    ),
    (
        "six@leeds.example",
        "LDS",
        "leadership",
        [Some(2), Some(2), Some(3), Some(4)],
    ),
];

#[tokio::test]
async fn the_report_has_the_figures_worked_by_hand() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let round = new_round(&app, pid, "Autumn health check").await;
    answer_all(
        &app,
        round,
        &SIX,
        Some("We trust each other less than we say."),
    )
    .await;
    let [(f1, f1_name, ..), (f2, ..)] = two_factors(&app).await;

    let (status, r, _) = app
        .api_as(PARTNER)
        .await
        .get(&format!("/api/v1/health-checks/{round}/report"))
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["respondents"], 6);
    assert_eq!(r["invited"], 6);
    // 70 / 20 = 3.5 overall; 4 don't know counted, not in any mean.
    assert_eq!(r["overall"], 3.5);
    assert_eq!(
        (r["scores"].as_i64(), r["dont_know"].as_i64()),
        (Some(20), Some(4))
    );
    let factor = |id: i64| {
        r["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["factor_id"] == id)
            .unwrap()
            .clone()
    };
    // First factor: 37 / 11 = 3.36, one don't know; second: 33 / 9 = 3.67, three.
    assert_eq!(factor(f1)["mean"], 3.36);
    assert_eq!(
        (
            factor(f1)["scores"].as_i64(),
            factor(f1)["dont_know"].as_i64()
        ),
        (Some(11), Some(1))
    );
    assert_eq!(factor(f2)["mean"], 3.67);
    assert_eq!(
        (
            factor(f2)["scores"].as_i64(),
            factor(f2)["dont_know"].as_i64()
        ),
        (Some(9), Some(3))
    );
    assert_eq!(factor(f1)["divergent"], true);
    // By partner: Birmingham 23 / 5 = 4.6, Leeds 14 / 6 = 2.33 on the first factor.
    let partners = r["by_partner"].as_array().unwrap();
    assert_eq!(partners.len(), 2);
    let mean_of = |g: &Value, id: i64| {
        g["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["factor_id"] == id)
            .unwrap()["mean"]
            .clone()
    };
    let bir = partners
        .iter()
        .find(|g| g["label"].as_str().unwrap().contains("Birmingham"))
        .unwrap();
    let lds = partners
        .iter()
        .find(|g| g["label"].as_str().unwrap().contains("Leeds"))
        .unwrap();
    assert_eq!(mean_of(bir, f1), 4.6);
    assert_eq!(mean_of(lds, f1), 2.33);
    // By role: leadership (three people) 23 / 6 = 3.83 on the first factor.
    let leadership = r["by_role"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "leadership")
        .unwrap();
    assert_eq!(leadership["respondents"], 3);
    assert_eq!(mean_of(leadership, f1), 3.83);
    // Divergence: 4.6 - 2.33 = 2.27 on the first factor only.
    let d = r["divergences"].as_array().unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["factor_id"], f1);
    assert_eq!(d[0]["gap"], 2.27);
    // Placement: 3.5 overall, no concern, one divergence: cooperating.
    assert_eq!(r["placement"]["level"], "cooperating");
    assert!(r["placement"]["rule"]
        .as_str()
        .unwrap()
        .contains("at least 3.00"));
    assert_eq!(
        r["comments"][0]["comments"][0],
        "We trust each other less than we say."
    );
    assert!(!r.to_string().contains("@birmingham.example"));

    // The page: the same figures, both pictures with their tables, the print hint.
    let (status, html) = app
        .signed_in(LEAD)
        .await
        .get_text(&format!("/health-checks/{round}/report"))
        .await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "3.50 out of 5",
        "Cooperating",
        "4.60",
        "2.33",
        "2.27",
        "Factor profile by partner",
        "Heat map of partners by factor",
        "Print this report",
        f1_name.as_str(),
    ] {
        assert!(html.contains(text), "the page shows {text}");
    }
    assert!(!html.contains("one@birmingham.example"));

    // An action from the report becomes a review action of the partnership.
    let due = today() + Duration::days(30);
    let lead = app.signed_in(LEAD).await;
    let (d, m, y) = (
        due.format("%-d").to_string(),
        due.format("%-m").to_string(),
        due.format("%Y").to_string(),
    );
    let before = app.count("review_actions");
    let r = lead
        .post_form(
            &format!("/health-checks/{round}/report/actions"),
            &[
                ("action1_description", ""),
                ("action1_owner", "LDS"),
                ("action1_due_on_day", &d),
                ("action1_due_on_month", &m),
                ("action1_due_on_year", &y),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a description is needed"
    );
    let r = lead
        .post_form(
            &format!("/health-checks/{round}/report/actions"),
            &[
                ("action1_description", "Agree how trust is rebuilt"),
                ("action1_owner", "LDS"),
                ("action1_due_on_day", &d),
                ("action1_due_on_month", &m),
                ("action1_due_on_year", &y),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    assert_eq!(app.count("review_actions"), before + 1);
    let (_, reviews) = lead.get_text(&format!("/partnerships/{pid}/reviews")).await;
    assert!(reviews.contains("Agree how trust is rebuilt"));

    // Closed, the round is the portfolio's latest; a later round compares with it.
    app.db()
        .write_blocking(move |c| {
            use concord::db::schema::health_rounds as hr;
            use diesel::prelude::*;
            diesel::update(hr::table.find(round))
                .set((
                    hr::status.eq("closed"),
                    hr::closes_on.eq(today() - Duration::days(1)),
                ))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    let (_, body, _) = app
        .api_as(PARTNER)
        .await
        .get("/api/v1/health-checks/portfolio")
        .await;
    let row = body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partnership_id"] == pid)
        .unwrap()
        .clone();
    assert_eq!(
        (row["overall"].as_f64(), row["divergences"].as_i64()),
        (Some(3.5), Some(1))
    );
    assert_eq!(row["placement"]["level"], "cooperating");
    let later = new_round(&app, pid, "Spring health check").await;
    // Every score one higher, five staying five (three of them): 87 / 20 = 4.35.
    let higher: Vec<(&str, &str, &str, [Option<i32>; 4])> = SIX
        .iter()
        .map(|(e, o, r, s)| (*e, *o, *r, s.map(|v| v.map(|v| (v + 1).min(5)))))
        .collect();
    answer_all(&app, later, &higher, None).await;
    let (_, r2, _) = app
        .api_as(LEAD)
        .await
        .get(&format!("/api/v1/health-checks/{later}/report"))
        .await;
    assert_eq!(r2["trend"]["previous_round_id"], round);
    assert_eq!(r2["trend"]["before"], 3.5);
    assert_eq!(r2["trend"]["now"], 4.35);
    assert_eq!(r2["trend"]["change"], 0.85);
    assert_eq!(r2["trend"]["direction"], "up");

    // The portfolio lists the partnership.
    let (status, body, _) = app
        .api_as(LEAD)
        .await
        .get("/api/v1/health-checks/portfolio?sort=health")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["partnership_id"] == pid));
    let (status, html) = lead
        .get_text("/health-checks/portfolio?sort=divergences")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Birmingham and Leeds revenues"));

    // The portfolio kept the closed round's figures when it first read them.
    let kept = |app: &TestApp| {
        app.db()
            .read_blocking(|c| {
                use concord::db::schema::health_round_summaries as hs;
                use diesel::prelude::*;
                Ok(hs::table.select(hs::round_id).load::<i64>(c)?)
            })
            .unwrap()
    };
    assert_eq!(kept(&app), [round]);
    // Closing the later round forgets them; the portfolio then shows the
    // later round with its trend, computed afresh.
    let r = lead
        .post_form(&format!("/health-checks/{later}/close"), &[])
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(kept(&app).is_empty());
    let (_, body, _) = app
        .api_as(LEAD)
        .await
        .get("/api/v1/health-checks/portfolio")
        .await;
    let row = body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partnership_id"] == pid)
        .unwrap()
        .clone();
    assert_eq!(row["round_id"], later);
    assert_eq!(
        (row["overall"].as_f64(), row["change"].as_f64()),
        (Some(4.35), Some(0.85))
    );
    assert_eq!(row["trend"], "up");
    assert_eq!(kept(&app), [later]);
}

#[tokio::test]
async fn a_partner_with_two_respondents_is_never_shown() {
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let round = new_round(&app, pid, "Small round").await;
    // Birmingham three, Leeds two: Leeds goes into Other, which is then too
    // small, so Birmingham joins it and only "Other" (five) is shown.
    answer_all(&app, round, &[SIX[0], SIX[1], SIX[2], SIX[3], SIX[4]], None).await;
    let (status, r, _) = app
        .api_as(LEAD)
        .await
        .get(&format!("/api/v1/health-checks/{round}/report"))
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let labels: Vec<&str> = r["by_partner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Other"]);
    assert_eq!(r["by_partner"][0]["respondents"], 5);
    assert!(r["divergences"].as_array().unwrap().is_empty());
    // Roles: leadership 2 and operational 3: leadership joins Other... which
    // is then 2, so operational joins too: one group of five.
    let roles: Vec<&str> = r["by_role"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["label"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["Other"]);
    assert!(
        !r.to_string().contains("Leeds"),
        "Leeds is named nowhere in the report"
    );

    let lead = app.signed_in(LEAD).await;
    let (_, html) = lead
        .get_text(&format!("/health-checks/{round}/report"))
        .await;
    let partner_table = html
        .split("id=\"partner-table\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(partner_table.contains("Other"));
    assert!(!partner_table.contains("Leeds") && !partner_table.contains("Birmingham"));

    let r = lead
        .get(&format!("/health-checks/{round}/responses.csv"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("respondent,organisation,role,factor,statement,answer"));
    assert!(!csv.contains('@'), "no emails in the CSV");
    assert!(!csv.contains("Leeds") && !csv.contains("Birmingham"));
    // 5 people × 4 answers, plus the header.
    assert_eq!(csv.lines().count(), 21);
    assert!(csv.contains(",Other,"));
    assert!(csv.contains("Don't know"));

    // Two respondents only: no figures anywhere, and an empty CSV.
    let tiny = new_round(&app, pid, "Tiny round").await;
    answer_all(&app, tiny, &[SIX[0], SIX[3]], None).await;
    let (_, r, _) = app
        .api_as(LEAD)
        .await
        .get(&format!("/api/v1/health-checks/{tiny}/report"))
        .await;
    assert_eq!(r["enough"], false);
    assert!(r["overall"].is_null() && r["factors"].as_array().unwrap().is_empty());
    let csv = lead
        .get(&format!("/health-checks/{tiny}/responses.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1);
}

#[tokio::test]
async fn only_the_partnerships_members_may_read_a_report() {
    let app = TestApp::with_reference_data().await;
    // Public partnership: its rounds are still partners-only.
    let pid = app.partnership("public").await;
    let round = new_round(&app, pid, "Autumn").await;
    answer_all(&app, round, &SIX, None).await;
    for who in [OUTSIDER, ADMIN] {
        let (status, _) = app
            .signed_in(who)
            .await
            .get_text(&format!("/health-checks/{round}/report"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: page");
        let r = app
            .signed_in(who)
            .await
            .get(&format!("/health-checks/{round}/responses.csv"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}: CSV");
        let (status, _, _) = app
            .api_as(who)
            .await
            .get(&format!("/api/v1/health-checks/{round}/report"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: API");
        let r = app
            .signed_in(who)
            .await
            .post_form(
                &format!("/health-checks/{round}/report/actions"),
                &[("action1_description", "x")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}: action");
        let (_, body, _) = app
            .api_as(who)
            .await
            .get("/api/v1/health-checks/portfolio")
            .await;
        assert!(
            !body
                .to_string()
                .contains(&format!("\"partnership_id\":{pid}")),
            "{who}: portfolio"
        );
    }
    let (status, _, _) = app
        .api()
        .get(&format!("/api/v1/health-checks/{round}/report"))
        .await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED),
        "{status}"
    );
    let r = app
        .client()
        .get(&format!("/health-checks/{round}/report"))
        .await;
    assert!(
        matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED)
            || r.status().is_redirection(),
        "{}",
        r.status()
    );
    // A member who may not change the partnership gets no action form, and 403 on posting.
    let partner = app.signed_in(PARTNER).await;
    let (status, html) = partner
        .get_text(&format!("/health-checks/{round}/report"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Add an action from this report"));
    let r = partner
        .post_form(
            &format!("/health-checks/{round}/report/actions"),
            &[("action1_description", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The OpenAPI document has the report and the portfolio.
    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/health-checks/{id}/report"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/health-checks/portfolio"]["get"].is_object());
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags.iter().filter(|t| **t == "health-checks").count(),
        1,
        "one health-checks tag"
    );
}

/// A summary computed before a round closed is not kept after it: the close
/// may change the trend, so the next reader computes it again.
#[tokio::test]
async fn a_summary_seen_before_a_round_closed_is_not_kept() {
    use concord::health::report::summary::{self, Seen, Summary};
    let app = TestApp::with_reference_data().await;
    let pid = app.partnership("partners").await;
    let round = new_round(&app, pid, "Autumn health check").await;
    let figures = Summary {
        respondents: 0,
        overall: None,
        placement: None,
        trend: None,
        change: None,
        divergences: 0,
    };
    let keep = |closed_rounds: i64| {
        let computed = vec![(
            Seen {
                round,
                partnership: pid,
                closed_rounds,
            },
            figures.clone(),
        )];
        app.db()
            .write_blocking(move |c| summary::keep(c, &computed))
            .unwrap();
        app.count("health_round_summaries")
    };
    // The lead closes it: the partnership now has one closed round.
    let r = app
        .signed_in(LEAD)
        .await
        .post_form(&format!("/health-checks/{round}/close"), &[])
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(keep(0), 0, "seen when none had closed: not kept");
    assert_eq!(keep(1), 1, "seen after the close: kept");
}
