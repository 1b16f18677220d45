//! The reviews page: the schedule, past reviews, their actions and the form
//! to record a review.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;

use super::store::{self, ActionInput, ActionView, ReviewInput, ReviewView};
use super::Decision;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::legacy::active_member_orgs;
use crate::partnerships::legacy::load;
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::{forms, html, FormErrors, PageCtx};

/// Action rows on the form; more can be added through the API.
pub const FORM_ACTIONS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/reviews", get(page).post(create))
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

    /// Reads the posted fields: `held_on_day`, ..., `action2_description`, `action2_owner`, `action2_due_on_day`, ...
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

    /// The input and the form row number of each action kept, or every
    /// problem found. Blank action rows are skipped.
    fn to_input(
        &self,
        members: &[(i64, String, String)],
    ) -> Result<(ReviewInput, Vec<usize>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let held_on = forms::date(
            "held_on",
            "The date the review was held",
            &self.held_on_day,
            &self.held_on_month,
            &self.held_on_year,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let mut actions = Vec::new();
        let mut rows = Vec::new();
        for r in self.actions.iter().filter(|r| !r.is_blank()) {
            let due_on = forms::date(
                &format!("action{}_due_on", r.n),
                &format!("Action {} due date", r.n),
                &r.due_day,
                &r.due_month,
                &r.due_year,
            )
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
            actions.push(ActionInput {
                description: r.description.clone(),
                owner: r.owner.clone(),
                due_on,
            });
            rows.push(r.n);
        }
        let input = ReviewInput {
            held_on,
            findings: self.findings.clone(),
            decision: self.decision.clone(),
            actions,
        };
        if let Err(rule_errors) = store::check(&input, today(), members, &|i| form_names(&rows, i))
        {
            for e in rule_errors {
                // A date that could not be read has already been explained.
                if !errors.iter().any(|x: &FieldError| x.field == e.field) {
                    errors.push(e);
                }
            }
        }
        let mut order = vec!["held_on".to_string(), "findings".into(), "decision".into()];
        for n in 1..=FORM_ACTIONS {
            order.extend(["description", "owner", "due_on"].map(|f| format!("action{n}_{f}")));
        }
        errors.sort_by_key(|e| {
            order
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(order.len())
        });
        if errors.is_empty() {
            Ok((input, rows))
        } else {
            Err(errors)
        }
    }
}

/// Form names for the i-th action kept: fields `action2_owner`, label "Action 2".
fn form_names(rows: &[usize], i: usize) -> (String, String) {
    let n = rows.get(i).copied().unwrap_or(i + 1);
    (format!("action{n}_"), format!("Action {n}"))
}

#[derive(Template)]
#[template(path = "partnerships/reviews/reviews.html")]
struct ReviewsPage {
    ctx: PageCtx,
    h: Header,
    reviews: Vec<ReviewView>,
    actions: Vec<ActionView>,
    members: Vec<(i64, String, String)>,
    errors: FormErrors,
    form: ReviewForm,
    today: NaiveDate,
}

impl ReviewsPage {
    fn decisions(&self) -> Vec<(&'static str, &'static str)> {
        Decision::options()
    }
    fn owner_options(&self) -> Vec<(String, String)> {
        let mut options = vec![(String::new(), "Select an organisation".to_string())];
        options.extend(
            self.members
                .iter()
                .map(|(_, code, name)| (code.clone(), name.clone())),
        );
        options
    }
    fn cadence_label(&self) -> String {
        match self.h.p.review_cadence_months {
            Some(1) => "Every month".into(),
            Some(m) => format!("Every {m} months"),
            None => "No review cadence set".into(),
        }
    }
    fn is_exit(&self, r: &ReviewView) -> bool {
        r.decision == Decision::Exit
    }
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: FormErrors,
    form: ReviewForm,
) -> AppResult<Response> {
    let (pid, today) = (p.id, today());
    let (reviews, members) = state
        .db
        .read(move |c| Ok((store::list(c, pid, today)?, active_member_orgs(c, pid)?)))
        .await?;
    let actions = store::all_actions(&reviews);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let h = crate::partnerships::legacy::header(p, rel, "reviews", ctx.user.as_ref());
    Ok((
        status,
        html(ReviewsPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            reviews,
            actions,
            members,
            errors,
            form,
            today,
        })?,
    )
        .into_response())
}

async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    render(
        &state,
        ctx,
        p,
        rel,
        FormErrors::default(),
        ReviewForm::blank(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let form = ReviewForm::from_fields(&fields);
    let pid = p.id;
    let members = state.db.read(move |c| active_member_orgs(c, pid)).await?;
    let (input, rows) = match form.to_input(&members) {
        Ok(ok) => ok,
        Err(errors) => return render(&state, ctx, p, rel, FormErrors(errors), form).await,
    };
    let (p2, user_id, actor) = (p.clone(), user.id, user.audit_actor());
    match state
        .db
        .write(move |c| {
            store::create(
                c,
                &p2,
                &input,
                today(),
                &|i| form_names(&rows, i),
                Some(user_id),
                &actor,
            )
        })
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/partnerships/{id}/reviews")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render(&state, ctx, p, rel, FormErrors(errors), form).await
        }
        Err(e) => Err(e),
    }
}

async fn done(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, action)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let actor = user.audit_actor();
    state
        .db
        .write(move |c| store::mark_done(c, &p, action, today(), &actor))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/reviews#actions")).into_response())
}
