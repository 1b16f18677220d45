//! Joint objectives and their progress updates: reads, and changes that
//! take a checked input and are audited in the same transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::input::*;
use super::model::*;
use super::rag;
use crate::db::schema::{objective_updates, objectives, organisations, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::partnerships::model::Partnership;
use crate::partnerships::store as partnerships;
use crate::work::Work;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = objectives)]
struct Objective {
    id: i64,
    title: String,
    measure: String,
    unit: String,
    baseline: f64,
    target: f64,
    start_date: NaiveDate,
    due_date: NaiveDate,
    owner_organisation_id: i64,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = objective_updates)]
struct ProgressUpdate {
    id: i64,
    objective_id: i64,
    value: f64,
    rag: Rag,
    note: String,
    recorded_on: NaiveDate,
    created_at: crate::time::Timestamp,
}

fn update_view(u: ProgressUpdate, who: Option<String>, baseline: f64, target: f64) -> ProgressView {
    ProgressView {
        id: u.id,
        value: u.value,
        recorded_on: u.recorded_on,
        rag: u.rag,
        progress_percent: rag::progress(baseline, target, u.value).map(as_percent),
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
    partnership_id: i64,
    objective_id: Option<i64>,
    today: NaiveDate,
) -> AppResult<Vec<ObjectiveView>> {
    let mut query = objectives::table
        .inner_join(organisations::table)
        .filter(objectives::partnership_id.eq(partnership_id))
        .order((objectives::due_date.asc(), objectives::id.asc()))
        .select((
            Objective::as_select(),
            organisations::code,
            organisations::name,
        ))
        .into_boxed();
    if let Some(id) = objective_id {
        query = query.filter(objectives::id.eq(id));
    }
    let rows: Vec<(Objective, String, String)> = query.load(conn)?;
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
                .map(|(u, who)| update_view(u, who, o.baseline, o.target));
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
                owner_id: o.owner_organisation_id,
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
    views(conn, partnership_id, None, today)
}

/// One objective of this partnership; not found if it belongs to another.
pub fn get(
    conn: &mut DbConn,
    partnership_id: i64,
    objective_id: i64,
    today: NaiveDate,
) -> AppResult<ObjectiveView> {
    views(conn, partnership_id, Some(objective_id), today)?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Every progress update of one of this partnership's objectives, newest first.
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
        .map(|(u, who)| update_view(u, who, o.baseline, o.target))
        .collect())
}

/// The date of an objective's first progress update, if it has any.
pub fn first_update(conn: &mut DbConn, objective_id: i64) -> AppResult<Option<NaiveDate>> {
    Ok(objective_updates::table
        .filter(objective_updates::objective_id.eq(objective_id))
        .select(diesel::dsl::min(objective_updates::recorded_on))
        .first(conn)?)
}

/// Checks a draft against the partnership as it is now: its active members
/// and, for a change, the objective as it is and its first progress update.
pub fn check(
    conn: &mut DbConn,
    partnership_id: i64,
    draft: &ObjectiveDraft,
    current: Option<&ObjectiveView>,
) -> AppResult<ObjectiveInput> {
    let members = partnerships::active_members(conn, partnership_id)?;
    let first_update = match current {
        Some(o) => first_update(conn, o.id)?,
        None => None,
    };
    let ctx = ObjectiveContext {
        members: &members,
        current,
        first_update,
    };
    ObjectiveInput::parse(draft, &ctx).map_err(AppError::Invalid)
}

/// What the history page shows of an objective.
fn audit_json(o: &ObjectiveView) -> serde_json::Value {
    serde_json::json!({
        "objective": o.id,
        "title": o.title,
        "measure": o.measure,
        "unit": o.unit,
        "baseline": o.baseline,
        "target": o.target,
        "start_date": o.start_date,
        "due_date": o.due_date,
        "owner": o.owner,
    })
}

/// The columns a person sets, for both INSERT and UPDATE.
macro_rules! objective_fields {
    ($input:expr) => {
        (
            objectives::title.eq(&$input.title),
            objectives::measure.eq(&$input.measure),
            objectives::unit.eq(&$input.unit),
            objectives::baseline.eq($input.baseline),
            objectives::target.eq($input.target),
            objectives::start_date.eq($input.start_date),
            objectives::due_date.eq($input.due_date),
            objectives::owner_organisation_id.eq($input.owner),
        )
    };
}

pub fn create(
    w: &mut Work<'_, Partnership>,
    input: &ObjectiveInput,
    today: NaiveDate,
) -> AppResult<ObjectiveView> {
    // Owned by the person's organisation, or by any member if the lead records it.
    crate::partnerships::owned::allow(w, input.owner)?;
    let pid = w.record.id;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(objectives::table)
        .values((
            objectives::partnership_id.eq(pid),
            objective_fields!(input),
            objectives::created_at.eq(now),
            objectives::updated_at.eq(now),
        ))
        .returning(objectives::id)
        .get_result(w.conn)?;
    let view = get(w.conn, pid, id, today)?;
    w.audit(
        "partnership.objective.create",
        None,
        Some(audit_json(&view)),
    )?;
    Ok(view)
}

pub fn update(
    w: &mut Work<'_, Partnership>,
    before: &ObjectiveView,
    input: &ObjectiveInput,
    today: NaiveDate,
) -> AppResult<ObjectiveView> {
    // Its owner's to change and hand on, or the lead's.
    crate::partnerships::owned::allow(w, before.owner_id)?;
    crate::partnerships::owned::allow(w, input.owner)?;
    let pid = w.record.id;
    diesel::update(objectives::table.find(before.id))
        .set((
            objective_fields!(input),
            objectives::updated_at.eq(crate::db::now()),
        ))
        .execute(w.conn)?;
    // Each stored RAG was worked out from the numbers and dates; if those
    // change, work them out again so the overview and portfolio agree with the page.
    let numbers_changed = (
        before.baseline,
        before.target,
        before.start_date,
        before.due_date,
    ) != (
        input.baseline,
        input.target,
        input.start_date,
        input.due_date,
    );
    if numbers_changed {
        let updates: Vec<ProgressUpdate> = objective_updates::table
            .filter(objective_updates::objective_id.eq(before.id))
            .select(ProgressUpdate::as_select())
            .load(w.conn)?;
        for u in updates {
            let new = rag::rag(
                input.baseline,
                input.target,
                input.start_date,
                input.due_date,
                u.value,
                u.recorded_on,
            );
            if new != u.rag {
                diesel::update(objective_updates::table.find(u.id))
                    .set(objective_updates::rag.eq(new))
                    .execute(w.conn)?;
            }
        }
    }
    let after = get(w.conn, pid, before.id, today)?;
    w.audit(
        "partnership.objective.update",
        Some(audit_json(before)),
        Some(audit_json(&after)),
    )?;
    Ok(after)
}

/// Records the measure's value on a date, with its RAG worked out and stored.
pub fn record_progress(
    w: &mut Work<'_, Partnership>,
    objective: &ObjectiveView,
    input: &ProgressInput,
) -> AppResult<ProgressView> {
    let o = objective;
    // Progress is recorded by the objective's owner, or the lead.
    crate::partnerships::owned::allow(w, o.owner_id)?;
    let rag = rag::rag(
        o.baseline,
        o.target,
        o.start_date,
        o.due_date,
        input.value,
        input.recorded_on,
    );
    let recorded_by = w.user_id();
    let id: i64 = diesel::insert_into(objective_updates::table)
        .values((
            objective_updates::objective_id.eq(o.id),
            objective_updates::value.eq(input.value),
            objective_updates::rag.eq(rag),
            objective_updates::note.eq(&input.note),
            objective_updates::recorded_on.eq(input.recorded_on),
            objective_updates::recorded_by.eq(recorded_by),
            objective_updates::created_at.eq(crate::db::now()),
        ))
        .returning(objective_updates::id)
        .get_result(w.conn)?;
    w.audit(
        "partnership.objective.progress",
        None,
        Some(serde_json::json!({
            "objective": o.id,
            "title": o.title,
            "value": input.value,
            "recorded_on": input.recorded_on,
            "rag": rag.code(),
            "note": input.note,
        })),
    )?;
    history(w.conn, w.record.id, o.id)?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(AppError::NotFound)
}
