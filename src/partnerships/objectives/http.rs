//! Objectives pages: the list with the add form, one objective with its
//! progress history and update form, and the edit form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::store::{self, ObjectiveInput, ObjectiveView, ProgressInput, ProgressView};
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::legacy::load;
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::{forms, html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/objectives", get(list_page).post(create))
        .route("/partnerships/{id}/objectives/{oid}", get(objective_page))
        .route(
            "/partnerships/{id}/objectives/{oid}/edit",
            get(edit_page).post(edit),
        )
        .route(
            "/partnerships/{id}/objectives/{oid}/updates",
            post(progress),
        )
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The objective form's fields, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ObjectiveForm {
    pub title: String,
    pub measure: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    pub start_date_day: String,
    pub start_date_month: String,
    pub start_date_year: String,
    pub due_date_day: String,
    pub due_date_month: String,
    pub due_date_year: String,
    pub owner: String,
}

const FIELD_ORDER: [&str; 8] = [
    "title",
    "measure",
    "unit",
    "baseline",
    "target",
    "start_date",
    "due_date",
    "owner",
];

/// A blank number is "missing" (the store says so); anything else must parse.
fn optional_number(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    value: &str,
) -> Option<f64> {
    if value.trim().is_empty() {
        return None;
    }
    forms::number(field, label, value)
        .map_err(|e| errors.push(e))
        .ok()
}

fn date_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    d: &str,
    m: &str,
    y: &str,
) -> Option<NaiveDate> {
    forms::date(field, label, d, m, y).unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

impl ObjectiveForm {
    fn from_view(o: &ObjectiveView) -> Self {
        let (sd, sm, sy) = forms::date_parts(Some(o.start_date));
        let (dd, dm, dy) = forms::date_parts(Some(o.due_date));
        ObjectiveForm {
            title: o.title.clone(),
            measure: o.measure.clone(),
            unit: o.unit.clone(),
            baseline: o.baseline.to_string(),
            target: o.target.to_string(),
            start_date_day: sd,
            start_date_month: sm,
            start_date_year: sy,
            due_date_day: dd,
            due_date_month: dm,
            due_date_year: dy,
            owner: o.owner.clone(),
        }
    }

    /// The input, and any typing errors (which the store's checks cannot see).
    fn parse(&self) -> (ObjectiveInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let input = ObjectiveInput {
            title: self.title.clone(),
            measure: self.measure.clone(),
            unit: self.unit.clone(),
            baseline: optional_number(&mut errors, "baseline", "Baseline", &self.baseline),
            target: optional_number(&mut errors, "target", "Target", &self.target),
            start_date: date_field(
                &mut errors,
                "start_date",
                "Start date",
                &self.start_date_day,
                &self.start_date_month,
                &self.start_date_year,
            ),
            due_date: date_field(
                &mut errors,
                "due_date",
                "Due date",
                &self.due_date_day,
                &self.due_date_month,
                &self.due_date_year,
            ),
            owner: self.owner.clone(),
        };
        (input, errors)
    }
}

/// Typing errors first, then the store's for fields without one, in form order.
fn merge(mut errors: Vec<FieldError>, more: Vec<FieldError>, order: &[&str]) -> Vec<FieldError> {
    for e in more {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
    errors.sort_by_key(|e| {
        order
            .iter()
            .position(|f| *f == e.field)
            .unwrap_or(order.len())
    });
    errors
}

/// Owner choices: the active member organisations.
async fn owners(state: &AppState, pid: i64) -> AppResult<Vec<(String, String)>> {
    let orgs = state
        .db
        .read(move |c| crate::partnerships::legacy::active_member_orgs(c, pid))
        .await?;
    Ok(
        std::iter::once((String::new(), "Select the owning partner".to_string()))
            .chain(orgs.into_iter().map(|(_, code, name)| (code, name)))
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "partnerships/objectives/list.html")]
struct ListPage {
    ctx: PageCtx,
    h: Header,
    objectives: Vec<ObjectiveView>,
    errors: FormErrors,
    form: ObjectiveForm,
    owners: Vec<(String, String)>,
}

async fn render_list(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: FormErrors,
    form: ObjectiveForm,
) -> AppResult<Response> {
    let pid = p.id;
    let objectives = state.db.read(move |c| store::list(c, pid, today())).await?;
    let owners = owners(state, pid).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = crate::partnerships::legacy::header(p, rel, "objectives", ctx.user.as_ref());
    Ok((
        status,
        html(ListPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            objectives,
            errors,
            form,
            owners,
        })?,
    )
        .into_response())
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    // Suggest the signer's own organisation as the owner; the select ignores it if not a member.
    let form = ObjectiveForm {
        owner: ctx
            .user
            .as_ref()
            .map(|u| u.organisation_code.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    render_list(&state, ctx, p, rel, FormErrors::default(), form).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ObjectiveForm>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let (input, typing) = form.parse();
    let result = if typing.is_empty() {
        let actor = user.audit_actor();
        state
            .db
            .write(move |c| store::create(c, id, &input, &actor, today()))
            .await
            .map(|o| o.id)
    } else {
        let more = state
            .db
            .read(move |c| store::problems(c, id, &input, None))
            .await?;
        Err(AppError::Invalid(merge(typing, more, &FIELD_ORDER)))
    };
    match result {
        Ok(oid) => {
            Ok(Redirect::to(&format!("/partnerships/{id}/objectives/{oid}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_list(
                &state,
                ctx,
                p,
                rel,
                FormErrors(merge(errors, vec![], &FIELD_ORDER)),
                form,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The progress form's fields, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProgressForm {
    pub value: String,
    pub recorded_on_day: String,
    pub recorded_on_month: String,
    pub recorded_on_year: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "partnerships/objectives/objective.html")]
struct ObjectivePage {
    ctx: PageCtx,
    h: Header,
    o: ObjectiveView,
    updates: Vec<ProgressView>,
    errors: FormErrors,
    form: ProgressForm,
    today: NaiveDate,
}

impl ObjectivePage {
    fn value_hint(&self) -> String {
        match self.o.unit.as_str() {
            "" => "The measure's latest value".to_string(),
            unit => format!("The measure's latest value, in {unit}"),
        }
    }
    fn date_hint(&self) -> String {
        format!(
            "When the value was measured. Leave blank for today, {}",
            self.today.format("%-d %-m %Y")
        )
    }
}

async fn render_objective(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    oid: i64,
    errors: FormErrors,
    form: ProgressForm,
) -> AppResult<Response> {
    let pid = p.id;
    let (o, updates) = state
        .db
        .read(move |c| {
            Ok((
                store::get(c, pid, oid, today())?,
                store::history(c, pid, oid)?,
            ))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = crate::partnerships::legacy::header(p, rel, "objectives", ctx.user.as_ref());
    Ok((
        status,
        html(ObjectivePage {
            ctx: ctx.with_nav("partnerships"),
            h,
            o,
            updates,
            errors,
            form,
            today: today(),
        })?,
    )
        .into_response())
}

async fn objective_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, oid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    render_objective(
        &state,
        ctx,
        p,
        rel,
        oid,
        FormErrors::default(),
        ProgressForm::default(),
    )
    .await
}

async fn progress(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, oid)): Path<(i64, i64)>,
    Form(form): Form<ProgressForm>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let mut errors = Vec::new();
    let value = optional_number(&mut errors, "value", "Value", &form.value);
    let recorded_on = date_field(
        &mut errors,
        "recorded_on",
        "Date recorded",
        &form.recorded_on_day,
        &form.recorded_on_month,
        &form.recorded_on_year,
    );
    let input = ProgressInput {
        value,
        recorded_on,
        note: form.note.clone(),
    };
    let order = ["value", "recorded_on", "note"];
    let result = if errors.is_empty() {
        let (user_id, actor) = (user.id, user.audit_actor());
        state
            .db
            .write(move |c| {
                store::record_progress(c, id, oid, &input, Some(user_id), &actor, today())
            })
            .await
            .map(|_| ())
    } else {
        // Check the rest without writing, so every problem shows at once.
        let o = state
            .db
            .read(move |c| store::get(c, id, oid, today()))
            .await?;
        Err(AppError::Invalid(merge(
            errors,
            store::check_progress(&o, &input, today())
                .err()
                .unwrap_or_default(),
            &order,
        )))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/objectives/{oid}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_objective(
                &state,
                ctx,
                p,
                rel,
                oid,
                FormErrors(merge(errors, vec![], &order)),
                form,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "partnerships/objectives/edit.html")]
struct EditPage {
    ctx: PageCtx,
    p: Partnership,
    o: ObjectiveView,
    errors: FormErrors,
    form: ObjectiveForm,
    owners: Vec<(String, String)>,
}

async fn render_edit(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    o: ObjectiveView,
    errors: FormErrors,
    form: ObjectiveForm,
) -> AppResult<Response> {
    let mut owners = owners(state, p.id).await?;
    // An owner that has since left stays selectable until someone changes it.
    if !owners
        .iter()
        .any(|(code, _)| code.eq_ignore_ascii_case(&o.owner))
    {
        owners.push((
            o.owner.clone(),
            format!("{} (no longer a member)", o.owner_name),
        ));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        html(EditPage {
            ctx: ctx.with_nav("partnerships"),
            p,
            o,
            errors,
            form,
            owners,
        })?,
    )
        .into_response())
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, oid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let o = state
        .db
        .read(move |c| store::get(c, id, oid, today()))
        .await?;
    let form = ObjectiveForm::from_view(&o);
    render_edit(&state, ctx, p, o, FormErrors::default(), form).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, oid)): Path<(i64, i64)>,
    Form(form): Form<ObjectiveForm>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let o = state
        .db
        .read(move |c| store::get(c, id, oid, today()))
        .await?;
    let (input, typing) = form.parse();
    let result = if typing.is_empty() {
        let actor = user.audit_actor();
        state
            .db
            .write(move |c| store::update(c, id, oid, &input, &actor, today()))
            .await
            .map(|_| ())
    } else {
        let current = o.clone();
        let more = state
            .db
            .read(move |c| store::problems(c, id, &input, Some(&current)))
            .await?;
        Err(AppError::Invalid(merge(typing, more, &FIELD_ORDER)))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/objectives/{oid}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_edit(
                &state,
                ctx,
                p,
                o,
                FormErrors(merge(errors, vec![], &FIELD_ORDER)),
                form,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
