//! Joint objectives and their progress updates: checks, reads and changes.
//! Every change is audited in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rag::{self, Rag};
use crate::audit::Actor as AuditActor;
use crate::db::schema::{objective_updates, objectives, organisations, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::legacy::{active_member_id, record};

/// Numbers people type are kept below this so they print and sum sensibly.
const MAX_NUMBER: f64 = 1e15;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = objectives)]
pub struct Objective {
    pub id: i64,
    pub partnership_id: i64,
    pub title: String,
    pub measure: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    pub owner_organisation_id: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = objective_updates)]
pub struct ProgressUpdate {
    pub id: i64,
    pub objective_id: i64,
    pub value: f64,
    pub rag: String,
    pub note: String,
    pub recorded_on: NaiveDate,
    pub recorded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// What can be set on an objective. Every field may be left out so that a
/// missing one gets its own message rather than a parse error for the body.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct ObjectiveInput {
    pub title: String,
    /// What is measured, e.g. "Missed bin collections per 100,000".
    pub measure: String,
    /// Unit of the measure, e.g. "%" or "days"; optional.
    pub unit: String,
    /// The measure's value at the start.
    pub baseline: Option<f64>,
    /// The value to reach by the due date; may be below the baseline.
    pub target: Option<f64>,
    /// Usually the date the baseline was measured.
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Organisation code of the owning member, e.g. BIR.
    pub owner: String,
}

/// A change to some of an objective's fields; those left out keep their value.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct ObjectivePatch {
    pub title: Option<String>,
    pub measure: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub owner: Option<String>,
}

impl ObjectivePatch {
    pub fn apply(self, mut input: ObjectiveInput) -> ObjectiveInput {
        input.title = self.title.unwrap_or(input.title);
        input.measure = self.measure.unwrap_or(input.measure);
        input.unit = self.unit.unwrap_or(input.unit);
        input.baseline = self.baseline.or(input.baseline);
        input.target = self.target.or(input.target);
        input.start_date = self.start_date.or(input.start_date);
        input.due_date = self.due_date.or(input.due_date);
        input.owner = self.owner.unwrap_or(input.owner);
        input
    }
}

/// A progress update as posted.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct ProgressInput {
    /// The measure's value on the date recorded.
    pub value: Option<f64>,
    /// When the value was measured; today if left out. Not in the future, not before the objective's start.
    pub recorded_on: Option<NaiveDate>,
    pub note: String,
}

/// An objective that passed every check, ready to store.
#[derive(Serialize, Clone, Debug)]
struct Checked {
    title: String,
    measure: String,
    unit: String,
    baseline: f64,
    target: f64,
    start_date: NaiveDate,
    due_date: NaiveDate,
    owner: String,
    #[serde(skip)]
    owner_id: i64,
}

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
    pub created_at: NaiveDateTime,
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
    /// The form's view of the objective, for editing or patching.
    pub fn input(&self) -> ObjectiveInput {
        ObjectiveInput {
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

/// 0.456 -> 45.6; kept to one decimal place for people.
fn as_percent(progress: f64) -> f64 {
    (progress * 1000.0).round() / 10.0
}

/// Past due with the target not met (or nothing reported).
pub fn is_overdue(due: NaiveDate, today: NaiveDate, progress: Option<f64>) -> bool {
    today > due && progress.is_none_or(|p| p < 1.0 - 1e-9)
}

fn check_number(
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

fn check_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
    missing: Option<&str>,
) {
    let value = value.trim();
    if value.is_empty() {
        if let Some(m) = missing {
            errors.push(FieldError::new(field, m));
        }
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Keep this to {max} characters or fewer"),
        ));
    }
}

/// Every check on an objective. `current` is the objective being changed:
/// its owner may stay even if it has since left, and its start cannot move
/// past progress already recorded.
fn check(
    conn: &mut DbConn,
    partnership_id: i64,
    input: &ObjectiveInput,
    current: Option<&ObjectiveView>,
) -> AppResult<Checked> {
    let mut errors = Vec::new();
    check_text(
        &mut errors,
        "title",
        &input.title,
        200,
        Some("Enter the objective's title"),
    );
    check_text(
        &mut errors,
        "measure",
        &input.measure,
        200,
        Some("Enter what will be measured"),
    );
    check_text(&mut errors, "unit", &input.unit, 30, None);
    let baseline = check_number(&mut errors, "baseline", "Baseline", input.baseline);
    let target = check_number(&mut errors, "target", "Target", input.target);
    if let (Some(b), Some(t)) = (baseline, target) {
        if b == t {
            errors.push(FieldError::new(
                "target",
                "The target must be different from the baseline",
            ));
        }
    }
    if input.start_date.is_none() {
        errors.push(FieldError::new("start_date", "Enter the start date"));
    }
    match (input.start_date, input.due_date) {
        (_, None) => errors.push(FieldError::new("due_date", "Enter the due date")),
        (Some(s), Some(d)) if d <= s => errors.push(FieldError::new(
            "due_date",
            "The due date must be after the start date",
        )),
        _ => {}
    }
    if let (Some(cur), Some(start)) = (current, input.start_date) {
        let first: Option<NaiveDate> = objective_updates::table
            .filter(objective_updates::objective_id.eq(cur.id))
            .select(diesel::dsl::min(objective_updates::recorded_on))
            .first(conn)?;
        if let Some(first) = first.filter(|f| *f < start) {
            errors.push(FieldError::new(
                "start_date",
                format!(
                    "The start date cannot be after the first progress update, {}",
                    first.format("%-d %B %Y")
                ),
            ));
        }
    }
    let owner = input.owner.trim();
    let owner_id = match current {
        Some(cur) if cur.owner.eq_ignore_ascii_case(owner) => Some(
            objectives::table
                .find(cur.id)
                .select(objectives::owner_organisation_id)
                .first(conn)?,
        ),
        _ => match active_member_id(conn, partnership_id, owner, "owner") {
            Ok(id) => Some(id),
            Err(AppError::Invalid(e)) => {
                errors.extend(e);
                None
            }
            Err(e) => return Err(e),
        },
    };
    match (
        baseline,
        target,
        input.start_date,
        input.due_date,
        owner_id,
        errors.is_empty(),
    ) {
        (Some(baseline), Some(target), Some(start_date), Some(due_date), Some(owner_id), true) => {
            Ok(Checked {
                title: input.title.trim().to_string(),
                measure: input.measure.trim().to_string(),
                unit: input.unit.trim().to_string(),
                baseline,
                target,
                start_date,
                due_date,
                owner: owner.to_uppercase(),
                owner_id,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Runs the checks without writing, for a form that already has typing errors.
pub fn problems(
    conn: &mut DbConn,
    partnership_id: i64,
    input: &ObjectiveInput,
    current: Option<&ObjectiveView>,
) -> AppResult<Vec<FieldError>> {
    match check(conn, partnership_id, input, current) {
        Ok(_) => Ok(vec![]),
        Err(AppError::Invalid(e)) => Ok(e),
        Err(e) => Err(e),
    }
}

fn update_view(u: ProgressUpdate, who: Option<String>, o: &Objective) -> ProgressView {
    ProgressView {
        id: u.id,
        value: u.value,
        recorded_on: u.recorded_on,
        rag: Rag::parse(&u.rag).unwrap_or(Rag::Red),
        progress_percent: rag::progress(o.baseline, o.target, u.value).map(as_percent),
        note: u.note,
        recorded_by: who,
        created_at: u.created_at,
    }
}

/// Updates newest first: by the date recorded, then the order they were entered.
fn updates_of(
    conn: &mut DbConn,
    objective_ids: &[i64],
) -> AppResult<Vec<(ProgressUpdate, Option<String>)>> {
    Ok(objective_updates::table
        .left_join(users::table.on(users::id.nullable().eq(objective_updates::recorded_by)))
        .filter(objective_updates::objective_id.eq_any(objective_ids))
        .order((
            objective_updates::recorded_on.desc(),
            objective_updates::id.desc(),
        ))
        .select((ProgressUpdate::as_select(), users::display_name.nullable()))
        .load(conn)?)
}

fn views(
    conn: &mut DbConn,
    rows: Vec<(Objective, String, String)>,
    today: NaiveDate,
) -> AppResult<Vec<ObjectiveView>> {
    let ids: Vec<i64> = rows.iter().map(|(o, _, _)| o.id).collect();
    let mut updates = updates_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(o, code, name)| {
            // The first for this objective is the newest.
            let latest = updates
                .iter()
                .position(|(u, _)| u.objective_id == o.id)
                .map(|i| updates.remove(i))
                .map(|(u, who)| update_view(u, who, &o));
            let progress = latest
                .as_ref()
                .and_then(|u| rag::progress(o.baseline, o.target, u.value));
            ObjectiveView {
                overdue: is_overdue(o.due_date, today, progress),
                id: o.id,
                title: o.title,
                measure: o.measure,
                unit: o.unit,
                baseline: o.baseline,
                target: o.target,
                start_date: o.start_date,
                due_date: o.due_date,
                owner: code,
                owner_name: name,
                latest,
            }
        })
        .collect())
}

/// A partnership's objectives, soonest due first.
pub fn list(
    conn: &mut DbConn,
    partnership_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<ObjectiveView>> {
    let rows: Vec<(Objective, String, String)> = objectives::table
        .inner_join(organisations::table)
        .filter(objectives::partnership_id.eq(partnership_id))
        .order((objectives::due_date.asc(), objectives::id.asc()))
        .select((
            Objective::as_select(),
            organisations::code,
            organisations::name,
        ))
        .load(conn)?;
    views(conn, rows, today)
}

/// One objective of this partnership; not found if it belongs to another.
pub fn get(
    conn: &mut DbConn,
    partnership_id: i64,
    objective_id: i64,
    today: NaiveDate,
) -> AppResult<ObjectiveView> {
    let row: (Objective, String, String) = objectives::table
        .inner_join(organisations::table)
        .filter(objectives::partnership_id.eq(partnership_id))
        .filter(objectives::id.eq(objective_id))
        .select((
            Objective::as_select(),
            organisations::code,
            organisations::name,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(views(conn, vec![row], today)?.remove(0))
}

/// Every progress update of one objective, newest first.
pub fn history(
    conn: &mut DbConn,
    partnership_id: i64,
    objective_id: i64,
) -> AppResult<Vec<ProgressView>> {
    let o: Objective = objectives::table
        .filter(objectives::partnership_id.eq(partnership_id))
        .filter(objectives::id.eq(objective_id))
        .select(Objective::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(updates_of(conn, &[o.id])?
        .into_iter()
        .map(|(u, who)| update_view(u, who, &o))
        .collect())
}

pub fn create(
    conn: &mut DbConn,
    partnership_id: i64,
    input: &ObjectiveInput,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<ObjectiveView> {
    let c = check(conn, partnership_id, input, None)?;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(objectives::table)
        .values((
            objectives::partnership_id.eq(partnership_id),
            objectives::title.eq(&c.title),
            objectives::measure.eq(&c.measure),
            objectives::unit.eq(&c.unit),
            objectives::baseline.eq(c.baseline),
            objectives::target.eq(c.target),
            objectives::start_date.eq(c.start_date),
            objectives::due_date.eq(c.due_date),
            objectives::owner_organisation_id.eq(c.owner_id),
            objectives::created_at.eq(now),
            objectives::updated_at.eq(now),
        ))
        .returning(objectives::id)
        .get_result(conn)?;
    let mut after = serde_json::json!(c);
    after["objective"] = id.into();
    record(
        conn,
        actor,
        partnership_id,
        "partnership.objective.create",
        None,
        Some(after),
    )?;
    get(conn, partnership_id, id, today)
}

pub fn update(
    conn: &mut DbConn,
    partnership_id: i64,
    objective_id: i64,
    input: &ObjectiveInput,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<ObjectiveView> {
    let current = get(conn, partnership_id, objective_id, today)?;
    let c = check(conn, partnership_id, input, Some(&current))?;
    diesel::update(objectives::table.find(objective_id))
        .set((
            objectives::title.eq(&c.title),
            objectives::measure.eq(&c.measure),
            objectives::unit.eq(&c.unit),
            objectives::baseline.eq(c.baseline),
            objectives::target.eq(c.target),
            objectives::start_date.eq(c.start_date),
            objectives::due_date.eq(c.due_date),
            objectives::owner_organisation_id.eq(c.owner_id),
            objectives::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    // Each stored RAG was worked out from the numbers and dates; if those
    // change, work them out again so the overview and portfolio agree with the page.
    let numbers_changed = (
        current.baseline,
        current.target,
        current.start_date,
        current.due_date,
    ) != (c.baseline, c.target, c.start_date, c.due_date);
    if numbers_changed {
        let updates: Vec<ProgressUpdate> = objective_updates::table
            .filter(objective_updates::objective_id.eq(objective_id))
            .select(ProgressUpdate::as_select())
            .load(conn)?;
        for u in updates {
            let new = rag::rag(
                c.baseline,
                c.target,
                c.start_date,
                c.due_date,
                u.value,
                u.recorded_on,
            );
            if new.code() != u.rag {
                diesel::update(objective_updates::table.find(u.id))
                    .set(objective_updates::rag.eq(new.code()))
                    .execute(conn)?;
            }
        }
    }
    let mut before = serde_json::to_value(current.input()).unwrap_or_default();
    before["objective"] = objective_id.into();
    let mut after = serde_json::json!(c);
    after["objective"] = objective_id.into();
    record(
        conn,
        actor,
        partnership_id,
        "partnership.objective.update",
        Some(before),
        Some(after),
    )?;
    get(conn, partnership_id, objective_id, today)
}

/// Every check on a progress update, without the database, so a page with
/// typing errors can show the rest too. Gives the value and the date.
pub fn check_progress(
    o: &ObjectiveView,
    input: &ProgressInput,
    today: NaiveDate,
) -> Result<(f64, NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    let value = check_number(&mut errors, "value", "Value", input.value);
    let on = input.recorded_on.unwrap_or(today);
    if on > today {
        errors.push(FieldError::new(
            "recorded_on",
            "The date recorded must be today or in the past",
        ));
    } else if on < o.start_date {
        errors.push(FieldError::new(
            "recorded_on",
            format!(
                "The date recorded must be on or after the objective's start date, {}",
                o.start_date.format("%-d %B %Y")
            ),
        ));
    }
    check_text(&mut errors, "note", &input.note, 2000, None);
    match value {
        Some(value) if errors.is_empty() => Ok((value, on)),
        _ => Err(errors),
    }
}

/// Records the measure's value on a date, with its RAG worked out and stored.
pub fn record_progress(
    conn: &mut DbConn,
    partnership_id: i64,
    objective_id: i64,
    input: &ProgressInput,
    user_id: Option<i64>,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<ProgressView> {
    let o = get(conn, partnership_id, objective_id, today)?;
    let (value, on) = check_progress(&o, input, today).map_err(AppError::Invalid)?;
    let rag = rag::rag(o.baseline, o.target, o.start_date, o.due_date, value, on);
    let id: i64 = diesel::insert_into(objective_updates::table)
        .values((
            objective_updates::objective_id.eq(objective_id),
            objective_updates::value.eq(value),
            objective_updates::rag.eq(rag.code()),
            objective_updates::note.eq(input.note.trim()),
            objective_updates::recorded_on.eq(on),
            objective_updates::recorded_by.eq(user_id),
            objective_updates::created_at.eq(crate::db::now()),
        ))
        .returning(objective_updates::id)
        .get_result(conn)?;
    let after = serde_json::json!({ "objective": objective_id, "title": o.title, "value": value, "recorded_on": on, "rag": rag.code(), "note": input.note.trim() });
    record(
        conn,
        actor,
        partnership_id,
        "partnership.objective.progress",
        None,
        Some(after),
    )?;
    history(conn, partnership_id, objective_id)?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_means_past_due_and_target_not_met() {
        let due = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let after = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert!(is_overdue(due, after, Some(0.8)));
        assert!(is_overdue(due, after, None), "no progress reported");
        assert!(!is_overdue(due, after, Some(1.0)), "target met");
        assert!(
            !is_overdue(due, due, Some(0.2)),
            "due today is not yet overdue"
        );
    }

    #[test]
    fn a_patch_keeps_what_it_leaves_out() {
        let input = ObjectiveInput {
            title: "Cut missed bins".into(),
            baseline: Some(500.0),
            target: Some(300.0),
            owner: "BIR".into(),
            ..Default::default()
        };
        let patched = ObjectivePatch {
            target: Some(250.0),
            ..Default::default()
        }
        .apply(input);
        assert_eq!(
            (
                patched.title.as_str(),
                patched.baseline,
                patched.target,
                patched.owner.as_str()
            ),
            ("Cut missed bins", Some(500.0), Some(250.0), "BIR")
        );
    }
}
