use reqwest::StatusCode;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn directory_lists_all_current_councils_with_filters_and_pages() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let (status, html) = b.get_text("/organisations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Showing 1 to 20 of 398 organisations"),
        "all 397 current councils and the demo's LGA"
    );

    let (_, html) = b.get_text("/organisations?nation=Wales").await;
    assert!(html.contains("of 22 organisations"));
    let (_, html) = b.get_text("/organisations?type=CTY").await;
    assert!(html.contains("of 21 organisations"));
    let (_, html) = b
        .get_text("/organisations?region=West+Midlands&type=MD")
        .await;
    assert!(
        html.contains("of 7 organisations"),
        "the seven West Midlands metropolitan districts"
    );
    let (_, html) = b.get_text("/organisations?status=former").await;
    assert!(html.contains("of 73 organisations"));

    let (_, html) = b.get_text("/organisations?page=2").await;
    assert!(html.contains("Showing 21 to 40 of 398"));
    assert!(html.contains("href=\"/organisations?page=3\""));
    let (status, _) = b.get_text("/organisations?page=banana").await;
    assert_eq!(status, StatusCode::OK, "a bad page number shows page 1");
}

#[tokio::test(flavor = "multi_thread")]
async fn directory_search_by_name_code_and_gss() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    for q in ["birmingham", "BIRMINGHAM", "BIR", "E08000025"] {
        let (_, html) = b.get_text(&format!("/organisations?q={q}")).await;
        assert!(
            html.contains("href=\"/organisations/BIR\">Birmingham City Council</a>"),
            "search for {q}"
        );
    }
    let (_, html) = b.get_text("/organisations?q=zzzz-no-such").await;
    assert!(html.contains("No organisations match"));
    // LIKE wildcards in the search are taken literally.
    let (_, html) = b.get_text("/organisations?q=%25").await;
    assert!(html.contains("No organisations match"));
    // Search terms are escaped in the page.
    let (_, html) = b.get_text("/organisations?q=%3Cscript%3E").await;
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("value=\"&#60;script&#62;\"") || html.contains("value=\"&lt;script&gt;\""),
        "the term is kept, escaped"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn organisation_page_shows_codes_neighbours_similar_councils_and_services() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let (status, html) = b.get_text("/organisations/BIR").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1 class=\"govuk-heading-l\">Birmingham City Council</h1>"));
    assert!(html.contains("E08000025"));
    assert!(html.contains("1,140,525"), "population");
    assert!(
        html.contains("https://www.birmingham.gov.uk/"),
        "website from local-links-manager"
    );
    assert!(html.contains("href=\"/organisations/WMCA\">West Midlands Combined Authority</a>"));
    let neighbours = html
        .split("Neighbouring councils")
        .nth(1)
        .unwrap()
        .split("Similar councils")
        .next()
        .unwrap();
    for n in ["Solihull", "Dudley", "Sandwell", "Walsall", "Bromsgrove"] {
        assert!(neighbours.contains(&format!(">{n}</a>")), "neighbour {n}");
    }
    // A county or combined authority next door goes by its full name, not a
    // bare place or region name.
    for n in [
        "Staffordshire County Council",
        "Warwickshire County Council",
        "West Midlands Combined Authority",
    ] {
        assert!(neighbours.contains(&format!(">{n}</a>")), "neighbour {n}");
    }
    assert!(!neighbours.contains(">West Midlands</a>"));
    // mySociety's label in plain words, without its ".;" between parts.
    assert!(html.contains("Public sector emissions, 1st deprivation quintile, urban"));
    assert!(html.contains("In most deprived quintile (20%)"));
    assert!(!html.contains(".;"));
    let similar = html
        .split("Similar councils")
        .nth(1)
        .unwrap()
        .split("Services it delivers")
        .next()
        .unwrap();
    assert_eq!(
        similar.matches("<li><a").count(),
        10,
        "ten councils elsewhere share Birmingham's profile"
    );
    assert!(!similar.contains(">Birmingham</a>"));
    assert!(
        html.contains("117 services"),
        "a unitary council delivers every tiered service"
    );

    // A district delivers district-tier services only; its county delivers the rest.
    let (_, district) = b.get_text("/organisations/BRM").await;
    assert!(district.contains("66 services"), "district/unitary and all");
    assert!(district.contains("href=\"/organisations/WOR\">Worcestershire County Council</a>"));
    let (_, county) = b.get_text("/organisations/WOR").await;
    assert!(county.contains("67 services"), "county/unitary and all");

    // Lower-case and GSS codes reach the same page.
    let (status, html) = b.get_text("/organisations/e08000025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Birmingham City Council"));

    let (status, html) = b.get_text("/organisations/NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn services_pages_list_functions_services_and_who_delivers_them() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let (status, html) = b.get_text("/services").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("of 117 services"),
        "GOV.UK-tiered services by default"
    );
    assert!(html.contains("13 top-level functions"));
    let (_, html) = b.get_text("/services?scope=all").await;
    assert!(
        html.contains("of 1,520 services") || html.contains("of 1520 services"),
        "the whole LGSL plus GOV.UK's 1788"
    );
    let (_, html) = b.get_text("/services?q=bursary&scope=all").await;
    assert!(html.contains("16 to 19 bursary fund"));
    let (_, html) = b.get_text("/services?q=524").await;
    assert!(html.contains("href=\"/services/524\""));

    let (status, html) = b.get_text("/services/524").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("LGSL 524"));
    assert!(html.contains("District and unitary councils"));
    // Refuse collection: every district and unitary council, but no county.
    assert!(html.contains("href=\"/organisations/BIR\""));
    assert!(!html.contains("href=\"/organisations/WOR\""));

    assert_eq!(
        b.get("/services/999999").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(b.get("/services/abc").await.status(), StatusCode::NOT_FOUND);
}

/// A service page lists the partnerships covering it that the viewer may
/// see, and the register filters by service, by page and API, through the
/// same visibility rule.
#[tokio::test(flavor = "multi_thread")]
async fn partnerships_are_found_by_the_service_they_cover() {
    let app = TestApp::with_reference_data().await;
    // Both cover LGSL 524; one is public, one partners-only.
    let public = app.partnership("public").await;
    let private = app.partnership("partners").await;
    let outsider = app
        .signed_in(&app.account("MAN", concord::policy::Role::Member).await)
        .await;
    let member = app.signed_in("lead@birmingham.example").await;
    let link = |id: i64| format!("href=\"/partnerships/{id}\"");

    let (status, html) = outsider.get_text("/services/524").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Partnerships covering it"));
    assert!(html.contains(&link(public)) && !html.contains(&link(private)));
    let (_, html) = member.get_text("/services/524").await;
    assert!(html.contains(&link(public)) && html.contains(&link(private)));
    let (_, html) = app.client().get_text("/services/1").await;
    assert!(html.contains("No partnership you can see covers this service yet."));

    let (_, html) = outsider
        .get_text("/partnerships?scope=all&service=524")
        .await;
    assert!(html.contains(&link(public)) && !html.contains(&link(private)));
    assert!(html.contains("<option value=\"524\" selected>"));
    let (_, html) = outsider.get_text("/partnerships?scope=all&service=1").await;
    assert!(!html.contains(&link(public)));

    let api = app.api();
    let (status, body, _) = api.get("/api/v1/partnerships?scope=all&service=524").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [public]);
    let (status, body, _) = api.get("/api/v1/partnerships?scope=all&service=bins").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("an LGSL service number"));
}
