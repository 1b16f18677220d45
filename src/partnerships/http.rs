//! Partnership pages: start one, its overview, editing its details, and its
//! history. Members and each section have their own folders.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::header::Header;
use super::history::{self, HistoryEntry};
use super::model::*;
use super::notice::{self, Done, Noted};
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
        .route("/partnerships/new", get(new_page).post(create))
        .route("/partnerships/{id}", get(overview))
        .route("/partnerships/{id}/edit", get(edit_page).post(edit))
        .route("/partnerships/{id}/history", get(history))
}

/// The form fields for a partnership, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PartnershipForm {
    pub name: String,
    pub purpose: String,
    pub kind: String,
    pub degree: String,
    pub stage: String,
    pub status: String,
    pub visibility: String,
    pub start_date_day: String,
    pub start_date_month: String,
    pub start_date_year: String,
    pub end_date_day: String,
    pub end_date_month: String,
    pub end_date_year: String,
    pub services: String,
    pub decision_body: String,
    pub decision_rule: String,
    pub meeting_cadence: String,
    pub review_cadence_months: String,
    pub exit_plan: String,
}

impl PartnershipForm {
    /// The form for a partnership as it is; `services` are its service areas,
    /// shown by name.
    pub fn from_draft(draft: &PartnershipDraft, services: &[crate::lgsl::store::Service]) -> Self {
        let (sd, sm, sy) = forms::date_parts(draft.start_date);
        let (ed, em, ey) = forms::date_parts(draft.end_date);
        PartnershipForm {
            name: draft.name.clone(),
            purpose: draft.purpose.clone(),
            kind: draft.kind.clone(),
            degree: draft.degree.clone(),
            stage: draft.stage.to_string(),
            status: draft.status.clone(),
            visibility: draft.visibility.clone(),
            start_date_day: sd,
            start_date_month: sm,
            start_date_year: sy,
            end_date_day: ed,
            end_date_month: em,
            end_date_year: ey,
            services: services
                .iter()
                .filter(|s| draft.services.contains(&s.id))
                .map(|s| s.label.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            decision_body: draft.decision_body.clone(),
            decision_rule: draft.decision_rule.clone(),
            meeting_cadence: draft.meeting_cadence.clone(),
            review_cadence_months: draft
                .review_cadence_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            exit_plan: draft.exit_plan.clone(),
        }
    }

    /// What could be read from the form, and what could not. Service areas
    /// are looked up by name, so this reads the database.
    fn to_draft(&self, conn: &mut crate::db::DbConn) -> (PartnershipDraft, Vec<FieldError>) {
        let mut errors = Vec::new();
        let start_date = forms::keep(
            &mut errors,
            forms::date(
                "start_date",
                "Start date",
                &self.start_date_day,
                &self.start_date_month,
                &self.start_date_year,
            ),
        )
        .flatten();
        let end_date = forms::keep(
            &mut errors,
            forms::date(
                "end_date",
                "End date",
                &self.end_date_day,
                &self.end_date_month,
                &self.end_date_year,
            ),
        )
        .flatten();
        let services = forms::keep(
            &mut errors,
            crate::lgsl::store::by_name(conn, &self.services),
        )
        .unwrap_or_default();
        let review_cadence_months = forms::keep(
            &mut errors,
            forms::optional_int(
                "review_cadence_months",
                "Review cadence",
                &self.review_cadence_months,
                1,
                60,
            ),
        )
        .flatten()
        .map(|m| m as i32);
        let draft = PartnershipDraft {
            name: self.name.clone(),
            purpose: self.purpose.clone(),
            kind: self.kind.clone(),
            degree: self.degree.clone(),
            stage: self.stage.trim().parse().unwrap_or(0),
            status: self.status.clone(),
            visibility: self.visibility.clone(),
            start_date,
            end_date,
            services,
            decision_body: self.decision_body.clone(),
            decision_rule: self.decision_rule.clone(),
            meeting_cadence: self.meeting_cadence.clone(),
            review_cadence_months,
            exit_plan: self.exit_plan.clone(),
        };
        (draft, errors)
    }

    /// The checked input, or every problem with the form in its order.
    pub fn to_input(
        &self,
        conn: &mut crate::db::DbConn,
    ) -> Result<PartnershipInput, Vec<FieldError>> {
        let (draft, reading) = self.to_draft(conn);
        forms::checked(reading, PartnershipInput::parse(&draft), &FIELD_ORDER)
    }
}

#[derive(Template)]
#[template(path = "partnerships/form.html")]
struct FormPage {
    ctx: PageCtx,
    errors: FormErrors,
    form: PartnershipForm,
    /// None when creating.
    p: Option<Partnership>,
    lead_name: String,
}

fn form_page(
    ctx: PageCtx,
    errors: Vec<FieldError>,
    form: PartnershipForm,
    p: Option<Partnership>,
) -> AppResult<Response> {
    let lead_name = ctx
        .user
        .as_ref()
        .map(|u| u.organisation_name.clone())
        .unwrap_or_default();
    let invalid = !errors.is_empty();
    page(
        FormPage {
            ctx: ctx.with_nav("partnerships"),
            errors: FormErrors(errors),
            form,
            p,
            lead_name,
        },
        invalid,
    )
}

async fn new_page(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    crate::policy::authorize(Some(&user.actor()), Action::CreatePartnership)?;
    let form = PartnershipForm {
        stage: "1".into(),
        status: Status::Proposed.code().into(),
        visibility: Visibility::Partners.code().into(),
        ..Default::default()
    };
    form_page(ctx, vec![], form, None)
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<PartnershipForm>,
) -> AppResult<Response> {
    let typed = form.clone();
    let result = work::unscoped(
        &state.db,
        ctx.user.as_ref(),
        Action::CreatePartnership,
        move |c, user| {
            let input = typed.to_input(c).map_err(AppError::Invalid)?;
            let lead = crate::orgs::store::find_by_id(c, user.organisation_id)?;
            let p = store::create(c, &input, &lead, Some(user.id), &user.audit_actor())?;
            let done = notice::last_by(c, p.id, user.id)?;
            Ok(Noted { value: p, done })
        },
    )
    .await;
    submitted(
        result,
        |n| n.to(format!("/partnerships/{}", n.value.id)),
        |errors| async { form_page(ctx, errors, form, None) },
    )
    .await
}

#[derive(Template)]
#[template(path = "partnerships/overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    h: Header,
    members: Vec<MemberView>,
    services: Vec<crate::lgsl::store::Service>,
    summary: super::summary::Summary,
    today: chrono::NaiveDate,
}

async fn overview(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let id = w.record.id;
            let h = Header::of(w, "overview")
                .with_watch(w)?
                .with_notice(w, done)?;
            page(
                OverviewPage {
                    h,
                    members: store::members_as_seen(w.conn, id, w.rel)?,
                    services: store::services_of(w.conn, id)?,
                    summary: super::summary::for_partnership(w.conn, id)?,
                    today: chrono::Utc::now().date_naive(),
                    ctx: ctx.with_nav("partnerships"),
                },
                false,
            )
        })
        .await
}

/// Draws the edit form: the partnership as it is, or `form` as typed.
async fn edit_form(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    form: Option<PartnershipForm>,
) -> AppResult<Response> {
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let form = match form {
                Some(form) => form,
                None => PartnershipForm::from_draft(
                    &store::draft_of(w.conn, &w.record)?,
                    &store::services_of(w.conn, w.record.id)?,
                ),
            };
            form_page(ctx, errors, form, Some(w.record.clone()))
        })
        .await
}

async fn edit_page(visit: Visit<Partnership>) -> AppResult<Response> {
    edit_form(visit, vec![], None).await
}

async fn edit(visit: Visit<Partnership>, Form(form): Form<PartnershipForm>) -> AppResult<Response> {
    let typed = form.clone();
    let id = visit.id;
    let change = move |w: &mut Work<'_, Partnership>| {
        let input = typed.to_input(w.conn).map_err(AppError::Invalid)?;
        let p = store::update(w, &input)?;
        notice::noted(w, p)
    };
    let to = move |n: Noted<_>| n.to(format!("/partnerships/{id}"));
    let again = |visit, errors| edit_form(visit, errors, Some(form));
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

#[derive(Template)]
#[template(path = "partnerships/history.html")]
struct HistoryPage {
    ctx: PageCtx,
    h: Header,
    entries: Vec<HistoryEntry>,
}

async fn history(visit: Visit<Partnership>) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, |w, ctx| {
            let shows_emails = history::shows_emails(w.rel);
            page(
                HistoryPage {
                    h: Header::of(w, "history"),
                    entries: history::history(w.conn, w.record.id, 200, shows_emails)?,
                    ctx: ctx.with_nav("partnerships"),
                },
                false,
            )
        })
        .await
}
