//! Notification pages: the inbox and watching. Delivery settings and the
//! feed address are in `settings`; the feed itself and the one-click
//! unsubscribe link from email (no session) in `links`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::settings::own;
use super::store::{self, Notification};
use super::subjects::Subject;
use super::watches;
use super::{links, settings};
use crate::auth::{local_redirect, SignedIn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{page, page_number, PageCtx, Pagination};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/{id}/open", get(open))
        .route("/notifications/{id}/read", post(read_one))
        .route("/notifications/read-all", post(read_all))
        .route(
            "/notifications/settings",
            get(settings::settings).post(settings::save_settings),
        )
        .route(
            "/notifications/organisation-defaults",
            post(settings::save_defaults),
        )
        .route("/notifications/feed", post(settings::renew_feed))
        .route("/notifications/feed/revoke", post(settings::revoke_feed))
        .route("/notifications/feed/{token}", get(links::atom))
        .route("/watching", post(watch))
        .route("/unsubscribe/{token}", get(links::unsubscribe_page))
}

/// Routes outside the session and CSRF checks: a mail client's one-click
/// unsubscribe (RFC 8058) carries only the secret in the address.
pub fn open_routes() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", post(links::unsubscribe))
}

const PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "notifications/inbox.html")]
struct InboxPage {
    ctx: PageCtx,
    items: Vec<Notification>,
    pagination: Pagination,
    unread_only: bool,
    unread: i64,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct InboxQuery {
    page: Option<String>,
    unread: Option<String>,
    notice: Option<String>,
}

async fn inbox(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<InboxQuery>,
) -> AppResult<Response> {
    own(&user)?;
    let number = page_number(q.page.as_deref());
    let unread_only = q.unread.as_deref() == Some("1");
    let user_id = user.id;
    let (items, total) = state
        .db
        .read(move |c| store::list(c, user_id, unread_only, (number - 1) * PER_PAGE, PER_PAGE))
        .await?;
    // Counted once, by the session middleware, for the header.
    let unread = ctx.unread;
    let params = [(
        "unread",
        if unread_only {
            "1".to_string()
        } else {
            String::new()
        },
    )];
    let notice = match q.notice.as_deref() {
        Some("all-read") => Some("All notifications are marked as read.".to_string()),
        _ => None,
    };
    page(
        InboxPage {
            ctx: ctx.with_nav(""),
            items,
            pagination: Pagination::new("/notifications", &params, number, PER_PAGE, total),
            unread_only,
            unread,
            notice,
        },
        false,
    )
}

/// Opens the thing a notification is about, marking it read.
async fn open(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    own(&user)?;
    let n = state
        .db
        .write(move |c| store::mark_read(c, user.id, id))
        .await?;
    let to = local_redirect(&n.link).unwrap_or_else(|| "/notifications".to_string());
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
struct BackForm {
    #[serde(default)]
    back: String,
}

async fn read_one(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<BackForm>,
) -> AppResult<Response> {
    own(&user)?;
    state
        .db
        .write(move |c| store::mark_read(c, user.id, id))
        .await?;
    let back = local_redirect(&form.back).unwrap_or_else(|| "/notifications".to_string());
    Ok(Redirect::to(&back).into_response())
}

async fn read_all(State(state): State<AppState>, SignedIn(user): SignedIn) -> AppResult<Response> {
    own(&user)?;
    state
        .db
        .write(move |c| store::mark_all_read(c, user.id))
        .await?;
    Ok(Redirect::to("/notifications?notice=all-read").into_response())
}

#[derive(Deserialize)]
struct WatchForm {
    #[serde(default)]
    subject_type: String,
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    watching: String,
    #[serde(default)]
    back: String,
}

async fn watch(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Form(form): Form<WatchForm>,
) -> AppResult<Response> {
    own(&user)?;
    let id: i64 = form
        .subject_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("subject_id must be a number".into()))?;
    let on = match form.watching.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("watching must be yes or no".into())),
    };
    let subject = Subject::new(form.subject_type.trim(), id);
    state
        .db
        .write(move |c| watches::choose(c, &user, &subject, on))
        .await?;
    let back = local_redirect(&form.back)
        .unwrap_or_else(|| "/notifications/settings?notice=watching".to_string());
    Ok(Redirect::to(&back).into_response())
}
