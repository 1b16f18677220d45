//! Watching: people watch what they belong to without asking (a
//! partnership's members' people), and anything else they may see by
//! choice; either can be stopped. A row records a choice either way.

use std::collections::HashSet;

use diesel::prelude::*;

use super::subjects::{self, Subject};
use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::schema::watches as w;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Whether a person watches a subject, and why.
#[derive(Clone, Copy, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Watching {
    pub watching: bool,
    /// They watch it because they belong to it (unless they stopped).
    pub as_member: bool,
    /// Their own choice, if they made one.
    pub chosen: Option<bool>,
}

pub fn state(conn: &mut DbConn, user_id: i64, subject: &Subject) -> AppResult<Watching> {
    let chosen: Option<bool> = w::table
        .find((user_id, &subject.kind, subject.id))
        .select(w::watching)
        .first(conn)
        .optional()?;
    let as_member = match subjects::find(&subject.kind) {
        Some(kind) => (kind.members)(conn, subject.id)?.contains(&user_id),
        None => false,
    };
    Ok(Watching {
        watching: chosen.unwrap_or(as_member),
        as_member,
        chosen,
    })
}

/// Records a person's choice to watch (or stop watching) a subject.
pub fn set(conn: &mut DbConn, user_id: i64, subject: &Subject, watching: bool) -> AppResult<()> {
    let now = crate::db::now();
    crate::db::per_backend!(conn, |c| diesel::insert_into(w::table)
        .values((
            w::user_id.eq(user_id),
            w::subject_type.eq(&subject.kind),
            w::subject_id.eq(subject.id),
            w::watching.eq(watching),
            w::created_at.eq(now),
        ))
        .on_conflict((w::user_id, w::subject_type, w::subject_id))
        .do_update()
        .set((w::watching.eq(watching), w::created_at.eq(now)))
        .execute(c))?;
    Ok(())
}

/// Everyone who watches a subject: its members' people and those who chose
/// to, less those who stopped.
pub fn watchers(conn: &mut DbConn, subject: &Subject) -> AppResult<Vec<i64>> {
    let choices: Vec<(i64, bool)> = w::table
        .filter(w::subject_type.eq(&subject.kind))
        .filter(w::subject_id.eq(subject.id))
        .select((w::user_id, w::watching))
        .load(conn)?;
    let stopped: HashSet<i64> = choices
        .iter()
        .filter(|(_, on)| !on)
        .map(|(u, _)| *u)
        .collect();
    let mut all: Vec<i64> = match subjects::find(&subject.kind) {
        Some(kind) => (kind.members)(conn, subject.id)?,
        None => Vec::new(),
    };
    all.extend(choices.iter().filter(|(_, on)| *on).map(|(u, _)| *u));
    let mut seen = HashSet::new();
    all.retain(|u| !stopped.contains(u) && seen.insert(*u));
    Ok(all)
}

/// What a person has chosen to watch or stop watching.
pub fn chosen_by(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<(Subject, bool)>> {
    let rows: Vec<(String, i64, bool)> = w::table
        .filter(w::user_id.eq(user_id))
        .order((w::subject_type, w::subject_id))
        .select((w::subject_type, w::subject_id, w::watching))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, on)| (Subject { kind, id }, on))
        .collect())
}

/// The watch button on a record's page.
#[derive(Clone, Debug)]
pub struct WatchButton {
    pub subject_type: String,
    pub subject_id: i64,
    pub watching: bool,
    pub as_member: bool,
    /// The record's name, for screen readers.
    pub title: String,
    /// The page to come back to.
    pub back: String,
}

/// The button for a signed-in person (`None` when signed out).
pub fn button(
    conn: &mut DbConn,
    user_id: Option<i64>,
    subject: &Subject,
    title: &str,
    back: &str,
) -> AppResult<Option<WatchButton>> {
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let s = state(conn, user_id, subject)?;
    Ok(Some(WatchButton {
        subject_type: subject.kind.clone(),
        subject_id: subject.id,
        watching: s.watching,
        as_member: s.as_member,
        title: title.to_string(),
        back: back.to_string(),
    }))
}

/// Watches or stops watching something the person may see (404 otherwise).
pub fn choose(conn: &mut DbConn, user: &SessionUser, subject: &Subject, on: bool) -> AppResult<()> {
    if subjects::shown(conn, subject, Some(&user.actor()))?.is_none() {
        return Err(AppError::NotFound);
    }
    set(conn, user.id, subject, on)?;
    audit::record(
        conn,
        &user.audit_actor(),
        Change::new(
            if on {
                "notifications.watch"
            } else {
                "notifications.unwatch"
            },
            "user",
            user.id,
        )
        .in_organisation(user.organisation_id)
        .after(serde_json::json!({ "subject_type": subject.kind, "subject_id": subject.id })),
    )?;
    Ok(())
}
