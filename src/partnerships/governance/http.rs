//! Governance pages: how the partnership decides and reviews, its exit plan,
//! and the agreements behind it, with forms to add, change and delete them.

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
use crate::partnerships::model::Partnership;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::{forms, html, submitted, FormErrors, PageCtx};
use crate::work::Scoped;

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

fn to_governance(id: i64) -> impl FnOnce(AgreementView) -> String {
    move |_| format!("/partnerships/{id}/governance")
}

fn status_for(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
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

/// The governance page, with the add form as typed (and what was wrong with it).
async fn render_index(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: Vec<FieldError>,
    form: AgreementForm,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        let today = today();
        let page = IndexPage {
            h: Header::of(w, "governance"),
            agreements: store::list(w.conn, id, today)?,
            errors: FormErrors(errors),
            form,
            today,
            ctx: ctx.with_nav("partnerships"),
        };
        Ok((status_for(&page.errors.0), html(page)?).into_response())
    })
    .await
}

async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    render_index(&state, ctx, id, vec![], AgreementForm::default()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<AgreementForm>,
) -> AppResult<Response> {
    let checked = form.check();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| store::create(w, &checked.map_err(AppError::Invalid)?, today()),
    )
    .await;
    submitted(result, to_governance(id), |errors| async move {
        render_index(&state, ctx, id, errors, form).await
    })
    .await
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

/// The change form. `form` is `None` to start from the agreement as it is.
async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    aid: i64,
    errors: Vec<FieldError>,
    form: Option<AgreementForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let a = store::get(w.conn, id, aid, today())?;
            let page = FormPage {
                h: Header::of(w, "governance"),
                form: form.unwrap_or_else(|| AgreementForm::from_draft(&a.draft())),
                a,
                errors: FormErrors(errors),
                ctx: ctx.with_nav("partnerships"),
            };
            Ok((status_for(&page.errors.0), html(page)?).into_response())
        },
    )
    .await
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    form_page(&state, ctx, id, aid, vec![], None).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, aid)): Path<(i64, i64)>,
    Form(form): Form<AgreementForm>,
) -> AppResult<Response> {
    let checked = form.check();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let before = store::get(w.conn, id, aid, today)?;
            store::update(w, &before, &checked.map_err(AppError::Invalid)?, today)
        },
    )
    .await;
    submitted(result, to_governance(id), |errors| async move {
        form_page(&state, ctx, id, aid, errors, Some(form)).await
    })
    .await
}

#[derive(Template)]
#[template(path = "partnerships/governance/delete.html")]
struct DeletePage {
    ctx: PageCtx,
    h: Header,
    a: AgreementView,
}

/// Asks before deleting, since pages work without JavaScript confirm boxes.
async fn delete_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let page = DeletePage {
                a: store::get(w.conn, id, aid, today())?,
                h: Header::of(w, "governance"),
                ctx: ctx.with_nav("partnerships"),
            };
            Ok(html(page)?.into_response())
        },
    )
    .await
}

async fn delete(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let result = Partnership::act(
        &state.db,
        ctx.user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let before = store::get(w.conn, id, aid, today())?;
            store::delete(w, &before)?;
            Ok(before)
        },
    )
    .await;
    // Nothing typed can be refused here, so there is no form to show again.
    submitted(result, to_governance(id), |errors| async move {
        Err(AppError::Invalid(errors))
    })
    .await
}
