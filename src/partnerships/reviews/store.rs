//! Reviews and their actions: checks, reads and changes. Every change is
//! audited in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ActionStatus, Decision};
use crate::audit::Actor as AuditActor;
use crate::db::schema::{organisations, review_actions, reviews};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::legacy::{active_member_orgs, record};
use crate::partnerships::model::Partnership;
use crate::partnerships::model::MAX_TEXT;
use crate::partnerships::store::refresh_next_review;

/// A sanity limit for the API; the page's form offers three rows.
pub const MAX_ACTIONS: usize = 20;
pub const MAX_ACTION_TEXT: usize = 500;

/// An action agreed at a review.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct ActionInput {
    pub description: String,
    /// Code of the active member organisation that owns it, e.g. LDS.
    pub owner: String,
    /// Required.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// A review, as the API takes it (the page's form is turned into this).
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct ReviewInput {
    /// When the review was held; required, and not in the future.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    pub findings: String,
    /// `continue`, `improve`, `renegotiate` or `exit`.
    pub decision: String,
    #[serde(default)]
    pub actions: Vec<ActionInput>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = reviews)]
pub struct Review {
    pub id: i64,
    pub partnership_id: i64,
    pub held_on: NaiveDate,
    pub findings: String,
    pub decision: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = review_actions)]
pub struct ReviewAction {
    pub id: i64,
    pub review_id: i64,
    pub description: String,
    pub owner_organisation_id: i64,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ActionView {
    pub id: i64,
    pub review_id: i64,
    /// When the review that agreed it was held.
    pub review_held_on: NaiveDate,
    pub description: String,
    pub owner_code: String,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub status: ActionStatus,
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub held_on: NaiveDate,
    pub findings: String,
    pub decision: Decision,
    pub created_at: NaiveDateTime,
    pub actions: Vec<ActionView>,
}

/// A partnership's review schedule and its reviews, newest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ReviewList {
    pub review_cadence_months: Option<i32>,
    pub next_review_due: Option<NaiveDate>,
    pub review_overdue: bool,
    pub reviews: Vec<ReviewView>,
}

/// Done once it has a done date; overdue from the day after it fell due.
pub fn status(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> ActionStatus {
    match done_on {
        Some(_) => ActionStatus::Done,
        None if due_on < today => ActionStatus::Overdue,
        None => ActionStatus::Open,
    }
}

/// How an action is named in errors: its field prefix and its label, because
/// the form numbers its rows and the API indexes its array.
pub type ActionNames<'a> = &'a dyn Fn(usize) -> (String, String);

/// API names: `actions[0].description`, "Action 1".
pub fn api_names(i: usize) -> (String, String) {
    (format!("actions[{i}]."), format!("Action {}", i + 1))
}

/// Checks a review against today's date and the partnership's active members
/// (organisation id, code, name). The owners' organisation ids, in order, when all is well.
pub fn check(
    input: &ReviewInput,
    today: NaiveDate,
    members: &[(i64, String, String)],
    names: ActionNames,
) -> Result<Vec<i64>, Vec<FieldError>> {
    let mut errors = Vec::new();
    match input.held_on {
        None => errors.push(FieldError::new(
            "held_on",
            "Enter the date the review was held",
        )),
        Some(d) if d > today => errors.push(FieldError::new(
            "held_on",
            "The date the review was held must be today or in the past",
        )),
        Some(_) => {}
    }
    let findings = input.findings.trim();
    if findings.is_empty() {
        errors.push(FieldError::new("findings", "Enter what the review found"));
    } else if findings.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            "findings",
            format!("Findings must be {MAX_TEXT} characters or fewer"),
        ));
    }
    if Decision::parse(&input.decision).is_none() {
        errors.push(FieldError::new(
            "decision",
            "Select the review's decision: continue, improve, renegotiate or exit",
        ));
    }
    if input.actions.len() > MAX_ACTIONS {
        errors.push(FieldError::new(
            "actions",
            format!("Record at most {MAX_ACTIONS} actions with one review"),
        ));
    }
    let mut owners = Vec::new();
    for (i, a) in input.actions.iter().enumerate() {
        let (prefix, label) = names(i);
        let description = a.description.trim();
        if description.is_empty() {
            errors.push(FieldError::new(
                &format!("{prefix}description"),
                format!("{label}: enter a description of the action"),
            ));
        } else if description.chars().count() > MAX_ACTION_TEXT {
            errors.push(FieldError::new(
                &format!("{prefix}description"),
                format!("{label}: the description must be {MAX_ACTION_TEXT} characters or fewer"),
            ));
        }
        let code = a.owner.trim();
        match members
            .iter()
            .find(|(_, c, _)| c.eq_ignore_ascii_case(code))
        {
            Some((id, _, _)) if !code.is_empty() => owners.push(*id),
            _ if code.is_empty() => errors.push(FieldError::new(
                &format!("{prefix}owner"),
                format!("{label}: select the organisation that owns it"),
            )),
            _ => errors.push(FieldError::new(
                &format!("{prefix}owner"),
                format!("{label}: {code} is not an active member of this partnership"),
            )),
        }
        match (a.due_on, input.held_on) {
            (None, _) => errors.push(FieldError::new(
                &format!("{prefix}due_on"),
                format!("{label}: enter the due date"),
            )),
            (Some(due), Some(held)) if due < held => errors.push(FieldError::new(
                &format!("{prefix}due_on"),
                format!("{label}: the due date must be on or after the date the review was held"),
            )),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(owners)
    } else {
        Err(errors)
    }
}

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
    let mut actions = action_views(conn, &ids, today)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (mine, rest): (Vec<ActionView>, Vec<ActionView>) = std::mem::take(&mut actions)
                .into_iter()
                .partition(|a| a.review_id == r.id);
            actions = rest;
            ReviewView {
                id: r.id,
                held_on: r.held_on,
                findings: r.findings,
                // Only checked codes are written; "continue" is the harmless reading of a stray one.
                decision: Decision::parse(&r.decision).unwrap_or(Decision::Continue),
                created_at: r.created_at,
                actions: mine,
            }
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

/// Every review's actions in one list: those still to do first, soonest due first.
pub fn all_actions(reviews: &[ReviewView]) -> Vec<ActionView> {
    let mut all: Vec<ActionView> = reviews
        .iter()
        .flat_map(|r| r.actions.iter().cloned())
        .collect();
    all.sort_by_key(|a| (a.done_on.is_some(), a.due_on, a.id));
    all
}

pub fn list_with_schedule(
    conn: &mut DbConn,
    p: &Partnership,
    today: NaiveDate,
) -> AppResult<ReviewList> {
    Ok(ReviewList {
        review_cadence_months: p.review_cadence_months,
        next_review_due: p.next_review_due,
        review_overdue: p.review_overdue(today),
        reviews: list(conn, p.id, today)?,
    })
}

/// Records a review and its actions, and moves the next review date on.
pub fn create(
    conn: &mut DbConn,
    p: &Partnership,
    input: &ReviewInput,
    today: NaiveDate,
    names: ActionNames,
    created_by: Option<i64>,
    actor: &AuditActor,
) -> AppResult<ReviewView> {
    let members = active_member_orgs(conn, p.id)?;
    let owners = check(input, today, &members, names).map_err(AppError::Invalid)?;
    let (Some(held_on), Some(decision)) = (input.held_on, Decision::parse(&input.decision)) else {
        return Err(AppError::internal(
            "checked review lost its date or decision",
        ));
    };
    let id: i64 = diesel::insert_into(reviews::table)
        .values((
            reviews::partnership_id.eq(p.id),
            reviews::held_on.eq(held_on),
            reviews::findings.eq(input.findings.trim()),
            reviews::decision.eq(decision.code()),
            reviews::created_by.eq(created_by),
            reviews::created_at.eq(crate::db::now()),
        ))
        .returning(reviews::id)
        .get_result(conn)?;
    for (a, owner) in input.actions.iter().zip(&owners) {
        diesel::insert_into(review_actions::table)
            .values((
                review_actions::review_id.eq(id),
                review_actions::description.eq(a.description.trim()),
                review_actions::owner_organisation_id.eq(owner),
                review_actions::due_on.eq(a.due_on.unwrap_or(held_on)),
            ))
            .execute(conn)?;
    }
    refresh_next_review(conn, p.id)?;
    let review: Review = reviews::table
        .find(id)
        .select(Review::as_select())
        .first(conn)?;
    let view = views(conn, vec![review], today)?.remove(0);
    let after = serde_json::json!({
        "review": view.id,
        "held_on": view.held_on,
        "decision": view.decision.code(),
        "findings": view.findings,
        "actions": view.actions.iter().map(|a| serde_json::json!({ "description": a.description, "owner": a.owner_code, "due_on": a.due_on })).collect::<Vec<_>>(),
    });
    record(
        conn,
        actor,
        p.id,
        "partnership.review.create",
        None,
        Some(after),
    )?;
    Ok(view)
}

/// Marks an action as done today. Marking it again changes nothing, so a
/// second press of the button is harmless.
pub fn mark_done(
    conn: &mut DbConn,
    p: &Partnership,
    action_id: i64,
    today: NaiveDate,
    actor: &AuditActor,
) -> AppResult<ActionView> {
    let review_id: i64 = review_actions::table
        .inner_join(reviews::table)
        .filter(review_actions::id.eq(action_id))
        .filter(reviews::partnership_id.eq(p.id))
        .select(reviews::id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let find = |conn: &mut DbConn| -> AppResult<ActionView> {
        action_views(conn, &[review_id], today)?
            .into_iter()
            .find(|a| a.id == action_id)
            .ok_or(AppError::NotFound)
    };
    let before = find(conn)?;
    if before.done_on.is_some() {
        return Ok(before);
    }
    diesel::update(review_actions::table.find(action_id))
        .set(review_actions::done_on.eq(Some(today)))
        .execute(conn)?;
    let after = find(conn)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.review.action_done",
        Some(
            serde_json::json!({ "action": before.id, "description": before.description, "done_on": before.done_on }),
        ),
        Some(
            serde_json::json!({ "action": after.id, "description": after.description, "done_on": after.done_on }),
        ),
    )?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn members() -> Vec<(i64, String, String)> {
        vec![
            (1, "BIR".into(), "Birmingham City Council".into()),
            (2, "LDS".into(), "Leeds City Council".into()),
        ]
    }

    fn review(actions: Vec<ActionInput>) -> ReviewInput {
        ReviewInput {
            held_on: Some(d(2026, 3, 1)),
            findings: "Savings on track".into(),
            decision: "continue".into(),
            actions,
        }
    }

    fn action(description: &str, owner: &str, due_on: Option<NaiveDate>) -> ActionInput {
        ActionInput {
            description: description.into(),
            owner: owner.into(),
            due_on,
        }
    }

    fn messages(r: Result<Vec<i64>, Vec<FieldError>>) -> Vec<(String, String)> {
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
            check(&review(vec![]), today, &members(), &api_names),
            Ok(vec![]),
            "held today is fine"
        );
        let bad = ReviewInput {
            held_on: Some(d(2026, 3, 2)),
            findings: " ".into(),
            decision: "shrug".into(),
            actions: vec![],
        };
        assert_eq!(
            messages(check(&bad, today, &members(), &api_names)),
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
        let undated = ReviewInput {
            held_on: None,
            ..review(vec![])
        };
        assert_eq!(
            messages(check(&undated, today, &members(), &api_names))[0].1,
            "Enter the date the review was held"
        );
    }

    #[test]
    fn each_action_needs_a_description_a_member_owner_and_a_due_date() {
        let today = d(2026, 3, 1);
        let ok = review(vec![
            action("Renegotiate the licence", "lds", Some(d(2026, 9, 1))),
            action("Report to cabinet", "BIR", Some(d(2026, 3, 1))),
        ]);
        assert_eq!(check(&ok, today, &members(), &api_names), Ok(vec![2, 1]));
        let bad = review(vec![
            action("", "CON", Some(d(2026, 2, 1))),
            action("Tell the press", "", None),
        ]);
        assert_eq!(
            messages(check(&bad, today, &members(), &api_names)),
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
        let form_names = |i: usize| (format!("action{}_", i + 2), format!("Action {}", i + 2));
        let one = review(vec![action("Tell the press", "", Some(d(2026, 4, 1)))]);
        assert_eq!(
            messages(check(&one, today, &members(), &form_names)),
            [(
                "action2_owner".into(),
                "Action 2: select the organisation that owns it".into()
            )]
        );
        let many = review(
            (0..=MAX_ACTIONS)
                .map(|_| action("x", "BIR", Some(d(2026, 4, 1))))
                .collect(),
        );
        assert_eq!(
            messages(check(&many, today, &members(), &api_names))[0].0,
            "actions"
        );
    }
}
