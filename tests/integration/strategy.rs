//! The collaboration strategy: only an organisation's admins write it, its
//! people read it, and the strategy review judges every partnership of the
//! organisation against each criterion from the register.

use concord::error::AppError;
use concord::partnerships::ledger::model::{LedgerDraft, LedgerInput};
use concord::partnerships::model::Partnership;
use concord::policy::Action;
use concord::work::Work;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{person, TestApp};

fn strategy() -> Value {
    json!({
        "outcomes": "Lower back-office costs.\nBetter services for residents.",
        "criteria": [
            {"kind": "exit_plan"},
            {"kind": "savings_cover_costs"},
            {"kind": "max_risk_exposure", "threshold": 10},
            {"kind": "min_health_score", "threshold": 3.5},
        ]
    })
}

/// Birmingham records a realised 2025/26 entry through the ledger's store.
fn record(app: &TestApp, id: i64, entry_type: &str, amount_pence: i64) {
    let entry_type = entry_type.to_string();
    app.db()
        .write_blocking(move |c| {
            let bir = person(c, "lead@birmingham.example")?;
            let mut w = Work::<Partnership>::open(c, id, Some(bir), Action::EditPartnership)?;
            let members = concord::partnerships::store::active_members(w.conn, id)?;
            let draft = LedgerDraft {
                organisation: "BIR".into(),
                entry_type,
                basis: "realised".into(),
                financial_year: Some(2025),
                amount_pence,
                description: String::new(),
            };
            let input = LedgerInput::parse(&draft, &members).map_err(AppError::Invalid)?;
            concord::partnerships::ledger::store::create(&mut w, &input)?;
            Ok(())
        })
        .expect("a ledger entry");
}

/// An exit plan, and an open 4 × 5 risk with Birmingham carrying `share_bp`.
fn exit_plan_and_risk(app: &TestApp, id: i64, share_bp: i32) {
    app.db()
        .write_blocking(move |c| {
            use concord::db::schema::{organisations, partnerships, risk_shares, risks};
            diesel::update(partnerships::table.find(id))
                .set(partnerships::exit_plan.eq("Six months' notice; assets return to their owner"))
                .execute(c)?;
            let bir: i64 = organisations::table
                .filter(organisations::code.eq("BIR"))
                .select(organisations::id)
                .first(c)?;
            let now = concord::db::now();
            let rid: i64 = diesel::insert_into(risks::table)
                .values((
                    risks::partnership_id.eq(id),
                    risks::title.eq("Supplier fails"),
                    risks::description.eq(""),
                    risks::category.eq("supplier_failure"),
                    risks::likelihood.eq(4),
                    risks::impact.eq(5),
                    risks::owner_organisation_id.eq(bir),
                    risks::mitigation.eq(""),
                    risks::status.eq("open"),
                    risks::created_at.eq(now),
                    risks::updated_at.eq(now),
                ))
                .returning(risks::id)
                .get_result(c)?;
            diesel::insert_into(risk_shares::table)
                .values((
                    risk_shares::risk_id.eq(rid),
                    risk_shares::organisation_id.eq(bir),
                    risk_shares::share_bp.eq(share_bp),
                ))
                .execute(c)?;
            Ok(())
        })
        .expect("an exit plan and a risk");
}

fn standings(review: &Value, name: &str) -> Vec<(String, String)> {
    let p = review["partnerships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} in the review: {review}"));
    p["judgements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["kind"].as_str().unwrap().to_string(),
                j["standing"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_review_judges_each_partnership_against_each_criterion() {
    let app = TestApp::with_reference_data().await;
    let shared = app.partnership("partners").await;
    app.sole_partnership("Birmingham alone", "partners").await;
    // The shared one: an exit plan, 60% of a 4 × 5 risk (exposure 12.00),
    // savings £1,000 against costs £4,000. The other: nothing recorded.
    exit_plan_and_risk(&app, shared, 6000);
    record(&app, shared, "cost", 4_000_00);
    record(&app, shared, "cashable_saving", 1_000_00);

    let admin = app.api_as("lead@birmingham.example").await;
    let (status, body) = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/organisations/BIR/strategy",
            Some(strategy()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 1);
    let (_, review, _) = admin.get("/api/v1/organisations/BIR/strategy/review").await;
    assert_eq!(
        review["partnerships"].as_array().unwrap().len(),
        2,
        "{review}"
    );
    // In the vocabulary's order: health, exit plan, savings, exposure.
    assert_eq!(
        standings(&review, "Birmingham and Leeds revenues"),
        pairs(&[
            ("min_health_score", "not_known"),
            ("exit_plan", "met"),
            ("savings_cover_costs", "not_met"),
            ("max_risk_exposure", "not_met"),
        ])
    );
    assert_eq!(
        standings(&review, "Birmingham alone"),
        pairs(&[
            ("min_health_score", "not_known"),
            ("exit_plan", "not_met"),
            ("savings_cover_costs", "not_known"),
            ("max_risk_exposure", "met"),
        ])
    );

    // Savings catch up with costs, and the ceiling rises to the exposure.
    record(&app, shared, "cashable_saving", 3_000_00);
    let mut raised = strategy();
    raised["criteria"][2]["threshold"] = json!(12);
    let (status, body) = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/organisations/BIR/strategy",
            Some(raised),
        )
        .await;
    assert_eq!(
        (status, body["version"].clone()),
        (StatusCode::OK, json!(2))
    );
    let (_, review, _) = admin.get("/api/v1/organisations/BIR/strategy/review").await;
    assert_eq!(
        standings(&review, "Birmingham and Leeds revenues")[2..],
        pairs(&[("savings_cover_costs", "met"), ("max_risk_exposure", "met")])[..]
    );

    // Each version is in the audit trail, in words.
    let after: String = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::audit_log as a;
            Ok(a::table
                .filter(a::action.eq("organisation.strategy.update"))
                .order(a::id.desc())
                .select(a::after_json.assume_not_null())
                .first(c)?)
        })
        .unwrap();
    assert!(after.contains("Our risk exposure at most 12"), "{after}");

    // The review page lists both, for any of Birmingham's people; the
    // partnership's page shows it against the strategy.
    let officer = app.signed_in("officer@birmingham.example").await;
    let (status, page) = officer.get_text("/organisations/BIR/strategy/review").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Birmingham alone") && page.contains("Birmingham and Leeds revenues"));
    let (status, page) = officer
        .get_text(&format!("/partnerships/{shared}/strategy"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Our risk exposure at most 12"), "{page}");
    // Leeds has no strategy, and may not read Birmingham's.
    let leeds = app.signed_in("lead@leeds.example").await;
    let (_, page) = leeds
        .get_text(&format!("/partnerships/{shared}/strategy"))
        .await;
    assert!(!page.contains("Our risk exposure at most"));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_organisations_admins_write_it_and_only_its_people_read_it() {
    let app = TestApp::with_reference_data().await;
    let put = |api: crate::common::Api, body: Value| async move {
        api.send(
            reqwest::Method::PUT,
            "/api/v1/organisations/BIR/strategy",
            Some(body),
        )
        .await
        .0
    };
    let member = app.api_as("officer@birmingham.example").await;
    let other_admin = app.api_as("lead@leeds.example").await;
    assert_eq!(put(member, strategy()).await, StatusCode::FORBIDDEN);
    assert_eq!(put(other_admin, strategy()).await, StatusCode::FORBIDDEN);
    assert_eq!(put(app.api(), strategy()).await, StatusCode::UNAUTHORIZED);
    let admin = app.api_as("lead@birmingham.example").await;
    let (status, _) = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/organisations/ZZZ/strategy",
            Some(strategy()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Bad thresholds: every problem at once.
    let (status, body) = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/organisations/BIR/strategy",
            Some(json!({"outcomes": "x", "criteria": [
                {"kind": "min_health_score", "threshold": 7},
                {"kind": "recent_review", "threshold": 0}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<String> = crate::common::field_errors(&body)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, vec!["min_health_score", "recent_review"]);
    assert_eq!(put(admin, strategy()).await, StatusCode::OK);

    // Reading: Birmingham's people yes, Leeds's no.
    let (status, body, _) = app
        .api_as("officer@birmingham.example")
        .await
        .get("/api/v1/organisations/BIR/strategy")
        .await;
    assert_eq!(
        (status, body["version"].clone()),
        (StatusCode::OK, json!(1))
    );
    let (status, _, _) = app
        .api_as("lead@leeds.example")
        .await
        .get("/api/v1/organisations/BIR/strategy/review")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Pages: the member sees it but not the form; the admin's bad threshold
    // is drawn again with the GOV.UK error summary.
    let officer = app.signed_in("officer@birmingham.example").await;
    assert_eq!(
        officer.get("/organisations/BIR/strategy").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        officer
            .get("/organisations/BIR/strategy/edit")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let lead = app.signed_in("lead@birmingham.example").await;
    let form = [
        ("outcomes", "Lower costs"),
        ("criteria", "min_health_score"),
        ("min_health_score", "9"),
        ("criteria", "exit_plan"),
    ];
    let response = lead
        .post_form("/organisations/BIR/strategy/edit", &form)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("govuk-error-summary")
            && page.contains("Enter a minimum health score from 1 to 5")
    );
    let form = [
        ("outcomes", "Lower costs"),
        ("criteria", "min_health_score"),
        ("min_health_score", "3"),
        ("criteria", "exit_plan"),
    ];
    let response = lead
        .post_form("/organisations/BIR/strategy/edit", &form)
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let (_, page) = lead.get_text("/organisations/BIR/strategy").await;
    assert!(page.contains("Latest health score at least 3") && page.contains("Version 2"));
}
