//! Needs pages: listing a need and changing it (its page is `page.rs`; the
//! national pipeline is `pipeline.rs`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::model::*;
use super::store;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, submitted, FormErrors, PageCtx};
use crate::work::{self, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/needs/new", get(new_page).post(create))
        .route("/needs/{id}/edit", get(edit_page).post(edit))
}

/// The form's fields, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct NeedForm {
    pub title: String,
    pub problem: String,
    pub users_affected: String,
    pub why_now: String,
    /// Service names, one per line.
    pub services: String,
    pub phase: String,
    pub collaboration: Vec<String>,
    pub budget_band: String,
    pub start_date_day: String,
    pub start_date_month: String,
    pub start_date_year: String,
    pub end_date_day: String,
    pub end_date_month: String,
    pub end_date_year: String,
    /// Separated by commas.
    pub tags: String,
    pub technologies: String,
    pub visibility: String,
}

impl NeedForm {
    fn from_view(view: &NeedView) -> NeedForm {
        let d = view.draft();
        let (sd, sm, sy) = forms::date_parts(d.start_date);
        let (ed, em, ey) = forms::date_parts(d.end_date);
        NeedForm {
            title: d.title,
            problem: d.problem,
            users_affected: d.users_affected,
            why_now: d.why_now,
            services: view
                .services
                .iter()
                .map(|s| s.label.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            phase: d.phase,
            collaboration: d.collaboration,
            budget_band: d.budget_band.unwrap_or_default(),
            start_date_day: sd,
            start_date_month: sm,
            start_date_year: sy,
            end_date_day: ed,
            end_date_month: em,
            end_date_year: ey,
            tags: d.tags.join(", "),
            technologies: d.technologies,
            visibility: d.visibility,
        }
    }

    /// Checks the form; service names are looked up, so this runs in the
    /// transaction that saves it.
    fn to_input(&self, conn: &mut crate::db::DbConn) -> Result<NeedInput, Vec<FieldError>> {
        let mut reading = Vec::new();
        let date = |field, label, d: &str, m: &str, y: &str| forms::date(field, label, d, m, y);
        let start_date = forms::keep(
            &mut reading,
            date(
                "start_date",
                "Start date",
                &self.start_date_day,
                &self.start_date_month,
                &self.start_date_year,
            ),
        )
        .flatten();
        let end_date = forms::keep(
            &mut reading,
            date(
                "end_date",
                "End date",
                &self.end_date_day,
                &self.end_date_month,
                &self.end_date_year,
            ),
        )
        .flatten();
        let services = forms::keep(
            &mut reading,
            crate::lgsl::store::by_name(conn, &self.services),
        )
        .unwrap_or_default();
        let draft = NeedDraft {
            title: self.title.clone(),
            problem: self.problem.clone(),
            users_affected: self.users_affected.clone(),
            why_now: self.why_now.clone(),
            phase: self.phase.clone(),
            collaboration: self.collaboration.clone(),
            budget_band: Some(self.budget_band.clone()),
            start_date,
            end_date,
            services,
            tags: self.tags.split(',').map(str::to_string).collect(),
            technologies: self.technologies.clone(),
            visibility: self.visibility.clone(),
        };
        forms::checked(reading, NeedInput::parse(&draft), &FIELD_ORDER)
    }

    fn wants(&self, code: &str) -> bool {
        self.collaboration.iter().any(|c| c == code)
    }
}

#[derive(Template)]
#[template(path = "needs/form.html")]
struct FormPage {
    ctx: PageCtx,
    errors: FormErrors,
    form: NeedForm,
    /// None when listing a new need.
    need: Option<Need>,
    organisation_name: String,
}

fn form_page(
    ctx: PageCtx,
    errors: Vec<FieldError>,
    form: NeedForm,
    need: Option<Need>,
) -> AppResult<Response> {
    let organisation_name = ctx
        .user
        .as_ref()
        .map(|u| u.organisation_name.clone())
        .unwrap_or_default();
    let invalid = !errors.is_empty();
    page(
        FormPage {
            ctx: ctx.with_nav("needs"),
            errors: FormErrors(errors),
            form,
            need,
            organisation_name,
        },
        invalid,
    )
}

async fn new_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    crate::policy::authorize(Some(&user.actor()), Action::CreateNeed)?;
    let form = NeedForm {
        phase: Phase::Discovery.code().into(),
        visibility: NeedVisibility::SignedIn.code().into(),
        collaboration: vec![Collaboration::OpenToConversation.code().into()],
        ..Default::default()
    };
    form_page(ctx, vec![], form, None)
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<NeedForm>,
) -> AppResult<Response> {
    let typed = form.clone();
    let result = work::unscoped(
        &state.db,
        ctx.user.as_ref(),
        Action::CreateNeed,
        move |c, user| {
            let input = typed.to_input(c).map_err(AppError::Invalid)?;
            store::create(
                c,
                &input,
                user.organisation_id,
                Some(user.id),
                &user.audit_actor(),
            )
        },
    )
    .await;
    submitted(
        result,
        |n| format!("/needs/{}", n.id),
        |errors| async { form_page(ctx, errors, form, None) },
    )
    .await
}

async fn edit_form(
    visit: Visit<Need>,
    errors: Vec<FieldError>,
    form: Option<NeedForm>,
) -> AppResult<Response> {
    visit
        .page(Action::EditNeed, move |w, ctx| {
            let form = match form {
                Some(form) => form,
                None => NeedForm::from_view(&store::view(w.conn, &w.record)?),
            };
            form_page(ctx, errors, form, Some(w.record.clone()))
        })
        .await
}

async fn edit_page(visit: Visit<Need>) -> AppResult<Response> {
    edit_form(visit, vec![], None).await
}

async fn edit(visit: Visit<Need>, Form(form): Form<NeedForm>) -> AppResult<Response> {
    let id = visit.id;
    let typed = form.clone();
    let change = move |w: &mut Work<'_, Need>| {
        let input = typed.to_input(w.conn).map_err(AppError::Invalid)?;
        store::update(w, &input)
    };
    let to = move |_| format!("/needs/{id}");
    let again = |visit, errors| edit_form(visit, errors, Some(form));
    visit.submit(Action::EditNeed, change, to, again).await
}
