//! The portfolio's money says whose it is: the total all partners recorded,
//! and apart from it what is recorded for the viewer's own organisation, by
//! page, API and CSV. Leeds' saving is never Birmingham's.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn the_portfolio_separates_my_organisations_figures_from_the_partnerships_totals() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let base = format!("/api/v1/partnerships/{id}/ledger");
    // Each partner records its own: Leeds a saving, Birmingham a cost.
    for (who, body) in [
        (
            "lead@leeds.example",
            json!({"organisation": "LDS", "entry_type": "cashable_saving", "basis": "realised", "financial_year": 2025, "amount_pence": 80_000_00}),
        ),
        (
            "lead@birmingham.example",
            json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 180_000_00}),
        ),
    ] {
        let (status, body, _) = app.api_as(who).await.post(&base, body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let (status, body, _) = app
        .api_as("lead@birmingham.example")
        .await
        .get("/api/v1/partnerships")
        .await;
    assert_eq!(status, StatusCode::OK);
    let totals = &body["totals"];
    assert_eq!(totals["realised_savings_pence"], 80_000_00);
    assert_eq!(totals["realised_costs_pence"], 180_000_00);
    assert_eq!(totals["own_realised_savings_pence"], 0);
    assert_eq!(totals["own_realised_costs_pence"], 180_000_00);
    let row = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(row["realised_savings_pence"], 80_000_00);
    assert_eq!(row["own_realised_savings_pence"], 0);
    // Leeds sees the same totals and its own saving.
    let (_, body, _) = app
        .api_as("lead@leeds.example")
        .await
        .get("/api/v1/partnerships")
        .await;
    assert_eq!(body["totals"]["own_realised_savings_pence"], 80_000_00);
    assert_eq!(body["totals"]["own_realised_costs_pence"], 0);

    let page = app.signed_in("lead@birmingham.example").await;
    let (_, html) = page.get_text("/partnerships").await;
    assert!(html.contains("Realised savings, all partners together"));
    let own = html
        .split("Realised savings recorded for Birmingham City Council")
        .nth(1)
        .expect("Birmingham's own savings");
    assert!(own.split("</dd>").next().unwrap().contains("£0"), "{own}");
    let (_, csv) = page.get_text("/partnerships.csv").await;
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with("realised_savings_pounds,own_realised_savings_pounds"));
    let line = csv
        .lines()
        .find(|l| l.starts_with(&format!("{id},")))
        .unwrap();
    assert!(line.ends_with(",80000.00,0.00"), "{line}");

    // Signed out, there is no "own" part at all.
    let (_, body, _) = app.api().get("/api/v1/partnerships?scope=all").await;
    assert!(body["totals"]["own_realised_savings_pence"].is_null());
}
