//! Reviews' vocabulary, what the pages and the API show of them, a review as
//! the form or the API gives it and once checked, and the pure rules behind
//! them: an action's status and the order actions are followed up in. Each
//! rule about a review is worded here and nowhere else.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::partnerships::model::{ActiveMembers, Partnership};
use crate::text;
use crate::web::forms;

crate::vocab::vocabulary!(
    /// What a review decided about the partnership's future.
    Decision {
        Continue = "continue": "Continue",
        Improve = "improve": "Improve",
        Renegotiate = "renegotiate": "Renegotiate",
        Exit = "exit": "Exit",
    }
);

crate::vocab::vocabulary!(
    /// Where a review action stands; worked out from its dates, not stored.
    ActionStatus {
        Open = "open": "Open",
        Overdue = "overdue": "Overdue",
        Done = "done": "Done",
    }
);

impl ActionStatus {
    /// GOV.UK tag colour.
    pub fn tag_class(self) -> &'static str {
        match self {
            ActionStatus::Open => "govuk-tag--blue",
            ActionStatus::Overdue => "govuk-tag--red",
            ActionStatus::Done => "govuk-tag--green",
        }
    }
}

/// Done once it has a done date; overdue from the day after it fell due.
pub fn status(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> ActionStatus {
    match done_on {
        Some(_) => ActionStatus::Done,
        None if due_on < today => ActionStatus::Overdue,
        None => ActionStatus::Open,
    }
}

/// An action agreed at a review.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ActionView {
    pub id: i64,
    pub review_id: i64,
    /// When the review that agreed it was held.
    pub review_held_on: NaiveDate,
    pub description: String,
    /// The owner organisation's id (pages ask the policy with it).
    #[serde(skip)]
    pub owner_id: i64,
    pub owner_code: String,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub status: ActionStatus,
}

/// A review with its actions, soonest due first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub held_on: NaiveDate,
    pub findings: String,
    pub decision: Decision,
    pub created_at: crate::time::Timestamp,
    pub actions: Vec<ActionView>,
}

impl ReviewView {
    /// An exit decision links to the partnership's exit plan.
    pub fn is_exit(&self) -> bool {
        self.decision == Decision::Exit
    }
}

/// A partnership's review schedule and its reviews, newest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ReviewList {
    pub review_cadence_months: Option<i32>,
    pub next_review_due: Option<NaiveDate>,
    pub review_overdue: bool,
    pub reviews: Vec<ReviewView>,
}

impl ReviewList {
    /// The partnership's schedule with its reviews.
    pub fn of(p: &Partnership, reviews: Vec<ReviewView>, today: NaiveDate) -> ReviewList {
        ReviewList {
            review_cadence_months: p.review_cadence_months,
            next_review_due: p.next_review_due,
            review_overdue: p.review_overdue(today),
            reviews,
        }
    }
}

/// Every review's actions in one list: those still to do first, soonest due first.
pub fn all_actions(reviews: &[ReviewView]) -> Vec<ActionView> {
    let mut all: Vec<ActionView> = reviews
        .iter()
        .flat_map(|r| r.actions.iter().cloned())
        .collect();
    all.sort_by_key(|a| (a.done_on.is_some(), a.due_on, a.id));
    all
}

/// "Every 12 months", for the schedule.
pub fn cadence_label(months: Option<i32>) -> String {
    match months {
        Some(1) => "Every month".into(),
        Some(m) => format!("Every {m} months"),
        None => "No review cadence set".into(),
    }
}

/// An action agreed at a review, as the form or the API gives it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct ActionDraft {
    pub description: String,
    /// Code of the active member organisation that owns it, e.g. LDS.
    pub owner: String,
    /// Required.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// A review as the form or the API gives it, before it is checked. Also the
/// JSON body of `POST /api/v1/partnerships/{id}/reviews`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct ReviewDraft {
    /// When the review was held; required, and not in the future.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    pub findings: String,
    #[schema(value_type = Decision)]
    pub decision: String,
    #[serde(default)]
    pub actions: Vec<ActionDraft>,
}

/// How a review's actions are named in errors: the API indexes its array
/// (`actions[0].owner`, "Action 1"); the form numbers its rows and skips the
/// blank ones (`action3_owner`, "Action 3").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionNames {
    Api,
    /// The form row number of each action given, in order.
    FormRows(Vec<usize>),
}

impl ActionNames {
    /// The field prefix and the label of the i-th action given.
    fn of(&self, i: usize) -> (String, String) {
        match self {
            ActionNames::Api => (format!("actions[{i}]."), format!("Action {}", i + 1)),
            ActionNames::FormRows(rows) => {
                let n = rows.get(i).copied().unwrap_or(i + 1);
                (format!("action{n}_"), format!("Action {n}"))
            }
        }
    }
}

/// What a review is checked against.
pub struct ReviewContext<'a> {
    pub today: NaiveDate,
    /// Who may own an action.
    pub members: &'a ActiveMembers,
    pub names: &'a ActionNames,
}

/// An action once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionInput {
    pub description: String,
    /// Organisation id of the owning active member.
    pub owner: i64,
    pub due_on: NaiveDate,
}

/// A review once checked: the only thing the store accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewInput {
    pub held_on: NaiveDate,
    pub findings: String,
    pub decision: Decision,
    pub actions: Vec<ActionInput>,
}

/// A sanity limit for the API; the page's form offers three rows.
pub const MAX_ACTIONS: usize = 20;
pub const MAX_ACTION_TEXT: usize = 500;
pub const MAX_TEXT: usize = crate::partnerships::model::MAX_TEXT;

impl ReviewInput {
    /// Every rule about a review, worded once; all problems at once, in the
    /// order of the form.
    pub fn parse(
        draft: &ReviewDraft,
        ctx: &ReviewContext<'_>,
    ) -> Result<ReviewInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        match draft.held_on {
            None => errors.push(FieldError::new(
                "held_on",
                "Enter the date the review was held",
            )),
            Some(d) if d > ctx.today => errors.push(FieldError::new(
                "held_on",
                "The date the review was held must be today or in the past",
            )),
            d => errors
                .extend(forms::plausible_date("held_on", "The date the review was held", d).err()),
        }
        let findings = forms::keep(
            &mut errors,
            text::paragraph("findings", "Findings", &draft.findings, MAX_TEXT),
        );
        if findings.as_deref() == Some("") {
            errors.push(FieldError::new("findings", "Enter what the review found"));
        }
        let decision = Decision::parse(&draft.decision);
        if decision.is_none() {
            errors.push(FieldError::new(
                "decision",
                "Select the review's decision: continue, improve, renegotiate or exit",
            ));
        }
        if draft.actions.len() > MAX_ACTIONS {
            errors.push(FieldError::new(
                "actions",
                format!("Record at most {MAX_ACTIONS} actions with one review"),
            ));
        }
        let actions: Vec<Option<ActionInput>> = draft
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| action(a, &ctx.names.of(i), draft.held_on, ctx, &mut errors))
            .collect();
        match (draft.held_on, findings, decision) {
            (Some(held_on), Some(findings), Some(decision)) if errors.is_empty() => {
                Ok(ReviewInput {
                    held_on,
                    findings,
                    decision,
                    actions: actions.into_iter().flatten().collect(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// One action: a description, an owner that is an active member, and a due
/// date no earlier than the review.
fn action(
    a: &ActionDraft,
    (prefix, label): &(String, String),
    held_on: Option<NaiveDate>,
    ctx: &ReviewContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<ActionInput> {
    let field = |name: &str| format!("{prefix}{name}");
    let description = forms::keep(
        errors,
        text::line(
            &field("description"),
            &format!("{label}: the description"),
            &a.description,
            MAX_ACTION_TEXT,
        ),
    );
    if description.as_deref() == Some("") {
        errors.push(FieldError::new(
            &field("description"),
            format!("{label}: enter a description of the action"),
        ));
    }
    let code = a.owner.trim();
    let owner = if code.is_empty() {
        errors.push(FieldError::new(
            &field("owner"),
            format!("{label}: select the organisation that owns it"),
        ));
        None
    } else if let Some(m) = ctx.members.by_code(code) {
        Some(m.organisation_id)
    } else {
        errors.push(FieldError::new(
            &field("owner"),
            format!("{label}: {code} is not an active member of this partnership"),
        ));
        None
    };
    match (a.due_on, held_on) {
        (None, _) => errors.push(FieldError::new(
            &field("due_on"),
            format!("{label}: enter the due date"),
        )),
        (Some(due), Some(held)) if due < held => errors.push(FieldError::new(
            &field("due_on"),
            format!("{label}: the due date must be on or after the date the review was held"),
        )),
        (due, _) => errors.extend(
            forms::plausible_date(&field("due_on"), &format!("{label}: the due date"), due).err(),
        ),
    }
    match (description, owner, a.due_on) {
        (Some(description), Some(owner), Some(due_on)) if !description.is_empty() => {
            Some(ActionInput {
                description,
                owner,
                due_on,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
