//! The things people can watch and be told about (partnerships,
//! organisations, services; needs, rounds, trials and threads as they land).
//! Each capability registers its kind at start-up, so this module never
//! names one: it asks the kind who may see a record, who watches it by
//! belonging to it, and which other records' watchers care about it.

use std::sync::RwLock;

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::{Actor, Role};

/// One record that can be watched: ("partnership", 42).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
pub struct Subject {
    #[serde(rename = "subject_type")]
    pub kind: String,
    #[serde(rename = "subject_id")]
    pub id: i64,
}

impl Subject {
    pub fn new(kind: &str, id: i64) -> Subject {
        Subject {
            kind: kind.to_string(),
            id,
        }
    }
}

/// How a record is shown to someone who may see it.
#[derive(Clone, Debug)]
pub struct Shown {
    pub title: String,
    /// A path on this site.
    pub link: String,
}

/// A kind of record people can watch.
#[derive(Clone, Copy)]
pub struct SubjectKind {
    /// Its name in URLs and the database, e.g. "partnership".
    pub name: &'static str,
    /// The record's title and link if `viewer` may see it now, else `None`
    /// (also when there is no such record).
    pub shown_to: fn(&mut DbConn, i64, Option<&Actor>) -> AppResult<Option<Shown>>,
    /// People who watch it by belonging to it, unless they unwatch.
    pub members: fn(&mut DbConn, i64) -> AppResult<Vec<i64>>,
    /// Other records whose watchers hear of changes to this one (a
    /// partnership's organisations and services).
    pub related: fn(&mut DbConn, i64) -> AppResult<Vec<Subject>>,
}

/// For kinds nobody belongs to, or with nothing related.
pub fn nobody(_: &mut DbConn, _: i64) -> AppResult<Vec<i64>> {
    Ok(Vec::new())
}

pub fn nothing(_: &mut DbConn, _: i64) -> AppResult<Vec<Subject>> {
    Ok(Vec::new())
}

static KINDS: RwLock<Vec<SubjectKind>> = RwLock::new(Vec::new());

/// Adds a kind (again under the same name replaces it).
pub fn register(kind: SubjectKind) {
    let mut all = KINDS.write().unwrap_or_else(|p| p.into_inner());
    all.retain(|k| k.name != kind.name);
    all.push(kind);
}

pub fn find(name: &str) -> Option<SubjectKind> {
    KINDS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|k| k.name == name)
        .copied()
}

/// The subject as `viewer` may see it; `None` for an unknown kind too.
pub fn shown(
    conn: &mut DbConn,
    subject: &Subject,
    viewer: Option<&Actor>,
) -> AppResult<Option<Shown>> {
    match find(&subject.kind) {
        Some(kind) => (kind.shown_to)(conn, subject.id, viewer),
        None => Ok(None),
    }
}

/// The policy's view of an active person, by id.
pub fn actor_of(conn: &mut DbConn, user_id: i64) -> AppResult<Option<Actor>> {
    let row: Option<(i64, i64, String)> = users::table
        .find(user_id)
        .filter(users::is_active.eq(true))
        .select((users::id, users::organisation_id, users::role))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(user_id, organisation_id, role)| {
        Some(Actor {
            user_id,
            organisation_id,
            role: Role::parse(&role)?,
        })
    }))
}
