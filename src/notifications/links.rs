//! Addresses that work without a session: the Atom feed at its secret
//! address, and the one-click unsubscribe link from email (RFC 8058).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;

use crate::audit::{self, Change};
use crate::db::schema::unsubscribe_tokens as ut;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::notifications::delivery::{self, Chooser, Delivery};
use crate::notifications::{feed, NotificationKind};
use crate::state::AppState;
use crate::web::{html, PageCtx};

/// The feed: anyone with the secret address reads it (a feed reader has no
/// session); an unknown or revoked secret is not found.
pub(super) async fn atom(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let body = state
        .db
        .read(move |c| match feed::owner(c, &token)? {
            Some(user) => feed::render(c, user),
            None => Err(AppError::NotFound),
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "notifications/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    what: Option<String>,
    done: bool,
}

/// What an unsubscribe secret stops: (person, kind code).
fn unsubscribe_target(conn: &mut DbConn, token: &str) -> AppResult<Option<(i64, String)>> {
    Ok(ut::table
        .filter(ut::token_hash.eq(crate::auth::hash_token(token)))
        .select((ut::user_id, ut::kind))
        .first(conn)
        .optional()?)
}

fn describe_target(kind: &str) -> String {
    match NotificationKind::parse(kind) {
        Some(k) => format!("emails about {}", k.label().to_lowercase()),
        None => "the daily digest email".to_string(),
    }
}

pub(super) async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let t = token.clone();
    let target = state.db.read(move |c| unsubscribe_target(c, &t)).await?;
    let Some((_, kind)) = target else {
        return Err(AppError::NotFound);
    };
    html(UnsubscribePage {
        ctx,
        token,
        what: Some(describe_target(&kind)),
        done: false,
    })
    .map(IntoResponse::into_response)
}

/// Stops the email the link came in: that kind goes to the inbox only (a
/// digest link moves every digest kind to the inbox). Works without signing
/// in, as RFC 8058 requires; the secret is the permission.
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let t = token.clone();
    let what = state
        .db
        .write(move |c| {
            let Some((user_id, kind)) = unsubscribe_target(c, &t)? else {
                return Err(AppError::NotFound);
            };
            let org: i64 = {
                use crate::db::schema::users;
                users::table
                    .find(user_id)
                    .select(users::organisation_id)
                    .first(c)?
            };
            let kinds: Vec<NotificationKind> = match NotificationKind::parse(&kind) {
                Some(k) => vec![k],
                None => delivery::choices(c, user_id, org)?
                    .into_iter()
                    .filter(|ch| ch.delivery == Delivery::Digest)
                    .map(|ch| ch.kind)
                    .collect(),
            };
            for k in &kinds {
                delivery::set(c, Chooser::Person(user_id), *k, Some(Delivery::InApp))?;
            }
            audit::record(
                c,
                &crate::audit::Actor {
                    user_id: Some(user_id),
                    label: "unsubscribe link".to_string(),
                },
                Change::new("notifications.unsubscribe", "user", user_id)
                    .in_organisation(org)
                    .after(kinds.iter().map(|k| k.code()).collect::<Vec<_>>()),
            )?;
            Ok(describe_target(&kind))
        })
        .await?;
    html(UnsubscribePage {
        ctx: PageCtx::default(),
        token,
        what: Some(what),
        done: true,
    })
    .map(IntoResponse::into_response)
}
