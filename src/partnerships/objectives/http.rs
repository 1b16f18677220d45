//! Objectives pages: the list with the add form, one objective with its
//! progress history and update form, and the edit form.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::input::*;
use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::Partnership;
use crate::partnerships::notice::{self, Done, Noted};
use crate::partnerships::owned;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::Work;

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

    /// Adds the objective as typed, or changes objective `oid` to it, once
    /// it reads and keeps the rules of the partnership as it is now.
    fn save(&self, w: &mut Work<'_, Partnership>, oid: Option<i64>) -> AppResult<ObjectiveView> {
        let (id, today) = (w.record.id, today());
        let current = oid
            .map(|oid| store::get(w.conn, id, oid, today))
            .transpose()?;
        let (draft, reading) = self.to_draft();
        // The rules' refusals join what could not be read; any other failure ends here.
        let rules = match store::check(w.conn, id, &draft, current.as_ref()) {
            Err(AppError::Invalid(errors)) => Err(errors),
            checked => Ok(checked?),
        };
        let input = forms::checked(reading, rules, &FIELD_ORDER).map_err(AppError::Invalid)?;
        match current {
            Some(current) => store::update(w, &current, &input, today),
            None => store::create(w, &input, today),
        }
    }
}

/// Owner choices: the active member organisations the person may record
/// for (their own; any, for the lead), after a blank choice. The owner of
/// the objective being changed stays selectable after their organisation
/// has left, until someone changes it.
fn owners(
    w: &mut Work<'_, Partnership>,
    changing: Option<&ObjectiveView>,
) -> AppResult<Vec<(String, String)>> {
    let active = partnerships::active_members(w.conn, w.record.id)?;
    let (actor, rel) = (w.person().map(|u| u.actor()), w.rel);
    let mut owners: Vec<_> = std::iter::once((String::new(), "Select the owning partner".into()))
        .chain(
            active
                .iter()
                .filter(|m| {
                    owned::may(actor.as_ref(), rel, m.organisation_id)
                        || changing.is_some_and(|o| o.owner_id == m.organisation_id)
                })
                .map(|m| (m.code.clone(), m.name.clone())),
        )
        .collect();
    if let Some(o) = changing.filter(|o| active.by_code(&o.owner).is_none()) {
        owners.push((
            o.owner.clone(),
            format!("{} (no longer a member)", o.owner_name),
        ));
    }
    Ok(owners)
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

async fn index(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render_index(visit, vec![], None, done).await
}

/// Draws the list with the add form; `form` is `None` to start a blank one.
async fn render_index(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    form: Option<ObjectiveForm>,
    done: Done,
) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            // Suggest the signer's own organisation as the owner; the select ignores it if not a member.
            let own = w.person().map(|u| u.organisation_code.clone());
            let form = form.unwrap_or_else(|| ObjectiveForm {
                owner: own.unwrap_or_default(),
                ..Default::default()
            });
            let invalid = !errors.is_empty();
            page(
                IndexPage {
                    ctx: ctx.with_nav("partnerships"),
                    h: Header::of(w, "objectives").with_notice(w, done)?,
                    objectives: store::list(w.conn, w.record.id, today())?,
                    errors: FormErrors(errors),
                    form,
                    owners: owners(w, None)?,
                },
                invalid,
            )
        })
        .await
}

/// Saves the objective form, a new objective or a change to `oid`, and shows
/// the objective; a refused form is drawn again where it was typed.
async fn save(
    visit: Visit<Partnership>,
    oid: Option<i64>,
    form: ObjectiveForm,
) -> AppResult<Response> {
    let (id, typed) = (visit.id, form.clone());
    let change = move |w: &mut Work<'_, Partnership>| {
        let o = typed.save(w, oid)?;
        notice::noted(w, o)
    };
    let to = move |n: Noted<ObjectiveView>| {
        n.to(format!("/partnerships/{id}/objectives/{}", n.value.id))
    };
    let again = move |visit, errors| async move {
        match oid {
            None => render_index(visit, errors, Some(form), Done::default()).await,
            Some(oid) => render_form(visit, oid, errors, Some(form)).await,
        }
    };
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

async fn create(visit: Visit<Partnership>, Form(form): Form<ObjectiveForm>) -> AppResult<Response> {
    save(visit, None, form).await
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

async fn show(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render_show(visit, vec![], ProgressForm::default(), done).await
}

async fn render_show(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    form: ProgressForm,
    done: Done,
) -> AppResult<Response> {
    let oid = visit.param("oid")?;
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let (id, today) = (w.record.id, today());
            let invalid = !errors.is_empty();
            page(
                ShowPage {
                    ctx: ctx.with_nav("partnerships"),
                    h: Header::of(w, "objectives").with_notice(w, done)?,
                    o: store::get(w.conn, id, oid, today)?,
                    updates: store::history(w.conn, id, oid)?,
                    errors: FormErrors(errors),
                    form,
                    today,
                },
                invalid,
            )
        })
        .await
}

async fn progress(
    visit: Visit<Partnership>,
    Form(form): Form<ProgressForm>,
) -> AppResult<Response> {
    let (id, oid) = (visit.id, visit.param("oid")?);
    let typed = form.clone();
    let change = move |w: &mut Work<'_, Partnership>| {
        let today = today();
        let o = store::get(w.conn, id, oid, today)?;
        let input = typed.check(&o, today).map_err(AppError::Invalid)?;
        let update = store::record_progress(w, &o, &input)?;
        notice::noted(w, update)
    };
    let to = move |n: Noted<ProgressView>| n.to(format!("/partnerships/{id}/objectives/{oid}"));
    let again = |visit, errors| render_show(visit, errors, form, Done::default());
    visit
        .submit(Action::EditPartnership, change, to, again)
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

async fn edit_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let oid = visit.param("oid")?;
    render_form(visit, oid, vec![], None).await
}

/// Draws the form to change objective `oid`; `form` is `None` to start from
/// the objective as it is.
async fn render_form(
    visit: Visit<Partnership>,
    oid: i64,
    errors: Vec<FieldError>,
    form: Option<ObjectiveForm>,
) -> AppResult<Response> {
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let o = store::get(w.conn, w.record.id, oid, today())?;
            // An objective is changed by its owner's people or the lead; others 403.
            owned::allow(w, o.owner_id)?;
            let invalid = !errors.is_empty();
            page(
                FormPage {
                    ctx: ctx.with_nav("partnerships"),
                    h: Header::of(w, "objectives"),
                    owners: owners(w, Some(&o))?,
                    errors: FormErrors(errors),
                    form: form.unwrap_or_else(|| ObjectiveForm::from_draft(&o.draft())),
                    o,
                },
                invalid,
            )
        })
        .await
}

async fn edit(visit: Visit<Partnership>, Form(form): Form<ObjectiveForm>) -> AppResult<Response> {
    let oid = visit.param("oid")?;
    save(visit, Some(oid), form).await
}
