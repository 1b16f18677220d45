//! Notification pages: the inbox, delivery settings (a person's own and
//! their organisation's defaults), the feed address, watching, and the
//! one-click unsubscribe link from email.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use diesel::prelude::*;
use serde::Deserialize;

use super::delivery::{self, Choice, Chooser, Delivery};
use super::store::{self, Notification};
use super::subjects::{self, Subject};
use super::{feed, watches, NotificationKind};
use crate::audit::{self, Change};
use crate::auth::{local_redirect, SessionUser, SignedIn};
use crate::db::schema::unsubscribe_tokens as ut;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{allows, authorize, Action};
use crate::state::AppState;
use crate::web::{html, page, page_number, FormErrors, PageCtx, Pagination};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/{id}/open", get(open))
        .route("/notifications/{id}/read", post(read_one))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/settings", get(settings).post(save_settings))
        .route("/notifications/organisation-defaults", post(save_defaults))
        .route("/notifications/feed", post(renew_feed))
        .route("/notifications/feed/revoke", post(revoke_feed))
        .route("/notifications/feed/{token}", get(atom))
        .route("/watching", post(watch))
        .route("/unsubscribe/{token}", get(unsubscribe_page))
}

/// Routes outside the session and CSRF checks: a mail client's one-click
/// unsubscribe (RFC 8058) carries only the secret in the address.
pub fn open_routes() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", post(unsubscribe))
}

const PER_PAGE: i64 = 25;

fn own(user: &SessionUser) -> AppResult<()> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)
}

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
    let ((items, total), unread) = state
        .db
        .read(move |c| {
            Ok((
                store::list(c, user_id, unread_only, (number - 1) * PER_PAGE, PER_PAGE)?,
                store::unread_count(c, user_id)?,
            ))
        })
        .await?;
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

/// The settings form for a person or an organisation.
struct ChoiceForm {
    rows: Vec<KindRow>,
    /// The first option's words: follow the organisation, or Concord.
    default_label: String,
}

/// One row of the settings form: a kind and the options with the one in force.
struct KindRow {
    kind: NotificationKind,
    /// The form field: the kind's code, "org-" first for the defaults.
    field: String,
    options: Vec<(&'static str, &'static str)>,
    /// "" when following the organisation's (or Concord's) default.
    selected: String,
    /// What applies if the person makes no choice.
    fallback: Delivery,
}

#[derive(Template)]
#[template(path = "notifications/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    errors: FormErrors,
    own: ChoiceForm,
    /// The organisation's defaults, for its admins.
    defaults: Option<ChoiceForm>,
    organisation_name: String,
    feed_since: Option<crate::time::Timestamp>,
    new_feed_url: Option<String>,
    watched: Vec<(Subject, bool, Option<subjects::Shown>)>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

fn rows(choices: &[Choice], organisation: bool) -> Vec<KindRow> {
    choices
        .iter()
        .map(|c| KindRow {
            kind: c.kind,
            field: format!(
                "{}{}",
                if organisation { "org-" } else { "" },
                c.kind.code()
            ),
            options: Delivery::options(),
            selected: if organisation {
                c.organisation_default
            } else {
                c.own
            }
            .map(|d| d.code().to_string())
            .unwrap_or_default(),
            fallback: if organisation {
                c.kind.default_delivery()
            } else {
                c.organisation_default.unwrap_or(c.kind.default_delivery())
            },
        })
        .collect()
}

async fn settings_page(
    state: &AppState,
    ctx: PageCtx,
    user: SessionUser,
    errors: FormErrors,
    new_feed_url: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    own(&user)?;
    let may_set_defaults = allows(
        Some(&user.actor()),
        Action::SetNotificationDefaults {
            organisation_id: user.organisation_id,
        },
    );
    let (user_id, org_id) = (user.id, user.organisation_id);
    let actor = user.actor();
    let (choices, feed_since, watched) = state
        .db
        .read(move |c| {
            let choices = delivery::choices(c, user_id, org_id)?;
            let feed_since = feed::created(c, user_id)?;
            let mut watched = Vec::new();
            for (subject, on) in watches::chosen_by(c, user_id)? {
                let shown = subjects::shown(c, &subject, Some(&actor))?;
                watched.push((subject, on, shown));
            }
            Ok((choices, feed_since, watched))
        })
        .await?;
    let has_errors = !errors.is_empty();
    page(
        SettingsPage {
            ctx,
            errors,
            own: ChoiceForm {
                rows: rows(&choices, false),
                default_label: format!("As {} chooses", user.organisation_name),
            },
            defaults: may_set_defaults.then(|| ChoiceForm {
                rows: rows(&choices, true),
                default_label: "Concord's default".to_string(),
            }),
            organisation_name: user.organisation_name.clone(),
            feed_since,
            new_feed_url,
            watched,
            notice,
        },
        has_errors,
    )
}

async fn settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let notice = match q.notice.as_deref() {
        Some("saved") => Some("Your choices are saved.".to_string()),
        Some("defaults") => Some("Your organisation's defaults are saved.".to_string()),
        Some("revoked") => Some("The feed address no longer works.".to_string()),
        Some("watching") => Some("Your watching choices are saved.".to_string()),
        _ => None,
    };
    settings_page(&state, ctx, user, FormErrors::default(), None, notice).await
}

/// Reads the form's kind → delivery fields; "" means "use the default".
/// Every kind must be present and every value known.
pub fn parse_choices(
    form: &HashMap<String, String>,
    prefix: &str,
) -> Result<Vec<(NotificationKind, Option<Delivery>)>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for kind in NotificationKind::ALL {
        let field = format!("{prefix}{}", kind.code());
        match form.get(&field).map(|v| v.trim()) {
            Some("") => out.push((*kind, None)),
            Some(code) => match Delivery::parse(code) {
                Some(d) => out.push((*kind, Some(d))),
                None => errors.push(FieldError::new(
                    &field,
                    format!(
                        "Choose how you want to hear about {}",
                        kind.label().to_lowercase()
                    ),
                )),
            },
            None => errors.push(FieldError::new(
                &field,
                format!(
                    "Choose how you want to hear about {}",
                    kind.label().to_lowercase()
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Saves choices for a person or an organisation, auditing what changed.
pub fn save(
    conn: &mut DbConn,
    who: Chooser,
    by: &SessionUser,
    choices: &[(NotificationKind, Option<Delivery>)],
) -> AppResult<()> {
    let mut changed = Vec::new();
    for (kind, delivery) in choices {
        let before = delivery::set(conn, who, *kind, *delivery)?;
        if before != *delivery {
            changed.push(serde_json::json!({
                "kind": kind.code(),
                "before": before.map(|d| d.label()),
                "after": delivery.map(|d| d.label()),
            }));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let change = match who {
        Chooser::Person(user) => {
            Change::new("notifications.delivery", "user", user).in_organisation(by.organisation_id)
        }
        Chooser::Organisation(org) => {
            Change::new("notifications.organisation_defaults", "organisation", org)
                .in_organisation(org)
        }
    };
    audit::record(conn, &by.audit_actor(), change.after(changed))?;
    Ok(())
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    own(&user)?;
    let choices = match parse_choices(&form, "") {
        Ok(c) => c,
        Err(errors) => {
            return settings_page(&state, ctx, user, FormErrors(errors), None, None).await
        }
    };
    let by = user.clone();
    state
        .db
        .write(move |c| save(c, Chooser::Person(by.id), &by, &choices))
        .await?;
    Ok(Redirect::to("/notifications/settings?notice=saved").into_response())
}

async fn save_defaults(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let org = user.organisation_id;
    authorize(
        Some(&user.actor()),
        Action::SetNotificationDefaults {
            organisation_id: org,
        },
    )?;
    let choices = match parse_choices(&form, "org-") {
        Ok(c) => c,
        Err(errors) => {
            return settings_page(&state, ctx, user, FormErrors(errors), None, None).await
        }
    };
    let by = user.clone();
    state
        .db
        .write(move |c| save(c, Chooser::Organisation(org), &by, &choices))
        .await?;
    Ok(Redirect::to("/notifications/settings?notice=defaults").into_response())
}

async fn renew_feed(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    own(&user)?;
    let by = user.clone();
    let token = state
        .db
        .write(move |c| {
            let token = feed::renew(c, by.id)?;
            audit::record(
                c,
                &by.audit_actor(),
                Change::new("notifications.feed_renew", "user", by.id)
                    .in_organisation(by.organisation_id),
            )?;
            Ok(token)
        })
        .await?;
    let url = format!(
        "{}/notifications/feed/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    settings_page(&state, ctx, user, FormErrors::default(), Some(url), None).await
}

async fn revoke_feed(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    own(&user)?;
    state
        .db
        .write(move |c| {
            if feed::revoke(c, user.id)? {
                audit::record(
                    c,
                    &user.audit_actor(),
                    Change::new("notifications.feed_revoke", "user", user.id)
                        .in_organisation(user.organisation_id),
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(Redirect::to("/notifications/settings?notice=revoked").into_response())
}

/// The feed: anyone with the secret address reads it (a feed reader has no
/// session); an unknown or revoked secret is not found.
async fn atom(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
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

/// Watches or stops watching something the person may see (404 otherwise).
pub fn set_watch(
    conn: &mut DbConn,
    user: &SessionUser,
    subject: &Subject,
    on: bool,
) -> AppResult<()> {
    if subjects::shown(conn, subject, Some(&user.actor()))?.is_none() {
        return Err(AppError::NotFound);
    }
    watches::set(conn, user.id, subject, on)?;
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
        .write(move |c| set_watch(c, &user, &subject, on))
        .await?;
    let back = local_redirect(&form.back)
        .unwrap_or_else(|| "/notifications/settings?notice=watching".to_string());
    Ok(Redirect::to(&back).into_response())
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

async fn unsubscribe_page(
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
async fn unsubscribe(
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
