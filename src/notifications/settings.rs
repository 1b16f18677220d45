//! The settings page: how each kind of notification reaches a person, their
//! organisation's defaults (for its admins), and the feed address.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use crate::audit::{self, Change};
use crate::auth::{SessionUser, SignedIn};
use crate::error::{AppResult, FieldError};
use crate::notifications::delivery::{self, Choice, Chooser, Delivery};
use crate::notifications::subjects::{self, Subject};
use crate::notifications::{feed, watches, NotificationKind};
use crate::policy::{allows, authorize, Action};
use crate::state::AppState;
use crate::web::{page, FormErrors, PageCtx};

/// Every notifications page is about the signed-in person's own account.
pub(super) fn own(user: &SessionUser) -> AppResult<()> {
    authorize(Some(&user.actor()), Action::ManageOwnAccount)
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
pub(super) struct NoticeQuery {
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

pub(super) async fn settings(
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

pub(super) async fn save_settings(
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
        .write(move |c| delivery::save(c, Chooser::Person(by.id), &by, &choices))
        .await?;
    Ok(Redirect::to("/notifications/settings?notice=saved").into_response())
}

pub(super) async fn save_defaults(
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
        .write(move |c| delivery::save(c, Chooser::Organisation(org), &by, &choices))
        .await?;
    Ok(Redirect::to("/notifications/settings?notice=defaults").into_response())
}

pub(super) async fn renew_feed(
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

pub(super) async fn revoke_feed(
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
