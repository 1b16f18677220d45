//! A partnership's history reads as sentences people understand: names and
//! organisations, money in pounds, shares in per cent, field labels; no
//! email addresses for people outside the member organisations.

use crate::common::TestApp;

fn entry<'a>(org: &'a str, amount: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organisation", org),
        ("entry_type", "cost"),
        ("basis", "realised"),
        ("financial_year", "2024"),
        ("amount", amount),
        ("description", description),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn history_reads_as_sentences_with_pounds_and_organisations() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/ledger"),
            &entry("BIR", "£180,000", "Shared contact centre set-up"),
        )
        .await;
    assert!(r.status().is_redirection() || r.status().is_success());

    // The API keeps its fields and adds the sentence and the changes.
    let member = app.api_as("lead@birmingham.example").await;
    let (_, history, _) = member
        .get(&format!("/api/v1/partnerships/{id}/history"))
        .await;
    let entries = history.as_array().expect("a list");
    let added = entries
        .iter()
        .find(|e| e["action"] == "partnership.ledger.create")
        .expect("the ledger entry is in the history");
    for field in ["action", "description", "actor", "before", "after"] {
        assert!(added.get(field).is_some(), "{field} kept");
    }
    let summary = added["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Bola Lead (Birmingham City Council) added a ledger entry: £180,000")
            && summary.contains("for Birmingham City Council"),
        "{summary}"
    );
    let changes = added["changes"].as_array().unwrap();
    let amount = changes
        .iter()
        .find(|c| c["label"] == "Amount")
        .expect("the amount, labelled");
    assert_eq!(amount["after"], "£180,000");
    assert!(changes
        .iter()
        .all(|c| !c["label"].as_str().unwrap().contains('_')));
    // The partnership's cost shares read in per cent.
    let created = entries
        .iter()
        .find(|e| e["action"] == "partnership.create")
        .expect("the start of the partnership");
    assert!(created["summary"]
        .as_str()
        .unwrap()
        .contains("Birmingham and Leeds revenues"));

    // Someone outside the member organisations reads the same sentences,
    // without anyone's email address.
    let (status, page) = app
        .signed_in("officer@cornwall.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        page.contains("Bola Lead (Birmingham City Council) added a ledger entry: £180,000"),
        "{page}"
    );
    assert!(page.contains("<strong>Amount</strong>:"));
    assert!(!page.contains("amount_pence") && !page.contains("18000000"));
    assert!(!page.contains("@birmingham.example") && !page.contains("@leeds.example"));
    let (_, outsider, _) = app
        .api_as("officer@cornwall.example")
        .await
        .get(&format!("/api/v1/partnerships/{id}/history"))
        .await;
    assert!(!outsider.to_string().contains(".example\""), "{outsider}");
    assert!(outsider
        .to_string()
        .contains("added a ledger entry: £180,000"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portfolio_savings_chart_shows_expected_against_realised() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, html) = bir.get_text("/partnerships").await;
    assert!(
        html.contains(">No cashable savings recorded yet</text>"),
        "an empty chart says so"
    );
    for (basis, year, amount) in [
        ("expected", "2025", "50,000"),
        ("realised", "2024", "20,000"),
    ] {
        let r = bir
            .post_form(
                &format!("/partnerships/{id}/ledger"),
                &[
                    ("organisation", "BIR"),
                    ("entry_type", "cashable_saving"),
                    ("basis", basis),
                    ("financial_year", year),
                    ("amount", amount),
                    ("description", ""),
                ],
            )
            .await;
        assert!(r.status().is_redirection() || r.status().is_success());
    }
    let (_, html) = bir.get_text("/partnerships").await;
    assert!(html.contains(">Cashable savings by financial year: expected and realised</text>"));
    assert!(html.contains(">2025/26 expected</text>") && html.contains(">£50,000</text>"));
    assert!(html.contains(">2024/25 realised</text>") && html.contains(">£20,000</text>"));
    assert!(
        html.contains(">Cashable savings (£) →</text>"),
        "what the bars measure"
    );
}
