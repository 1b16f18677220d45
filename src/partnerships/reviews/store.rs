//! Reads and changes to a partnership's reviews and their actions. Changes
//! take a checked input and are audited in the same transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use crate::db::schema::{organisations, review_actions, reviews};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::partnerships::model::Partnership;
use crate::partnerships::store::refresh_next_review;
use crate::work::Work;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = reviews)]
struct Review {
    id: i64,
    held_on: NaiveDate,
    findings: String,
    decision: Decision,
    created_at: crate::time::Timestamp,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = review_actions)]
struct ReviewAction {
    id: i64,
    review_id: i64,
    owner_organisation_id: i64,
    description: String,
    due_on: NaiveDate,
    done_on: Option<NaiveDate>,
}

/// The actions of these reviews, soonest due first.
fn action_views(
    conn: &mut DbConn,
    review_ids: &[i64],
    today: NaiveDate,
) -> AppResult<Vec<ActionView>> {
    let rows: Vec<(ReviewAction, NaiveDate, String, String)> = review_actions::table
        .inner_join(reviews::table)
        .inner_join(organisations::table)
        .filter(review_actions::review_id.eq_any(review_ids))
        .order((review_actions::due_on.asc(), review_actions::id.asc()))
        .select((
            ReviewAction::as_select(),
            reviews::held_on,
            organisations::code,
            organisations::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, held_on, code, name)| ActionView {
            owner_id: a.owner_organisation_id,
            id: a.id,
            review_id: a.review_id,
            review_held_on: held_on,
            status: status(a.due_on, a.done_on, today),
            description: a.description,
            owner_code: code,
            owner_name: name,
            due_on: a.due_on,
            done_on: a.done_on,
        })
        .collect())
}

fn views(conn: &mut DbConn, rows: Vec<Review>, today: NaiveDate) -> AppResult<Vec<ReviewView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let actions = action_views(conn, &ids, today)?;
    Ok(rows
        .into_iter()
        .map(|r| ReviewView {
            actions: actions
                .iter()
                .filter(|a| a.review_id == r.id)
                .cloned()
                .collect(),
            id: r.id,
            held_on: r.held_on,
            findings: r.findings,
            decision: r.decision,
            created_at: r.created_at,
        })
        .collect())
}

/// A partnership's reviews, newest first, each with its actions by due date.
pub fn list(
    conn: &mut DbConn,
    partnership_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<ReviewView>> {
    let rows: Vec<Review> = reviews::table
        .filter(reviews::partnership_id.eq(partnership_id))
        .order((reviews::held_on.desc(), reviews::id.desc()))
        .select(Review::as_select())
        .load(conn)?;
    views(conn, rows, today)
}

/// A partnership's review schedule and its reviews.
pub fn schedule(conn: &mut DbConn, p: &Partnership, today: NaiveDate) -> AppResult<ReviewList> {
    Ok(ReviewList::of(p, list(conn, p.id, today)?, today))
}

/// One review, if it belongs to this partnership.
fn get(
    conn: &mut DbConn,
    partnership_id: i64,
    review_id: i64,
    today: NaiveDate,
) -> AppResult<ReviewView> {
    let review: Review = reviews::table
        .filter(reviews::partnership_id.eq(partnership_id))
        .filter(reviews::id.eq(review_id))
        .select(Review::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(views(conn, vec![review], today)?.remove(0))
}

/// One review action, if it was agreed at a review of this partnership.
fn action(
    conn: &mut DbConn,
    partnership_id: i64,
    action_id: i64,
    today: NaiveDate,
) -> AppResult<ActionView> {
    let review_id: i64 = review_actions::table
        .inner_join(reviews::table)
        .filter(review_actions::id.eq(action_id))
        .filter(reviews::partnership_id.eq(partnership_id))
        .select(reviews::id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    action_views(conn, &[review_id], today)?
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or(AppError::NotFound)
}

/// Records a review and its actions, and moves the next review date on.
pub fn create(
    w: &mut Work<'_, Partnership>,
    input: &ReviewInput,
    today: NaiveDate,
) -> AppResult<ReviewView> {
    let pid = w.record.id;
    let created_by = w.user_id();
    let id: i64 = diesel::insert_into(reviews::table)
        .values((
            reviews::partnership_id.eq(pid),
            reviews::held_on.eq(input.held_on),
            reviews::findings.eq(&input.findings),
            reviews::decision.eq(input.decision),
            reviews::created_by.eq(created_by),
            reviews::created_at.eq(crate::db::now()),
        ))
        .returning(reviews::id)
        .get_result(w.conn)?;
    for a in &input.actions {
        diesel::insert_into(review_actions::table)
            .values((
                review_actions::review_id.eq(id),
                review_actions::description.eq(&a.description),
                review_actions::owner_organisation_id.eq(a.owner),
                review_actions::due_on.eq(a.due_on),
            ))
            .execute(w.conn)?;
    }
    refresh_next_review(w.conn, pid)?;
    let view = get(w.conn, pid, id, today)?;
    let after = serde_json::json!({
        "review": view.id,
        "held_on": view.held_on,
        "decision": view.decision.code(),
        "findings": view.findings,
        "actions": view.actions.iter().map(|a| serde_json::json!({ "description": a.description, "owner": a.owner_code, "due_on": a.due_on })).collect::<Vec<_>>(),
    });
    w.audit("partnership.review.create", None, Some(after))?;
    Ok(view)
}

/// What the history page shows of an action being done.
fn done_json(a: &ActionView) -> serde_json::Value {
    serde_json::json!({ "action": a.id, "description": a.description, "done_on": a.done_on })
}

/// Marks an action as done today. Marking it again changes nothing, so a
/// second press of the button is harmless.
pub fn mark_done(
    w: &mut Work<'_, Partnership>,
    action_id: i64,
    today: NaiveDate,
) -> AppResult<ActionView> {
    let pid = w.record.id;
    let before = action(w.conn, pid, action_id, today)?;
    // An action is its owner organisation's to close (or the lead's).
    crate::partnerships::owned::allow(w, before.owner_id)?;
    if before.done_on.is_some() {
        return Ok(before);
    }
    diesel::update(review_actions::table.find(before.id))
        .set(review_actions::done_on.eq(Some(today)))
        .execute(w.conn)?;
    let after = action(w.conn, pid, action_id, today)?;
    w.audit(
        "partnership.review.action_done",
        Some(done_json(&before)),
        Some(done_json(&after)),
    )?;
    Ok(after)
}
