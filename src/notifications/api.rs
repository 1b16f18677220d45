//! The notifications API: the caller's own inbox, delivery choices and
//! watches. Everything here is about the caller; nobody reads another's.

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::delivery::{self, Choice, Chooser, Delivery};
use super::store::{self, Notification};
use super::subjects::{self, Subject};
use super::watches::{self, Watching};
use super::NotificationKind;
use crate::api::{JsonBody, Path, Query};
use crate::auth::{ApiCaller, SessionUser};
use crate::error::{ApiResult, AppError, AppResult, FieldError};
use crate::policy::{authorize, Action};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/{id}/read", post(read_one))
        .route("/api/v1/notifications/read-all", post(read_all))
        .route(
            "/api/v1/notification-settings",
            get(settings).put(save_settings),
        )
        .route("/api/v1/watches", get(watched))
        .route(
            "/api/v1/watches/{subject_type}/{subject_id}",
            put(watch).get(watch_state),
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, read_one, read_all, settings, save_settings, watched, watch_state, watch),
    components(schemas(NotificationKind, Delivery, Notification, NotificationList, Choice, SettingsDraft, KindChoice, Watched, Watching, WatchDraft, Marked)),
    tags((name = "notifications", description = "The caller's notifications, how each kind reaches them, and what they watch"))
)]
pub struct Doc;

fn me(caller: &ApiCaller) -> AppResult<SessionUser> {
    let user = caller.require()?.clone();
    authorize(Some(&user.actor()), Action::ManageOwnAccount)?;
    Ok(user)
}

#[derive(Deserialize, IntoParams, Debug)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// A page of notifications, newest first, with the unread count.
#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
    pub unread: i64,
}

/// The caller's notifications.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(ListParams),
    responses((status = 200, body = NotificationList)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<NotificationList>> {
    let user = me(&caller)?;
    let paging = crate::api::PagingParams {
        page: p.page,
        per_page: p.per_page,
    }
    .check()?;
    let unread_only = p.unread.unwrap_or(false);
    let ((items, total), unread) = state
        .db
        .read(move |c| {
            Ok((
                store::list(c, user.id, unread_only, paging.offset(), paging.per_page)?,
                store::unread_count(c, user.id)?,
            ))
        })
        .await?;
    Ok(Json(NotificationList {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
        total_pages: ((total + paging.per_page - 1) / paging.per_page).max(1),
        unread,
    }))
}

/// Mark one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 200, body = Notification)), security(("bearer" = [])))]
pub async fn read_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Notification>> {
    let user = me(&caller)?;
    let n = state
        .db
        .write(move |c| store::mark_read(c, user.id, id))
        .await?;
    Ok(Json(n))
}

/// How many notifications a call marked read.
#[derive(Serialize, ToSchema)]
pub struct Marked {
    pub marked: usize,
}

/// Mark all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = Marked)), security(("bearer" = [])))]
pub async fn read_all(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<Marked>> {
    let user = me(&caller)?;
    let marked = state
        .db
        .write(move |c| store::mark_all_read(c, user.id))
        .await?;
    Ok(Json(Marked { marked }))
}

/// How each kind of notification reaches the caller, and why.
#[utoipa::path(get, path = "/api/v1/notification-settings", tag = "notifications",
    responses((status = 200, body = Vec<Choice>)), security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<Choice>>> {
    let user = me(&caller)?;
    let choices = state
        .db
        .read(move |c| delivery::choices(c, user.id, user.organisation_id))
        .await?;
    Ok(Json(choices))
}

/// One kind's choice: a delivery, or null to follow the organisation's default.
#[derive(Deserialize, ToSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct KindChoice {
    pub kind: String,
    pub delivery: Option<String>,
}

/// The choices to change; kinds not listed stay as they are.
#[derive(Deserialize, ToSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct SettingsDraft {
    pub choices: Vec<KindChoice>,
}

/// Change how some kinds reach the caller.
#[utoipa::path(put, path = "/api/v1/notification-settings", tag = "notifications", request_body = SettingsDraft,
    responses((status = 200, body = Vec<Choice>)), security(("bearer" = [])))]
pub async fn save_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: JsonBody<SettingsDraft>,
) -> ApiResult<Json<Vec<Choice>>> {
    let user = me(&caller)?;
    let draft = body.parse()?;
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (i, choice) in draft.choices.iter().enumerate() {
        let kind = NotificationKind::parse(&choice.kind);
        let delivery = match choice.delivery.as_deref() {
            None => Some(None),
            Some(code) => Delivery::parse(code).map(Some),
        };
        match (kind, delivery) {
            (Some(k), Some(d)) => parsed.push((k, d)),
            (None, _) => errors.push(FieldError::new(
                &format!("choices[{i}].kind"),
                format!(
                    "kind must be one of {}",
                    codes(NotificationKind::ALL.iter().map(|k| k.code()))
                ),
            )),
            (_, None) => errors.push(FieldError::new(
                &format!("choices[{i}].delivery"),
                format!(
                    "delivery must be null or one of {}",
                    codes(Delivery::ALL.iter().map(|d| d.code()))
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let choices = state
        .db
        .write(move |c| {
            delivery::save(c, Chooser::Person(user.id), &user, &parsed)?;
            delivery::choices(c, user.id, user.organisation_id)
        })
        .await?;
    Ok(Json(choices))
}

fn codes<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

/// Something the caller chose to watch or stop watching.
#[derive(Serialize, ToSchema)]
pub struct Watched {
    pub subject_type: String,
    pub subject_id: i64,
    pub watching: bool,
    pub title: String,
    /// A path on this site.
    pub link: String,
}

/// What the caller chose to watch or stop watching (that they may still see).
#[utoipa::path(get, path = "/api/v1/watches", tag = "notifications",
    responses((status = 200, body = Vec<Watched>)), security(("bearer" = [])))]
pub async fn watched(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<Watched>>> {
    let user = me(&caller)?;
    let list = state
        .db
        .read(move |c| {
            let actor = user.actor();
            let mut out = Vec::new();
            for (subject, on) in watches::chosen_by(c, user.id)? {
                if let Some(shown) = subjects::shown(c, &subject, Some(&actor))? {
                    out.push(Watched {
                        subject_type: subject.kind,
                        subject_id: subject.id,
                        watching: on,
                        title: shown.title,
                        link: shown.link,
                    });
                }
            }
            Ok(out)
        })
        .await?;
    Ok(Json(list))
}

/// Whether to watch.
#[derive(Deserialize, ToSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct WatchDraft {
    pub watching: bool,
}

/// Whether the caller watches something, and why.
#[utoipa::path(get, path = "/api/v1/watches/{subject_type}/{subject_id}", tag = "notifications",
    params(("subject_type" = String, Path, description = "partnership, organisation or service"),
        ("subject_id" = i64, Path, description = "The record's id")),
    responses((status = 200, body = Watching)), security(("bearer" = [])))]
pub async fn watch_state(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((kind, id)): Path<(String, i64)>,
) -> ApiResult<Json<Watching>> {
    let user = me(&caller)?;
    let subject = Subject::new(&kind, id);
    let w = state
        .db
        .read(move |c| {
            if subjects::shown(c, &subject, Some(&user.actor()))?.is_none() {
                return Err(AppError::NotFound);
            }
            watches::state(c, user.id, &subject)
        })
        .await?;
    Ok(Json(w))
}

/// Watch, or stop watching, something the caller may see.
#[utoipa::path(put, path = "/api/v1/watches/{subject_type}/{subject_id}", tag = "notifications", request_body = WatchDraft,
    params(("subject_type" = String, Path, description = "partnership, organisation or service"),
        ("subject_id" = i64, Path, description = "The record's id")),
    responses((status = 200, body = Watching)), security(("bearer" = [])))]
pub async fn watch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((kind, id)): Path<(String, i64)>,
    body: JsonBody<WatchDraft>,
) -> ApiResult<Json<Watching>> {
    let user = me(&caller)?;
    let subject = Subject::new(&kind, id);
    // Not found before a bad body: someone who may not see it learns nothing.
    let visible = {
        let (s, actor) = (subject.clone(), user.actor());
        state
            .db
            .read(move |c| subjects::shown(c, &s, Some(&actor)))
            .await?
    };
    if visible.is_none() {
        return Err(AppError::NotFound.into());
    }
    let on = body.parse()?.watching;
    let w = state
        .db
        .write(move |c| {
            watches::choose(c, &user, &subject, on)?;
            watches::state(c, user.id, &subject)
        })
        .await?;
    Ok(Json(w))
}
