//! Integration tests for the partnership risks section: the shared register,
//! risk shares and exposure, the heat map, reviews, the CSV and the API.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Api, Browser, TestApp};

const SUPPLIER: &str = "Supplier failure leaving the public sector in limbo";

/// The add-risk form, with Birmingham and Leeds' shares.
fn risk_form<'a>(bir: &'a str, lds: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("category", "supplier_failure"),
        ("title", ""),
        (
            "description",
            "The shared payroll supplier may exit the market",
        ),
        ("likelihood", "4"),
        ("impact", "5"),
        ("owner", "BIR"),
        ("mitigation", "Keep a second supplier on standby"),
        ("status", "open"),
        ("share-BIR", bir),
        ("share-LDS", lds),
    ]
}

/// Adds the 4 × 5 supplier risk shared 60/40 through the page; returns its id.
async fn add_supplier_risk(bir: &Browser, id: i64) -> i64 {
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/risks/new"),
            &risk_form("60", "40"),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "add risk: {}",
        r.text().await.unwrap_or_default()
    );
    let location = plain(&r.headers()["location"]);
    location.rsplit('/').next().unwrap().parse().unwrap()
}

async fn patch(api: &Api, path: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let r = api
        .http
        .patch(format!("{}{path}", api.base))
        .bearer_auth(api.token.as_deref().unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

fn exposure_of<'a>(exposure: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    exposure["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["organisation"] == code)
        .unwrap_or_else(|| panic!("{code} in {exposure}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_risk_shared_60_40_gives_each_partner_its_exposure_and_fills_the_heat_map() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;

    let (status, form) = bir.get_text(&format!("/partnerships/{id}/risks/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("name=\"share-BIR\"") && form.contains("name=\"share-LDS\""),
        "a share for each active member"
    );
    assert!(
        form.contains(SUPPLIER)
            && form
                .contains("Quick wins pursued while harder customer requirements go undelivered"),
        "the common risks as templates"
    );

    let rid = add_supplier_risk(&bir, id).await;
    let (status, page) = bir
        .get_text(&format!("/partnerships/{id}/risks/{rid}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("<h2 class=\"govuk-heading-m\">{SUPPLIER}</h2>")),
        "a blank title takes the category's label"
    );
    assert!(
        page.contains("4 – Likely")
            && page.contains("5 – Severe")
            && page.contains("Keep a second supplier on standby")
    );

    let (status, register) = bir.get_text(&format!("/partnerships/{id}/risks")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(register.contains(&format!(
        "href=\"/partnerships/{id}/risks/{rid}\">{SUPPLIER}</a>"
    )));
    assert!(
        register.contains("20 <strong class=\"govuk-tag govuk-tag--red\">Red</strong>"),
        "{register}"
    );
    assert!(register.contains("Birmingham 60%, Leeds 40%"));
    // 60% of 4 × 5 = 12.00; 40% = 8.00.
    assert!(register.contains("Birmingham City Council</th>\n      <td class=\"govuk-table__cell govuk-table__cell--numeric\">1</td>\n      <td class=\"govuk-table__cell govuk-table__cell--numeric\">12.00</td>"), "{register}");
    assert!(register.contains("Leeds City Council</th>\n      <td class=\"govuk-table__cell govuk-table__cell--numeric\">1</td>\n      <td class=\"govuk-table__cell govuk-table__cell--numeric\">8.00</td>"));
    // The heat map: one open risk at likelihood 4, impact 5, and nowhere else.
    assert!(register.contains(
        "role=\"img\" aria-labelledby=\"heat-map-title\" aria-describedby=\"heat-map-desc\""
    ));
    assert!(
        register.contains("data-cell=\"4-5\">1</text>"),
        "{register}"
    );
    assert_eq!(register.matches("data-cell=").count(), 1);
    assert!(register.contains("1 open risk: 1 red, 0 amber and 0 green"));
    assert!(register.contains("<th scope=\"row\" class=\"govuk-table__header\">4 – Likely</th>\n          <td class=\"govuk-table__cell govuk-table__cell--numeric\">0</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">0</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">0</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">0</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">1</td>"), "the table version");
    assert!(
        !register.contains("style="),
        "the Content-Security-Policy forbids inline styles"
    );

    let api = app.api_as("lead@leeds.example").await;
    let (status, exposure, _) = api
        .get(&format!("/api/v1/partnerships/{id}/risks/exposure"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(exposure_of(&exposure, "BIR")["exposure"], json!(12.0));
    assert_eq!(exposure_of(&exposure, "BIR")["exposure_label"], "12.00");
    assert_eq!(exposure_of(&exposure, "LDS")["exposure"], json!(8.0));
    assert_eq!(exposure["heat_map"][3][4], 1);
    let (_, risks, _) = api.get(&format!("/api/v1/partnerships/{id}/risks")).await;
    assert_eq!(
        risks[0]["shares"],
        json!([
            { "organisation": "BIR", "organisation_name": "Birmingham City Council", "share_bp": 6000 },
            { "organisation": "LDS", "organisation_name": "Leeds City Council", "share_bp": 4000 },
        ])
    );
    assert_eq!(
        (
            risks[0]["score"].as_i64(),
            risks[0]["rating"].as_str(),
            risks[0]["category"].as_str()
        ),
        (Some(20), Some("red"), Some("supplier_failure"))
    );

    // The overview counts it as an open, high risk.
    let (_, overview) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(
        overview.contains("<dd class=\"govuk-summary-list__value\">1 (1 high)</dd>"),
        "{overview}"
    );
    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    assert!(history.contains("partnership.risk.create"));
    assert_eq!((app.count("risks"), app.count("risk_shares")), (1, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn shares_must_add_up_to_100_and_every_field_is_checked() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/risks/new"),
            &risk_form("60", "30"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(
            "<a href=\"#shares\">Risk shares must add up to 100%; these add up to 90%</a>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "id=\"share-LDS\" name=\"share-LDS\" type=\"text\" inputmode=\"decimal\" value=\"30\""
        ),
        "what was typed is kept"
    );
    assert!(html.contains("Keep a second supplier on standby"));

    // A blank share counts as 0.
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/risks/new"),
            &risk_form("60", ""),
        )
        .await;
    assert!(r.text().await.unwrap().contains("these add up to 60%"));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/risks/new"),
            &risk_form("sixty", "40"),
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("<a href=\"#share-BIR\">Birmingham City Council&#39;s share: &#39;sixty&#39; is not a percentage"), "{html}");

    let r = bir
        .post_form(
            &format!("/partnerships/{id}/risks/new"),
            &[
                ("title", ""),
                ("category", "picnic"),
                ("likelihood", "6"),
                ("impact", ""),
                ("owner", "CON"),
                ("status", "lost"),
                ("share-BIR", "100"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (field, message) in [
        ("category", "Select the category of risk"),
        (
            "likelihood",
            "Select how likely the risk is, from 1 (rare) to 5 (almost certain)",
        ),
        (
            "impact",
            "Select the impact if it happens, from 1 (negligible) to 5 (severe)",
        ),
        ("owner", "CON is not an active member of this partnership"),
        ("status", "Select the risk&#39;s status"),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
            "{field}: {message}\n{html}"
        );
    }
    assert!(
        !html.contains("<a href=\"#title\">"),
        "a blank title is fine once a category is chosen"
    );
    assert_eq!(app.count("risks"), 0, "nothing half-written");

    // The API gives the same checks as problem details.
    let api = app.api_as("lead@birmingham.example").await;
    let body = json!({ "category": "financial", "likelihood": 3, "impact": 3, "owner": "BIR",
        "shares": [{ "organisation": "BIR", "share_bp": 6000 }, { "organisation": "LDS", "share_bp": 3000 }] });
    let (status, problem, content_type) = api
        .post(&format!("/api/v1/partnerships/{id}/risks"), body)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(
        problem["errors"],
        json!([{ "field": "shares", "message": "Risk shares must add up to 100%; these add up to 90%" }])
    );
    let body = json!({ "category": "financial", "likelihood": 3, "impact": 3, "owner": "BIR", "shares": [{ "organisation": "CON", "share_bp": 10000 }] });
    let (_, problem, _) = api
        .post(&format!("/api/v1/partnerships/{id}/risks"), body)
        .await;
    assert_eq!(
        problem["errors"][0]["message"],
        "CON is not an active member of this partnership"
    );
    // No shares and no agreed cost shares to fall back on.
    let (_, problem, _) = api
        .post(
            &format!("/api/v1/partnerships/{id}/risks"),
            json!({ "category": "financial", "likelihood": 3, "impact": 3, "owner": "BIR" }),
        )
        .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no agreed cost shares"),
        "{problem}"
    );
    assert_eq!(app.count("risks"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agreed_cost_shares_are_the_default_split() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, members) = bir.get_text(&format!("/partnerships/{id}/members")).await;
    let ids: Vec<String> = members
        .match_indices("name=\"share-")
        .map(|(i, _)| members[i + 12..].split('"').next().unwrap().to_string())
        .collect();
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/cost-shares"),
            &[
                (&format!("share-{}", ids[0]), "70"),
                (&format!("share-{}", ids[1]), "30"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, form) = bir.get_text(&format!("/partnerships/{id}/risks/new")).await;
    assert!(
        form.contains("name=\"share-BIR\" type=\"text\" inputmode=\"decimal\" value=\"70\""),
        "{form}"
    );
    assert!(form.contains("name=\"share-LDS\" type=\"text\" inputmode=\"decimal\" value=\"30\""));
    assert!(form.contains("These start as the members' agreed cost shares"));

    let api = app.api_as("lead@leeds.example").await;
    let (status, risk, _) = api
        .post(
            &format!("/api/v1/partnerships/{id}/risks"),
            json!({ "category": "reputation", "likelihood": 2, "impact": 4, "owner": "LDS" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{risk}");
    assert_eq!(
        risk["title"],
        "Poor performance damaging every partner's reputation"
    );
    assert_eq!(
        risk["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["share_bp"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![7000, 3000]
    );
    assert_eq!(risk["status"], "open");
}

#[tokio::test(flavor = "multi_thread")]
async fn reviews_and_edits_change_the_risk_and_are_audited() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let rid = add_supplier_risk(&bir, id).await;
    let review = format!("/partnerships/{id}/risks/{rid}/reviews");

    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    let (d, m, y) = (
        tomorrow.format("%-d").to_string(),
        tomorrow.format("%-m").to_string(),
        tomorrow.format("%Y").to_string(),
    );
    let r = bir
        .post_form(
            &review,
            &[
                ("reviewed_on_day", &d),
                ("reviewed_on_month", &m),
                ("reviewed_on_year", &y),
                ("likelihood", "2"),
                ("impact", "5"),
                ("status", "mitigating"),
                ("note", "Too soon"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(
        "<a href=\"#reviewed_on\">The date of the review must be today or in the past</a>"
    ));
    assert!(html.contains("Too soon"), "the note is kept");
    let r = bir
        .post_form(
            &review,
            &[
                ("reviewed_on_day", "31"),
                ("reviewed_on_month", "2"),
                ("reviewed_on_year", "2026"),
                ("likelihood", ""),
                ("status", "mitigating"),
            ],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Date of the review must be a real date")
            && html.contains("<a href=\"#likelihood\">")
            && html.contains("<a href=\"#impact\">")
    );
    assert_eq!(app.count("risk_reviews"), 0);

    let r = bir
        .post_form(
            &review,
            &[
                ("reviewed_on_day", "2"),
                ("reviewed_on_month", "3"),
                ("reviewed_on_year", "2025"),
                ("likelihood", "2"),
                ("impact", "5"),
                ("status", "mitigating"),
                ("note", "Second supplier signed up"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The risk is Birmingham's: Leeds sees it, but only Birmingham's people
    // (or the lead) review it.
    let api = app.api_as("lead@leeds.example").await;
    let review = json!({ "reviewed_on": "2025-06-10", "likelihood": 1, "impact": 5, "status": "closed", "note": "Contract ended" });
    let reviews = format!("/api/v1/partnerships/{id}/risks/{rid}/reviews");
    let (status, _, _) = api.post(&reviews, review.clone()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Leeds reviewing Birmingham's risk"
    );
    let officer = app.api_as("officer@birmingham.example").await;
    let (status, created, _) = officer.post(&reviews, review).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (created["score"].as_i64(), created["reviewed_by"].as_str()),
        (Some(5), Some("Olu Officer"))
    );

    let (_, detail, _) = api
        .get(&format!("/api/v1/partnerships/{id}/risks/{rid}"))
        .await;
    assert_eq!(
        (
            detail["likelihood"].as_i64(),
            detail["impact"].as_i64(),
            detail["status"].as_str()
        ),
        (Some(1), Some(5), Some("closed")),
        "the latest review sets the risk"
    );
    let dates: Vec<&str> = detail["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reviewed_on"].as_str().unwrap())
        .collect();
    assert_eq!(dates, vec!["2025-06-10", "2025-03-02"], "newest first");
    let (_, page) = bir
        .get_text(&format!("/partnerships/{id}/risks/{rid}"))
        .await;
    assert!(page.find("10 June 2025").unwrap() < page.find("2 March 2025").unwrap());
    assert!(page.contains("Second supplier signed up"));

    // A closed risk leaves the exposure and the heat map.
    let (_, exposure, _) = api
        .get(&format!("/api/v1/partnerships/{id}/risks/exposure"))
        .await;
    assert_eq!(exposure_of(&exposure, "BIR")["exposure"], json!(0.0));
    assert_eq!(
        exposure["heat_map"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap())
            .map(|n| n.as_i64().unwrap())
            .sum::<i64>(),
        0
    );

    // Reopen and re-divide it by the page, then by the API.
    let edit = format!("/partnerships/{id}/risks/{rid}/edit");
    let (status, form) = bir.get_text(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"60\"") && form.contains(&format!("value=\"{SUPPLIER}\"")));
    let mut fields = risk_form("50", "50");
    fields.retain(|(k, _)| *k != "status" && *k != "title");
    fields.extend([("status", "open"), ("title", "Payroll supplier exits")]);
    let r = bir.post_form(&edit, &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let (_, exposure, _) = api
        .get(&format!("/api/v1/partnerships/{id}/risks/exposure"))
        .await;
    assert_eq!(
        (
            exposure_of(&exposure, "BIR")["exposure"].as_f64(),
            exposure_of(&exposure, "LDS")["exposure"].as_f64()
        ),
        (Some(10.0), Some(10.0))
    );

    let (status, _) = patch(
        &officer,
        &format!("/api/v1/partnerships/{id}/risks/{rid}"),
        json!({ "shares": [{ "organisation": "LDS", "share_bp": 9000 }] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Leeds may not re-divide Birmingham's risk; Birmingham's people may.
    let all_to_leeds =
        json!({ "likelihood": 3, "shares": [{ "organisation": "LDS", "share_bp": 10000 }] });
    let (status, _) = patch(
        &api,
        &format!("/api/v1/partnerships/{id}/risks/{rid}"),
        all_to_leeds.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, patched) = patch(
        &officer,
        &format!("/api/v1/partnerships/{id}/risks/{rid}"),
        all_to_leeds,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(
        (
            patched["title"].as_str(),
            patched["score"].as_i64(),
            patched["rating"].as_str()
        ),
        (Some("Payroll supplier exits"), Some(15), Some("red"))
    );
    assert_eq!(
        patched["shares"],
        json!([{ "organisation": "LDS", "organisation_name": "Leeds City Council", "share_bp": 10000 }])
    );
    assert_eq!(app.count("risk_shares"), 1);

    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    assert_eq!(history.matches("partnership.risk.review").count(), 2);
    assert_eq!(history.matches("partnership.risk.update").count(), 2);
    assert!(history.contains("Contract ended"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_downloads_as_csv() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    add_supplier_risk(&bir, id).await;
    let api = app.api_as("lead@birmingham.example").await;
    let (status, _, _) = api
        .post(
            &format!("/api/v1/partnerships/{id}/risks"),
            json!({ "title": "=cmd|' /C calc'!A0", "category": "data", "likelihood": 1, "impact": 2, "owner": "LDS", "status": "mitigating",
        "shares": [{ "organisation": "LDS", "share_bp": 10000 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let r = bir.get(&format!("/partnerships/{id}/risks.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"partnership-{id}-risks.csv\"")
    );
    let text = r.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,title,category,category_label,description,likelihood,impact,score,rating,owner_code,owner_name,status,mitigation,shares,updated_at");
    assert!(
        lines[1].contains(&format!(",{SUPPLIER},supplier_failure,{SUPPLIER},"))
            && lines[1].contains(",4,5,20,Red,BIR,Birmingham City Council,Open,")
            && lines[1].contains(",BIR 60%; LDS 40%,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",'=cmd|' /C calc'!A0,"),
        "a formula is kept as text: {}",
        lines[2]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_get_not_found_and_cannot_change_anything() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let rid = add_supplier_risk(&bir, id).await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    for path in [
        "/risks",
        "/risks.csv",
        "/risks/new",
        &format!("/risks/{rid}"),
        &format!("/risks/{rid}/edit"),
    ] {
        let url = format!("/partnerships/{id}{path}");
        assert_eq!(
            outsider.get(&url).await.status(),
            StatusCode::NOT_FOUND,
            "{url}"
        );
        let anonymous = app.client().get(&url).await.status();
        assert!(
            anonymous == StatusCode::NOT_FOUND || anonymous == StatusCode::SEE_OTHER,
            "anonymous {url}: {anonymous}"
        );
    }
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/risks.csv"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for (path, fields) in [
        ("/risks/new".to_string(), risk_form("50", "50")),
        (format!("/risks/{rid}/edit"), risk_form("50", "50")),
        (format!("/risks/{rid}/reviews"), vec![("likelihood", "1")]),
    ] {
        assert_eq!(
            outsider
                .post_form(&format!("/partnerships/{id}{path}"), &fields)
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "POST {path}"
        );
    }
    let api = app.api_as("officer@cornwall.example").await;
    for path in [
        "/risks".to_string(),
        "/risks/exposure".to_string(),
        format!("/risks/{rid}"),
    ] {
        let (status, _, content_type) = api.get(&format!("/api/v1/partnerships/{id}{path}")).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::NOT_FOUND, "application/problem+json"),
            "GET {path}"
        );
        assert_eq!(
            app.api()
                .get(&format!("/api/v1/partnerships/{id}{path}"))
                .await
                .0,
            StatusCode::NOT_FOUND,
            "anonymous GET {path}"
        );
    }
    let body = json!({ "category": "other", "likelihood": 5, "impact": 5, "owner": "CON", "shares": [{ "organisation": "BIR", "share_bp": 10000 }] });
    assert_eq!(
        api.post(&format!("/api/v1/partnerships/{id}/risks"), body)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post(
            &format!("/api/v1/partnerships/{id}/risks/{rid}/reviews"),
            json!({ "likelihood": 1, "impact": 1, "status": "closed" })
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        patch(
            &api,
            &format!("/api/v1/partnerships/{id}/risks/{rid}"),
            json!({ "status": "closed" })
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        (
            app.count("risks"),
            app.count("risk_reviews"),
            app.count("risk_shares")
        ),
        (1, 0, 2)
    );

    // A risk id from another partnership is not found through this one.
    let other = app.partnership("partners").await;
    assert_eq!(
        bir.get(&format!("/partnerships/{other}/risks/{rid}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn anyone_may_read_a_public_register_but_only_members_change_it() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let rid = add_supplier_risk(&bir, id).await;
    let (status, register) = app
        .client()
        .get_text(&format!("/partnerships/{id}/risks"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(register.contains(SUPPLIER) && !register.contains("Add a risk"));
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{id}/risks.csv"))
            .await
            .status(),
        StatusCode::OK
    );
    let (status, page) = app
        .client()
        .get_text(&format!("/partnerships/{id}/risks/{rid}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Record a review") && !page.contains("Change this risk"));

    let outsider = app.signed_in("officer@cornwall.example").await;
    assert_eq!(
        outsider
            .get(&format!("/partnerships/{id}/risks/new"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider
            .post_form(
                &format!("/partnerships/{id}/risks/{rid}/reviews"),
                &[("likelihood", "1")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let api = app.api_as("officer@cornwall.example").await;
    assert_eq!(
        api.get(&format!("/api/v1/partnerships/{id}/risks")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        patch(
            &api,
            &format!("/api/v1/partnerships/{id}/risks/{rid}"),
            json!({ "status": "closed" })
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api()
            .post(
                &format!("/api/v1/partnerships/{id}/risks/{rid}/reviews"),
                json!({})
            )
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("risk_reviews"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_risk_api_is_in_the_openapi_document() {
    let app = TestApp::with_reference_data().await;
    let (_, doc, _) = app.api().get("/api/v1/openapi.json").await;
    for (path, method) in [
        ("/api/v1/partnerships/{id}/risks", "get"),
        ("/api/v1/partnerships/{id}/risks", "post"),
        ("/api/v1/partnerships/{id}/risks/{rid}", "get"),
        ("/api/v1/partnerships/{id}/risks/{rid}", "patch"),
        ("/api/v1/partnerships/{id}/risks/{rid}/reviews", "post"),
        ("/api/v1/partnerships/{id}/risks/exposure", "get"),
    ] {
        assert!(
            doc["paths"][path].get(method).is_some(),
            "{method} {path} missing from OpenAPI"
        );
    }
    assert_eq!(
        doc["components"]["schemas"]["RiskShareInput"]["required"],
        json!(["organisation", "share_bp"])
    );
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
