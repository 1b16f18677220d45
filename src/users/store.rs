use chrono::Duration;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::auth::{hash_token, password, random_token};
use crate::db::schema::{invitations, organisations, users};
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::orgs::model::Organisation;
use crate::policy::Role;

pub const INVITATION_DAYS: i64 = 7;

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub organisation_id: i64,
    pub role: Role,
    pub is_active: bool,
    pub created_at: crate::time::Timestamp,
}

impl User {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub organisation_id: i64,
    pub role: Role,
    pub created_at: crate::time::Timestamp,
    pub expires_at: crate::time::Timestamp,
    pub accepted_at: Option<crate::time::Timestamp>,
}

impl Invitation {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

/// A plausible email address: one @, a dot in the domain, no spaces.
pub fn valid_email(email: &str) -> bool {
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_email(email: &str) -> Option<FieldError> {
    if email.is_empty() {
        Some(FieldError::new("email", "Enter an email address"))
    } else if !valid_email(email) {
        Some(FieldError::new(
            "email",
            "Enter an email address in the correct format, like name@council.gov.uk",
        ))
    } else {
        None
    }
}

fn email_taken(conn: &mut DbConn, email: &str) -> AppResult<bool> {
    let n: i64 = users::table
        .filter(users::email.eq(email))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

fn create_user(
    conn: &mut DbConn,
    email: &str,
    name: &str,
    org_id: i64,
    role: Role,
    password_hash: &str,
    actor: &Actor,
) -> AppResult<User> {
    let now = crate::db::now();
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email),
            users::display_name.eq(name),
            users::password_hash.eq(password_hash),
            users::organisation_id.eq(org_id),
            users::role.eq(role.code()),
            users::is_active.eq(true),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    let user: User = users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)?;
    audit::record(
        conn,
        actor,
        Change::new("user.create", "user", user.id)
            .in_organisation(org_id)
            .after(
                serde_json::json!({ "email": email, "display_name": name, "role": role.code() }),
            ),
    )?;
    Ok(user)
}

/// Creates a user who can sign in at once (command line and demo data).
pub fn create_with_password(
    db: &Db,
    email: &str,
    name: Option<&str>,
    org_code: &str,
    role: Role,
    password_given: &str,
    actor: &Actor,
) -> AppResult<User> {
    let email = email.trim().to_lowercase();
    let mut errors: Vec<FieldError> = check_email(&email).into_iter().collect();
    errors.extend(password::check_new(password_given, password_given));
    let name = crate::text::line("name", "Name", name.unwrap_or(""), 100)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = if name.is_empty() {
        email.split('@').next().unwrap_or_default().to_string()
    } else {
        name
    };
    let hash = password::hash(password_given)?;
    db.write_blocking(|conn| {
        let org = crate::orgs::store::find(conn, org_code).map_err(|_| {
            AppError::invalid("org", format!("No organisation has the code '{org_code}'"))
        })?;
        if email_taken(conn, &email)? {
            return Err(AppError::invalid(
                "email",
                format!("{email} already has an account"),
            ));
        }
        create_user(conn, &email, &name, org.id, role, &hash, actor)
    })
}

pub fn members(conn: &mut DbConn, org_id: i64) -> AppResult<(Vec<User>, Vec<Invitation>)> {
    let people = users::table
        .filter(users::organisation_id.eq(org_id))
        .order(users::display_name.asc())
        .select(User::as_select())
        .load(conn)?;
    let pending = invitations::table
        .filter(invitations::organisation_id.eq(org_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(crate::db::now()))
        .order(invitations::id.desc())
        .select(Invitation::as_select())
        .load(conn)?;
    Ok((people, pending))
}

/// Invites someone to join `org` with `role`, emailing them a link. Inviting
/// the same address again replaces the earlier link. The caller checks policy.
pub fn invite(
    conn: &mut DbConn,
    org: &Organisation,
    email: &str,
    role: Role,
    inviter_id: i64,
    actor: &Actor,
    public_url: &str,
) -> AppResult<Invitation> {
    let email = email.trim().to_lowercase();
    if let Some(e) = check_email(&email) {
        return Err(AppError::Invalid(vec![e]));
    }
    if email_taken(conn, &email)? {
        return Err(AppError::invalid(
            "email",
            format!("{email} already has a Concord account"),
        ));
    }
    diesel::delete(
        invitations::table
            .filter(invitations::email.eq(&email))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)?;
    let token = random_token();
    let now = crate::db::now();
    diesel::insert_into(invitations::table)
        .values((
            invitations::token_hash.eq(hash_token(&token)),
            invitations::email.eq(&email),
            invitations::organisation_id.eq(org.id),
            invitations::role.eq(role.code()),
            invitations::invited_by.eq(inviter_id),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(now + Duration::days(INVITATION_DAYS)),
        ))
        .execute(conn)?;
    let invitation: Invitation = invitations::table
        .filter(invitations::token_hash.eq(hash_token(&token)))
        .select(Invitation::as_select())
        .first(conn)?;
    let link = format!("{public_url}/invitations/{token}");
    let body = format!(
        "You have been invited to join {} on Concord as {}.\n\nTo accept, open this link within {INVITATION_DAYS} days and choose a password:\n\n{link}\n\nIf you were not expecting this, you can ignore this email.",
        org.name,
        role.label().to_lowercase()
    );
    crate::outbox::enqueue(
        conn,
        &crate::outbox::Mail::text(
            &email,
            &format!("Your invitation to join {} on Concord", org.short_name),
            &body,
        ),
    )?;
    audit::record(
        conn,
        actor,
        Change::new("invitation.create", "invitation", invitation.id)
            .in_organisation(org.id)
            .after(serde_json::json!({ "email": email, "role": role.code() })),
    )?;
    Ok(invitation)
}

/// A live invitation for a token, with its organisation.
pub fn find_invitation(conn: &mut DbConn, token: &str) -> AppResult<(Invitation, Organisation)> {
    let invitation: Invitation = invitations::table
        .filter(invitations::token_hash.eq(hash_token(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(crate::db::now()))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let org = organisations::table
        .find(invitation.organisation_id)
        .select(Organisation::as_select())
        .first(conn)?;
    Ok((invitation, org))
}

/// Accepts an invitation: creates the account and returns it.
pub fn accept(conn: &mut DbConn, token: &str, name: &str, password_hash: &str) -> AppResult<User> {
    let (invitation, org) = find_invitation(conn, token)?;
    if email_taken(conn, &invitation.email)? {
        return Err(AppError::Conflict(format!(
            "{} already has an account; sign in instead",
            invitation.email
        )));
    }
    let role = invitation.role;
    let actor = Actor {
        user_id: None,
        label: format!("{} (accepting an invitation)", invitation.email),
    };
    let user = create_user(
        conn,
        &invitation.email,
        name,
        org.id,
        role,
        password_hash,
        &actor,
    )?;
    diesel::update(invitations::table.find(invitation.id))
        .set(invitations::accepted_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_format() {
        assert!(valid_email("officer@birmingham.gov.uk"));
        assert!(!valid_email("officer"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a b@c.uk"));
        assert!(!valid_email("a@@c.uk"));
        assert!(!valid_email("@c.uk"));
    }
}
