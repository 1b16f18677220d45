//! Governance page: how the partnership decides and reviews, its exit plan,
//! and the agreements behind it, with forms to add, change and delete them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::store::{self, AgreementInput, AgreementKind, AgreementView};
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
        .route("/partnerships/{id}/governance", get(governance_page))
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

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
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

const FIELD_ORDER: [&str; 7] = [
    "kind",
    "title",
    "signed_on",
    "starts_on",
    "ends_on",
    "renewal_due",
    "document_url",
];

impl AgreementForm {
    fn from_view(a: &AgreementView) -> Self {
        let (sd, sm, sy) = forms::date_parts(a.signed_on);
        let (bd, bm, by) = forms::date_parts(a.starts_on);
        let (ed, em, ey) = forms::date_parts(a.ends_on);
        let (rd, rm, ry) = forms::date_parts(a.renewal_due);
        AgreementForm {
            kind: a.kind.code().to_string(),
            title: a.title.clone(),
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
            document_url: a.document_url.clone(),
        }
    }

    /// The input, or every problem: typing errors first, then the rules for the other fields.
    fn to_input(&self) -> Result<AgreementInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, label: &str, d: &str, m: &str, y: &str| {
            forms::date(field, label, d, m, y).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let input = AgreementInput {
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
        for e in store::validate(&input) {
            if !errors.iter().any(|x: &FieldError| x.field == e.field) {
                errors.push(e);
            }
        }
        errors.sort_by_key(|e| {
            FIELD_ORDER
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(FIELD_ORDER.len())
        });
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

/// Kind choices, with a first option that must be changed.
fn kinds() -> Vec<(&'static str, &'static str)> {
    std::iter::once(("", "Select a type"))
        .chain(AgreementKind::options())
        .collect()
}

#[derive(Template)]
#[template(path = "partnerships/governance/governance.html")]
struct GovernancePage {
    ctx: PageCtx,
    h: Header,
    agreements: Vec<AgreementView>,
    errors: FormErrors,
    form: AgreementForm,
    kinds: Vec<(&'static str, &'static str)>,
    today: NaiveDate,
}

async fn render_governance(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: FormErrors,
    form: AgreementForm,
) -> AppResult<Response> {
    let pid = p.id;
    let agreements = state.db.read(move |c| store::list(c, pid, today())).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = crate::partnerships::legacy::header(p, rel, "governance", ctx.user.as_ref());
    Ok((
        status,
        html(GovernancePage {
            ctx: ctx.with_nav("partnerships"),
            h,
            agreements,
            errors,
            form,
            kinds: kinds(),
            today: today(),
        })?,
    )
        .into_response())
}

async fn governance_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    render_governance(
        &state,
        ctx,
        p,
        rel,
        FormErrors::default(),
        AgreementForm::default(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AgreementForm>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let result = match form.to_input() {
        Ok(input) => {
            let actor = user.audit_actor();
            state
                .db
                .write(move |c| store::create(c, id, &input, &actor, today()))
                .await
                .map(|_| ())
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/governance")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_governance(&state, ctx, p, rel, FormErrors(errors), form).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "partnerships/governance/edit.html")]
struct EditPage {
    ctx: PageCtx,
    p: Partnership,
    a: AgreementView,
    errors: FormErrors,
    form: AgreementForm,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let a = state
        .db
        .read(move |c| store::get(c, id, aid, today()))
        .await?;
    let form = AgreementForm::from_view(&a);
    Ok(html(EditPage {
        ctx: ctx.with_nav("partnerships"),
        p,
        a,
        errors: FormErrors::default(),
        form,
        kinds: kinds(),
    })?
    .into_response())
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, aid)): Path<(i64, i64)>,
    Form(form): Form<AgreementForm>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let a = state
        .db
        .read(move |c| store::get(c, id, aid, today()))
        .await?;
    let result = match form.to_input() {
        Ok(input) => {
            let actor = user.audit_actor();
            state
                .db
                .write(move |c| store::update(c, id, aid, &input, &actor, today()))
                .await
                .map(|_| ())
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}/governance")).into_response()),
        Err(AppError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            html(EditPage {
                ctx: ctx.with_nav("partnerships"),
                p,
                a,
                errors: FormErrors(errors),
                form,
                kinds: kinds(),
            })?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "partnerships/governance/delete.html")]
struct DeletePage {
    ctx: PageCtx,
    p: Partnership,
    a: AgreementView,
}

/// Asks before deleting, since pages work without JavaScript confirm boxes.
async fn delete_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let a = state
        .db
        .read(move |c| store::get(c, id, aid, today()))
        .await?;
    Ok(html(DeletePage {
        ctx: ctx.with_nav("partnerships"),
        p,
        a,
    })?
    .into_response())
}

async fn delete(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    load(&state, Some(&user), id, Action::EditPartnership).await?;
    let actor = user.audit_actor();
    state
        .db
        .write(move |c| store::delete(c, id, aid, &actor, today()))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/governance")).into_response())
}
