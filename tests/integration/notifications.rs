//! Notifications: changes reach watchers (never the person who made them,
//! never someone who may not see the record), delivery follows each
//! person's choice or their organisation's default, email carries a
//! one-click unsubscribe, digests and feeds check visibility again, and
//! reminders go to the right people once (again weekly while overdue).

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{today, TestApp};

const BIR_LEAD: &str = "lead@birmingham.example";
const BIR_OFFICER: &str = "officer@birmingham.example";
const LDS_LEAD: &str = "lead@leeds.example";
const CON_OFFICER: &str = "officer@cornwall.example";

/// A SWOT item added by Leeds through the API: a change Birmingham's people hear of.
async fn leeds_adds_an_item(app: &TestApp, id: i64, text: &str) {
    let lds = app.api_as(LDS_LEAD).await;
    let (status, _, _) = lds
        .post(
            &format!("/api/v1/partnerships/{id}/swot"),
            json!({ "quadrant": "strengths", "text": text }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

/// Titles of a person's notifications, newest first (through the API).
async fn titles(app: &TestApp, email: &str) -> Vec<String> {
    let (status, body, _) = app
        .api_as(email)
        .await
        .get("/api/v1/notifications?per_page=100")
        .await;
    assert_eq!(status, StatusCode::OK);
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

fn about(titles: &[String], words: &str) -> usize {
    titles.iter().filter(|t| t.contains(words)).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_reaches_members_in_the_inbox_but_not_the_person_who_made_it() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    leeds_adds_an_item(&app, id, "Shared systems").await;

    let officer = titles(&app, BIR_OFFICER).await;
    assert_eq!(
        about(
            &officer,
            "Birmingham and Leeds revenues: Lee Lead added a SWOT item"
        ),
        1,
        "{officer:?}"
    );
    assert_eq!(
        about(&titles(&app, LDS_LEAD).await, "Lee Lead added"),
        0,
        "not the one who made it"
    );
    assert_eq!(
        about(&titles(&app, CON_OFFICER).await, "Birmingham and Leeds"),
        0,
        "not an outsider"
    );

    // The header counts what is unread; opening one marks it read and goes there.
    let browser = app.signed_in(BIR_OFFICER).await;
    let (_, inbox) = browser.get_text("/notifications").await;
    assert!(inbox.contains("Lee Lead added a SWOT item"));
    let unread: i64 = crate::common::extract_between(&inbox, "concord-count\">", "<")
        .unwrap()
        .parse()
        .unwrap();
    assert!(unread >= 1);
    let (_, body, _) = app
        .api_as(BIR_OFFICER)
        .await
        .get("/api/v1/notifications?unread=true")
        .await;
    assert_eq!(body["unread"], unread);
    let first = body["items"][0]["id"].as_i64().unwrap();
    let r = browser.get(&format!("/notifications/{first}/open")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("/partnerships/{id}")));
    let (_, body, _) = app
        .api_as(BIR_OFFICER)
        .await
        .get("/api/v1/notifications?unread=true")
        .await;
    assert_eq!(body["unread"], unread - 1);

    // Mark all read, by page.
    let r = browser.post_form("/notifications/read-all", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body, _) = app
        .api_as(BIR_OFFICER)
        .await
        .get("/api/v1/notifications")
        .await;
    assert_eq!(body["unread"], 0);

    // Nobody marks or opens another person's notification.
    let lds = app.api_as(LDS_LEAD).await;
    let (status, _, _) = lds
        .post(&format!("/api/v1/notifications/{first}/read"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = app
        .signed_in(LDS_LEAD)
        .await
        .get(&format!("/notifications/{first}/open"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // And the signed-out are asked to sign in.
    assert_eq!(
        app.client().get("/notifications").await.status(),
        StatusCode::SEE_OTHER
    );
    let (status, _, _) = app.api().get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn watching_an_organisation_never_reveals_its_partners_only_partnerships() {
    let app = TestApp::with_reference_data().await;
    let hidden = app.partnership("partners").await;
    let cornwall = app.signed_in(CON_OFFICER).await;
    let bir_id: i64 = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::organisations as o;
            Ok(o::table.filter(o::code.eq("BIR")).select(o::id).first(c)?)
        })
        .unwrap();
    let r = cornwall
        .post_form(
            "/watching",
            &[
                ("subject_type", "organisation"),
                ("subject_id", &bir_id.to_string()),
                ("watching", "yes"),
                ("back", "/organisations/BIR"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = cornwall.get_text("/organisations/BIR").await;
    assert!(page.contains("Stop watching"));

    leeds_adds_an_item(&app, hidden, "Hidden strength").await;
    let seen = titles(&app, CON_OFFICER).await;
    assert_eq!(about(&seen, "Birmingham and Leeds"), 0, "{seen:?}");

    // The same watch on a public partnership does tell Cornwall.
    let open = app.partnership("public").await;
    leeds_adds_an_item(&app, open, "Public strength").await;
    let seen = titles(&app, CON_OFFICER).await;
    assert_eq!(about(&seen, "Lee Lead added a SWOT item"), 1, "{seen:?}");

    // Cornwall cannot watch what it may not see: 404 by page and API.
    let other = app.partnership("partners").await;
    let r = cornwall
        .post_form(
            "/watching",
            &[
                ("subject_type", "partnership"),
                ("subject_id", &other.to_string()),
                ("watching", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, _) = app
        .api_as(CON_OFFICER)
        .await
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/watches/partnership/{other}"),
            Some(json!({ "watching": true })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "watches WHERE subject_type = 'partnership' AND subject_id = {other}"
        )),
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_who_stops_watching_hears_nothing_more() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let api = app.api_as(BIR_OFFICER).await;
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/watches/partnership/{id}"),
            Some(json!({ "watching": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["watching"].as_bool(), body["as_member"].as_bool()),
        (Some(false), Some(true))
    );
    leeds_adds_an_item(&app, id, "Unheard").await;
    assert_eq!(
        about(&titles(&app, BIR_OFFICER).await, "added a SWOT item"),
        0
    );
    assert_eq!(
        about(&titles(&app, BIR_LEAD).await, "added a SWOT item"),
        1,
        "the others still hear"
    );
    let (_, listed, _) = api.get("/api/v1/watches").await;
    assert_eq!(listed[0]["subject_id"], id);
    assert_eq!(listed[0]["watching"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn email_at_once_has_a_one_click_unsubscribe_and_off_means_off() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let officer = app.signed_in(BIR_OFFICER).await;
    let mut form: Vec<(&str, &str)> = vec![
        ("invitation", ""),
        ("review_due", ""),
        ("action_due", ""),
        ("renewal_due", ""),
        ("change", "email"),
        ("mention", ""),
        ("similar_need", ""),
        ("need_check", ""),
    ];
    let r = officer.post_form("/notifications/settings", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    leeds_adds_an_item(&app, id, "Emailed").await;
    let mail = app
        .mail_about(BIR_OFFICER, "Lee Lead added a SWOT item")
        .await;
    assert!(mail.text.contains("/partnerships/"), "{}", mail.text);
    assert!(mail
        .html
        .as_deref()
        .unwrap()
        .contains("Lee Lead added a SWOT item"));
    let unsubscribe = mail.list_unsubscribe.expect("a List-Unsubscribe header");
    let path = unsubscribe.trim_start_matches(&app.base).to_string();
    assert!(path.starts_with("/unsubscribe/"));

    // A mail client's one-click POST: no session, no CSRF token.
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("You are unsubscribed"));
    let (_, settings, _) = app
        .api_as(BIR_OFFICER)
        .await
        .get("/api/v1/notification-settings")
        .await;
    let change = settings
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "change")
        .unwrap()
        .clone();
    assert_eq!(change["delivery"], "in_app");
    // A made-up secret unsubscribes nobody.
    let r = reqwest::Client::new()
        .post(format!("{}/unsubscribe/not-a-token", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Off: no notification at all.
    form[4] = ("change", "off");
    officer.post_form("/notifications/settings", &form).await;
    let before = app.count("notifications");
    leeds_adds_an_item(&app, id, "Unseen").await;
    let officer_rows = app.count("notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'officer@birmingham.example' AND n.title LIKE '%Unseen%'");
    assert_eq!(officer_rows, 0);
    assert!(app.count("notifications") > before, "others still hear");

    // A value that is not a choice is refused clearly and nothing changes.
    form[4] = ("change", "carrier-pigeon");
    let r = officer.post_form("/notifications/settings", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Choose how you want to hear about changes to things i watch"));
    let (status, body) = app
        .api_as(BIR_OFFICER)
        .await
        .send(
            reqwest::Method::PUT,
            "/api/v1/notification-settings",
            Some(json!({ "choices": [{ "kind": "gossip", "delivery": "email" }] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "choices[0].kind");
}

#[tokio::test(flavor = "multi_thread")]
async fn organisation_defaults_apply_until_a_person_chooses_and_digests_check_again() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;

    // Only the organisation's admins set its defaults.
    let fields = [
        ("org-invitation", ""),
        ("org-review_due", ""),
        ("org-action_due", ""),
        ("org-renewal_due", ""),
        ("org-change", "digest"),
        ("org-mention", ""),
        ("org-similar_need", ""),
        ("org-need_check", ""),
    ];
    let r = app
        .signed_in(BIR_OFFICER)
        .await
        .post_form("/notifications/organisation-defaults", &fields)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .signed_in(BIR_LEAD)
        .await
        .post_form("/notifications/organisation-defaults", &fields)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, audit) = app.signed_in(BIR_LEAD).await.get_text("/audit").await;
    assert!(audit.contains("notifications.organisation_defaults"));

    leeds_adds_an_item(&app, id, "Digested").await;
    assert_eq!(
        app.count("notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'officer@birmingham.example' AND n.delivery = 'digest' AND n.digested_at IS NULL"),
        1
    );
    // Cornwall watches the service, so hears too (the partnership is public).
    let (status, _) = app
        .api_as(CON_OFFICER)
        .await
        .send(
            reqwest::Method::PUT,
            "/api/v1/watches/service/524",
            Some(json!({ "watching": true })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let cornwall = app.signed_in(CON_OFFICER).await;
    let form = [
        ("invitation", ""),
        ("review_due", ""),
        ("action_due", ""),
        ("renewal_due", ""),
        ("change", "digest"),
        ("mention", ""),
        ("similar_need", ""),
        ("need_check", ""),
    ];
    cornwall.post_form("/notifications/settings", &form).await;
    leeds_adds_an_item(&app, id, "Seen by Cornwall").await;
    // Before the digest goes, the partnership becomes partners-only.
    exec(
        &app,
        format!("UPDATE partnerships SET visibility = 'partners' WHERE id = {id}"),
    );

    let db = app.db().clone();
    let sent = tokio::task::spawn_blocking(move || concord::notifications::digest::send_all(&db))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        sent, 2,
        "Birmingham's officer and lead (the organisation's default), not Cornwall"
    );
    let digest = app.mail_about(BIR_OFFICER, "Your Concord digest").await;
    assert!(
        digest.text.contains("Lee Lead added a SWOT item"),
        "{}",
        digest.text
    );
    assert_eq!(
        app.count("outbox WHERE recipient = 'officer@cornwall.example'"),
        0,
        "Cornwall's digest had nothing it may still see"
    );
    let db = app.db().clone();
    let again = tokio::task::spawn_blocking(move || concord::notifications::digest::send_all(&db))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, 0, "each item goes in one digest");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_is_private_to_its_secret_address_and_can_be_revoked() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    leeds_adds_an_item(&app, id, "In the feed").await;
    let officer = app.signed_in(BIR_OFFICER).await;
    let r = officer.post_form("/notifications/feed", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let url = crate::common::extract_between(&page, "id=\"feed-url\">", "<").unwrap();
    let feed = reqwest::get(&url).await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let xml = feed.text().await.unwrap();
    assert!(
        xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
            && xml.contains("Lee Lead added a SWOT item")
    );

    officer.post_form("/notifications/feed/revoke", &[]).await;
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

/// Sets a column by SQL for a test's dates.
fn exec(app: &TestApp, sql: String) {
    app.db()
        .write_blocking(|c| {
            concord::db::per_backend!(c, |c| diesel::sql_query(&sql).execute(c))?;
            Ok(())
        })
        .unwrap();
}

fn remind(app: &TestApp, on: chrono::NaiveDate) -> usize {
    concord::partnerships::reminders::send(app.db(), on).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_go_to_the_right_people_once_and_weekly_while_overdue() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("partners").await;
    let day = today();

    // A review due in ten days: Birmingham (the lead) hears, once.
    exec(
        &app,
        format!(
            "UPDATE partnerships SET next_review_due = '{}' WHERE id = {id}",
            day + Duration::days(10)
        ),
    );
    let db = app.db().clone();
    let first =
        tokio::task::spawn_blocking(move || concord::partnerships::reminders::send(&db, day))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(first, 2, "Birmingham's two people");
    let lead = titles(&app, BIR_LEAD).await;
    assert_eq!(
        about(
            &lead,
            &format!(
                "review due on {}",
                (day + Duration::days(10)).format("%-d %B %Y")
            )
        ),
        1,
        "{lead:?}"
    );
    assert_eq!(about(&titles(&app, LDS_LEAD).await, "review due"), 0);
    assert_eq!(remind(&app, day), 0, "not again");
    assert_eq!(
        remind(&app, day + Duration::days(3)),
        0,
        "not the next days either"
    );

    // Overdue: again once, and again a week later while still overdue.
    assert_eq!(remind(&app, day + Duration::days(11)), 2);
    assert_eq!(remind(&app, day + Duration::days(12)), 0);
    assert_eq!(remind(&app, day + Duration::days(18)), 2);
    assert_eq!(
        about(&titles(&app, BIR_OFFICER).await, "review overdue since"),
        2
    );

    // A review action Leeds owns: Leeds hears, not Birmingham.
    let lds_id: i64 = app
        .db()
        .read_blocking(|c| {
            use concord::db::schema::organisations as o;
            Ok(o::table.filter(o::code.eq("LDS")).select(o::id).first(c)?)
        })
        .unwrap();
    exec(
        &app,
        format!("UPDATE partnerships SET next_review_due = NULL WHERE id = {id}"),
    );
    exec(&app, format!("INSERT INTO reviews (partnership_id, held_on, findings, decision, created_at) VALUES ({id}, '{day}', 'Fine', 'continue', '{day} 09:00:00')"));
    exec(&app, format!("INSERT INTO review_actions (review_id, description, owner_organisation_id, due_on) SELECT id, 'Write the exit plan', {lds_id}, '{}' FROM reviews WHERE partnership_id = {id}", day + Duration::days(5)));
    assert_eq!(remind(&app, day), 1);
    let leeds = titles(&app, LDS_LEAD).await;
    assert_eq!(
        about(&leeds, "action \"Write the exit plan\" due on"),
        1,
        "{leeds:?}"
    );
    exec(&app, format!("UPDATE review_actions SET done_on = '{day}'"));
    assert_eq!(
        remind(&app, day + Duration::days(30)),
        0,
        "done actions are not chased"
    );

    // An invitation unanswered for 14 days reaches the invited organisation's admins.
    let db = app.db().clone();
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|c| {
            let bir = crate::common::person(c, BIR_LEAD)?;
            let mut w = concord::work::Work::<concord::partnerships::model::Partnership>::open(
                c,
                id,
                Some(bir),
                concord::policy::Action::ManageMembership,
            )?;
            let cornwall = concord::orgs::store::find(w.conn, "CON")?;
            concord::partnerships::members::store::invite(
                &mut w,
                &concord::partnerships::members::model::InviteInput {
                    organisation: cornwall,
                    role: concord::partnerships::model::MemberRole::Partner,
                    contact: Default::default(),
                },
            )?;
            Ok(())
        })
    })
    .await
    .unwrap()
    .unwrap();
    exec(
        &app,
        format!(
            "UPDATE partnership_members SET invited_at = '{} 10:00:00' WHERE status = 'invited'",
            day - Duration::days(15)
        ),
    );
    // Cornwall's only person is a member, not an admin: nobody there can answer.
    assert_eq!(remind(&app, day), 0);
    exec(
        &app,
        "UPDATE users SET role = 'org_admin' WHERE email = 'officer@cornwall.example'".to_string(),
    );
    assert_eq!(remind(&app, day), 1);
    let cornwall = titles(&app, CON_OFFICER).await;
    assert_eq!(about(&cornwall, "invitation, sent on"), 1, "{cornwall:?}");
    assert_eq!(remind(&app, day + Duration::days(2)), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisations_activity_shows_only_what_its_reader_may_see() {
    let app = TestApp::with_reference_data().await;
    let hidden = app.partnership("partners").await;
    leeds_adds_an_item(&app, hidden, "Hidden").await;
    let activity = |html: &str| {
        crate::common::extract_between(html, "id=\"activity-heading\"", "</section>")
            .unwrap_or_default()
    };
    let (_, member) = app
        .signed_in(BIR_OFFICER)
        .await
        .get_text("/organisations/BIR")
        .await;
    assert!(
        activity(&member).contains("Lee Lead added a SWOT item in"),
        "{}",
        activity(&member)
    );
    let (_, outsider) = app
        .signed_in(CON_OFFICER)
        .await
        .get_text("/organisations/BIR")
        .await;
    assert!(
        !activity(&outsider).contains("Birmingham and Leeds"),
        "{}",
        activity(&outsider)
    );
    let (_, anonymous) = app.client().get_text("/organisations/LDS").await;
    assert!(!activity(&anonymous).contains("Birmingham and Leeds"));

    // A public partnership's changes are there for everyone.
    let open = app.partnership("public").await;
    leeds_adds_an_item(&app, open, "Open").await;
    let (_, anonymous) = app.client().get_text("/organisations/LDS").await;
    assert!(activity(&anonymous).contains(&format!("/partnerships/{open}/history")));
    assert!(!activity(&anonymous).contains(&format!("/partnerships/{hidden}/history")));
    // History reads as words too.
    let (_, history) = app
        .signed_in(BIR_OFFICER)
        .await
        .get_text(&format!("/partnerships/{open}/history"))
        .await;
    assert!(history.contains("added a SWOT item: "));
}
