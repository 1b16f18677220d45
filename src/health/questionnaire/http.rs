//! Questionnaire pages: the list (Concord's own and the organisation's),
//! one questionnaire with its versions, one version, and the forms to
//! create a questionnaire and publish a new version. A questionnaire is
//! written in one text box (see [`super::model::to_text`]), so the pages
//! need no JavaScript: `#` names a factor, `-` starts a statement.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::store::{self, Questionnaire};
use crate::auth::SessionUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{allows, authorize};
use crate::state::AppState;
use crate::web::{page, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health/questionnaires", get(index))
        .route("/health/questionnaires/new", get(new_page).post(create))
        .route("/health/questionnaires/{id}", get(show))
        .route(
            "/health/questionnaires/{id}/versions/new",
            get(version_form).post(publish),
        )
        .route(
            "/health/questionnaires/{id}/versions/{version}",
            get(version),
        )
}

/// An id in a page's address; anything else is a page that does not exist.
fn id_of(text: &str) -> AppResult<i64> {
    text.parse().map_err(|_| AppError::NotFound)
}

fn signed_in(ctx: &PageCtx) -> AppResult<SessionUser> {
    ctx.user.clone().ok_or(AppError::Unauthenticated)
}

fn may_edit(ctx: &PageCtx, organisation_id: Option<i64>) -> bool {
    let actor = ctx.user.as_ref().map(SessionUser::actor);
    allows(actor.as_ref(), store::edit_action(organisation_id))
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "health/questionnaires.html")]
struct IndexPage {
    ctx: PageCtx,
    questionnaires: Vec<(QuestionnaireView, String)>,
    can_create: bool,
}

async fn index(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Response> {
    let user = signed_in(&ctx)?;
    let org = user.organisation_id;
    let questionnaires = state
        .db
        .read(move |c| {
            store::usable_by(c, Some(org), false)?
                .into_iter()
                .map(|q| {
                    let owner = store::owner_name(c, q.organisation_id)?;
                    Ok((q, owner))
                })
                .collect::<AppResult<Vec<_>>>()
        })
        .await?;
    let can_create = may_edit(&ctx, Some(org));
    page(
        IndexPage {
            ctx: ctx.with_nav("partnerships"),
            questionnaires,
            can_create,
        },
        false,
    )
}

// ---------------------------------------------------------------- one questionnaire

#[derive(Deserialize, Default)]
struct Notice {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "health/questionnaire.html")]
struct ShowPage {
    ctx: PageCtx,
    q: QuestionnaireDetail,
    /// The latest version.
    v: VersionView,
    can_edit: bool,
    can_copy: bool,
    notice: Option<&'static str>,
}

async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let actor = ctx.user.as_ref().map(SessionUser::actor);
    let q = state
        .db
        .read(move |c| {
            let found = store::open(c, id, actor.as_ref(), store::view_action)?;
            store::detail(c, &found)
        })
        .await?;
    let v = q
        .versions
        .first()
        .cloned()
        .ok_or_else(|| AppError::internal("a questionnaire without a version"))?;
    let notice = match n.notice.as_deref() {
        Some("created") => {
            Some("Questionnaire created. Leads can choose it when they start a health check.")
        }
        Some("published") => Some(
            "New version published. Rounds started from now on use it; earlier rounds keep theirs.",
        ),
        _ => None,
    };
    let can_edit = may_edit(&ctx, q.organisation_id);
    let can_copy = ctx
        .user
        .as_ref()
        .is_some_and(|u| may_edit(&ctx, Some(u.organisation_id)));
    page(
        ShowPage {
            ctx: ctx.with_nav("partnerships"),
            q,
            v,
            can_edit,
            can_copy,
            notice,
        },
        false,
    )
}

#[derive(Template)]
#[template(path = "health/questionnaire_version.html")]
struct VersionPage {
    ctx: PageCtx,
    q: QuestionnaireDetail,
    v: VersionView,
    latest: i32,
}

async fn version(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let number: i32 = number.parse().map_err(|_| AppError::NotFound)?;
    let actor = ctx.user.as_ref().map(SessionUser::actor);
    let (q, v) = state
        .db
        .read(move |c| {
            let found = store::open(c, id, actor.as_ref(), store::view_action)?;
            let v = store::version(c, id, number)?;
            let mut q = store::detail(c, &found)?;
            q.versions.iter_mut().for_each(|v| v.factors.clear());
            Ok((q, v))
        })
        .await?;
    let latest = q.versions.first().map_or(0, |v| v.version);
    page(
        VersionPage {
            ctx: ctx.with_nav("partnerships"),
            q,
            v,
            latest,
        },
        false,
    )
}

// ---------------------------------------------------------------- the forms

#[derive(Clone, Debug, Default, Deserialize)]
pub struct QuestionnaireForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    factors: String,
    /// The questionnaire this one was started from, if any.
    #[serde(default)]
    from: String,
}

#[derive(Template)]
#[template(path = "health/questionnaire_form.html")]
struct FormPage {
    ctx: PageCtx,
    /// None: a new questionnaire; Some: a new version of this one.
    of: Option<QuestionnaireDetail>,
    /// Questionnaires to start from (id, name), for a new one.
    starts: Vec<(i64, String)>,
    form: QuestionnaireForm,
    errors: FormErrors,
}

impl FormPage {
    fn factor_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.field == "factors")
            .map(|e| e.message.as_str())
            .collect()
    }
}

fn form_page(
    ctx: PageCtx,
    of: Option<QuestionnaireDetail>,
    starts: Vec<(i64, String)>,
    form: QuestionnaireForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let invalid = !errors.is_empty();
    page(
        FormPage {
            ctx: ctx.with_nav("partnerships"),
            of,
            starts,
            form,
            errors: FormErrors(errors),
        },
        invalid,
    )
}

#[derive(Deserialize, Default)]
struct From {
    from: Option<String>,
}

/// The questionnaires a new one may start from: those the person may use.
fn starts(c: &mut crate::db::DbConn, organisation_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(store::usable_by(c, Some(organisation_id), false)?
        .into_iter()
        .map(|q| (q.id, q.name))
        .collect())
}

async fn new_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(f): Query<From>,
) -> AppResult<Response> {
    let user = signed_in(&ctx)?;
    let org = user.organisation_id;
    authorize(Some(&user.actor()), store::edit_action(Some(org)))?;
    let from = match f.from.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(id_of(id)?),
    };
    let actor = user.actor();
    let (starts, form) = state
        .db
        .read(move |c| {
            let mut form = QuestionnaireForm::default();
            if let Some(from) = from {
                let found = store::open(c, from, Some(&actor), store::view_action)?;
                let (version_id, _, _) =
                    store::latest_version(c, found.id)?.ok_or(AppError::NotFound)?;
                form.factors = to_text(&store::factors(c, version_id)?);
                form.from = found.id.to_string();
            }
            Ok((starts(c, org)?, form))
        })
        .await?;
    form_page(ctx, None, starts, form, Vec::new())
}

/// Reads the form's text box into factors, naming lines in errors.
fn read(
    form: &QuestionnaireForm,
    parsed: impl FnOnce(&[FactorDraft]) -> Result<(), Vec<Problem>>,
) -> Result<(), Vec<FieldError>> {
    let reading = TextReading::of(&form.factors);
    let problems = parsed(&reading.factors).err().unwrap_or_default();
    let errors = reading.form_errors(problems, "name", "factors");
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<QuestionnaireForm>,
) -> AppResult<Response> {
    let user = signed_in(&ctx)?;
    let org = Some(user.organisation_id);
    authorize(Some(&user.actor()), store::edit_action(org))?;
    let like = form.from.trim().parse::<i64>().ok();
    let f = form.clone();
    let by = user.clone();
    let made = state
        .db
        .write(move |c| {
            // The questionnaire it started from lends its factors' codes,
            // if the person may see it.
            let like = match like {
                Some(id) => store::open(c, id, Some(&by.actor()), store::view_action)
                    .ok()
                    .map(|q| q.id),
                None => None,
            };
            let taken = store::names_of(c, org)?;
            let mut input = None;
            read(&f, |factors| {
                let draft = QuestionnaireDraft {
                    name: f.name.clone(),
                    factors: factors.to_vec(),
                };
                input = Some(QuestionnaireInput::parse(&draft, &taken)?);
                Ok(())
            })
            .map_err(AppError::Invalid)?;
            let input = input.ok_or_else(|| AppError::internal("no input"))?;
            store::create(c, &by, org, &input, like)
        })
        .await;
    match made {
        Ok(q) => Ok(
            Redirect::to(&format!("/health/questionnaires/{}?notice=created", q.id))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let org = user.organisation_id;
            let starts = state.db.read(move |c| starts(c, org)).await?;
            form_page(ctx, None, starts, form, errors)
        }
        Err(e) => Err(e),
    }
}

/// The questionnaire (404 if another organisation's), for its editors.
async fn editable(
    state: &AppState,
    ctx: &PageCtx,
    id: i64,
) -> AppResult<(Questionnaire, QuestionnaireDetail)> {
    let actor = ctx.user.as_ref().map(SessionUser::actor);
    state
        .db
        .read(move |c| {
            let found = store::open(c, id, actor.as_ref(), store::edit_action)?;
            let detail = store::detail(c, &found)?;
            Ok((found, detail))
        })
        .await
}

async fn version_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (_, detail) = editable(&state, &ctx, id_of(&id)?).await?;
    let form = QuestionnaireForm {
        name: detail.name.clone(),
        factors: detail
            .versions
            .first()
            .map(|v| to_text(&v.factors))
            .unwrap_or_default(),
        from: String::new(),
    };
    form_page(ctx, Some(detail), Vec::new(), form, Vec::new())
}

async fn publish(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(form): Form<QuestionnaireForm>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let actor = ctx.user.as_ref().map(SessionUser::actor);
    let user = ctx.user.clone();
    let f = form.clone();
    let published = state
        .db
        .write(move |c| {
            let found = store::open(c, id, actor.as_ref(), store::edit_action)?;
            let user = user.ok_or(AppError::Unauthenticated)?;
            let mut input = None;
            read(&f, |factors| {
                input = Some(FactorsInput::parse(factors)?);
                Ok(())
            })
            .map_err(AppError::Invalid)?;
            let input = input.ok_or_else(|| AppError::internal("no input"))?;
            store::publish(c, &user, &found, &input)
        })
        .await;
    match published {
        Ok(_) => Ok(
            Redirect::to(&format!("/health/questionnaires/{id}?notice=published")).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let (_, detail) = editable(&state, &ctx, id).await?;
            let form = QuestionnaireForm {
                name: detail.name.clone(),
                ..form
            };
            form_page(ctx, Some(detail), Vec::new(), form, errors)
        }
        Err(e) => Err(e),
    }
}
