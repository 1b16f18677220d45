//! Governance pages: how the partnership decides and reviews, its exit plan,
//! and the agreements behind it, with forms to add, change and delete them.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::Partnership;
use crate::partnerships::notice::{self, Done, Noted};
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::Work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/governance", get(index))
        .route("/partnerships/{id}/governance/agreements", post(create))
        .route(
            "/partnerships/{id}/governance/agreements/{aid}/edit",
            get(edit_page).post(edit),
        )
        .route(
            "/partnerships/{id}/governance/agreements/{aid}/delete",
            get(delete_page).post(delete),
        )
}

/// The agreement form's fields, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AgreementForm {
    pub kind: String,
    pub title: String,
    pub signed_on_day: String,
    pub signed_on_month: String,
    pub signed_on_year: String,
    pub starts_on_day: String,
    pub starts_on_month: String,
    pub starts_on_year: String,
    pub ends_on_day: String,
    pub ends_on_month: String,
    pub ends_on_year: String,
    pub renewal_due_day: String,
    pub renewal_due_month: String,
    pub renewal_due_year: String,
    pub document_url: String,
}

impl AgreementForm {
    fn from_draft(d: &AgreementDraft) -> Self {
        let (sd, sm, sy) = forms::date_parts(d.signed_on);
        let (bd, bm, by) = forms::date_parts(d.starts_on);
        let (ed, em, ey) = forms::date_parts(d.ends_on);
        let (rd, rm, ry) = forms::date_parts(d.renewal_due);
        AgreementForm {
            kind: d.kind.clone(),
            title: d.title.clone(),
            signed_on_day: sd,
            signed_on_month: sm,
            signed_on_year: sy,
            starts_on_day: bd,
            starts_on_month: bm,
            starts_on_year: by,
            ends_on_day: ed,
            ends_on_month: em,
            ends_on_year: ey,
            renewal_due_day: rd,
            renewal_due_month: rm,
            renewal_due_year: ry,
            document_url: d.document_url.clone(),
        }
    }

    /// What could be read, and what could not (a date that is not a date).
    fn to_draft(&self) -> (AgreementDraft, Vec<FieldError>) {
        let mut reading = Vec::new();
        let mut date = |field: &str, label: &str, d: &str, m: &str, y: &str| {
            forms::keep(&mut reading, forms::date(field, label, d, m, y)).flatten()
        };
        let draft = AgreementDraft {
            kind: self.kind.clone(),
            title: self.title.clone(),
            signed_on: date(
                "signed_on",
                "Date signed",
                &self.signed_on_day,
                &self.signed_on_month,
                &self.signed_on_year,
            ),
            starts_on: date(
                "starts_on",
                "Start date",
                &self.starts_on_day,
                &self.starts_on_month,
                &self.starts_on_year,
            ),
            ends_on: date(
                "ends_on",
                "End date",
                &self.ends_on_day,
                &self.ends_on_month,
                &self.ends_on_year,
            ),
            renewal_due: date(
                "renewal_due",
                "Renewal due date",
                &self.renewal_due_day,
                &self.renewal_due_month,
                &self.renewal_due_year,
            ),
            document_url: self.document_url.clone(),
        };
        (draft, reading)
    }

    /// The agreement as typed, or every problem: what could not be read,
    /// then the rules for the rest.
    fn check(&self) -> Result<AgreementInput, Vec<FieldError>> {
        let (draft, reading) = self.to_draft();
        forms::checked(reading, AgreementInput::parse(&draft), &FIELD_ORDER)
    }
}

/// Kind choices, after a first option that must be changed.
fn kind_options() -> Vec<(&'static str, &'static str)> {
    std::iter::once(("", "Select a type"))
        .chain(AgreementKind::options())
        .collect()
}

fn to_governance(id: i64) -> impl FnOnce(Noted<AgreementView>) -> String {
    move |n| n.to(format!("/partnerships/{id}/governance"))
}

#[derive(Template)]
#[template(path = "partnerships/governance/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    agreements: Vec<AgreementView>,
    errors: FormErrors,
    form: AgreementForm,
    today: NaiveDate,
}

impl IndexPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        kind_options()
    }
}

async fn index(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render_index(visit, vec![], AgreementForm::default(), done).await
}

/// The governance page, with the add form as typed (and what was wrong with it).
async fn render_index(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    form: AgreementForm,
    done: Done,
) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let today = today();
            let invalid = !errors.is_empty();
            page(
                IndexPage {
                    ctx: ctx.with_nav("partnerships"),
                    h: Header::of(w, "governance").with_notice(w, done)?,
                    agreements: store::list(w.conn, w.record.id, today)?,
                    errors: FormErrors(errors),
                    form,
                    today,
                },
                invalid,
            )
        })
        .await
}

/// Saves the agreement form, a new agreement or a change to `aid`, and goes
/// back to the governance page; a refused form is drawn again where it was typed.
async fn save(
    visit: Visit<Partnership>,
    aid: Option<i64>,
    form: AgreementForm,
) -> AppResult<Response> {
    let (id, checked) = (visit.id, form.check());
    let change = move |w: &mut Work<'_, Partnership>| {
        let today = today();
        let before = aid
            .map(|aid| store::get(w.conn, id, aid, today))
            .transpose()?;
        let input = checked.map_err(AppError::Invalid)?;
        let saved = match before {
            Some(before) => store::update(w, &before, &input, today)?,
            None => store::create(w, &input, today)?,
        };
        notice::noted(w, saved)
    };
    let again = move |visit, errors| async move {
        match aid {
            None => render_index(visit, errors, form, Done::default()).await,
            Some(aid) => form_page(visit, aid, errors, Some(form)).await,
        }
    };
    visit
        .submit(Action::EditPartnership, change, to_governance(id), again)
        .await
}

async fn create(visit: Visit<Partnership>, Form(form): Form<AgreementForm>) -> AppResult<Response> {
    save(visit, None, form).await
}

#[derive(Template)]
#[template(path = "partnerships/governance/form.html")]
struct FormPage {
    ctx: PageCtx,
    h: Header,
    a: AgreementView,
    errors: FormErrors,
    form: AgreementForm,
}

impl FormPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        kind_options()
    }
}

async fn edit_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let aid = visit.param("aid")?;
    form_page(visit, aid, vec![], None).await
}

/// The form to change agreement `aid`. `form` is `None` to start from the
/// agreement as it is.
async fn form_page(
    visit: Visit<Partnership>,
    aid: i64,
    errors: Vec<FieldError>,
    form: Option<AgreementForm>,
) -> AppResult<Response> {
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let a = store::get(w.conn, w.record.id, aid, today())?;
            let invalid = !errors.is_empty();
            page(
                FormPage {
                    ctx: ctx.with_nav("partnerships"),
                    h: Header::of(w, "governance"),
                    form: form.unwrap_or_else(|| AgreementForm::from_draft(&a.draft())),
                    a,
                    errors: FormErrors(errors),
                },
                invalid,
            )
        })
        .await
}

async fn edit(visit: Visit<Partnership>, Form(form): Form<AgreementForm>) -> AppResult<Response> {
    let aid = visit.param("aid")?;
    save(visit, Some(aid), form).await
}

#[derive(Template)]
#[template(path = "partnerships/governance/delete.html")]
struct DeletePage {
    ctx: PageCtx,
    h: Header,
    a: AgreementView,
}

/// Asks before deleting, since pages work without JavaScript confirm boxes.
async fn delete_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let aid = visit.param("aid")?;
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let a = store::get(w.conn, w.record.id, aid, today())?;
            let h = Header::of(w, "governance");
            let ctx = ctx.with_nav("partnerships");
            page(DeletePage { ctx, h, a }, false)
        })
        .await
}

async fn delete(visit: Visit<Partnership>) -> AppResult<Response> {
    let (id, aid) = (visit.id, visit.param("aid")?);
    let change = move |w: &mut Work<'_, Partnership>| {
        let before = store::get(w.conn, id, aid, today())?;
        store::delete(w, &before)?;
        notice::noted(w, before)
    };
    visit
        .then_go(Action::EditPartnership, change, to_governance(id))
        .await
}
