//! The outbox and job queue page and API: platform admins see failed email
//! with its error, retry and cancel it (audited); nobody else sees or
//! changes anything. The test server's sender sends queued mail within a
//! second, so assertions hold whether a queued message is still queued or
//! already sent: they are made on failed and cancelled ones.

use concord::db::schema::{audit_log, jobs, outbox};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;

const ADMIN: &str = "admin@concord.example";
const ORG_ADMIN: &str = "lead@birmingham.example";
const MEMBER: &str = "officer@birmingham.example";
const ERROR: &str = "550 5.1.1 mailbox unavailable";

/// A message the sender gave up on, with the mail server's answer.
fn failed_email(app: &TestApp, to: &str, subject: &str) -> i64 {
    let mail = concord::outbox::Mail::text(to, subject, "secret link: https://example.org/t/abc");
    app.db()
        .write_blocking(move |c| {
            // In one transaction, so the sender never sees it queued.
            let id = concord::outbox::enqueue(c, &mail)?;
            diesel::update(outbox::table.find(id))
                .set((
                    outbox::status.eq(concord::outbox::Status::Failed),
                    outbox::attempts.eq(1),
                    outbox::last_error.eq(Some(ERROR)),
                ))
                .execute(c)?;
            Ok(id)
        })
        .unwrap()
}

/// A job queued to run in a year (so the runner leaves it alone), or
/// parked as failed with an error.
fn job(app: &TestApp, failed: bool) -> i64 {
    app.db()
        .write_blocking(move |c| {
            let later = concord::db::now() + chrono::Duration::days(365);
            let id = concord::jobs::enqueue(c, "report", &json!({ "n": 1 }), later, None)?
                .expect("a new job");
            if failed {
                diesel::update(jobs::table.find(id))
                    .set((
                        jobs::status.eq(concord::jobs::Status::Failed),
                        jobs::attempts.eq(5),
                        jobs::last_error.eq(Some("the report could not be built")),
                    ))
                    .execute(c)?;
            }
            Ok(id)
        })
        .unwrap()
}

fn email_status(app: &TestApp, id: i64) -> String {
    app.db()
        .read_blocking(move |c| {
            Ok(outbox::table
                .find(id)
                .select(outbox::status)
                .first::<String>(c)?)
        })
        .unwrap()
}

fn job_status(app: &TestApp, id: i64) -> String {
    app.db()
        .read_blocking(move |c| {
            Ok(jobs::table
                .find(id)
                .select(jobs::status)
                .first::<String>(c)?)
        })
        .unwrap()
}

/// (actor, entity id) of each audit entry with this action.
fn audited(app: &TestApp, action: &str) -> Vec<(String, String)> {
    let action = action.to_string();
    app.db()
        .read_blocking(move |c| {
            Ok(audit_log::table
                .filter(audit_log::action.eq(action))
                .select((audit_log::actor_label, audit_log::entity_id))
                .load(c)?)
        })
        .unwrap()
}

fn queue_entries(app: &TestApp) -> i64 {
    app.db()
        .read_blocking(|c| {
            Ok(audit_log::table
                .filter(
                    audit_log::action
                        .like("outbox.%")
                        .or(audit_log::action.like("job.%")),
                )
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_platform_admin_sees_a_failed_email_and_retries_it() {
    let app = TestApp::with_reference_data().await;
    let id = failed_email(&app, "bounced@example.org", "Your invitation to Concord");
    let admin = app.signed_in(ADMIN).await;

    let (status, index) = admin.get_text("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("href=\"/admin/outbox\""), "{index}");

    let (status, html) = admin.get_text("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    let row = row(&html, &format!("email-{id}"));
    assert!(row.contains("bounced@example.org"), "{row}");
    assert!(row.contains("Your invitation to Concord"), "{row}");
    assert!(row.contains(">Failed</strong>"), "{row}");
    assert!(row.contains(ERROR), "{row}");
    assert!(row.contains(&format!("action=\"/admin/outbox/{id}/retry\"")));
    assert!(row.contains(&format!("action=\"/admin/outbox/{id}/cancel\"")));
    assert!(!html.contains("secret link"), "the text is never shown");

    // Filtered to failed email, and back to that list after the button.
    let (status, failed) = admin.get_text("/admin/outbox?status=failed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(failed.contains(&format!("id=\"email-{id}\"")));
    let (_, sent) = admin.get_text("/admin/outbox?status=sent").await;
    assert!(!sent.contains(&format!("id=\"email-{id}\"")));

    let r = admin
        .post_form(
            &format!("/admin/outbox/{id}/retry"),
            &[("status", "failed")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        to,
        format!("/admin/outbox?status=failed&done=email-retried&id={id}")
    );
    let (status, html) = admin.get_text(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("govuk-notification-banner--success"));
    assert!(
        html.contains(&format!(
            "The email {id} to bounced@example.org is queued to be sent again."
        )),
        "{html}"
    );
    // Queued again, and perhaps already sent by the background sender.
    let now = email_status(&app, id);
    assert!(
        ["queued", "sending", "sent"].contains(&now.as_str()),
        "{now}"
    );
    assert_eq!(
        audited(&app, "outbox.retry"),
        [(ADMIN.to_string(), id.to_string())]
    );
    let (_, trail) = admin.get_text("/audit").await;
    assert!(trail.contains("outbox.retry"));

    // Not failed any more: a second retry is refused with the reason.
    let r = admin
        .post_form(&format!("/admin/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"), "{html}");
    assert!(
        html.contains("so it cannot be retried: only failed or cancelled email can be sent again."),
        "{html}"
    );
    assert_eq!(audited(&app, "outbox.retry").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_platform_admin_cancels_email_and_jobs_and_retries_a_job() {
    let app = TestApp::with_reference_data().await;
    let email = failed_email(&app, "gone@example.org", "Weekly digest");
    let parked = job(&app, true);
    let waiting = job(&app, false);
    let admin = app.signed_in(ADMIN).await;

    let (_, html) = admin.get_text("/admin/outbox").await;
    let row_parked = row(&html, &format!("job-{parked}"));
    assert!(row_parked.contains("report") && row_parked.contains("5 of 5 attempts"));
    assert!(row_parked.contains("the report could not be built"));
    let row_waiting = row(&html, &format!("job-{waiting}"));
    assert!(row_waiting.contains(&format!("/admin/jobs/{waiting}/cancel")));
    assert!(
        !row_waiting.contains(&format!("/admin/jobs/{waiting}/retry")),
        "a queued job has no Retry button"
    );

    let r = admin
        .post_form(&format!("/admin/outbox/{email}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin
        .get_text(r.headers()["location"].to_str().unwrap())
        .await;
    assert!(html.contains(&format!(
        "The email {email} to gone@example.org has been cancelled."
    )));
    assert_eq!(email_status(&app, email), "cancelled");
    assert_eq!(
        audited(&app, "outbox.cancel"),
        [(ADMIN.to_string(), email.to_string())]
    );
    let r = admin
        .post_form(&format!("/admin/outbox/{email}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains(&format!(
        "Email {email} is cancelled, so it cannot be cancelled: only queued or failed email can be cancelled."
    )));

    let r = admin
        .post_form(&format!("/admin/jobs/{waiting}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(job_status(&app, waiting), "cancelled");
    let r = admin
        .post_form(&format!("/admin/jobs/{parked}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin
        .get_text(r.headers()["location"].to_str().unwrap())
        .await;
    assert!(html.contains(&format!("The job {parked} (report) has been cancelled.")));
    assert_eq!(audited(&app, "job.cancel").len(), 2);

    // By the API: the cancelled job runs again with fresh attempts.
    let api = app.api_as(ADMIN).await;
    let (status, body, _) = api
        .post(&format!("/api/v1/admin/jobs/{parked}/retry"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["attempts"].as_i64()),
        (Some("queued"), Some(0))
    );
    assert_eq!(
        audited(&app, "job.retry"),
        [(ADMIN.to_string(), parked.to_string())]
    );
    let (status, problem, content_type) = api
        .post(&format!("/api/v1/admin/jobs/{waiting}/cancel"), json!(null))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(content_type, "application/problem+json");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("is cancelled, so it cannot be cancelled"));
    // Unknown ids: 404 on the page and by the API.
    for path in [
        "/admin/outbox/999999/retry",
        "/admin/jobs/999999/cancel",
        "/admin/jobs/x/cancel",
    ] {
        assert_eq!(
            admin.post_form(path, &[]).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "/api/v1/admin/outbox/999999/cancel",
        "/api/v1/admin/jobs/999999/retry",
    ] {
        let (status, _, content_type) = api.post(path, json!(null)).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::NOT_FOUND, "application/problem+json"),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_lists_and_changes_the_outbox_for_platform_admins() {
    let app = TestApp::with_reference_data().await;
    let failed = failed_email(&app, "bounced@example.org", "Your invitation to Concord");
    let api = app.api_as(ADMIN).await;

    let (status, list, _) = api.get("/api/v1/admin/outbox?status=failed").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().all(|m| m["status"] == "failed"));
    let item = items
        .iter()
        .find(|m| m["id"] == failed)
        .expect("the failed email");
    assert_eq!(item["recipient"], "bounced@example.org");
    assert_eq!(item["last_error"], ERROR);
    assert!(
        item.get("body").is_none() && item.get("text").is_none(),
        "{item}"
    );
    let counts: Vec<(&str, i64)> = list["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["status"].as_str().unwrap(), c["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts.len(), 5, "every status, 0 where none");
    assert!(counts.contains(&("failed", 1)), "{counts:?}");

    let (status, problem, _) = api.get("/api/v1/admin/outbox?status=lost").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::common::field_errors(&problem),
        [(
            "status".to_string(),
            "No email has the status \"lost\": use queued, sending, sent, failed or cancelled."
                .to_string()
        )]
    );
    assert_eq!(
        api.get("/api/v1/admin/outbox?limit=0").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (status, cancelled, _) = api
        .post(
            &format!("/api/v1/admin/outbox/{failed}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    assert_eq!(
        audited(&app, "outbox.cancel"),
        [(ADMIN.to_string(), failed.to_string())]
    );
    let (status, _, _) = api
        .post(
            &format!("/api/v1/admin/outbox/{failed}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, retried, _) = api
        .post(&format!("/api/v1/admin/outbox/{failed}/retry"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (retried["status"].as_str(), retried["attempts"].as_i64()),
        (Some("queued"), Some(0))
    );
    assert_eq!(audited(&app, "outbox.retry").len(), 1);

    let parked = job(&app, true);
    let (status, list, _) = api.get("/api/v1/admin/jobs").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == parked)
        .cloned()
        .expect("the failed job");
    assert_eq!(
        (
            item["kind"].as_str(),
            item["status"].as_str(),
            item["max_attempts"].as_i64()
        ),
        (Some("report"), Some("failed"), Some(5))
    );
    assert!(item.get("payload").is_none(), "{item}");
    assert!(list["counts"]
        .as_array()
        .unwrap()
        .contains(&json!({ "status": "failed", "count": 1 })));
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_but_a_platform_admin_sees_or_changes_the_outbox() {
    let app = TestApp::with_reference_data().await;
    let email = failed_email(&app, "bounced@example.org", "Your invitation to Concord");
    let job = job(&app, true);
    let posts = [
        format!("/admin/outbox/{email}/retry"),
        format!("/admin/outbox/{email}/cancel"),
        format!("/admin/jobs/{job}/retry"),
        format!("/admin/jobs/{job}/cancel"),
    ];
    let api_gets = [
        "/api/v1/admin/outbox",
        "/api/v1/admin/outbox?status=failed",
        "/api/v1/admin/jobs",
    ];

    for who in [MEMBER, ORG_ADMIN] {
        let browser = app.signed_in(who).await;
        let (status, html) = browser.get_text("/admin/outbox").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        assert!(!html.contains("bounced@example.org"));
        // Refused before the filter is judged.
        assert_eq!(
            browser.get_text("/admin/outbox?status=lost").await.0,
            StatusCode::FORBIDDEN
        );
        for path in &posts {
            let r = browser.post_form(path, &[]).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} POST {path}");
        }
        assert_eq!(
            browser
                .post_form("/admin/jobs/999999/retry", &[])
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        let api = app.api_as(who).await;
        for path in api_gets {
            let (status, body, content_type) = api.get(path).await;
            assert_eq!(
                (status, content_type.as_str()),
                (StatusCode::FORBIDDEN, "application/problem+json"),
                "{who} {path}"
            );
            assert!(body.get("items").is_none());
        }
        for path in &posts {
            let (status, _, _) = api.post(&format!("/api/v1{path}"), json!(null)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} API POST {path}");
        }
    }

    // Signed out: the page sends you to sign in and back; the API says 401.
    let anonymous = app.client();
    let r = anonymous.get("/admin/outbox?status=failed").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/sign-in?next=%2Fadmin%2Foutbox%3Fstatus%3Dfailed"
    );
    for path in &posts {
        let r = anonymous.post_form(path, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "POST {path}");
        assert_eq!(r.headers()["location"], "/sign-in");
    }
    let api = app.api();
    for path in api_gets {
        assert_eq!(api.get(path).await.0, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in &posts {
        let (status, _, _) = api.post(&format!("/api/v1{path}"), json!(null)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "API POST {path}");
    }

    // Nothing changed, nothing recorded.
    assert_eq!(email_status(&app, email), "failed");
    assert_eq!(job_status(&app, job), "failed");
    assert_eq!(queue_entries(&app), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_status_filter_is_refused_not_ignored() {
    let app = TestApp::with_reference_data().await;
    let admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get_text("/admin/outbox?status=bounced").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("No email has the status &quot;bounced&quot;: use queued, sending, sent, failed or cancelled.")
            || html.contains("No email has the status &#34;bounced&#34;: use queued, sending, sent, failed or cancelled."),
        "{html}"
    );
    // An empty filter is every email.
    assert_eq!(
        admin.get_text("/admin/outbox?status=").await.0,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_the_outbox_api() {
    let app = TestApp::with_reference_data().await;
    let (status, doc, _) = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/api/v1/admin/outbox", "get"),
        ("/api/v1/admin/outbox/{id}/retry", "post"),
        ("/api/v1/admin/outbox/{id}/cancel", "post"),
        ("/api/v1/admin/jobs", "get"),
        ("/api/v1/admin/jobs/{id}/retry", "post"),
        ("/api/v1/admin/jobs/{id}/cancel", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing from OpenAPI");
        for code in ["401", "403"] {
            assert!(
                op["responses"].get(code).is_some(),
                "{method} {path} documents {code}"
            );
        }
        if method == "post" {
            for code in ["404", "409"] {
                assert!(
                    op["responses"].get(code).is_some(),
                    "{method} {path} documents {code}"
                );
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["EmailView"]["properties"]["status"]["enum"],
        json!(["queued", "sending", "sent", "failed", "cancelled"])
    );
    assert_eq!(
        schemas["JobView"]["properties"]["status"]["enum"],
        json!(["queued", "running", "done", "failed", "cancelled"])
    );
    // The partnership's `Status` is still the partnership's.
    let partnership_status: Vec<Value> = schemas["Status"]["enum"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        partnership_status.contains(&json!("active")),
        "{}",
        schemas["Status"]
    );
    crate::partnerships_objectives::assert_refs_resolve(&doc, &doc["paths"]);
    crate::partnerships_objectives::assert_refs_resolve(&doc, &doc["components"]);
}

/// The table row with this id.
fn row(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id} in {html}"));
    let end = html[start..]
        .find("</tr>")
        .map_or(html.len(), |e| start + e);
    html[start..end].to_string()
}
