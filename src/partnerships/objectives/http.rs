//! Objectives pages: the list with the add form, one objective with its
//! progress history and update form, and the edit form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMembers, Partnership};
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::{forms, html, submitted, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/objectives", get(index).post(create))
        .route("/partnerships/{id}/objectives/{oid}", get(show))
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

fn status(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
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

/// A blank number is left out (the rules say so); anything else must read as one.
fn optional_number(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    value: &str,
) -> Option<f64> {
    if value.trim().is_empty() {
        return None;
    }
    forms::keep(errors, forms::number(field, label, value))
}

/// A date from its three boxes: none if all are blank, else it must read as a date.
fn date_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    [d, m, y]: [&str; 3],
) -> Option<NaiveDate> {
    forms::keep(errors, forms::date(field, label, d, m, y)).flatten()
}

impl ObjectiveForm {
    fn from_draft(d: &ObjectiveDraft) -> Self {
        let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
        let (sd, sm, sy) = forms::date_parts(d.start_date);
        let (dd, dm, dy) = forms::date_parts(d.due_date);
        ObjectiveForm {
            title: d.title.clone(),
            measure: d.measure.clone(),
            unit: d.unit.clone(),
            baseline: number(d.baseline),
            target: number(d.target),
            start_date_day: sd,
            start_date_month: sm,
            start_date_year: sy,
            due_date_day: dd,
            due_date_month: dm,
            due_date_year: dy,
            owner: d.owner.clone(),
        }
    }

    /// What could be read, and what could not (a number or a date that is not one).
    fn to_draft(&self) -> (ObjectiveDraft, Vec<FieldError>) {
        let mut errors = Vec::new();
        let draft = ObjectiveDraft {
            title: self.title.clone(),
            measure: self.measure.clone(),
            unit: self.unit.clone(),
            baseline: optional_number(&mut errors, "baseline", "Baseline", &self.baseline),
            target: optional_number(&mut errors, "target", "Target", &self.target),
            start_date: date_field(
                &mut errors,
                "start_date",
                "Start date",
                [
                    &self.start_date_day,
                    &self.start_date_month,
                    &self.start_date_year,
                ],
            ),
            due_date: date_field(
                &mut errors,
                "due_date",
                "Due date",
                [
                    &self.due_date_day,
                    &self.due_date_month,
                    &self.due_date_year,
                ],
            ),
            owner: self.owner.clone(),
        };
        (draft, errors)
    }

    /// The objective as typed, checked against the partnership as it is now.
    fn check(
        &self,
        w: &mut Work<'_, Partnership>,
        current: Option<&ObjectiveView>,
    ) -> AppResult<ObjectiveInput> {
        let (draft, reading) = self.to_draft();
        let rules = match store::check(w.conn, w.record.id, &draft, current) {
            Ok(input) => Ok(input),
            Err(AppError::Invalid(errors)) => Err(errors),
            Err(e) => return Err(e),
        };
        forms::checked(reading, rules, &FIELD_ORDER).map_err(AppError::Invalid)
    }
}

/// Owner choices: the active member organisations, after a blank choice.
fn owners(active: &ActiveMembers) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Select the owning partner".to_string()))
        .chain(active.iter().map(|m| (m.code.clone(), m.name.clone())))
        .collect()
}

#[derive(Template)]
#[template(path = "partnerships/objectives/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    objectives: Vec<ObjectiveView>,
    errors: FormErrors,
    form: ObjectiveForm,
    owners: Vec<(String, String)>,
}

/// Draws the list with the add form; `form` is `None` to start a blank one.
async fn render_index(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: Vec<FieldError>,
    form: Option<ObjectiveForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        let objectives = store::list(w.conn, id, today())?;
        let owners = owners(&partnerships::active_members(w.conn, id)?);
        // Suggest the signer's own organisation as the owner; the select ignores it if not a member.
        let form = form.unwrap_or_else(|| ObjectiveForm {
            owner: w
                .person()
                .map(|u| u.organisation_code.clone())
                .unwrap_or_default(),
            ..Default::default()
        });
        let page = IndexPage {
            h: Header::of(w, "objectives"),
            objectives,
            errors: FormErrors(errors),
            form,
            owners,
            ctx: ctx.with_nav("partnerships"),
        };
        Ok((status(&page.errors.0), html(page)?).into_response())
    })
    .await
}

async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    render_index(&state, ctx, id, vec![], None).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<ObjectiveForm>,
) -> AppResult<Response> {
    let typed = form.clone();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let input = typed.check(w, None)?;
            store::create(w, &input, today())
        },
    )
    .await;
    submitted(
        result,
        |o| format!("/partnerships/{id}/objectives/{}", o.id),
        |errors| async move { render_index(&state, ctx, id, errors, Some(form)).await },
    )
    .await
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

impl ProgressForm {
    /// The update as typed, checked against its objective.
    fn check(&self, o: &ObjectiveView, today: NaiveDate) -> Result<ProgressInput, Vec<FieldError>> {
        let mut reading = Vec::new();
        let draft = ProgressDraft {
            value: optional_number(&mut reading, "value", "Value", &self.value),
            recorded_on: date_field(
                &mut reading,
                "recorded_on",
                "Date recorded",
                [
                    &self.recorded_on_day,
                    &self.recorded_on_month,
                    &self.recorded_on_year,
                ],
            ),
            note: self.note.clone(),
        };
        forms::checked(
            reading,
            ProgressInput::parse(&draft, o, today),
            &PROGRESS_ORDER,
        )
    }
}

#[derive(Template)]
#[template(path = "partnerships/objectives/show.html")]
struct ShowPage {
    ctx: PageCtx,
    h: Header,
    o: ObjectiveView,
    updates: Vec<ProgressView>,
    errors: FormErrors,
    form: ProgressForm,
    today: NaiveDate,
}

impl ShowPage {
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

async fn render_show(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    oid: i64,
    errors: Vec<FieldError>,
    form: ProgressForm,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        let today = today();
        let o = store::get(w.conn, id, oid, today)?;
        let updates = store::history(w.conn, id, oid)?;
        let page = ShowPage {
            h: Header::of(w, "objectives"),
            o,
            updates,
            errors: FormErrors(errors),
            form,
            today,
            ctx: ctx.with_nav("partnerships"),
        };
        Ok((status(&page.errors.0), html(page)?).into_response())
    })
    .await
}

async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, oid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    render_show(&state, ctx, id, oid, vec![], ProgressForm::default()).await
}

async fn progress(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, oid)): Path<(i64, i64)>,
    Form(form): Form<ProgressForm>,
) -> AppResult<Response> {
    let typed = form.clone();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let o = store::get(w.conn, id, oid, today)?;
            let input = typed.check(&o, today).map_err(AppError::Invalid)?;
            store::record_progress(w, &o, &input)
        },
    )
    .await;
    submitted(
        result,
        |_| format!("/partnerships/{id}/objectives/{oid}"),
        |errors| async move { render_show(&state, ctx, id, oid, errors, form).await },
    )
    .await
}

#[derive(Template)]
#[template(path = "partnerships/objectives/form.html")]
struct FormPage {
    ctx: PageCtx,
    h: Header,
    o: ObjectiveView,
    errors: FormErrors,
    form: ObjectiveForm,
    owners: Vec<(String, String)>,
}

/// Draws the edit form; `form` is `None` to start from the objective as it is.
async fn render_form(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    oid: i64,
    errors: Vec<FieldError>,
    form: Option<ObjectiveForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let o = store::get(w.conn, id, oid, today())?;
            let mut owners = owners(&partnerships::active_members(w.conn, id)?);
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
            let form = form.unwrap_or_else(|| ObjectiveForm::from_draft(&o.draft()));
            let page = FormPage {
                h: Header::of(w, "objectives"),
                o,
                errors: FormErrors(errors),
                form,
                owners,
                ctx: ctx.with_nav("partnerships"),
            };
            Ok((status(&page.errors.0), html(page)?).into_response())
        },
    )
    .await
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, oid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    render_form(&state, ctx, id, oid, vec![], None).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, oid)): Path<(i64, i64)>,
    Form(form): Form<ObjectiveForm>,
) -> AppResult<Response> {
    let typed = form.clone();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let current = store::get(w.conn, id, oid, today)?;
            let input = typed.check(w, Some(&current))?;
            store::update(w, &current, &input, today)
        },
    )
    .await;
    submitted(
        result,
        |_| format!("/partnerships/{id}/objectives/{oid}"),
        |errors| async move { render_form(&state, ctx, id, oid, errors, Some(form)).await },
    )
    .await
}
