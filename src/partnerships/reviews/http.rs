//! The reviews page: the schedule, past reviews, their actions and the form
//! to record a review.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;

use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMember, Partnership};
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::{forms, html, submitted, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

/// Action rows on the form; more can be added through the API.
pub const FORM_ACTIONS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/reviews", get(index).post(create))
        .route(
            "/partnerships/{id}/reviews/actions/{action}/done",
            post(done),
        )
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// One action row on the form, as typed; `n` counts from 1.
#[derive(Clone, Debug, Default)]
pub struct ActionRow {
    pub n: usize,
    pub description: String,
    pub owner: String,
    pub due_day: String,
    pub due_month: String,
    pub due_year: String,
}

impl ActionRow {
    /// This row's field name, like `action2_owner`.
    pub fn field(&self, name: &str) -> String {
        format!("action{}_{name}", self.n)
    }

    fn is_blank(&self) -> bool {
        [
            &self.description,
            &self.owner,
            &self.due_day,
            &self.due_month,
            &self.due_year,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// The record-a-review form, as typed.
#[derive(Clone, Debug, Default)]
pub struct ReviewForm {
    pub held_on_day: String,
    pub held_on_month: String,
    pub held_on_year: String,
    pub findings: String,
    pub decision: String,
    pub actions: Vec<ActionRow>,
}

/// The form's fields in order, for listing errors.
fn field_order() -> Vec<String> {
    let mut order = vec!["held_on".to_string(), "findings".into(), "decision".into()];
    for n in 1..=FORM_ACTIONS {
        order.extend(["description", "owner", "due_on"].map(|f| format!("action{n}_{f}")));
    }
    order
}

impl ReviewForm {
    fn blank() -> Self {
        ReviewForm {
            actions: (1..=FORM_ACTIONS)
                .map(|n| ActionRow {
                    n,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Reads the posted fields: `held_on_day`, ..., `action2_description`,
    /// `action2_owner`, `action2_due_on_day`, ...
    fn from_fields(fields: &[(String, String)]) -> Self {
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let row = |n: usize| ActionRow {
            n,
            description: get(&format!("action{n}_description")),
            owner: get(&format!("action{n}_owner")),
            due_day: get(&format!("action{n}_due_on_day")),
            due_month: get(&format!("action{n}_due_on_month")),
            due_year: get(&format!("action{n}_due_on_year")),
        };
        ReviewForm {
            held_on_day: get("held_on_day"),
            held_on_month: get("held_on_month"),
            held_on_year: get("held_on_year"),
            findings: get("findings"),
            decision: get("decision"),
            actions: (1..=FORM_ACTIONS).map(row).collect(),
        }
    }

    /// What could be read, how its actions are named (blank rows are
    /// skipped), and what could not be read: dates that are not dates.
    fn to_draft(&self) -> (ReviewDraft, ActionNames, Vec<FieldError>) {
        let mut reading = Vec::new();
        let held_on = forms::keep(
            &mut reading,
            forms::date(
                "held_on",
                "The date the review was held",
                &self.held_on_day,
                &self.held_on_month,
                &self.held_on_year,
            ),
        )
        .flatten();
        let mut actions = Vec::new();
        let mut rows = Vec::new();
        for r in self.actions.iter().filter(|r| !r.is_blank()) {
            let due_on = forms::keep(
                &mut reading,
                forms::date(
                    &r.field("due_on"),
                    &format!("Action {} due date", r.n),
                    &r.due_day,
                    &r.due_month,
                    &r.due_year,
                ),
            )
            .flatten();
            actions.push(ActionDraft {
                description: r.description.clone(),
                owner: r.owner.clone(),
                due_on,
            });
            rows.push(r.n);
        }
        let draft = ReviewDraft {
            held_on,
            findings: self.findings.clone(),
            decision: self.decision.clone(),
            actions,
        };
        (draft, ActionNames::FormRows(rows), reading)
    }

    /// The review as typed, checked against the partnership as it is now.
    fn check(&self, w: &mut Work<'_, Partnership>, today: NaiveDate) -> AppResult<ReviewInput> {
        let (draft, names, reading) = self.to_draft();
        let members = partnerships::active_members(w.conn, w.record.id)?;
        let ctx = ReviewContext {
            today,
            members: &members,
            names: &names,
        };
        let order = field_order();
        let order: Vec<&str> = order.iter().map(String::as_str).collect();
        forms::checked(reading, ReviewInput::parse(&draft, &ctx), &order).map_err(AppError::Invalid)
    }
}

#[derive(Template)]
#[template(path = "partnerships/reviews/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    reviews: Vec<ReviewView>,
    actions: Vec<ActionView>,
    members: Vec<ActiveMember>,
    errors: FormErrors,
    form: ReviewForm,
    today: NaiveDate,
}

impl IndexPage {
    fn decisions(&self) -> Vec<(&'static str, &'static str)> {
        Decision::options()
    }

    /// Active members, after a blank choice so nobody owns an action by accident.
    fn owner_options(&self) -> Vec<(String, String)> {
        std::iter::once((String::new(), "Select an organisation".to_string()))
            .chain(
                self.members
                    .iter()
                    .map(|m| (m.code.clone(), m.name.clone())),
            )
            .collect()
    }

    fn cadence_label(&self) -> String {
        cadence_label(self.h.p.review_cadence_months)
    }
}

/// Draws the page; `form` is what was typed when it is shown again with errors.
async fn render(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: Vec<FieldError>,
    form: Option<ReviewForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        let today = today();
        let reviews = store::list(w.conn, id, today)?;
        let members = partnerships::active_members(w.conn, id)?;
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = IndexPage {
            h: Header::of(w, "reviews"),
            actions: all_actions(&reviews),
            reviews,
            members: members.0,
            errors: FormErrors(errors),
            form: form.unwrap_or_else(ReviewForm::blank),
            today,
            ctx: ctx.with_nav("partnerships"),
        };
        Ok((status, html(page)?).into_response())
    })
    .await
}

async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    render(&state, ctx, id, vec![], None).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = ReviewForm::from_fields(&fields);
    let typed = form.clone();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let input = typed.check(w, today)?;
            store::create(w, &input, today)
        },
    )
    .await;
    submitted(
        result,
        |_| format!("/partnerships/{id}/reviews"),
        |errors| async move { render(&state, ctx, id, errors, Some(form)).await },
    )
    .await
}

async fn done(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, action)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| store::mark_done(w, action, today()),
    )
    .await;
    submitted(
        result,
        |_| format!("/partnerships/{id}/reviews#actions"),
        |errors| async move { render(&state, ctx, id, errors, None).await },
    )
    .await
}
