//! The reviews page: the schedule, past reviews, their actions and the form
//! to record a review.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;

use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMember, Partnership};
use crate::partnerships::notice::{self, Done, Noted};
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::Work;

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

/// Draws the page with `form`: blank, or what was typed when it is shown
/// again with `errors`.
async fn render(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    form: ReviewForm,
    done: Done,
) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let today = today();
            let reviews = store::list(w.conn, w.record.id, today)?;
            let members = partnerships::active_members(w.conn, w.record.id)?.0;
            let invalid = !errors.is_empty();
            let view = IndexPage {
                h: Header::of(w, "reviews").with_notice(w, done)?,
                actions: all_actions(&reviews),
                reviews,
                members,
                errors: FormErrors(errors),
                form,
                today,
                ctx: ctx.with_nav("partnerships"),
            };
            page(view, invalid)
        })
        .await
}

async fn index(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render(visit, vec![], ReviewForm::blank(), done).await
}

async fn create(
    visit: Visit<Partnership>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = ReviewForm::from_fields(&fields);
    let typed = form.clone();
    let id = visit.id;
    let change = move |w: &mut Work<'_, Partnership>| {
        let today = today();
        let input = typed.check(w, today)?;
        let review = store::create(w, &input, today)?;
        notice::noted(w, review)
    };
    let to = move |n: Noted<ReviewView>| n.to(format!("/partnerships/{id}/reviews"));
    let again = |visit, errors| render(visit, errors, form, Done::default());
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

/// Marking an action done asks nothing more; marking it again changes
/// nothing. Only the action's owner organisation (or the lead) marks it.
async fn done(visit: Visit<Partnership>) -> AppResult<Response> {
    let (id, action) = (visit.id, visit.param("action")?);
    let change = move |w: &mut Work<'_, Partnership>| {
        notice::noting(w, move |w| store::mark_done(w, action, today()))
    };
    let to = move |n: Noted<ActionView>| n.to(format!("/partnerships/{id}/reviews#actions"));
    visit.then_go(Action::EditPartnership, change, to).await
}
