//! Joint objectives' vocabulary, records and rules: an objective and its
//! progress updates as pages and the API show them, as the form or the API
//! gives them (drafts), and once checked (inputs). Each rule is worded here
//! and nowhere else.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

crate::vocab::vocabulary!(
    /// How an objective is doing; stored with each progress update.
    Rag {
        Red = "red": "Red",
        Amber = "amber": "Amber",
        Green = "green": "Green",
    }
);

/// Numbers people give are kept below this so they print and sum sensibly.
pub const MAX_NUMBER: f64 = 1e15;
pub const MAX_TITLE: usize = 200;
pub const MAX_MEASURE: usize = 200;
pub const MAX_UNIT: usize = 30;
pub const MAX_NOTE: usize = 2000;

/// The objective form's fields in order, for listing errors.
pub const FIELD_ORDER: [&str; 8] = [
    "title",
    "measure",
    "unit",
    "baseline",
    "target",
    "start_date",
    "due_date",
    "owner",
];

/// The progress form's fields in order.
pub const PROGRESS_ORDER: [&str; 3] = ["value", "recorded_on", "note"];

/// A progress update as pages and the API show it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ProgressView {
    pub id: i64,
    pub value: f64,
    pub recorded_on: NaiveDate,
    /// Worked out when the update was recorded (and again if the objective's numbers or dates change).
    pub rag: Rag,
    /// Progress from baseline (0) to target (100).
    pub progress_percent: Option<f64>,
    pub note: String,
    /// Display name of the person who recorded it.
    pub recorded_by: Option<String>,
    pub created_at: crate::time::Timestamp,
}

/// An objective with its owner and latest progress.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ObjectiveView {
    pub id: i64,
    pub title: String,
    pub measure: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Organisation code of the owning member.
    pub owner: String,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_id: i64,
    pub latest: Option<ProgressView>,
    /// Past its due date without its target met.
    pub overdue: bool,
}

impl ObjectiveView {
    pub fn rag_code(&self) -> &'static str {
        self.latest.as_ref().map(|u| u.rag.code()).unwrap_or("none")
    }

    pub fn progress_label(&self) -> String {
        self.latest
            .as_ref()
            .and_then(|u| u.progress_percent)
            .map(super::format::percent_label)
            .unwrap_or_else(|| "–".into())
    }
}

/// 0.456 -> 45.6; kept to one decimal place for people.
pub fn as_percent(progress: f64) -> f64 {
    (progress * 1000.0).round() / 10.0
}

/// Past due with the target not met (or nothing reported).
pub fn is_overdue(due: NaiveDate, today: NaiveDate, progress: Option<f64>) -> bool {
    today > due && progress.is_none_or(|p| p < 1.0 - 1e-9)
}

#[cfg(test)]
mod tests {
    use super::super::input::*;
    use super::*;
    use crate::error::FieldError;
    use crate::partnerships::model::ActiveMember;
    use crate::partnerships::model::ActiveMembers;

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

    fn draft() -> ObjectiveDraft {
        ObjectiveDraft {
            title: "  Cut missed bins ".into(),
            measure: "Missed collections per 100,000".into(),
            unit: "".into(),
            baseline: Some(500.0),
            target: Some(300.0),
            start_date: Some(d(2025, 4, 1)),
            due_date: Some(d(2027, 3, 31)),
            owner: "lds".into(),
        }
    }

    fn view() -> ObjectiveView {
        ObjectiveView {
            id: 7,
            title: "Cut missed bins".into(),
            measure: "Missed collections".into(),
            unit: String::new(),
            baseline: 500.0,
            target: 300.0,
            start_date: d(2025, 4, 1),
            due_date: d(2027, 3, 31),
            owner: "CON".into(),
            owner_name: "Cornwall Council".into(),
            owner_id: 9,
            latest: None,
            overdue: false,
        }
    }

    fn parse(
        draft: &ObjectiveDraft,
        current: Option<&ObjectiveView>,
        first_update: Option<NaiveDate>,
    ) -> Result<ObjectiveInput, Vec<FieldError>> {
        let members = members();
        ObjectiveInput::parse(
            draft,
            &ObjectiveContext {
                members: &members,
                current,
                first_update,
            },
        )
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn overdue_means_past_due_and_target_not_met() {
        let due = d(2026, 3, 31);
        let after = d(2026, 4, 1);
        assert!(is_overdue(due, after, Some(0.8)));
        assert!(is_overdue(due, after, None), "no progress reported");
        assert!(!is_overdue(due, after, Some(1.0)), "target met");
        assert!(
            !is_overdue(due, due, Some(0.2)),
            "due today is not yet overdue"
        );
    }

    #[test]
    fn a_valid_objective_is_trimmed_and_its_owner_resolved() {
        let input = parse(&draft(), None, None).unwrap();
        assert_eq!(
            (
                input.title.as_str(),
                input.owner,
                input.baseline,
                input.target
            ),
            ("Cut missed bins", 2, 500.0, 300.0)
        );
    }

    #[test]
    fn every_problem_at_once_in_form_order() {
        let blank = ObjectiveDraft::default();
        assert_eq!(
            fields(parse(&blank, None, None).unwrap_err()),
            [
                "title",
                "measure",
                "baseline",
                "target",
                "start_date",
                "due_date",
                "owner"
            ]
        );
        let mut same = draft();
        same.target = Some(500.0);
        same.due_date = Some(d(2025, 4, 1));
        same.owner = "CON".into();
        let messages: Vec<String> = parse(&same, None, None)
            .unwrap_err()
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert_eq!(
            messages,
            [
                "The target must be different from the baseline",
                "The due date must be after the start date",
                "CON is not an active member of this partnership",
            ]
        );
        let mut huge = draft();
        huge.baseline = Some(2e15);
        huge.start_date = Some(d(1066, 10, 14));
        assert_eq!(
            parse(&huge, None, None)
                .unwrap_err()
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>(),
            [
                "Baseline must be a number smaller than a thousand million million",
                "The start date must be between 1900 and 2200",
            ]
        );
    }

    #[test]
    fn a_change_keeps_an_owner_who_has_left_and_the_start_before_progress() {
        let current = view();
        let mut change = current.draft();
        change.owner = "con".into();
        assert_eq!(parse(&change, Some(&current), None).unwrap().owner, 9);
        assert!(
            parse(&change, None, None).is_err(),
            "a new objective needs an active member"
        );
        change.start_date = Some(d(2025, 6, 1));
        let errors = parse(&change, Some(&current), Some(d(2025, 5, 1))).unwrap_err();
        assert_eq!(
            errors[0].message,
            "The start date cannot be after the first progress update, 1 May 2025"
        );
        assert!(parse(&change, Some(&current), Some(d(2025, 6, 1))).is_ok());
    }

    #[test]
    fn progress_is_dated_between_the_start_and_today() {
        let o = view();
        let today = d(2026, 1, 10);
        let ok = ProgressInput::parse(
            &ProgressDraft {
                value: Some(450.0),
                note: " Going well ".into(),
                ..Default::default()
            },
            &o,
            today,
        )
        .unwrap();
        assert_eq!(
            (ok.recorded_on, ok.note.as_str()),
            (today, "Going well"),
            "no date is today"
        );
        let message = |draft: ProgressDraft| {
            ProgressInput::parse(&draft, &o, today)
                .unwrap_err()
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            message(ProgressDraft {
                recorded_on: today.succ_opt(),
                ..Default::default()
            }),
            [
                "Enter the value",
                "The date recorded must be today or in the past"
            ]
        );
        assert_eq!(
            message(ProgressDraft {
                value: Some(1.0),
                recorded_on: Some(d(2025, 3, 31)),
                ..Default::default()
            }),
            ["The date recorded must be on or after the objective's start date, 1 April 2025"]
        );
    }
}
