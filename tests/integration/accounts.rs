use reqwest::StatusCode;

use crate::common::{extract_between, TestApp, PASSWORD};

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_session_and_sign_out() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let r = b.sign_in("Officer@Birmingham.example ", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "email is case- and space-insensitive"
    );
    assert_eq!(r.headers()["location"], "/");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("concord_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests");

    let (_, html) = b.get_text("/").await;
    assert!(html.contains("Signed in as Olu Officer (Birmingham City Council)"));
    let (status, html) = b.get_text("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("officer@birmingham.example") && html.contains("Member"));
    assert_eq!(app.count("sessions"), 1);

    let r = b.post_form("/sign-out", &[]).await;
    assert_eq!(r.headers()["location"], "/signed-out");
    assert_eq!(
        app.count("sessions"),
        0,
        "the session is gone from the database"
    );
    let r = b.get("/account").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in?next=%2Faccount");
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_goes_back_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let r = b
        .post_form(
            "/sign-in",
            &[
                ("email", "officer@birmingham.example"),
                ("password", PASSWORD),
                ("next", "/organisations/BIR/members"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/organisations/BIR/members");
    let b = app.client();
    let r = b
        .post_form(
            "/sign-in",
            &[
                ("email", "officer@birmingham.example"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_errors_are_specific_and_throttled_after_repeated_failures() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let r = b.sign_in("", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"));
    assert!(html.contains("<a href=\"#email\">Enter your email address</a>"));
    assert!(html.contains("<a href=\"#password\">Enter your password</a>"));

    for _ in 0..5 {
        let r = b
            .sign_in("officer@birmingham.example", "wrong password!")
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("The email address or password is not right"));
    }
    // Now even the right password is refused for a while.
    let r = b.sign_in("officer@birmingham.example", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("Too many failed attempts"));
    // Other accounts are not affected.
    assert_eq!(
        b.sign_in("lead@birmingham.example", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // An unknown account gets the same message as a wrong password.
    let r = app
        .client()
        .sign_in("nobody@nowhere.example", "whatever password")
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The email address or password is not right"));
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::with_reference_data().await;
    let b = app.client();
    let r = b
        .post_form_without_csrf(
            "/sign-in",
            &[
                ("email", "officer@birmingham.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Your form has expired"));
    let r = b
        .post_form_without_csrf(
            "/sign-in",
            &[
                ("email", "officer@birmingham.example"),
                ("password", PASSWORD),
                ("csrf_token", "forged-token-forged-token-forged-token"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Signed in, the token is the session's: a token from another browser does not work.
    let signed_in = app.signed_in("lead@birmingham.example").await;
    let other = app.client().csrf().await;
    let r = signed_in
        .post_form_without_csrf("/account/tokens", &[("name", "x"), ("csrf_token", &other)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("api_tokens"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn change_password_checks_the_old_one_and_signs_out_other_sessions() {
    let app = TestApp::with_reference_data().await;
    let b = app.signed_in("officer@birmingham.example").await;
    let other_device = app.signed_in("officer@birmingham.example").await;

    let r = b
        .post_form(
            "/account/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "a brand new password"),
                ("confirm_password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Your current password is not right"));
    let r = b
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Password must be 12 characters or more"));
    let r = b
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new password"),
                ("confirm_password", "a different one!!"),
            ],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The passwords do not match"));

    let r = b
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new password"),
                ("confirm_password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/account?notice=password");
    assert_eq!(
        b.get("/account").await.status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        other_device.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "the other session ends"
    );
    assert_eq!(
        app.client()
            .sign_in("officer@birmingham.example", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.client()
            .sign_in("officer@birmingham.example", "a brand new password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (_, audit) = app
        .signed_in("admin@concord.example")
        .await
        .get_text("/audit")
        .await;
    assert!(audit.contains("user.change_password"));
    assert!(
        !audit.contains("a brand new password"),
        "passwords never reach the audit trail"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_tokens_are_shown_once_work_as_bearer_and_can_be_revoked() {
    let app = TestApp::with_reference_data().await;
    let b = app.signed_in("officer@birmingham.example").await;
    let r = b.post_form("/account/tokens", &[("name", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter a name for the token"));

    let html = b
        .post_form("/account/tokens", &[("name", "reporting script")])
        .await
        .text()
        .await
        .unwrap();
    let token = extract_between(&html, "id=\"new-token\">", "<").unwrap();
    assert!(token.starts_with("concord_"));
    let (_, later) = b.get_text("/account").await;
    assert!(
        later.contains("reporting script") && !later.contains(&token),
        "the secret is shown only once"
    );

    let api = crate::common::Api {
        token: Some(token.clone()),
        ..app.api()
    };
    let (status, me, _) = api.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "officer@birmingham.example");
    assert_eq!(me["organisation"]["code"], "BIR");
    assert_eq!(me["role"], "member");

    let id = extract_between(&later, "action=\"/account/tokens/", "/revoke\"").unwrap();
    let r = b
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.headers()["location"], "/account?notice=revoked");
    let (status, problem, content_type) = api.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["status"], 401);

    // Someone else cannot revoke my token.
    let html = b
        .post_form("/account/tokens", &[("name", "second")])
        .await
        .text()
        .await
        .unwrap();
    let second = extract_between(&html, "id=\"new-token\">", "<").unwrap();
    let (_, page) = b.get_text("/account").await;
    let second_id = extract_between(&page, "action=\"/account/tokens/", "/revoke\"").unwrap();
    let intruder = app.signed_in("lead@leeds.example").await;
    assert_eq!(
        intruder
            .post_form(&format!("/account/tokens/{second_id}/revoke"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let api = crate::common::Api {
        token: Some(second),
        ..app.api()
    };
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_org_admin_invites_a_colleague_who_accepts_by_email_link() {
    let app = TestApp::with_reference_data().await;
    let lead = app.signed_in("lead@birmingham.example").await;
    let r = lead
        .post_form(
            "/organisations/BIR/members",
            &[("email", "not-an-email"), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter an email address in the correct format"));
    let r = lead
        .post_form(
            "/organisations/BIR/members",
            &[("email", "officer@birmingham.example"), ("role", "member")],
        )
        .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("already has a Concord account"));

    let r = lead
        .post_form(
            "/organisations/BIR/members",
            &[
                ("email", "New.Person@Birmingham.example"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Invitation sent to new.person@birmingham.example"));
    assert!(html.contains("Invitations waiting to be accepted"));

    // The email is sent, with the link.
    let body = app.mail_to("new.person@birmingham.example").await;
    let link = body
        .lines()
        .find(|l| l.contains("/invitations/"))
        .unwrap()
        .trim()
        .to_string();
    let path = link.trim_start_matches(&app.base).to_string();

    let newcomer = app.client();
    let (status, page) = newcomer.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Join Birmingham City Council on Concord"));
    let r = newcomer
        .post_form(
            &path,
            &[
                ("display_name", ""),
                ("new_password", "x"),
                ("confirm_password", "x"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter your name") && html.contains("12 characters or more"));
    let r = newcomer
        .post_form(
            &path,
            &[
                ("display_name", "Nia Newcomer"),
                ("new_password", "a long enough password"),
                ("confirm_password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/account?notice=welcome");
    let (_, account) = newcomer.get_text("/account").await;
    assert!(account.contains("Nia Newcomer") && account.contains("Birmingham City Council"));

    // The link works once.
    assert_eq!(
        app.client().get(&path).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, members) = lead.get_text("/organisations/BIR/members").await;
    assert!(members.contains("Nia Newcomer") && !members.contains("Invitations waiting"));
    let (_, audit) = lead.get_text("/audit").await;
    assert!(audit.contains("invitation.create") && audit.contains("user.create"));
}
