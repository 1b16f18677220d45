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
mod tests {
    use super::*;
    use crate::partnerships::model::ActiveMember;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn members() -> ActiveMembers {
        ActiveMembers(vec![
            ActiveMember {
                organisation_id: 1,
                code: "BIR".into(),
                name: "Birmingham City Council".into(),
            },
            ActiveMember {
                organisation_id: 2,
                code: "LDS".into(),
                name: "Leeds City Council".into(),
            },
        ])
    }

    fn review(actions: Vec<ActionDraft>) -> ReviewDraft {
        ReviewDraft {
            held_on: Some(d(2026, 3, 1)),
            findings: "Savings on track".into(),
            decision: "continue".into(),
            actions,
        }
    }

    fn action(description: &str, owner: &str, due_on: Option<NaiveDate>) -> ActionDraft {
        ActionDraft {
            description: description.into(),
            owner: owner.into(),
            due_on,
        }
    }

    fn parse(
        draft: &ReviewDraft,
        today: NaiveDate,
        names: &ActionNames,
    ) -> Result<ReviewInput, Vec<FieldError>> {
        let members = members();
        ReviewInput::parse(
            draft,
            &ReviewContext {
                today,
                members: &members,
                names,
            },
        )
    }

    fn messages(r: Result<ReviewInput, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn statuses_come_from_the_dates() {
        let today = d(2026, 6, 1);
        assert_eq!(status(d(2026, 5, 31), None, today), ActionStatus::Overdue);
        assert_eq!(
            status(d(2026, 6, 1), None, today),
            ActionStatus::Open,
            "due today is not yet overdue"
        );
        assert_eq!(
            status(d(2026, 5, 1), Some(d(2026, 5, 20)), today),
            ActionStatus::Done
        );
    }

    #[test]
    fn a_review_needs_a_past_date_findings_and_a_decision() {
        let today = d(2026, 3, 1);
        assert_eq!(
            parse(&review(vec![]), today, &ActionNames::Api),
            Ok(ReviewInput {
                held_on: today,
                findings: "Savings on track".into(),
                decision: Decision::Continue,
                actions: vec![],
            }),
            "held today is fine"
        );
        let bad = ReviewDraft {
            held_on: Some(d(2026, 3, 2)),
            findings: " ".into(),
            decision: "shrug".into(),
            actions: vec![],
        };
        assert_eq!(
            messages(parse(&bad, today, &ActionNames::Api)),
            [
                (
                    "held_on".into(),
                    "The date the review was held must be today or in the past".into()
                ),
                ("findings".into(), "Enter what the review found".into()),
                (
                    "decision".into(),
                    "Select the review's decision: continue, improve, renegotiate or exit".into()
                ),
            ]
        );
        let undated = ReviewDraft {
            held_on: None,
            ..review(vec![])
        };
        assert_eq!(
            messages(parse(&undated, today, &ActionNames::Api))[0].1,
            "Enter the date the review was held"
        );
        let ancient = ReviewDraft {
            held_on: Some(d(1026, 3, 1)),
            ..review(vec![])
        };
        assert_eq!(
            messages(parse(&ancient, today, &ActionNames::Api)),
            [(
                "held_on".into(),
                "The date the review was held must be between 1900 and 2200".into()
            )]
        );
        let long = ReviewDraft {
            findings: "x".repeat(MAX_TEXT + 1),
            ..review(vec![])
        };
        assert_eq!(
            messages(parse(&long, today, &ActionNames::Api)),
            [(
                "findings".into(),
                format!("Findings must be {MAX_TEXT} characters or fewer")
            )]
        );
    }

    #[test]
    fn each_action_needs_a_description_a_member_owner_and_a_due_date() {
        let today = d(2026, 3, 1);
        let ok = review(vec![
            action(" Renegotiate the licence ", "lds", Some(d(2026, 9, 1))),
            action("Report to cabinet", "BIR", Some(d(2026, 3, 1))),
        ]);
        assert_eq!(
            parse(&ok, today, &ActionNames::Api).unwrap().actions,
            vec![
                ActionInput {
                    description: "Renegotiate the licence".into(),
                    owner: 2,
                    due_on: d(2026, 9, 1)
                },
                ActionInput {
                    description: "Report to cabinet".into(),
                    owner: 1,
                    due_on: d(2026, 3, 1)
                },
            ]
        );
        let bad = review(vec![
            action("", "CON", Some(d(2026, 2, 1))),
            action("Tell the press", "", None),
        ]);
        assert_eq!(
            messages(parse(&bad, today, &ActionNames::Api)),
            [
                (
                    "actions[0].description".into(),
                    "Action 1: enter a description of the action".into()
                ),
                (
                    "actions[0].owner".into(),
                    "Action 1: CON is not an active member of this partnership".into()
                ),
                (
                    "actions[0].due_on".into(),
                    "Action 1: the due date must be on or after the date the review was held"
                        .into()
                ),
                (
                    "actions[1].owner".into(),
                    "Action 2: select the organisation that owns it".into()
                ),
                (
                    "actions[1].due_on".into(),
                    "Action 2: enter the due date".into()
                ),
            ]
        );
        // The form names rows its own way.
        let one = review(vec![action("Tell the press", "", Some(d(2026, 4, 1)))]);
        assert_eq!(
            messages(parse(&one, today, &ActionNames::FormRows(vec![2]))),
            [(
                "action2_owner".into(),
                "Action 2: select the organisation that owns it".into()
            )]
        );
        let odd = review(vec![
            action(&"x".repeat(MAX_ACTION_TEXT + 1), "BIR", Some(d(2026, 4, 1))),
            action("Tell the press", "BIR", Some(d(2300, 4, 1))),
        ]);
        assert_eq!(
            messages(parse(&odd, today, &ActionNames::Api)),
            [
                (
                    "actions[0].description".into(),
                    format!(
                        "Action 1: the description must be {MAX_ACTION_TEXT} characters or fewer"
                    )
                ),
                (
                    "actions[1].due_on".into(),
                    "Action 2: the due date must be between 1900 and 2200".into()
                ),
            ]
        );
        let many = review(
            (0..=MAX_ACTIONS)
                .map(|_| action("x", "BIR", Some(d(2026, 4, 1))))
                .collect(),
        );
        assert_eq!(
            messages(parse(&many, today, &ActionNames::Api))[0].0,
            "actions"
        );
    }

    #[test]
    fn actions_still_to_do_come_first_soonest_due_first() {
        let view = |id: i64, due: NaiveDate, done: Option<NaiveDate>| ActionView {
            owner_id: 0,
            id,
            review_id: 1,
            review_held_on: d(2026, 1, 1),
            description: format!("Action {id}"),
            owner_code: "BIR".into(),
            owner_name: "Birmingham City Council".into(),
            due_on: due,
            done_on: done,
            status: status(due, done, d(2026, 3, 1)),
        };
        let reviews = vec![ReviewView {
            id: 1,
            held_on: d(2026, 1, 1),
            findings: String::new(),
            decision: Decision::Continue,
            created_at: crate::time::Timestamp::default(),
            actions: vec![
                view(1, d(2026, 2, 1), Some(d(2026, 2, 1))),
                view(2, d(2026, 6, 1), None),
                view(3, d(2026, 2, 15), None),
            ],
        }];
        let ids: Vec<i64> = all_actions(&reviews).iter().map(|a| a.id).collect();
        assert_eq!(ids, [3, 2, 1]);
        assert_eq!(cadence_label(Some(1)), "Every month");
        assert_eq!(cadence_label(Some(12)), "Every 12 months");
        assert_eq!(cadence_label(None), "No review cadence set");
    }
}
