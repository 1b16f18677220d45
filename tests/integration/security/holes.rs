//! The holes a security probe of the register found, each with a test that
//! failed before its fix. Numbers refer to the findings in the probe report.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use concord::policy::Role;

const HEADER: &str = "name,purpose,kind,degree,stage,status,visibility,start_date,end_date,lead,partners,services,review_cadence_months\n";

fn member_id(members: &serde_json::Value, code: &str) -> i64 {
    members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["organisation_code"] == code)
        .unwrap_or_else(|| panic!("{code} in {members}"))["id"]
        .as_i64()
        .unwrap()
}

fn roles(members: &serde_json::Value) -> Vec<(String, String, String)> {
    members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organisation_code"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
                m["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// 1. High: the CSV import changed partnerships the importer may not
/// change, and enrolled organisations without their agreement.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_does_only_what_the_importer_could_do_on_the_pages() {
    let app = TestApp::with_reference_data().await;
    let secret = app
        .sole_partnership("Secret shared service", "partners")
        .await;
    let lds = app.signed_in("lead@leeds.example").await;
    let bir_api = app.api_as("lead@birmingham.example").await;
    let before = bir_api
        .get(&format!("/api/v1/partnerships/{secret}"))
        .await
        .1;

    // Naming Birmingham's partners-only partnership: no change, no membership.
    let takeover = format!(
        "{HEADER}Secret shared service,Ours now,network,networking,1,active,public,,,BIR,LDS,,\n"
    );
    let r = lds.upload("/partnerships/import", &takeover).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Line 2: the lead must be your organisation (LDS)"),
        "the same answer as for a partnership that does not exist: {html}"
    );
    let after = bir_api
        .get(&format!("/api/v1/partnerships/{secret}"))
        .await
        .1;
    assert_eq!(after, before, "nothing about the partnership changed");

    // Starting one led by another council is refused too.
    let other_lead = format!(
        "{HEADER}Bradford bins,,shared_service,collaborating,5,active,public,,,BRD,LDS,,\n"
    );
    let html = lds
        .upload("/partnerships/import", &other_lead)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Line 2: the lead must be your organisation (LDS)"),
        "{html}"
    );
    assert_eq!(app.count("partnerships"), 1);

    // Leeds may start its own; the others named are invited, not enrolled.
    let own = format!(
        "{HEADER}Leeds digital,,digital_platform,cooperating,4,proposed,partners,,,LDS,BIR|CON,,\n"
    );
    let html = lds
        .upload("/partnerships/import", &own)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Imported: 1 created"), "{html}");
    let (_, list, _) = app
        .api_as("lead@leeds.example")
        .await
        .get("/api/v1/partnerships")
        .await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, members, _) = bir_api
        .get(&format!("/api/v1/partnerships/{id}/members"))
        .await;
    let mut got = roles(&members);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("BIR".into(), "partner".into(), "invited".into()),
            ("CON".into(), "partner".into(), "invited".into()),
            ("LDS".into(), "lead".into(), "active".into()),
        ]
    );

    // A partner may not change a partnership it may not edit: Leeds observes Birmingham's.
    let public = app.sole_partnership("Birmingham public", "public").await;
    let change =
        format!("{HEADER}Birmingham public,Changed,network,networking,1,active,public,,,BIR,,,\n");
    let html = lds
        .upload("/partnerships/import", &change)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Line 2: you may not change this partnership"),
        "{html}"
    );
    let (_, p, _) = bir_api.get(&format!("/api/v1/partnerships/{public}")).await;
    assert_eq!(p["purpose"], "Share a revenues and benefits service");
}

/// 2. Medium: a member organisation's admin could make their own
/// organisation the lead and then remove the real lead.
#[tokio::test(flavor = "multi_thread")]
async fn nobody_but_the_lead_changes_roles_and_there_is_always_one_lead() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.api_as("lead@birmingham.example").await;
    let lds = app.api_as("lead@leeds.example").await;
    let (_, members, _) = bir.get(&format!("/api/v1/partnerships/{id}/members")).await;
    let (bir_m, lds_m) = (member_id(&members, "BIR"), member_id(&members, "LDS"));
    let audit = app.count("audit_log");

    // Leeds (a partner's organisation admin) cannot promote itself, remove the lead or invite.
    let path = |m: i64| format!("/api/v1/partnerships/{id}/members/{m}");
    let (status, _) = lds
        .send(Method::PUT, &path(lds_m), Some(json!({ "role": "lead" })))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "promote itself");
    let (status, _) = lds
        .send(
            Method::PUT,
            &path(bir_m),
            Some(json!({ "role": "observer" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "demote the lead");
    let (status, _) = lds.send(Method::DELETE, &path(bir_m), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "remove the lead");
    let (status, _, _) = lds
        .post(
            &format!("/api/v1/partnerships/{id}/members"),
            json!({ "organisation": "CON", "role": "partner" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "invite");
    let page = app.signed_in("lead@leeds.example").await;
    let r = page
        .post_form(
            &format!("/partnerships/{id}/members/{lds_m}"),
            &[("role", "lead")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "by page too");
    assert_eq!(app.count("audit_log"), audit, "nothing changed");

    // Leeds may still keep its own contact details up to date.
    let (status, _) = lds
        .send(
            Method::PUT,
            &path(lds_m),
            Some(json!({ "role": "partner", "contact_name": "Lee Lead" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The lead cannot step down without handing over, nor invite a second lead.
    let (status, problem) = bir
        .send(
            Method::PUT,
            &path(bir_m),
            Some(json!({ "role": "partner" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("needs a lead"));
    let (status, problem, _) = bir
        .post(
            &format!("/api/v1/partnerships/{id}/members"),
            json!({ "organisation": "CON", "role": "lead" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // Handing over: Leeds leads, Birmingham stays on as a partner; still one lead.
    let (status, members) = bir
        .send(Method::PUT, &path(lds_m), Some(json!({ "role": "lead" })))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut got = roles(&members);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("BIR".into(), "partner".into(), "active".into()),
            ("LDS".into(), "lead".into(), "active".into()),
        ]
    );
    // And now Birmingham manages nothing.
    let (status, _) = bir.send(Method::DELETE, &path(lds_m), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// 2 (observers) and 13: an observer's people change nothing, and who may
/// see a partnership is the lead's decision alone.
#[tokio::test(flavor = "multi_thread")]
async fn observers_change_nothing_and_only_the_lead_changes_visibility() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let con_admin = app.account("CON", Role::OrgAdmin).await;
    let bir = app.api_as("lead@birmingham.example").await;
    bir.post(
        &format!("/api/v1/partnerships/{id}/members"),
        json!({ "organisation": "CON", "role": "observer" }),
    )
    .await;
    let con = app.api_as(&con_admin).await;
    let (status, _, _) = con
        .post(
            &format!("/api/v1/partnerships/{id}/respond"),
            json!({ "answer": "accept" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, members, _) = bir.get(&format!("/api/v1/partnerships/{id}/members")).await;
    let con_m = member_id(&members, "CON");

    let details = json!({ "name": "Renamed", "kind": "shared_service", "degree": "collaborating", "stage": 5, "status": "active", "visibility": "partners" });
    let (status, _) = con
        .send(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}"),
            Some(details.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "observers do not edit");
    let (status, _) = con
        .send(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}/members/{con_m}"),
            Some(json!({ "role": "observer", "contact_name": "Kerra" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not even their own contact");

    // Leeds, a partner, may edit the details but not widen who sees them.
    let lds = app.api_as("lead@leeds.example").await;
    let mut public = details.clone();
    public["visibility"] = json!("public");
    let (status, problem) = lds
        .send(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}"),
            Some(public.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "visibility");
    let (status, _) = lds
        .send(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}"),
            Some(details),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "other details are a partner's to change"
    );
    let (status, p) = bir
        .send(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}"),
            Some(public),
        )
        .await;
    assert_eq!(
        (status, p["visibility"].as_str()),
        (StatusCode::OK, Some("public"))
    );
}

/// 5. Spreadsheet formulas in the register's CSV were written raw.
#[tokio::test(flavor = "multi_thread")]
async fn the_register_csv_keeps_formulas_as_text() {
    let app = TestApp::with_reference_data().await;
    app.sole_partnership("=HYPERLINK(\"http://evil.example\",\"Click\")", "public")
        .await;
    app.sole_partnership("+44 shared line", "public").await;
    let csv = app
        .client()
        .get("/partnerships.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""),
        "{csv}"
    );
    assert!(csv.contains("'+44 shared line"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains("\n=HYPERLINK"));
}

/// 6. Duplicate member ids passed the "adds up to 100%" rule.
#[tokio::test(flavor = "multi_thread")]
async fn a_cost_share_given_twice_is_refused() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let bir = app.api_as("lead@birmingham.example").await;
    let (_, members, _) = bir.get(&format!("/api/v1/partnerships/{id}/members")).await;
    let (b, l) = (member_id(&members, "BIR"), member_id(&members, "LDS"));
    let path = format!("/api/v1/partnerships/{id}/cost-shares");
    let twice = json!([
        { "member_id": b, "share_bp": 5000 }, { "member_id": b, "share_bp": 5000 },
        { "member_id": l, "share_bp": 0 }
    ]);
    let (status, problem) = bir.send(Method::PUT, &path, Some(twice)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        problem["errors"][0]["message"],
        format!("Member {b} is given a share more than once")
    );
    // The form, with the same field twice.
    let page = app.signed_in("lead@birmingham.example").await;
    let (bs, ls) = (format!("share-{b}"), format!("share-{l}"));
    let r = page
        .post_form(
            &format!("/partnerships/{id}/cost-shares"),
            &[(bs.as_str(), "100"), (bs.as_str(), "0"), (ls.as_str(), "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, members, _) = bir.get(&format!("/api/v1/partnerships/{id}/members")).await;
    assert!(members
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["cost_share_bp"].is_null()));
}

/// Signs in from a given address (tests set X-Forwarded-For, which the test
/// server trusts) and returns the response.
async fn sign_in_from(
    b: &crate::common::Browser,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let token = b.csrf().await;
    b.http
        .post(format!("{}/sign-in", b.base))
        .header("x-forwarded-for", address)
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
}

/// 7. `next=/\t/evil.example` passed the local-path check, and a line break gave a 500.
#[tokio::test(flavor = "multi_thread")]
async fn after_signing_in_people_only_go_to_pages_on_this_site() {
    let app = TestApp::with_reference_data().await;
    for (next, to) in [
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/partner\nships", "/partnerships"),
        ("/organisations/BIR?x=1", "/organisations/BIR?x=1"),
    ] {
        let b = app.client();
        let token = b.csrf().await;
        let r = b
            .http
            .post(format!("{}/sign-in", b.base))
            .form(&[
                ("email", "officer@birmingham.example"),
                ("password", crate::common::PASSWORD),
                ("next", next),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], to, "{next:?}");
        // The sign-in page itself carries only a safe `next`.
        let (status, page) = app
            .client()
            .get_text(&format!(
                "/sign-in?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap()
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("evil.example"), "{next:?}");
    }
}

/// 10. Throttling was per account only: guesses across accounts from one
/// address were never slowed, and anyone could lock anyone out.
#[tokio::test(flavor = "multi_thread")]
async fn guessing_is_slowed_per_address_and_per_account_but_the_owner_gets_in() {
    let app = TestApp::with_reference_data().await;
    let attacker = app.client();
    // 10 wrong passwords over 5 accounts from one address are allowed...
    let accounts = [
        "admin@concord.example",
        "lead@birmingham.example",
        "officer@birmingham.example",
        "lead@leeds.example",
        "officer@cornwall.example",
    ];
    for round in 0..2 {
        for email in accounts {
            let r = sign_in_from(&attacker, "203.0.113.9", email, "wrong password").await;
            assert_eq!(
                r.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{round} {email}"
            );
        }
    }
    // ...then that address is slowed, whichever account it tries.
    let r = sign_in_from(
        &attacker,
        "203.0.113.9",
        "officer@birmingham.example",
        crate::common::PASSWORD,
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Too many failed attempts to sign in from your network"));

    // Five guesses at one account from yet another address slow that address down for it...
    for _ in 0..5 {
        sign_in_from(
            &attacker,
            "198.51.100.7",
            "lead@leeds.example",
            "wrong password",
        )
        .await;
    }
    let r = sign_in_from(
        &attacker,
        "198.51.100.7",
        "lead@leeds.example",
        crate::common::PASSWORD,
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...but the owner, from their own address, signs in at once.
    let owner = app.client();
    let r = sign_in_from(
        &owner,
        "192.0.2.44",
        "lead@leeds.example",
        crate::common::PASSWORD,
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the owner is never locked out"
    );
}

/// 11. Signing in with a stale session cookie ended signed out: the new
/// cookie was followed by a deletion of it in the same response.
#[tokio::test(flavor = "multi_thread")]
async fn signing_in_over_a_stale_session_cookie_stays_signed_in() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let url: reqwest::Url = app.base.parse().unwrap();
    b.add_cookie(
        &format!(
            "{}=stale-and-unknown; Path=/",
            concord::auth::session::SESSION_COOKIE
        ),
        &url,
    );
    let r = b
        .sign_in("officer@birmingham.example", crate::common::PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .filter(|v| v.starts_with(concord::auth::session::SESSION_COOKIE))
        .collect();
    assert_eq!(cookies.len(), 1, "only the new session cookie: {cookies:?}");
    assert_eq!(
        b.get("/account").await.status(),
        StatusCode::OK,
        "signed in"
    );
}

/// 12. Changing the password left API tokens working, and there was no way
/// to see or end other sessions.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_password_revokes_tokens_and_sessions_can_be_ended() {
    let app = TestApp::with_reference_data().await;
    let laptop = app.signed_in("officer@birmingham.example").await;
    let phone = app.signed_in("officer@birmingham.example").await;
    let api = app.api_as("officer@birmingham.example").await;
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::OK);

    // The phone sees both sessions and signs the laptop out.
    let (_, page) = phone.get_text("/account").await;
    assert!(page.contains("This session"));
    let handles: Vec<String> = page
        .match_indices("/account/sessions/")
        .map(|(i, _)| page[i + 18..i + 34].to_string())
        .collect();
    assert!(!handles.is_empty(), "{page}");
    for handle in &handles {
        let r = phone
            .post_form(&format!("/account/sessions/{handle}/end"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        laptop.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "the laptop is signed out"
    );
    assert_eq!(
        phone.get("/account").await.status(),
        StatusCode::OK,
        "the phone is not"
    );
    // Nobody ends another person's session.
    let other = app.signed_in("lead@birmingham.example").await;
    let r = other
        .post_form(
            &format!("/account/sessions/{}/end", "0123456789abcdef"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A new password revokes the API token.
    let r = phone
        .post_form(
            "/account/password",
            &[
                ("current_password", crate::common::PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the token is revoked"
    );
}

/// 3. The platform audit page showed partners-only content to the platform admin.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_trail_shows_only_what_its_reader_may_see() {
    let app = TestApp::with_reference_data().await;
    let secret = app.partnership("partners").await;
    let open = app.sole_partnership("Open data network", "public").await;
    let bir = app.api_as("lead@birmingham.example").await;
    for (id, title) in [
        (secret, "Secret supplier exits the market"),
        (open, "Open supplier exits the market"),
    ] {
        let (status, _, _) = bir
            .post(
                &format!("/api/v1/partnerships/{id}/risks"),
                json!({ "title": title, "category": "supplier_failure", "likelihood": 3, "impact": 4,
                        "owner": "BIR", "shares": [{ "organisation": "BIR", "share_bp": 10000 }] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let admin = app.signed_in("admin@concord.example").await;
    let (status, audit) = admin.get_text("/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        audit.contains("Open supplier exits the market"),
        "public partnerships' changes are shown"
    );
    assert!(
        !audit.contains("Secret supplier"),
        "partners-only is hidden from the platform admin too"
    );
    assert!(!audit.contains("Birmingham and Leeds revenues"));
    // Birmingham's own admin sees its partnership's changes in its trail.
    let (_, own) = app
        .signed_in("lead@birmingham.example")
        .await
        .get_text("/audit")
        .await;
    assert!(own.contains("partnership.create"));
}

/// 8. Public partnerships showed people's email addresses to anyone.
#[tokio::test(flavor = "multi_thread")]
async fn the_public_sees_names_and_members_see_emails() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let bir = app.api_as("lead@birmingham.example").await;
    let (_, members, _) = bir.get(&format!("/api/v1/partnerships/{id}/members")).await;
    let lds = member_id(&members, "LDS");
    let (status, _) = bir
        .send(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}/members/{lds}"),
            Some(json!({ "role": "partner", "contact_name": "Lee Lead", "contact_email": "lee.lead@leeds.gov.uk" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let public = app.client();
    for path in ["/history", "/members", ""] {
        let (status, page) = public.get_text(&format!("/partnerships/{id}{path}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("@leeds"), "{path}: no email for the public");
        assert!(!page.contains("lead@birmingham.example"), "{path}");
    }
    let (_, history) = public
        .get_text(&format!("/partnerships/{id}/history"))
        .await;
    assert!(
        history.contains("Bola Lead (Birmingham City Council)"),
        "names and organisations"
    );
    let (_, api_history, _) = app
        .api()
        .get(&format!("/api/v1/partnerships/{id}/history"))
        .await;
    let text = api_history.to_string();
    assert!(!text.contains('@'), "{text}");
    let (_, api_members, _) = app
        .api()
        .get(&format!("/api/v1/partnerships/{id}/members"))
        .await;
    assert!(!api_members.to_string().contains("@leeds"));

    // A signed-in member sees them.
    let (_, history) = app
        .signed_in("lead@leeds.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await;
    assert!(
        history.contains("lead@birmingham.example") && history.contains("lee.lead@leeds.gov.uk")
    );
    // A signed-in outsider does not.
    let (_, history) = app
        .signed_in("officer@cornwall.example")
        .await
        .get_text(&format!("/partnerships/{id}/history"))
        .await;
    assert!(!history.contains("@leeds"));
    assert!(!history.contains("lead@birmingham.example"));
}

/// 9. Invitation links were written to the log and kept in the outbox after sending.
#[tokio::test(flavor = "multi_thread")]
async fn an_invitation_link_is_not_kept_once_sent() {
    let app = TestApp::with_reference_data().await;
    let bir = app.signed_in("lead@birmingham.example").await;
    let r = bir
        .post_form(
            "/organisations/BIR/members",
            &[("email", "someone@birmingham.example"), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = app.mail_to("someone@birmingham.example").await;
    let token = body
        .lines()
        .find_map(|l| l.trim().rsplit_once("/invitations/"))
        .unwrap()
        .1
        .to_string();
    // Sent: the outbox no longer holds the link, and the database never held the token.
    use diesel::prelude::*;
    let db = app.db().clone();
    let t = token.clone();
    let (bodies, hashes): (Vec<String>, Vec<String>) = tokio::task::spawn_blocking(move || {
        db.read_blocking(|c| {
            use concord::db::schema::{invitations, outbox};
            Ok((
                outbox::table
                    .filter(outbox::sent_at.is_not_null())
                    .select(outbox::body)
                    .load(c)?,
                invitations::table.select(invitations::token_hash).load(c)?,
            ))
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        bodies.iter().all(|b| !b.contains(&t)),
        "the sent message's body is gone"
    );
    assert!(hashes.iter().all(|h| h != &t), "stored hashed");
}
