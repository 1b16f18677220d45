//! A person's notifications as an Atom feed at a secret address they can
//! renew or revoke. Only the secret's hash is stored.

use askama::Template;
use diesel::prelude::*;

use super::store::{self, Notification};
use crate::db::schema::feed_tokens as ft;
use crate::db::DbConn;
use crate::error::AppResult;

/// Makes a new secret address for the person's feed (the old one stops).
pub fn renew(conn: &mut DbConn, user_id: i64) -> AppResult<String> {
    let token = crate::auth::random_token();
    revoke(conn, user_id)?;
    diesel::insert_into(ft::table)
        .values((
            ft::user_id.eq(user_id),
            ft::token_hash.eq(crate::auth::hash_token(&token)),
            ft::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(token)
}

pub fn revoke(conn: &mut DbConn, user_id: i64) -> AppResult<bool> {
    Ok(diesel::delete(ft::table.filter(ft::user_id.eq(user_id))).execute(conn)? > 0)
}

/// When the person's feed address was made, if they have one.
pub fn created(conn: &mut DbConn, user_id: i64) -> AppResult<Option<crate::time::Timestamp>> {
    Ok(ft::table
        .find(user_id)
        .select(ft::created_at)
        .first(conn)
        .optional()?)
}

/// The person a feed secret belongs to.
pub fn owner(conn: &mut DbConn, token: &str) -> AppResult<Option<i64>> {
    Ok(ft::table
        .filter(ft::token_hash.eq(crate::auth::hash_token(token)))
        .select(ft::user_id)
        .first(conn)
        .optional()?)
}

#[derive(Template)]
#[template(path = "notifications/feed.xml")]
struct Atom<'a> {
    base: &'a str,
    feed_id: &'a str,
    updated: String,
    entries: &'a [Notification],
}

/// The newest 50 notifications of the feed's owner, as Atom.
pub fn render(conn: &mut DbConn, user_id: i64) -> AppResult<String> {
    let (entries, _) = store::list(conn, user_id, false, 0, 50)?;
    let base = store::public_url();
    let updated = entries
        .first()
        .map(|n| n.created_at.to_string())
        .unwrap_or_else(|| crate::time::Timestamp::from(crate::db::now()).to_string());
    Ok(Atom {
        base: &base,
        feed_id: &format!("tag:concord,2026:notifications:{user_id}"),
        updated,
        entries: &entries,
    }
    .render()?)
}
