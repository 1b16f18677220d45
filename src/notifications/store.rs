//! Telling people: one row per person per note, in the caller's transaction,
//! and for those who want it at once, an email in the same transaction.

use std::collections::HashMap;
use std::sync::RwLock;

use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::delivery::{self, Delivery};
use super::subjects::{self, Subject};
use super::NotificationKind;
use crate::db::schema::{notifications as n, unsubscribe_tokens, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Something to tell people about a subject.
#[derive(Clone, Debug)]
pub struct Note {
    pub kind: NotificationKind,
    pub subject: Subject,
    /// What happened, as a sentence after the subject's title: "review due
    /// on 5 January 2027".
    pub what: String,
    /// Where to act, if not the subject's own page (a path on this site).
    pub link: Option<String>,
    /// The audit entry of the change, for changes.
    pub audit_id: Option<i64>,
}

static PUBLIC_URL: RwLock<String> = RwLock::new(String::new());

/// The address people reach this site at, for links in email.
pub fn set_public_url(url: &str) {
    *PUBLIC_URL.write().unwrap_or_else(|p| p.into_inner()) = url.trim_end_matches('/').to_string();
}

pub fn public_url() -> String {
    PUBLIC_URL.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Of `people`, those not yet sent the reminder `key` names, claiming it
/// for each in the same statement: a second run, or another instance
/// sending at once, finds the key taken and tells nobody twice.
pub fn not_yet_reminded(
    conn: &mut DbConn,
    key: &str,
    people: impl IntoIterator<Item = i64>,
) -> AppResult<Vec<i64>> {
    use crate::db::schema::reminders_sent as rs;
    let mut fresh = Vec::new();
    for user in people {
        let inserted = crate::db::per_backend!(conn, |c| diesel::insert_into(rs::table)
            .values((
                rs::reminder_key.eq(key),
                rs::user_id.eq(user),
                rs::sent_at.eq(crate::db::now()),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        if inserted == 1 {
            fresh.push(user);
        }
    }
    Ok(fresh)
}

/// Tells each of `recipients` (once each) who may see the subject now, as
/// each has chosen for this kind. Returns how many were told.
pub fn deliver(conn: &mut DbConn, recipients: &[i64], note: &Note) -> AppResult<usize> {
    let mut seen = std::collections::HashSet::new();
    // What a person may see depends on their organisation and role, not on
    // them: ask once per (organisation, role), not once per person.
    let mut shown_to: HashMap<(i64, crate::policy::Role), Option<subjects::Shown>> = HashMap::new();
    let mut told = 0;
    let now = crate::db::now();
    for &user_id in recipients {
        if !seen.insert(user_id) {
            continue;
        }
        let Some(actor) = subjects::actor_of(conn, user_id)? else {
            continue;
        };
        // Checked as it is sent: membership and visibility change.
        let key = (actor.organisation_id, actor.role);
        let shown = match shown_to.get(&key) {
            Some(known) => known.clone(),
            None => {
                let found = subjects::shown(conn, &note.subject, Some(&actor))?;
                shown_to.insert(key, found.clone());
                found
            }
        };
        let Some(shown) = shown else {
            continue;
        };
        let how = delivery::effective(conn, user_id, actor.organisation_id, note.kind)?;
        if how == Delivery::Off {
            continue;
        }
        let title = format!("{}: {}", shown.title, note.what);
        let link = note.link.clone().unwrap_or(shown.link);
        let emailed = how == Delivery::Email;
        diesel::insert_into(n::table)
            .values((
                n::user_id.eq(user_id),
                n::kind.eq(note.kind),
                n::subject_type.eq(&note.subject.kind),
                n::subject_id.eq(note.subject.id),
                n::title.eq(&title),
                n::link.eq(&link),
                n::audit_id.eq(note.audit_id),
                n::delivery.eq(how),
                n::created_at.eq(now),
                // Emailed now, so not again in a digest.
                n::digested_at.eq(emailed.then_some(now)),
            ))
            .execute(conn)?;
        if emailed {
            let email: String = users::table
                .find(user_id)
                .select(users::email)
                .first(conn)?;
            let items = [Item {
                title: title.clone(),
                link: link.clone(),
            }];
            let mail = compose(conn, user_id, &email, Some(note.kind), &title, &items)?;
            crate::outbox::enqueue(conn, &mail)?;
        }
        told += 1;
    }
    Ok(told)
}

/// One line of an email: what, and where to see it.
#[derive(Clone, Debug)]
pub struct Item {
    pub title: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "notifications/email.html")]
struct EmailHtml<'a> {
    heading: &'a str,
    items: &'a [Item],
    base: &'a str,
    reason: &'a str,
    unsubscribe: &'a str,
}

/// An email of one or more items (a digest has many), with links to change
/// how this kind arrives and to stop it in one click.
pub fn compose(
    conn: &mut DbConn,
    user_id: i64,
    email: &str,
    kind: Option<NotificationKind>,
    heading: &str,
    items: &[Item],
) -> AppResult<crate::outbox::Mail> {
    let base = public_url();
    let token = crate::auth::random_token();
    diesel::insert_into(unsubscribe_tokens::table)
        .values((
            unsubscribe_tokens::token_hash.eq(crate::auth::hash_token(&token)),
            unsubscribe_tokens::user_id.eq(user_id),
            // A digest's unsubscribe stops the digest: every kind delivered by digest.
            unsubscribe_tokens::kind.eq(kind.map(NotificationKind::code).unwrap_or("digest")),
            unsubscribe_tokens::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    let unsubscribe = format!("{base}/unsubscribe/{token}");
    let reason = match kind {
        Some(kind) => format!(
            "you asked for \"{}\" by email, or your organisation chose it for you",
            kind.label()
        ),
        None => "you chose a daily digest for some notifications".to_string(),
    };
    let mut text = format!("{heading}\n\n");
    for item in items {
        text.push_str(&format!("- {}\n  {base}{}\n\n", item.title, item.link));
    }
    text.push_str(&format!(
        "You get this email because {reason}.\nChoose how Concord tells you things: {base}/notifications/settings\nStop these emails: {unsubscribe}\n"
    ));
    let html = EmailHtml {
        heading,
        items,
        base: &base,
        reason: &reason,
        unsubscribe: &unsubscribe,
    }
    .render()?;
    Ok(crate::outbox::Mail {
        to: email.to_string(),
        subject: heading.chars().take(180).collect(),
        text,
        html: Some(html),
        unsubscribe: Some(unsubscribe),
    })
}

/// One notification as its owner sees it.
#[derive(Queryable, Selectable, Serialize, Debug, Clone, utoipa::ToSchema)]
#[diesel(table_name = n)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub subject_type: String,
    pub subject_id: i64,
    pub title: String,
    /// A path on this site.
    pub link: String,
    pub delivery: Delivery,
    pub created_at: crate::time::Timestamp,
    pub read_at: Option<crate::time::Timestamp>,
}

/// A page of a person's notifications, newest first, and the totals.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    unread_only: bool,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Notification>, i64)> {
    let mut query = n::table.filter(n::user_id.eq(user_id)).into_boxed();
    let mut count = n::table.filter(n::user_id.eq(user_id)).into_boxed();
    if unread_only {
        query = query.filter(n::read_at.is_null());
        count = count.filter(n::read_at.is_null());
    }
    let total = count.count().get_result(conn)?;
    let rows = query
        .order(n::id.desc())
        .offset(offset)
        .limit(limit)
        .select(Notification::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn unread_count(conn: &mut DbConn, user_id: i64) -> AppResult<i64> {
    Ok(n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of the person's own notifications read; 404 for anyone else's.
pub fn mark_read(conn: &mut DbConn, user_id: i64, id: i64) -> AppResult<Notification> {
    let mine = n::table.filter(n::id.eq(id)).filter(n::user_id.eq(user_id));
    diesel::update(mine.filter(n::read_at.is_null()))
        .set(n::read_at.eq(crate::db::now()))
        .execute(conn)?;
    mine.select(Notification::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Marks all the person's notifications read; how many were unread.
pub fn mark_all_read(conn: &mut DbConn, user_id: i64) -> AppResult<usize> {
    Ok(diesel::update(
        n::table
            .filter(n::user_id.eq(user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(crate::db::now()))
    .execute(conn)?)
}

/// Notifications waiting for a digest, by person, oldest first.
pub fn undigested(conn: &mut DbConn, limit: i64) -> AppResult<HashMap<i64, Vec<Notification>>> {
    let rows: Vec<(i64, Notification)> = n::table
        .filter(n::delivery.eq(Delivery::Digest))
        .filter(n::digested_at.is_null())
        .order((n::user_id, n::id))
        .limit(limit)
        .select((n::user_id, Notification::as_select()))
        .load(conn)?;
    let mut by_user: HashMap<i64, Vec<Notification>> = HashMap::new();
    for (user, row) in rows {
        by_user.entry(user).or_default().push(row);
    }
    Ok(by_user)
}

pub fn mark_digested(conn: &mut DbConn, ids: &[i64], at: NaiveDateTime) -> AppResult<()> {
    diesel::update(n::table.filter(n::id.eq_any(ids)))
        .set(n::digested_at.eq(at))
        .execute(conn)?;
    Ok(())
}
