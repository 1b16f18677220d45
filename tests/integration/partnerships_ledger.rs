//! The costs and benefits ledger: recording entries by page and API, totals,
//! the chart, the CSV export, validation, history and who may see and change it.

use concord::error::AppError;
use concord::partnerships::ledger::model::{LedgerDraft, LedgerInput};
use concord::partnerships::ledger::store;
use concord::partnerships::model::Partnership;
use concord::policy::Action;
use concord::work::Work;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{person, Api, TestApp};

fn entry<'a>(
    org: &'a str,
    entry_type: &'a str,
    basis: &'a str,
    year: &'a str,
    amount: &'a str,
    description: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organisation", org),
        ("entry_type", entry_type),
        ("basis", basis),
        ("financial_year", year),
        ("amount", amount),
        ("description", description),
    ]
}

async fn api_delete(api: &Api, path: &str) -> StatusCode {
    api.send(reqwest::Method::DELETE, path, None).await.0
}

/// Birmingham records a realised 2025/26 entry for itself through the store,
/// as it would on the page (same policy, same audit entry). Returns its id.
fn birmingham_records(app: &TestApp, id: i64, entry_type: &str, amount_pence: i64) -> i64 {
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
            Ok(store::create(&mut w, &input)?.id)
        })
        .expect("a ledger entry")
}

/// How many ledger changes the history holds, across all partnerships.
fn ledger_changes(app: &TestApp) -> i64 {
    app.db()
        .read_blocking(|c| {
            use concord::db::schema::audit_log;
            use diesel::prelude::*;
            Ok(audit_log::table
                .filter(audit_log::action.like("partnership.ledger.%"))
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_record_costs_and_benefits_and_see_totals_chart_and_csv() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let lds = app.signed_in("lead@leeds.example").await;
    let url = format!("/partnerships/{id}/ledger");

    let (status, html) = bir.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No realised costs or cashable savings have been recorded yet."));
    assert!(
        html.contains("<option value=\"BIR\" selected>"),
        "the form starts with the user's own organisation"
    );

    for (who, fields) in [
        (
            &bir,
            entry(
                "BIR",
                "cost",
                "realised",
                "2024",
                "£10,000",
                "Set-up and licences",
            ),
        ),
        (
            &bir,
            entry("BIR", "cashable_saving", "realised", "2024", "4000", ""),
        ),
        (
            &lds,
            entry("LDS", "cashable_saving", "realised", "2025", "7,500.50", ""),
        ),
        (
            &lds,
            entry("LDS", "cashable_saving", "expected", "2026", "20000", ""),
        ),
        (
            &lds,
            entry(
                "LDS",
                "non_cashable_benefit",
                "realised",
                "2025",
                "",
                "Fewer missed bin complaints",
            ),
        ),
    ] {
        let r = who.post_form(&url, &fields).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{fields:?}: {}",
            r.text().await.unwrap_or_default()
        );
    }
    assert_eq!(app.count("ledger_entries"), 5);

    let (_, html) = bir.get_text(&url).await;
    // Totals: Birmingham is £6,000 down, Leeds £7,500.50 up; together £1,500.50 up.
    assert!(
        html.contains(
            "<th scope=\"row\" class=\"govuk-table__header\">Birmingham City Council</th>"
        ),
        "{html}"
    );
    assert!(html.contains(">-£6,000</td>") && html.contains(">£7,500.50</td>"));
    assert!(
        html.contains("<strong>£1,500.50</strong>"),
        "partnership net realised"
    );
    assert!(
        html.contains("<strong>£20,000</strong>"),
        "partnership expected savings"
    );
    assert!(
        html.contains("<strong>£11,500.50</strong>"),
        "partnership realised savings"
    );
    // The chart, drawn on the server, with its table.
    assert!(
        html.contains("<svg class=\"concord-chart concord-chart--bars\"")
            && html.contains("role=\"img\"")
    );
    assert!(
        html.contains("2024/25 to 2026/27"),
        "the chart covers the years with realised costs and expected or realised savings"
    );
    assert!(
        html.contains("<title>2026/27: expected cashable savings £20,000</title>"),
        "expected savings against realised"
    );
    assert!(!html.contains(" style="), "no inline styles under the CSP");
    assert!(html
        .contains("Realised costs and cashable savings by financial year (the chart's figures)"));
    // Entries grouped by year, and benefits listed with their descriptions.
    for year in ["2024/25", "2025/26", "2026/27"] {
        assert!(
            html.contains(&format!(
                "<caption class=\"govuk-table__caption govuk-table__caption--s\">{year}</caption>"
            )),
            "{year}"
        );
    }
    assert!(html.contains("<li>Fewer missed bin complaints <span class=\"govuk-body-s\">(Leeds City Council, 2025/26, realised)</span></li>"));

    // The overview reads the same table.
    let (_, overview) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(overview.contains("£11,500.50") && overview.contains("£10,000"));

    let r = bir.get(&format!("/partnerships/{id}/ledger.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "Financial year,Organisation code,Organisation,Type,Basis,Amount (GBP),Description"
    );
    assert_eq!(lines.len(), 6);
    assert!(
        lines.contains(
            &"2024/25,BIR,Birmingham City Council,Cost,Realised,10000.00,Set-up and licences"
        ),
        "{csv}"
    );
    assert!(lines.contains(&"2025/26,LDS,Leeds City Council,Cashable saving,Realised,7500.50,"));
    assert!(lines.contains(&"2025/26,LDS,Leeds City Council,Non-cashable benefit,Realised,0.00,Fewer missed bin complaints"));

    // Deleting asks first, on a page of its own; the history keeps what
    // was deleted.
    let delete_action = html
        .split("href=\"")
        .find(|s| s.starts_with(&format!("/partnerships/{id}/ledger/")) && s.contains("/delete\""))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let (status, ask) = bir.get_text(&delete_action).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        ask.contains("Are you sure you want to delete this cost: Cost of £10,000 for Birmingham City Council (2024/25)?"),
        "{ask}"
    );
    assert!(ask.contains("govuk-button--warning"));
    assert_eq!(app.count("ledger_entries"), 5, "asking deletes nothing");
    let r = bir.post_form(&delete_action, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(&format!("{url}?done=")), "{to}");
    let (_, after) = bir.get_text(&to).await;
    assert!(
        after.contains("govuk-notification-banner--success")
            && after.contains("Cost of £10,000 for Birmingham City Council deleted"),
        "{after}"
    );
    assert_eq!(app.count("ledger_entries"), 4);
    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    assert_eq!(history.matches("partnership.ledger.create").count(), 5);
    let deleted = history
        .split("partnership.ledger.delete")
        .nth(1)
        .and_then(|rest| rest.split("data-action=").next())
        .expect("delete in history");
    assert!(
        deleted.contains("removed a ledger entry: £10,000")
            && deleted.contains("(removed)")
            && deleted.contains("Set-up and licences"),
        "{deleted}"
    );
    assert!(history.contains("lead@leeds.example"));
    // Deleting it again finds nothing.
    assert_eq!(
        bir.post_form(&delete_action, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_explains_each_problem_and_keeps_what_was_typed() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let url = format!("/partnerships/{id}/ledger");

    let r = bir
        .post_form(&url, &entry("CON", "gift", "", "2040", "lots", ""))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (field, message) in [
        (
            "organisation",
            "CON is not an active member of this partnership",
        ),
        (
            "entry_type",
            "Select the type of entry: cost, cashable saving or non-cashable benefit",
        ),
        ("basis", "Select whether the amount is expected or realised"),
        (
            "financial_year",
            "Select a financial year from 2015/16 to 2035/36",
        ),
        (
            "amount",
            "&#39;lots&#39; is not an amount in pounds; use numbers like 12500 or 12,500.50",
        ),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
            "{field}: {message}\n{html}"
        );
    }
    assert!(html.contains("value=\"lots\""), "what was typed is kept");
    assert!(html.contains("<title>Error: Costs and benefits"));

    let r = bir
        .post_form(&url, &entry("BIR", "cost", "realised", "2025", "", ""))
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<a href=\"#amount\">Enter the cost, more than £0</a>"));
    let r = bir
        .post_form(
            &url,
            &entry("BIR", "cashable_saving", "expected", "2025", "0", ""),
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<a href=\"#amount\">Enter the saving, more than £0</a>"));
    let r = bir
        .post_form(
            &url,
            &entry("BIR", "non_cashable_benefit", "expected", "2025", "", " "),
        )
        .await;
    assert!(r.text().await.unwrap().contains(
        "<a href=\"#description\">Describe the benefit, like Fewer missed bin complaints</a>"
    ));
    let r = bir
        .post_form(&url, &entry("BIR", "cost", "realised", "2025", "-5", ""))
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("is not an amount in pounds"));
    assert_eq!(app.count("ledger_entries"), 0, "nothing half-written");
    assert_eq!(
        bir.get_text(&format!("/partnerships/{id}/history"))
            .await
            .1
            .matches("partnership.ledger")
            .count(),
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_records_lists_totals_and_deletes_entries() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as("lead@leeds.example").await;
    let bir_api = app.api_as("lead@birmingham.example").await;
    let base = format!("/api/v1/partnerships/{id}/ledger");

    let (status, body, _) = api.post(&base, json!({"organisation": "LDS", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 250_000_50})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["amount_pence"], 250_000_50);
    assert_eq!(body["entry_type"], "cost");
    assert_eq!(body["financial_year_label"], "2025/26");
    assert_eq!(body["organisation_name"], "Leeds City Council");
    let cost_id = body["id"].as_i64().unwrap();
    // Only Birmingham's people (or the lead) record for Birmingham.
    let saving = json!({"organisation": "BIR", "entry_type": "cashable_saving", "basis": "realised", "financial_year": 2025, "amount_pence": 300_000_00});
    let (status, _, _) = api.post(&base, saving.clone()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Leeds cannot record for Birmingham"
    );
    let (status, body, _) = bir_api.post(&base, saving).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, _) = bir_api
        .post(
            &base,
            json!({"organisation": "BIR", "entry_type": "non_cashable_benefit", "basis": "expected", "financial_year": 2026, "description": "Shared knowledge of fraud patterns"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "amount may be left out for a benefit"
    );

    let (status, list, _) = api.get(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[2]["description"], "Shared knowledge of fraud patterns");
    assert_eq!(list[2]["amount_pence"], 0);

    let (status, totals, _) = api.get(&format!("{base}/totals")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(totals["partnership"]["realised_costs_pence"], 250_000_50);
    assert_eq!(totals["partnership"]["realised_savings_pence"], 300_000_00);
    assert_eq!(totals["partnership"]["net_realised_pence"], 49_999_50);
    assert_eq!(totals["partnership"]["non_cashable_benefits"], 1);
    let leeds = totals["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["organisation_code"] == "LDS")
        .unwrap();
    assert_eq!(leeds["totals"]["net_realised_pence"], -250_000_50);
    assert_eq!(totals["years"][0]["financial_year_label"], "2025/26");

    // Bad input: problem details naming each field.
    let (status, problem, content_type) = api.post(&base, json!({"organisation": "CON", "entry_type": "cost", "basis": "guess", "financial_year": 2014, "amount_pence": 0})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["organisation", "basis", "financial_year", "amount_pence"]
    );
    let (status, problem, _) = api.post(&base, json!({"organisation": "LDS", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": -100})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "amount_pence");
    let (status, problem, _) = api
        .post(&base, json!({"organisation": "LDS", "amount_pence": "ten"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["field"], "amount_pence",
        "the field at fault"
    );
    assert_eq!(app.count("ledger_entries"), 3);

    assert_eq!(
        api_delete(&api, &format!("{base}/{cost_id}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api_delete(&api, &format!("{base}/{cost_id}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("ledger_entries"), 2);
    let (_, totals, _) = api.get(&format!("{base}/totals")).await;
    assert_eq!(totals["partnership"]["realised_costs_pence"], 0);

    let history = app
        .signed_in("lead@birmingham.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await
        .1;
    assert_eq!(history.matches("partnership.ledger.create").count(), 3);
    assert_eq!(history.matches("partnership.ledger.delete").count(), 1);

    let doc = app.api().get("/api/v1/openapi.json").await.1;
    for path in [
        "/api/v1/partnerships/{id}/ledger",
        "/api/v1/partnerships/{id}/ledger/totals",
        "/api/v1/partnerships/{id}/ledger/{eid}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/api/v1/partnerships/{id}/ledger"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/partnerships/{id}/ledger/{eid}"]["delete"].is_object());
    // The ledger's money totals have their own name, not the portfolio's `Totals`.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["LedgerTotals"]["properties"]["partnership"]["$ref"],
        "#/components/schemas/EntryTotals"
    );
    assert!(schemas["EntryTotals"]["properties"]["net_realised_pence"].is_object());
    assert!(schemas["Totals"]["properties"]
        .get("net_realised_pence")
        .is_none());
    assert_eq!(
        schemas["NewLedgerEntry"]["properties"]["entry_type"]["$ref"],
        "#/components/schemas/EntryType"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_cannot_see_or_change_a_partners_only_ledger() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let entry_id = birmingham_records(&app, id, "cost", 100_00);

    let outsider = app.signed_in("officer@cornwall.example").await;
    for path in ["/ledger", "/ledger.csv"] {
        assert_eq!(
            outsider
                .get(&format!("/partnerships/{id}{path}"))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            app.client()
                .get(&format!("/partnerships/{id}{path}"))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "anonymous {path}"
        );
    }
    let r = outsider
        .post_form(
            &format!("/partnerships/{id}/ledger"),
            &entry("CON", "cost", "realised", "2025", "100", ""),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = outsider
        .post_form(&format!("/partnerships/{id}/ledger/{entry_id}/delete"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let api = app.api_as("officer@cornwall.example").await;
    let base = format!("/api/v1/partnerships/{id}/ledger");
    assert_eq!(api.get(&base).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        api.get(&format!("{base}/totals")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, content_type) = api.post(&base, json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 1})).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    assert_eq!(
        api_delete(&api, &format!("{base}/{entry_id}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api().get(&base).await.0,
        StatusCode::NOT_FOUND,
        "no token"
    );
    // Nor can an entry be reached through another partnership its caller may edit.
    let other = app.partnership("partners").await;
    assert_eq!(
        bir.post_form(
            &format!("/partnerships/{other}/ledger/{entry_id}/delete"),
            &[]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let bir_api = app.api_as("lead@birmingham.example").await;
    assert_eq!(
        api_delete(
            &bir_api,
            &format!("/api/v1/partnerships/{other}/ledger/{entry_id}")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("ledger_entries"), 1, "nothing changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_public_partnership_others_may_look_but_not_change() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    birmingham_records(&app, id, "cashable_saving", 100_00);

    let (status, html) = app
        .client()
        .get_text(&format!("/partnerships/{id}/ledger"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("£100") && !html.contains("Add an entry") && !html.contains("/delete\""),
        "no forms for visitors"
    );
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/ledger.csv"))
            .await
            .status(),
        StatusCode::OK
    );
    let outsider = app.signed_in("officer@cornwall.example").await;
    let r = outsider
        .post_form(
            &format!("/partnerships/{id}/ledger"),
            &entry("BIR", "cost", "realised", "2025", "100", ""),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let api = app.api_as("officer@cornwall.example").await;
    assert_eq!(
        api.get(&format!("/api/v1/partnerships/{id}/ledger"))
            .await
            .0,
        StatusCode::OK
    );
    let (status, _, _) = api
        .post(&format!("/api/v1/partnerships/{id}/ledger"), json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 1}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .api()
        .post(&format!("/api/v1/partnerships/{id}/ledger"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "signed-out callers are asked for a token"
    );
    assert_eq!(app.count("ledger_entries"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn ledger_answers_404_then_401_then_403_in_that_order() {
    let app = TestApp::with_reference_data().await;
    let body = json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": 100});
    let unreadable = json!({"organisation": "BIR", "amount_pence": "ten"});
    let form = entry("BIR", "cost", "realised", "2025", "100", "");
    let outsider = app.signed_in("officer@cornwall.example").await;
    let outsider_api = app.api_as("officer@cornwall.example").await;

    // Not visible: 404 for anyone outside, signed in or not, whatever they send.
    let hidden = app.partnership("partners").await;
    for path in ["/ledger", "/ledger.csv"] {
        let url = format!("/partnerships/{hidden}{path}");
        assert_eq!(
            app.client().get(&url).await.status(),
            StatusCode::NOT_FOUND,
            "anonymous {path}"
        );
        assert_eq!(
            outsider.get(&url).await.status(),
            StatusCode::NOT_FOUND,
            "outsider {path}"
        );
    }
    let page = format!("/partnerships/{hidden}/ledger");
    assert_eq!(
        app.client().post_form(&page, &form).await.status(),
        StatusCode::NOT_FOUND,
        "anonymous form"
    );
    assert_eq!(
        outsider.post_form(&page, &form).await.status(),
        StatusCode::NOT_FOUND,
        "outsider form"
    );
    let api = format!("/api/v1/partnerships/{hidden}/ledger");
    for sent in [&body, &unreadable] {
        let (status, _, content_type) = app.api().post(&api, sent.clone()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::NOT_FOUND, "application/problem+json"),
            "anonymous API write of {sent}"
        );
        assert_eq!(
            outsider_api.post(&api, sent.clone()).await.0,
            StatusCode::NOT_FOUND,
            "outsider API write of {sent}"
        );
    }

    // Visible (public) but signed out: 401 from the API (pages ask to sign
    // in); signed in but not a member: 403. Before the body is judged.
    let public = app.partnership("public").await;
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{public}/ledger"))
            .await
            .status(),
        StatusCode::OK,
        "anyone may look"
    );
    let api = format!("/api/v1/partnerships/{public}/ledger");
    for sent in [&body, &unreadable] {
        assert_eq!(
            app.api().post(&api, sent.clone()).await.0,
            StatusCode::UNAUTHORIZED,
            "anonymous API write of {sent}"
        );
        assert_eq!(
            outsider_api.post(&api, sent.clone()).await.0,
            StatusCode::FORBIDDEN,
            "outsider API write of {sent}"
        );
    }
    let page = format!("/partnerships/{public}/ledger");
    let r = app.client().post_form(&page, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "anonymous form");
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/sign-in"));
    assert_eq!(
        outsider.post_form(&page, &form).await.status(),
        StatusCode::FORBIDDEN,
        "outsider form"
    );

    assert_eq!(app.count("ledger_entries"), 0, "nothing written");
    assert_eq!(ledger_changes(&app), 0, "nothing in any history");
}

#[tokio::test(flavor = "multi_thread")]
async fn many_entries_at_the_largest_amount_still_add_up_and_draw_for_everyone() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let max = concord::money::MAX_PENCE;
    for _ in 0..258 {
        birmingham_records(&app, id, "cashable_saving", max);
    }
    birmingham_records(&app, id, "cost", max);

    // Realised savings of £2,580,000,000,000 against £10,000,000,000 of costs:
    // the register, its chart, the overview and the ledger all draw them exactly.
    for (path, figure) in [
        ("/partnerships".to_string(), "£2,580,000,000,000"),
        (format!("/partnerships/{id}"), "£2,580,000,000,000"),
        (format!("/partnerships/{id}/ledger"), "£2,570,000,000,000"),
    ] {
        let (status, html) = app.client().get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(figure), "{path} shows {figure}");
    }
    let (status, list, _) = app.api().get("/api/v1/partnerships").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["totals"]["realised_savings_pence"],
        258 * max,
        "{}",
        list["totals"]
    );
    assert_eq!(list["totals"]["realised_costs_pence"], max);

    // One penny over the bound is refused, by page and API alike.
    let bir = app.signed_in("lead@birmingham.example").await;
    let html = bir
        .post_form(
            &format!("/partnerships/{id}/ledger"),
            &entry("BIR", "cost", "realised", "2025", "10000000000.01", ""),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(concord::money::TOO_LARGE), "{html}");
    let (status, problem, _) = app
        .api_as("lead@birmingham.example")
        .await
        .post(
            &format!("/api/v1/partnerships/{id}/ledger"),
            json!({"organisation": "BIR", "entry_type": "cost", "basis": "realised", "financial_year": 2025, "amount_pence": max + 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(app.count("ledger_entries"), 259);
}
