use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn organisations_api_searches_filters_and_pages_like_the_directory() {
    let app = TestApp::with_reference_data().await;
    let api = app.api();
    let (status, body, content_type) = api.get("/api/v1/organisations").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    assert_eq!(
        body["total"], 398,
        "397 current councils and the demo's LGA"
    );
    assert_eq!(body["per_page"], 20);
    assert_eq!(body["total_pages"], 20);
    assert_eq!(body["items"].as_array().unwrap().len(), 20);

    let (_, body, _) = api.get("/api/v1/organisations?q=E08000025").await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["code"], "BIR");
    assert_eq!(body["items"][0]["population"], 1140525);

    let (_, body, _) = api
        .get("/api/v1/organisations?nation=Scotland&per_page=100")
        .await;
    assert_eq!(body["total"], 32);
    assert!(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["nation"] == "Scotland"));
    let (_, body, _) = api
        .get("/api/v1/organisations?type=LBO&page=2&per_page=20")
        .await;
    assert_eq!(
        (
            body["total"].as_i64(),
            body["items"].as_array().unwrap().len()
        ),
        (Some(32), 12)
    );

    let (status, problem, content_type) = api.get("/api/v1/organisations?per_page=1000").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["errors"][0]["field"], "per_page");
    let (status, problem, _) = api.get("/api/v1/organisations?page=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["type"], "/problems/bad-request");
}

#[tokio::test(flavor = "multi_thread")]
async fn organisation_detail_and_services_api() {
    let app = TestApp::with_reference_data().await;
    let api = app.api();
    let (status, body, _) = api.get("/api/v1/organisations/BIR").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["gss_code"], "E08000025");
    assert_eq!(body["combined_authority"]["code"], "WMCA");
    assert_eq!(body["service_count"], 117);
    let neighbours: Vec<&str> = body["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(neighbours.len(), 11);
    assert!(neighbours.contains(&"SOL") && neighbours.contains(&"DUD"));
    assert_eq!(
        body["similar"]["profile"],
        "Emissions: Public sector; 1st IMD quintile; Urban"
    );
    assert_eq!(body["similar"]["members"].as_array().unwrap().len(), 10);

    let (status, body, _) = api.get("/api/v1/organisations/e08000025").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::OK, Some("BIR"))
    );
    let (status, problem, content_type) = api.get("/api/v1/organisations/NOPE").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    assert_eq!(problem["status"], 404);

    let (_, services, _) = api.get("/api/v1/organisations/BRM/services").await;
    assert_eq!(services.as_array().unwrap().len(), 66);
    let (_, body, _) = api.get("/api/v1/services?q=refuse").await;
    assert!(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == 524));
    let (_, body, _) = api.get("/api/v1/services?scope=all&per_page=1").await;
    assert_eq!(body["total"], 1520);
    let (status, _, _) = api.get("/api/v1/services?scope=everything").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body, _) = api.get("/api/v1/services/524").await;
    assert_eq!(
        (status, body["providing_tier"].as_str()),
        (StatusCode::OK, Some("district"))
    );
    assert_eq!(api.get("/api/v1/services/0").await.0, StatusCode::NOT_FOUND);
    let (status, _, content_type) = api.get("/api/v1/no-such-thing").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_describes_every_route() {
    let app = TestApp::with_reference_data().await;
    let (status, doc, _) = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/organisations",
        "/api/v1/organisations/{code}",
        "/api/v1/organisations/{code}/services",
        "/api/v1/services",
        "/api/v1/services/{id}",
        "/api/v1/me",
        "/api/v1/invitations",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        json!("bearer")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_api_refuses_filters_it_does_not_know_and_writes_moments_in_rfc3339() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let api = app.api();

    let (status, problem, _) = api
        .get("/api/v1/partnerships?status=AAA&sort=size&stage=9&kind=shared_service")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["stage", "status", "sort"],
        "each unknown filter named, the known kind not"
    );
    assert!(problem["errors"][1]["message"]
        .as_str()
        .unwrap()
        .contains("status \"AAA\" is not known"));

    let (status, list, _) = api
        .get("/api/v1/partnerships?status=active&stage=5&sort=stage")
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);

    // The page stays lenient: its filters come from links people edit.
    let (status, _) = app.client().get_text("/partnerships?status=AAA").await;
    assert_eq!(status, StatusCode::OK);

    let (_, partnership, _) = api.get(&format!("/api/v1/partnerships/{id}")).await;
    let created = partnership["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'),
        "{created} is RFC 3339 in UTC"
    );
}
