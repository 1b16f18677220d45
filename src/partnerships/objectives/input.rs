//! An objective and a progress update as typed, and every rule about them, worded once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::*;
use crate::error::FieldError;
use crate::partnerships::model::ActiveMembers;
use crate::text;
use crate::web::forms;

/// An objective as the form or the API gives it, before it is checked.
/// Every field may be left out so that a missing one gets its own message
/// rather than a parse error for the body. The JSON body of `POST
/// /api/v1/partnerships/{id}/objectives`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct ObjectiveDraft {
    pub title: String,
    /// What is measured, e.g. "Missed bin collections per 100,000".
    pub measure: String,
    /// Unit of the measure, e.g. "%" or "days"; optional.
    pub unit: String,
    /// The measure's value at the start.
    #[schema(exclusive_minimum = -1e15, exclusive_maximum = 1e15)]
    pub baseline: Option<f64>,
    /// The value to reach by the due date; may be below the baseline.
    #[schema(exclusive_minimum = -1e15, exclusive_maximum = 1e15)]
    pub target: Option<f64>,
    /// Usually the date the baseline was measured.
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Organisation code of the owning member, e.g. BIR.
    pub owner: String,
}

/// What an objective is checked against: the partnership as it is now.
pub struct ObjectiveContext<'a> {
    pub members: &'a ActiveMembers,
    /// The objective being changed, if it is a change.
    pub current: Option<&'a ObjectiveView>,
    /// The date of the changed objective's first progress update, if any.
    pub first_update: Option<NaiveDate>,
}

/// An objective once checked: the only thing the store accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectiveInput {
    pub title: String,
    pub measure: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Organisation id of the owning member.
    pub owner: i64,
}

/// A required number, below [`MAX_NUMBER`] either way.
fn number(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    value: Option<f64>,
) -> Option<f64> {
    match value {
        None => {
            errors.push(FieldError::new(
                field,
                format!("Enter the {}", label.to_lowercase()),
            ));
            None
        }
        Some(v) if !v.is_finite() || v.abs() >= MAX_NUMBER => {
            errors.push(FieldError::new(
                field,
                format!("{label} must be a number smaller than a thousand million million"),
            ));
            None
        }
        v => v,
    }
}

impl ObjectiveInput {
    /// Every rule about an objective, worded once; all problems at once, in
    /// the order of the form. An objective being changed keeps its owner
    /// even after that member has left, and its start cannot move past
    /// progress already recorded.
    pub fn parse(
        draft: &ObjectiveDraft,
        ctx: &ObjectiveContext<'_>,
    ) -> Result<ObjectiveInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = forms::keep(
            &mut errors,
            text::required_line(
                "title",
                "Objective",
                &draft.title,
                MAX_TITLE,
                "Enter the objective's title",
            ),
        );
        let measure = forms::keep(
            &mut errors,
            text::required_line(
                "measure",
                "Measure",
                &draft.measure,
                MAX_MEASURE,
                "Enter what will be measured",
            ),
        );
        let unit = forms::keep(
            &mut errors,
            text::line("unit", "Unit", &draft.unit, MAX_UNIT),
        );
        let baseline = number(&mut errors, "baseline", "Baseline", draft.baseline);
        let target = number(&mut errors, "target", "Target", draft.target);
        if let (Some(b), Some(t)) = (baseline, target) {
            if b == t {
                errors.push(FieldError::new(
                    "target",
                    "The target must be different from the baseline",
                ));
            }
        }
        let start_date = match draft.start_date {
            None => {
                errors.push(FieldError::new("start_date", "Enter the start date"));
                None
            }
            Some(start) => {
                let plausible = forms::keep(
                    &mut errors,
                    forms::plausible_date("start_date", "The start date", Some(start)),
                );
                match ctx.first_update.filter(|first| *first < start) {
                    Some(first) if plausible.is_some() => {
                        errors.push(FieldError::new(
                            "start_date",
                            format!(
                                "The start date cannot be after the first progress update, {}",
                                first.format("%-d %B %Y")
                            ),
                        ));
                        None
                    }
                    _ => plausible.map(|()| start),
                }
            }
        };
        let due_date = match (draft.start_date, draft.due_date) {
            (_, None) => {
                errors.push(FieldError::new("due_date", "Enter the due date"));
                None
            }
            (Some(start), Some(due)) if due <= start => {
                errors.push(FieldError::new(
                    "due_date",
                    "The due date must be after the start date",
                ));
                None
            }
            (_, Some(due)) => forms::keep(
                &mut errors,
                forms::plausible_date("due_date", "The due date", Some(due)),
            )
            .map(|()| due),
        };
        let owner = owner(&draft.owner, ctx, &mut errors);
        match (
            title, measure, unit, baseline, target, start_date, due_date, owner,
        ) {
            (
                Some(title),
                Some(measure),
                Some(unit),
                Some(baseline),
                Some(target),
                Some(start_date),
                Some(due_date),
                Some(owner),
            ) if errors.is_empty() => Ok(ObjectiveInput {
                title,
                measure,
                unit,
                baseline,
                target,
                start_date,
                due_date,
                owner,
            }),
            _ => {
                forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

/// The owner must be an active member; an objective being changed keeps
/// its owner even after that member has left.
fn owner(code: &str, ctx: &ObjectiveContext<'_>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let code = code.trim();
    if code.is_empty() {
        errors.push(FieldError::new("owner", "Select a member organisation"));
        return None;
    }
    if let Some(current) = ctx.current.filter(|c| c.owner.eq_ignore_ascii_case(code)) {
        return Some(current.owner_id);
    }
    match ctx.members.by_code(code) {
        Some(m) => Some(m.organisation_id),
        None => {
            errors.push(FieldError::new(
                "owner",
                format!("{code} is not an active member of this partnership"),
            ));
            None
        }
    }
}

/// A progress update as the form or the API gives it. The JSON body of
/// `POST /api/v1/partnerships/{id}/objectives/{oid}/updates`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct ProgressDraft {
    /// The measure's value on the date recorded.
    #[schema(exclusive_minimum = -1e15, exclusive_maximum = 1e15)]
    pub value: Option<f64>,
    /// When the value was measured; today if left out. Not in the future, not before the objective's start.
    pub recorded_on: Option<NaiveDate>,
    pub note: String,
}

/// A progress update once checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgressInput {
    pub value: f64,
    pub recorded_on: NaiveDate,
    pub note: String,
}

impl ProgressInput {
    /// Every rule about a progress update of `objective`, worded once. A
    /// date left out is `today`.
    pub fn parse(
        draft: &ProgressDraft,
        objective: &ObjectiveView,
        today: NaiveDate,
    ) -> Result<ProgressInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let value = number(&mut errors, "value", "Value", draft.value);
        let on = draft.recorded_on.unwrap_or(today);
        if on > today {
            errors.push(FieldError::new(
                "recorded_on",
                "The date recorded must be today or in the past",
            ));
        } else if on < objective.start_date {
            errors.push(FieldError::new(
                "recorded_on",
                format!(
                    "The date recorded must be on or after the objective's start date, {}",
                    objective.start_date.format("%-d %B %Y")
                ),
            ));
        }
        let note = forms::keep(
            &mut errors,
            text::paragraph("note", "Note", &draft.note, MAX_NOTE),
        );
        match (value, note) {
            (Some(value), Some(note)) if errors.is_empty() => Ok(ProgressInput {
                value,
                recorded_on: on,
                note,
            }),
            _ => {
                forms::in_field_order(&mut errors, &PROGRESS_ORDER);
                Err(errors)
            }
        }
    }
}

impl ObjectiveView {
    /// The draft that would leave the objective as it is; edits and patches start here.
    pub fn draft(&self) -> ObjectiveDraft {
        ObjectiveDraft {
            title: self.title.clone(),
            measure: self.measure.clone(),
            unit: self.unit.clone(),
            baseline: Some(self.baseline),
            target: Some(self.target),
            start_date: Some(self.start_date),
            due_date: Some(self.due_date),
            owner: self.owner.clone(),
        }
    }
}
