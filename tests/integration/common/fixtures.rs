//! Records for tests to work on, made through the stores as the demo
//! people would make them on the pages (same policy, same audit entries),
//! without the HTTP round trips.

use concord::auth::SessionUser;
use concord::db::DbConn;
use concord::error::AppResult;
use concord::partnerships::members::model::InviteInput;
use concord::partnerships::model::{MemberRole, Partnership, PartnershipDraft, PartnershipInput};
use concord::policy::Action;
use concord::work::Work;
use diesel::prelude::*;

use super::TestApp;

/// A demo person as the server sees them once signed in.
pub fn person(conn: &mut DbConn, email: &str) -> AppResult<SessionUser> {
    use concord::db::schema::users;
    let id: i64 = users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)?;
    let secret = concord::auth::session::create(conn, id, "test")?;
    let (user, _) = concord::auth::session::load_user(conn, &concord::auth::hash_token(&secret))?
        .ok_or(concord::error::AppError::NotFound)?;
    Ok(user)
}

/// The details of the partnership tests start from.
pub fn partnership_draft(name: &str, visibility: &str) -> PartnershipDraft {
    PartnershipDraft {
        name: name.into(),
        purpose: "Share a revenues and benefits service".into(),
        kind: "shared_service".into(),
        degree: "collaborating".into(),
        stage: 5,
        status: "active".into(),
        visibility: visibility.into(),
        start_date: chrono::NaiveDate::from_ymd_opt(2025, 4, 1),
        services: vec![524],
        review_cadence_months: Some(12),
        ..Default::default()
    }
}

impl TestApp {
    /// A partnership led by Birmingham (lead@birmingham.example) with Leeds
    /// (lead@leeds.example) as an active partner: Birmingham starts it and
    /// invites Leeds, and Leeds accepts. Returns its id.
    pub async fn partnership(&self, visibility: &str) -> i64 {
        let draft = partnership_draft("Birmingham and Leeds revenues", visibility);
        let db = self.db().clone();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|c| {
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
                let mut w =
                    Work::<Partnership>::open(c, p.id, Some(bir), Action::ManageMembership)?;
                let leeds = concord::orgs::store::find_by_id(w.conn, lds.organisation_id)?;
                let invite = InviteInput {
                    organisation: leeds,
                    role: MemberRole::Partner,
                    contact: Default::default(),
                };
                concord::partnerships::members::store::invite(&mut w, &invite)?;
                let mut w =
                    Work::<Partnership>::open(c, p.id, Some(lds), Action::RespondToInvitation)?;
                concord::partnerships::members::store::respond(&mut w, true)?;
                Ok(p.id)
            })
        })
        .await
        .unwrap()
        .expect("the test partnership")
    }
}

impl TestApp {
    /// A partnership Birmingham leads alone. Returns its id.
    pub async fn sole_partnership(&self, name: &str, visibility: &str) -> i64 {
        let draft = partnership_draft(name, visibility);
        let db = self.db().clone();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|c| {
                let bir = person(c, "lead@birmingham.example")?;
                let input = PartnershipInput::parse(&draft).expect("a valid partnership");
                let lead = concord::orgs::store::find_by_id(c, bir.organisation_id)?;
                let p = concord::partnerships::store::create(
                    c,
                    &input,
                    &lead,
                    Some(bir.id),
                    &bir.audit_actor(),
                )?;
                Ok(p.id)
            })
        })
        .await
        .unwrap()
        .expect("the test partnership")
    }

    /// A new account in an organisation (by register code) with a role;
    /// returns its email. It signs in with the demo password.
    pub async fn account(&self, code: &str, role: concord::policy::Role) -> String {
        let email = format!("{}-{}@example.test", role.code(), code.to_lowercase());
        let (db, code, e) = (self.db().clone(), code.to_string(), email.clone());
        tokio::task::spawn_blocking(move || {
            concord::users::store::create_with_password(
                &db,
                &e,
                None,
                &code,
                role,
                super::PASSWORD,
                &concord::audit::Actor::system("test"),
            )
        })
        .await
        .unwrap()
        .expect("a test account");
        email
    }
}
