//! The partnership register's core: create, members, cost shares, visibility.

use reqwest::StatusCode;

use crate::common::{partnership_form, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn a_council_starts_a_partnership_and_another_joins() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (status, html) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1 class=\"govuk-heading-l\">Birmingham and Leeds revenues</h1>"));
    assert!(
        html.contains("Shared service")
            && html.contains("Collaborating")
            && html.contains("5. Working together")
    );
    assert!(
        html.contains("Household waste collection"),
        "the LGSL service area"
    );
    assert!(
        html.contains("1 April 2026"),
        "next review a year after the start"
    );
    assert!(html.contains(">Leeds City Council</a> – Partner"));

    let (_, history) = bir.get_text(&format!("/partnerships/{id}/history")).await;
    for action in [
        "partnership.create",
        "partnership.member.invite",
        "partnership.member.accept",
    ] {
        assert!(history.contains(action), "{action} in history");
    }
    assert!(history.contains("lead@leeds.example"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invitations_can_be_declined_and_only_org_admins_answer() {
    let app = TestApp::with_reference_data().await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let form = partnership_form("Cornish link", "partners");
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let id = plain(&bir.post_form("/partnerships/new", &fields).await.headers()["location"])
        .trim_start_matches("/partnerships/")
        .to_string();
    bir.post_form(
        &format!("/partnerships/{id}/members"),
        &[("organisation", "CON"), ("role", "observer")],
    )
    .await;
    // A member (not admin) of the invited council can see the invitation but not answer it.
    let officer = app.signed_in("officer@cornwall.example").await;
    let (status, html) = officer.get_text(&format!("/partnerships/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Accept invitation"));
    assert_eq!(
        officer
            .post_form(
                &format!("/partnerships/{id}/respond"),
                &[("answer", "accept")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Re-inviting while the invitation is open is refused.
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/members"),
            &[("organisation", "CON"), ("role", "partner")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Cornwall Council is already invited"));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/members"),
            &[("organisation", "QQQ"), ("role", "partner")],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("No organisation has the code"));
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_a_partnership_checks_every_field() {
    let app = TestApp::with_reference_data().await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let r = bir
        .post_form(
            "/partnerships/new",
            &[
                ("name", ""),
                ("kind", "picnic"),
                ("degree", ""),
                ("stage", "9"),
                ("status", "active"),
                ("visibility", "partners"),
                ("start_date_day", "1"),
                ("start_date_month", "4"),
                ("start_date_year", "2026"),
                ("end_date_day", "1"),
                ("end_date_month", "4"),
                ("end_date_year", "2025"),
                ("services", "524, 99999"),
                ("review_cadence_months", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (field, message) in [
        ("name", "Enter the partnership&#39;s name"),
        ("kind", "Select the type of partnership"),
        (
            "degree",
            "Select where the partnership sits on the collaboration spectrum",
        ),
        ("stage", "Select the lifecycle stage, 1 to 8"),
        ("end_date", "The end date must be after the start date"),
        (
            "review_cadence_months",
            "Review cadence must be a whole number from 1 to 60",
        ),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
            "{field}: {message}\n{html}"
        );
    }
    assert_eq!(app.count("partnerships"), 0, "nothing half-written");
    // Unknown LGSL services are caught once the form is otherwise valid.
    let form = partnership_form("Bins", "partners");
    let mut fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fields.retain(|(k, _)| *k != "services");
    fields.push(("services", "524, 99999"));
    let r = bir.post_form("/partnerships/new", &fields).await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("There is no LGSL service 99999"));
    assert_eq!(app.count("partnerships"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_shares_must_add_up_to_100_and_the_calculator_splits_by_population() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, page) = bir.get_text(&format!("/partnerships/{id}/members")).await;
    let ids: Vec<String> = page
        .match_indices("name=\"share-")
        .map(|(i, _)| page[i + 12..].split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    let (a, b) = (format!("share-{}", ids[0]), format!("share-{}", ids[1]));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/cost-shares"),
            &[(&a, "60"), (&b, "30")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Shares must add up to 100%; these add up to 90%"));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/cost-shares"),
            &[(&a, "60"), (&b, "")],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Give a share for every member, or leave them all blank"));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/cost-shares"),
            &[(&a, "sixty"), (&b, "40")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("is not a percentage"));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/cost-shares"),
            &[(&a, "60"), (&b, "40")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = bir.get_text(&format!("/partnerships/{id}")).await;
    assert!(page.contains("cost share 60%") && page.contains("cost share 40%"));

    // Birmingham 1,140,525 and Leeds 798,786 people: £100,000 splits 58.81% / 41.19%.
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/calculator"),
            &[("amount", "100,000"), ("method", "population")],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("£100,000 split by population"), "{html}");
    assert!(
        html.contains("58.81%") && html.contains("£58,810.84"),
        "{html}"
    );
    assert!(html.contains("41.19%") && html.contains("£41,189.16"));
    let r = bir
        .post_form(
            &format!("/partnerships/{id}/calculator"),
            &[("amount", "lots"), ("method", "")],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("is not an amount in pounds")
            && html.contains("Select how to split the cost")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_get_not_found_for_partners_only_partnerships() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    let admin = app.signed_in("admin@concord.example").await;
    for path in [
        "",
        "/members",
        "/history",
        "/edit",
        "/objectives",
        "/governance",
        "/risks",
        "/ledger",
        "/reviews",
        "/swot",
    ] {
        let url = format!("/partnerships/{id}{path}");
        assert_eq!(
            outsider.get(&url).await.status(),
            StatusCode::NOT_FOUND,
            "{url}"
        );
        // Signed-out visitors are asked to sign in for forms, and see nothing otherwise.
        let anonymous = app.client().get(&url).await.status();
        assert!(
            anonymous == StatusCode::NOT_FOUND
                || (path == "/edit" && anonymous == StatusCode::SEE_OTHER),
            "anonymous {url}: {anonymous}"
        );
    }
    assert_eq!(
        admin.get(&format!("/partnerships/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "even platform admins"
    );
    for (path, fields) in [
        ("/edit", vec![("name", "Hijacked")]),
        ("/members", vec![("organisation", "CON"), ("role", "lead")]),
        ("/respond", vec![("answer", "accept")]),
        ("/cost-shares", vec![]),
    ] {
        let r = outsider
            .post_form(&format!("/partnerships/{id}{path}"), &fields)
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    assert_eq!(app.count("partnership_members"), 2);
    // Leeds, a partner, may see and change; Leeds' member may see.
    assert_eq!(
        app.signed_in("lead@leeds.example")
            .await
            .get(&format!("/partnerships/{id}/edit"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn visibility_widens_to_signed_in_users_and_the_public_but_not_changes() {
    let app = TestApp::with_reference_data().await;
    let signed_in_only = app.partnership("signed_in").await;
    let public = app.partnership("public").await;
    let outsider = app.signed_in("officer@cornwall.example").await;
    assert_eq!(
        outsider
            .get(&format!("/partnerships/{signed_in_only}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{signed_in_only}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client()
            .get(&format!("/partnerships/{public}"))
            .await
            .status(),
        StatusCode::OK
    );
    let (_, html) = outsider.get_text(&format!("/partnerships/{public}")).await;
    assert!(!html.contains("Edit details and governance"));
    assert_eq!(
        outsider
            .get(&format!("/partnerships/{public}/edit"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = outsider
        .post_form(
            &format!("/partnerships/{public}/members"),
            &[("organisation", "CON"), ("role", "lead")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portfolio_lists_totals_and_exports_only_what_the_user_may_see() {
    let app = TestApp::with_reference_data().await;
    let private = app.partnership("partners").await;
    let signed_in = app.partnership("signed_in").await;
    let public = app.partnership("public").await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let (status, html) = bir.get_text("/partnerships").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Birmingham City Council&#39;s partnerships")
            || html.contains("Birmingham City Council's partnerships")
    );
    assert!(
        html.contains("<dd class=\"govuk-summary-list__value\" id=\"total-arrangements\">3</dd>")
    );
    assert!(html.contains("<dd class=\"govuk-summary-list__value\" id=\"total-partners\">2</dd>"));
    assert!(html.contains("Partnerships by type") && html.contains("role=\"img\""));

    // Cornwall sees the two it may see across the country, and none as its own.
    let con = app.signed_in("officer@cornwall.example").await;
    let (_, mine) = con.get_text("/partnerships").await;
    assert!(mine.contains("No partnerships match"));
    let (_, all) = con.get_text("/partnerships?scope=all").await;
    assert!(
        all.contains("id=\"total-arrangements\">2</dd>"),
        "signed-in and public only"
    );
    assert!(!all.contains(&format!("href=\"/partnerships/{private}\"")));
    assert!(
        all.contains(&format!("href=\"/partnerships/{signed_in}\""))
            && all.contains(&format!("href=\"/partnerships/{public}\""))
    );
    let (_, anonymous) = app.client().get_text("/partnerships").await;
    assert!(anonymous.contains("id=\"total-arrangements\">1</dd>"));

    // Exports follow the same rule.
    let csv = con.get("/partnerships.csv?scope=all").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 3, "header and two rows:\n{csv}");
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .starts_with("id,name,kind,degree,stage,status,visibility,lead,partners"));
    assert!(csv.contains(",BIR,BIR|LDS,"));
    assert!(!csv.lines().any(|l| l.starts_with(&format!("{private},"))));
    let json: serde_json::Value = con
        .get("/partnerships.json?scope=all")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["partnerships"].as_array().unwrap().len(), 2);
    let own: serde_json::Value = bir.get("/partnerships.json").await.json().await.unwrap();
    assert_eq!(own["partnerships"].as_array().unwrap().len(), 3);

    // Filters and sorting.
    let (_, filtered) = bir.get_text("/partnerships?kind=joint_venture").await;
    assert!(filtered.contains("No partnerships match"));
    let (_, filtered) = bir.get_text("/partnerships?kind=shared_service&degree=collaborating&stage=5&status=active&sort=next_review").await;
    assert!(filtered.contains("id=\"total-arrangements\">3</dd>"));
    assert!(filtered.contains("aria-sort=\"ascending\"><a class=\"govuk-link\" href=\"/partnerships?scope=mine&#38;kind=shared_service"), "{filtered}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_partnership_api_creates_reads_and_guards_partnerships() {
    let app = TestApp::with_reference_data().await;
    let bir = app.api_as("lead@birmingham.example").await;
    let (status, problem, _) =
        bir.post("/api/v1/partnerships", serde_json::json!({"name": "", "kind": "x", "degree": "networking", "stage": 0, "status": "active", "visibility": "partners"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "kind", "stage"]);
    let (status, created, _) = bir
        .post("/api/v1/partnerships", serde_json::json!({"name": "Digital platform", "kind": "digital_platform", "degree": "cooperating", "stage": 4, "status": "proposed", "visibility": "partners", "services": [524], "start_date": "2026-01-01", "review_cadence_months": 6}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["members"][0]["organisation_code"], "BIR");
    assert_eq!(created["members"][0]["role"], "lead");
    assert_eq!(created["next_review_due"], "2026-07-01");
    let id = created["id"].as_i64().unwrap();

    let (status, members, _) =
        bir.post(&format!("/api/v1/partnerships/{id}/members"), serde_json::json!({"organisation": "CON", "role": "partner", "contact_email": "not an email"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{members}");
    let (status, members, _) = bir
        .post(
            &format!("/api/v1/partnerships/{id}/members"),
            serde_json::json!({"organisation": "LDS", "role": "partner"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(members[1]["status"], "invited");
    let lds = app.api_as("lead@leeds.example").await;
    let (status, members, _) = lds
        .post(
            &format!("/api/v1/partnerships/{id}/respond"),
            serde_json::json!({"answer": "accept"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members[1]["status"], "active");
    let (status, calc, _) = lds
        .post(
            &format!("/api/v1/partnerships/{id}/calculator"),
            serde_json::json!({"amount_pence": 100, "method": "equal"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        calc["rows"][0]["amount_pence"].as_i64().unwrap()
            + calc["rows"][1]["amount_pence"].as_i64().unwrap(),
        100
    );

    // Outsiders: not found, by API as by page; nothing changes.
    let con = app.api_as("officer@cornwall.example").await;
    for path in ["", "/members", "/history", "/summary"] {
        let (status, _, content_type) = con.get(&format!("/api/v1/partnerships/{id}{path}")).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::NOT_FOUND, "application/problem+json"),
            "{path}"
        );
        assert_eq!(
            app.api()
                .get(&format!("/api/v1/partnerships/{id}{path}"))
                .await
                .0,
            StatusCode::NOT_FOUND,
            "anonymous {path}"
        );
    }
    let (status, _, _) = con
        .post(
            &format!("/api/v1/partnerships/{id}/members"),
            serde_json::json!({"organisation": "CON", "role": "lead"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list, _) = con.get("/api/v1/partnerships?scope=all").await;
    assert_eq!(list["total"], 0);
    let (_, list, _) = bir.get("/api/v1/partnerships").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["totals"]["partners"], 2);
    let (_, history, _) = bir.get(&format!("/api/v1/partnerships/{id}/history")).await;
    assert_eq!(
        history.as_array().unwrap().len(),
        3,
        "create, invite, accept"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_organisation_page_lists_its_visible_partnerships() {
    let app = TestApp::with_reference_data().await;
    let private = app.partnership("partners").await;
    let public = app.partnership("public").await;
    let (_, anonymous) = app.client().get_text("/organisations/LDS").await;
    assert!(anonymous.contains(&format!("href=\"/partnerships/{public}\"")));
    assert!(
        !anonymous.contains(&format!("href=\"/partnerships/{private}\"")),
        "partners-only stays hidden"
    );
    let (_, leeds) = app
        .signed_in("lead@leeds.example")
        .await
        .get_text("/organisations/BIR")
        .await;
    assert!(
        leeds.contains(&format!("href=\"/partnerships/{private}\"")) && leeds.contains("(lead)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn partnerships_import_from_csv_atomically_with_line_numbers() {
    let app = TestApp::with_reference_data().await;
    let header = "name,purpose,kind,degree,stage,status,visibility,start_date,end_date,lead,partners,services,review_cadence_months\n";
    let good = format!("{header}Shared bins,Bins,shared_service,collaborating,5,active,public,2024-04-01,,LDS,BRD|WKF,524,12\nLeeds digital,,digital_platform,cooperating,4,proposed,partners,,,LDS,CON,,\n");
    let bad = format!("{header}Shared bins,Bins,shared_service,collaborating,5,active,public,2024-04-01,,LDS,BRD|WKF,524,12\nBroken,,digital_platform,cooperating,4,proposed,partners,,,LDS,ZZZ,,\n");
    let lds = app.signed_in("lead@leeds.example").await;
    let r = lds.upload("/partnerships/import", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Line 3: no organisation has the code &#39;ZZZ&#39;"),
        "{html}"
    );
    assert_eq!(app.count("partnerships"), 0, "nothing from a refused file");

    // The same partnership twice: refused at the second line, naming the first,
    // although the first was already written when the second was read.
    let twice = format!("{header}Shared bins,Bins,shared_service,collaborating,5,active,public,2024-04-01,,LDS,BRD,524,12\nOther,,digital_platform,cooperating,4,proposed,partners,,,LDS,,,\nShared bins ,Bins again,shared_service,collaborating,6,active,public,2024-04-01,,lds,,524,12\n");
    let r = lds.upload("/partnerships/import", &twice).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Line 4: duplicate partnership (name and lead) &#39;Shared bins / LDS&#39; (first seen on line 2)"),
        "{html}"
    );
    assert_eq!(app.count("partnerships"), 0, "nothing from a refused file");
    assert_eq!(app.count("partnership_members"), 0);

    let html = lds
        .upload("/partnerships/import", &good)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Imported: 2 created, 0 updated, 0 unchanged"),
        "{html}"
    );
    // An org admin's partners are invited, not enrolled.
    let (_, list, _) = app
        .api_as("lead@leeds.example")
        .await
        .get("/api/v1/partnerships")
        .await;
    assert_eq!(list["total"], 2);
    assert_eq!(app.count("partnership_members"), 5);
    let invited: i64 = {
        use concord::db::schema::partnership_members as pm;
        use diesel::prelude::*;
        app.db()
            .read_blocking(|c| {
                Ok(pm::table
                    .filter(pm::status.eq("invited"))
                    .count()
                    .get_result(c)?)
            })
            .unwrap()
    };
    assert_eq!(invited, 3);

    // Again: nothing changes. From the command line (platform): updated in place.
    let html = lds
        .upload("/partnerships/import", &good)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Imported: 0 created, 0 updated, 2 unchanged"),
        "{html}"
    );
    let report = concord::datasets::run_import(
        app.db(),
        concord::datasets::ImportKind::Partnerships,
        &good.replace(",5,active,", ",6,active,"),
        &concord::audit::Actor::system("test"),
    )
    .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 1, 1)
    );

    // Members cannot import; nor can someone whose organisation is not in the file.
    let officer = app.signed_in("officer@birmingham.example").await;
    assert_eq!(
        officer.get("/partnerships/import").await.status(),
        StatusCode::FORBIDDEN
    );
    let bir = app.signed_in("lead@birmingham.example").await;
    let html = bir
        .upload("/partnerships/import", &good)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Line 2: you may not change this partnership"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_register_is_alive_and_respects_visibility() {
    let app = TestApp::with_reference_data().await;
    let db = app.db().clone();
    tokio::task::spawn_blocking(move || concord::demo::load(&db).unwrap())
        .await
        .unwrap();
    let (_, anonymous) = app.client().get_text("/partnerships").await;
    assert!(
        anonymous.contains("id=\"total-arrangements\">3</dd>"),
        "three public demo partnerships"
    );
    assert!(anonymous.contains("Worcestershire Regulatory Services"));
    assert!(
        !anonymous.contains("Black Country highways"),
        "partners-only"
    );
    let bir = app.signed_in("lead@birmingham.example").await;
    let (_, mine) = bir.get_text("/partnerships").await;
    for name in [
        "Waste services digital platform",
        "Black Country highways materials procurement",
        "Core cities digital network",
    ] {
        assert!(mine.contains(name), "{name}");
    }
    // Worcestershire: six districts, realised savings from the ledger.
    let (_, all) = app
        .client()
        .get_text("/partnerships?q=worcestershire")
        .await;
    assert!(all.contains("£1,690,000"), "realised savings 2022-2025");
    // Solihull is invited to the procurement: its admin would see it; Cornwall does not.
    let (_, con) = app
        .signed_in("officer@cornwall.example")
        .await
        .get_text("/partnerships?scope=all")
        .await;
    assert!(!con.contains("Black Country highways"));
}

/// The SQL condition used by lists, totals and exports must agree with the
/// policy used for one partnership, for every kind of viewer.
#[tokio::test(flavor = "multi_thread")]
async fn the_list_rule_agrees_with_the_policy_for_every_viewer() {
    use concord::partnerships::model::Partnership;
    use concord::partnerships::register::portfolio;
    use concord::policy::{allows, Action};
    use concord::work::Scoped;
    let app = TestApp::with_reference_data().await;
    let ids = [
        app.partnership("partners").await,
        app.partnership("signed_in").await,
        app.partnership("public").await,
    ];
    // Invite Cornwall to the partners-only one: invitees may see it.
    let bir = app.signed_in("lead@birmingham.example").await;
    bir.post_form(
        &format!("/partnerships/{}/members", ids[0]),
        &[("organisation", "CON"), ("role", "observer")],
    )
    .await;
    let db = app.db().clone();
    tokio::task::spawn_blocking(move || {
        let org = |code: &str| {
            db.read_blocking(|c| Ok(concord::orgs::store::find(c, code)?.id))
                .unwrap()
        };
        let viewers: Vec<Option<concord::policy::Actor>> = vec![
            None,
            Some(concord::policy::Actor {
                user_id: 1,
                organisation_id: org("BIR"),
                role: concord::policy::Role::Member,
            }),
            Some(concord::policy::Actor {
                user_id: 2,
                organisation_id: org("CON"),
                role: concord::policy::Role::Member,
            }),
            Some(concord::policy::Actor {
                user_id: 3,
                organisation_id: org("LGA"),
                role: concord::policy::Role::PlatformAdmin,
            }),
        ];
        let mut seen = 0;
        for viewer in &viewers {
            let filter = portfolio::PortfolioFilter {
                scope: Some("all".into()),
                ..Default::default()
            }
            .clean(viewer.is_some());
            let listed: Vec<i64> = db
                .read_blocking(|c| portfolio::all(c, &filter, viewer.as_ref()))
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            for id in ids {
                let may_see = db
                    .read_blocking(|c| {
                        let (_, rel) = Partnership::load(c, id, viewer.as_ref())?.unwrap();
                        Ok(allows(viewer.as_ref(), Action::ViewPartnership(rel)))
                    })
                    .unwrap();
                assert_eq!(
                    listed.contains(&id),
                    may_see,
                    "partnership {id} for {viewer:?}"
                );
                seen += may_see as i32;
            }
        }
        // Anonymous 1, Birmingham 3, Cornwall (invited) 3, the platform admin 2.
        assert_eq!(seen, 9);
    })
    .await
    .unwrap();
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
