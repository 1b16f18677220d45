//! The home page: "what needs me" for signed-in people (page and
//! `GET /api/v1/home`), the brochure for everyone else, the council counts
//! that agree across home, directory and about, and error pages that keep
//! the signed-in header.

use concord::partnerships::members::model::InviteInput;
use concord::partnerships::model::{MemberRole, Partnership, PartnershipInput};
use concord::partnerships::reviews::model::{ActionInput, Decision, ReviewInput};
use concord::policy::Action;
use concord::work::Work;
use reqwest::StatusCode;

use crate::common::{partnership_draft, person, today, TestApp};

/// Birmingham starts a partnership alone and invites Leeds, who has not
/// answered yet. Returns its id.
fn invite_leeds(app: &TestApp, name: &str, visibility: &str) -> i64 {
    let draft = partnership_draft(name, visibility);
    app.db()
        .write_blocking(move |c| {
            let bir = person(c, "lead@birmingham.example")?;
            let lds = person(c, "lead@leeds.example")?;
            let input = PartnershipInput::parse(&draft).expect("a valid partnership");
            let lead = concord::orgs::store::find_by_id(c, bir.organisation_id)?;
            let p = concord::partnerships::store::create(
                c,
                &input,
                &lead,
                Some(bir.id),
                &bir.audit_actor(),
            )?;
            let mut w = Work::<Partnership>::open(c, p.id, Some(bir), Action::ManageMembership)?;
            let leeds = concord::orgs::store::find_by_id(w.conn, lds.organisation_id)?;
            let invite = InviteInput {
                organisation: leeds,
                role: MemberRole::Partner,
                contact: Default::default(),
            };
            concord::partnerships::members::store::invite(&mut w, &invite)?;
            Ok(p.id)
        })
        .expect("an invitation")
}

/// Birmingham records a review of partnership `id` held long ago (so the
/// next one is overdue), with one action owned by the organisation `owner`
/// (a register code), due in ten days.
fn review_with_action_for(app: &TestApp, id: i64, owner: &str, description: &str) {
    let (owner, description) = (owner.to_string(), description.to_string());
    app.db()
        .write_blocking(move |c| {
            let bir = person(c, "lead@birmingham.example")?;
            let owner = concord::orgs::store::find(c, &owner)?;
            let mut w = Work::<Partnership>::open(c, id, Some(bir), Action::EditPartnership)?;
            let input = ReviewInput {
                held_on: chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(),
                findings: "Going well".into(),
                decision: Decision::Continue,
                actions: vec![ActionInput {
                    description,
                    owner: owner.id,
                    due_on: today() + chrono::Days::new(10),
                }],
            };
            concord::partnerships::reviews::store::create(&mut w, &input, today())?;
            Ok(())
        })
        .expect("a review");
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_in_home_lists_what_needs_my_organisation() {
    let app = TestApp::with_reference_data().await;
    let invited = invite_leeds(&app, "Joint fleet procurement", "partners");
    let member = app.partnership("partners").await;
    review_with_action_for(&app, member, "LDS", "Draft the shared waste contract");

    let leeds = app.signed_in("lead@leeds.example").await;
    let (status, html) = leeds.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("What needs you"), "the signed-in home");
    assert!(
        !html.contains("govuk-button--start"),
        "no brochure sign-in button"
    );
    // The invitation, linking to where it is answered.
    assert!(html.contains("Joint fleet procurement"));
    assert!(html.contains(&format!("href=\"/partnerships/{invited}\"")));
    assert!(html.contains("Accept or decline the invitation"));
    // The review: the demo cadence makes it overdue.
    assert!(html.contains(&format!("href=\"/partnerships/{member}/reviews#record\"")));
    assert!(html.contains("Overdue since"));
    // The action Leeds owns, with its due date.
    assert!(html.contains("Draft the shared waste contract"));
    assert!(html.contains(&format!("href=\"/partnerships/{member}/reviews#actions\"")));
    let due = (today() + chrono::Days::new(10))
        .format("%-d %B %Y")
        .to_string();
    assert!(
        html.contains(&format!("Due {due}")),
        "the action's due date"
    );
    // Changed lately: the partnership was just changed.
    assert!(html.contains(&format!("href=\"/partnerships/{member}/history\"")));
    // Where to start something.
    assert!(html.contains("href=\"/partnerships/new\""));
    assert!(html.contains("href=\"/needs/new\""));

    // The same items through the API.
    let api = app.api_as("lead@leeds.example").await;
    let (status, body, _) = api.get("/api/v1/home").await;
    assert_eq!(status, StatusCode::OK);
    let kinds = |group: &str| -> Vec<String> {
        body[group]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(kinds("to_answer").contains(&"partnership_invitation".to_string()));
    assert!(kinds("due").contains(&"review_due".to_string()));
    assert!(kinds("due").contains(&"review_action".to_string()));
    let action = body["due"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "review_action")
        .unwrap();
    assert_eq!(
        action["link"],
        format!("/partnerships/{member}/reviews#actions")
    );
    assert_eq!(action["overdue"], false);
    assert_eq!(body["changed_days"], 14);

    // Signed out, the API asks for a token.
    let (status, _, _) = app.api().get("/api/v1/home").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outsider_sees_nothing_of_a_partners_only_partnership() {
    let app = TestApp::with_reference_data().await;
    invite_leeds(&app, "Joint fleet procurement", "partners");
    let id = app.partnership("partners").await;
    // An action recorded for Cornwall, which is not a member (as if it had
    // left): Cornwall's people may not see the partnership, so not its action.
    review_with_action_for(&app, id, "CON", "Secret Cornwall task");

    let cornwall = app.signed_in("officer@cornwall.example").await;
    let (status, html) = cornwall.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("What needs you"));
    assert!(!html.contains("Secret Cornwall task"));
    assert!(!html.contains("Birmingham and Leeds revenues"));
    assert!(!html.contains("Joint fleet procurement"));
    assert!(!html.contains(&format!("/partnerships/{id}")));
    // Empty states say what to do next.
    assert!(html.contains("No invitations, introductions or interest wait for an answer"));
    assert!(html.contains("start a partnership"));

    let api = app.api_as("officer@cornwall.example").await;
    let (status, body, text) = api.get("/api/v1/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!text.contains("Secret Cornwall task"), "{body}");
    assert!(body["due"].as_array().unwrap().is_empty(), "{body}");
    assert!(body["to_answer"].as_array().unwrap().is_empty(), "{body}");

    // The same action in a public partnership is Cornwall's to see.
    let public = app
        .sole_partnership("Open data partnership", "public")
        .await;
    review_with_action_for(&app, public, "CON", "Public Cornwall task");
    let (_, html) = cornwall.get_text("/").await;
    assert!(html.contains("Public Cornwall task"));
    assert!(!html.contains("Secret Cornwall task"));
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_out_home_is_the_brochure() {
    let app = TestApp::with_reference_data().await;
    let id = app.partnership("public").await;
    let (status, html) = app.client().get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("govuk-button--start"),
        "the sign-in start button"
    );
    assert!(html.contains("Find partners"));
    assert!(!html.contains("What needs you"));
    assert!(!html.contains(&format!("/partnerships/{id}")));
}

#[tokio::test(flavor = "multi_thread")]
async fn home_directory_and_about_agree_on_the_number_of_councils() {
    let app = TestApp::with_reference_data().await;
    let counts = app
        .db()
        .read_blocking(concord::orgs::counts::counts)
        .unwrap();
    assert!(counts.principal_councils > 300, "{counts:?}");
    assert!(counts.combined_authorities > 0, "{counts:?}");
    let principal = counts.principal_councils_text();
    let combined = counts.combined_authorities_text();
    let register = counts.register_current_text();

    let client = app.client();
    let (_, home) = client.get_text("/").await;
    assert!(home.contains(&format!("{principal} current principal councils")));
    assert!(home.contains(&format!("{combined} combined and strategic authorities")));

    let (_, directory) = client.get_text("/organisations").await;
    assert!(directory.contains(&format!("{principal} principal councils")));
    assert!(directory.contains(&format!("{combined} combined and strategic authorities")));
    assert!(directory.contains(&format!("({register} bodies in the council register)")));
    // The default listing's total is the sum it states.
    assert!(directory.contains(&format!(
        "of {} organisations",
        counts.directory_current_text()
    )));
    assert!(directory.contains(&format!("{} in all", counts.directory_current_text())));

    let (_, about) = client.get_text("/about/data").await;
    assert!(about.contains(&format!("{register} current bodies")));
    assert!(about.contains(&format!("{principal} principal councils")));
    assert!(about.contains(&format!("{combined} combined and strategic authorities")));
    assert!(about.contains(&format!(
        "{} former councils",
        counts.former_councils_text()
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn error_pages_show_the_signed_in_header() {
    let app = TestApp::with_reference_data().await;
    let officer = app.signed_in("officer@birmingham.example").await;

    let (status, html) = officer.get_text("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    assert!(
        html.contains("Sign out"),
        "the signed-in header on a 404 page"
    );
    assert!(html.contains("Birmingham"), "who is signed in");

    let (status, html) = officer.get_text("/admin/brokers").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("You do not have permission"));
    assert!(
        html.contains("Sign out"),
        "the signed-in header on a 403 page"
    );

    // Signed out, the same 404 offers to sign in.
    let (status, html) = app.client().get_text("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Sign out"));
}

#[tokio::test(flavor = "multi_thread")]
async fn needs_and_health_checks_that_need_my_organisation() {
    use serde_json::json;
    let app = TestApp::with_reference_data().await;
    // Cornwall lists a need; Leeds offers to co-fund it.
    let cornwall_api = app.api_as("officer@cornwall.example").await;
    let (status, need, _) = cornwall_api
        .post(
            "/api/v1/needs",
            json!({
                "title": "Report a missed bin online",
                "problem": "Residents phone us when bins are missed; we want them to report it online.",
                "phase": "discovery",
                "collaboration": ["share_funding"],
                "services": [524],
                "visibility": "signed_in",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{need}");
    let need = need["id"].as_i64().unwrap();
    let (status, body, _) = app
        .api_as("lead@leeds.example")
        .await
        .post(
            &format!("/api/v1/needs/{need}/interest"),
            json!({ "kind": "co_funder", "pledge_pence": 40_000_00 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Unchanged for 91 days, the daily job asks whether it is still active.
    app.db()
        .write_blocking(move |c| {
            use concord::db::schema::needs;
            use diesel::prelude::*;
            let long_ago = concord::db::now() - chrono::Duration::days(91);
            diesel::update(needs::table.find(need))
                .set(needs::updated_at.eq(long_ago))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        concord::needs::active::ask(app.db(), concord::db::now()).unwrap(),
        1
    );

    let cornwall = app.signed_in("officer@cornwall.example").await;
    let (_, html) = cornwall.get_text("/").await;
    assert!(html.contains(&format!("href=\"/needs/{need}#interest\"")));
    assert!(html.contains("Leeds wants to co-fund it"));
    assert!(html.contains(&format!("href=\"/needs/{need}/still-active\"")));

    // Neither is Birmingham's business, nor Leeds': Leeds waits, it does not answer.
    for email in ["lead@birmingham.example", "lead@leeds.example"] {
        let (_, html) = app.signed_in(email).await.get_text("/").await;
        assert!(
            !html.contains(&format!("/needs/{need}#interest")),
            "{email}"
        );
        assert!(
            !html.contains(&format!("/needs/{need}/still-active")),
            "{email}"
        );
    }

    // Birmingham leads a partnership and opens a health-check round.
    let pid = app.partnership("partners").await;
    let today = today();
    let (status, round, _) = app
        .api_as("lead@birmingham.example")
        .await
        .post(
            &format!("/api/v1/partnerships/{pid}/health-checks"),
            json!({"title": "Autumn health check", "opens_on": today, "closes_on": today + chrono::Days::new(14)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let rid = round["id"].as_i64().unwrap();
    let (_, html) = app
        .signed_in("lead@birmingham.example")
        .await
        .get_text("/")
        .await;
    assert!(html.contains(&format!("href=\"/health-checks/{rid}\"")));
    assert!(html.contains("Autumn health check: nobody is invited yet"));
    // Leeds is a partner, not the lead: the round is not Leeds' to run.
    let (_, html) = app
        .signed_in("lead@leeds.example")
        .await
        .get_text("/")
        .await;
    assert!(!html.contains(&format!("href=\"/health-checks/{rid}\"")));
    // Cornwall is outside the partnership.
    let (_, html) = cornwall.get_text("/").await;
    assert!(!html.contains(&format!("/health-checks/{rid}")));
}
