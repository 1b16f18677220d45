//! SWOT items and votes: reads and changes. Every change is audited in the
//! same transaction. Adding and voting are checked by the unit of work
//! (`Action::EditPartnership`); deleting is checked here as well, because
//! who may delete depends on the item.

use std::collections::HashMap;

use diesel::dsl::exists;
use diesel::prelude::*;
use serde_json::json;

use super::model::*;
use crate::db::schema::{organisations, swot_items, swot_votes};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::partnerships::model::Partnership;
use crate::work::Work;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = swot_items)]
struct Row {
    id: i64,
    quadrant: Quadrant,
    text: String,
    organisation_id: i64,
    created_at: crate::time::Timestamp,
}

/// The partnership's items with vote counts, ranked, as `viewer` sees them.
pub fn board(conn: &mut DbConn, partnership_id: i64, viewer: &Viewer) -> AppResult<Vec<SwotItem>> {
    let rows: Vec<(Row, String, String)> = swot_items::table
        .inner_join(organisations::table)
        .filter(swot_items::partnership_id.eq(partnership_id))
        .select((Row::as_select(), organisations::code, organisations::name))
        .load(conn)?;
    let votes: Vec<(i64, i64)> = swot_votes::table
        .inner_join(swot_items::table)
        .filter(swot_items::partnership_id.eq(partnership_id))
        .select((swot_votes::item_id, swot_votes::user_id))
        .load(conn)?;
    let me = viewer.user_id();
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for (item, _) in &votes {
        *counts.entry(*item).or_default() += 1;
    }
    let mut items: Vec<SwotItem> = rows
        .into_iter()
        .map(|(r, code, name)| SwotItem {
            quadrant: r.quadrant,
            votes: counts.get(&r.id).copied().unwrap_or(0),
            voted: me.is_some_and(|u| votes.contains(&(r.id, u))),
            can_delete: viewer.may_delete(r.organisation_id),
            id: r.id,
            text: r.text,
            organisation_code: code,
            organisation_name: name,
            created_at: r.created_at,
        })
        .collect();
    rank(&mut items);
    Ok(items)
}

/// One item as `viewer` sees it; not found unless it belongs to the partnership.
pub fn item(
    conn: &mut DbConn,
    partnership_id: i64,
    item_id: i64,
    viewer: &Viewer,
) -> AppResult<SwotItem> {
    board(conn, partnership_id, viewer)?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(AppError::NotFound)
}

fn find(conn: &mut DbConn, partnership_id: i64, item_id: i64) -> AppResult<Row> {
    // Scoped to the partnership so an item id from another partnership is simply not found.
    swot_items::table
        .filter(swot_items::id.eq(item_id))
        .filter(swot_items::partnership_id.eq(partnership_id))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// What the history page shows of an item.
fn described(row: &Row) -> serde_json::Value {
    json!({ "item": row.id, "quadrant": row.quadrant.code(), "text": row.text })
}

/// Adds an item in the name of the person's organisation. Returns its id.
pub fn add(w: &mut Work<'_, Partnership>, input: &SwotInput) -> AppResult<i64> {
    let user = w.user()?;
    let (user_id, organisation_id) = (user.id, user.organisation_id);
    let organisation = user.organisation_code.clone();
    let id: i64 = diesel::insert_into(swot_items::table)
        .values((
            swot_items::partnership_id.eq(w.record.id),
            swot_items::quadrant.eq(input.quadrant),
            swot_items::text.eq(&input.text),
            swot_items::organisation_id.eq(organisation_id),
            swot_items::created_by.eq(Some(user_id)),
            swot_items::created_at.eq(crate::db::now()),
        ))
        .returning(swot_items::id)
        .get_result(w.conn)?;
    let after = json!({ "item": id, "quadrant": input.quadrant.code(), "text": input.text, "organisation": organisation });
    w.audit("partnership.swot.add", None, Some(after))?;
    Ok(id)
}

fn has_voted(conn: &mut DbConn, item_id: i64, user_id: i64) -> AppResult<bool> {
    Ok(diesel::select(exists(
        swot_votes::table
            .filter(swot_votes::item_id.eq(item_id))
            .filter(swot_votes::user_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// Records the person's vote. Voting again changes nothing: one vote per
/// person per item. Returns whether a vote was added.
pub fn vote(w: &mut Work<'_, Partnership>, item_id: i64) -> AppResult<bool> {
    let user_id = w.user()?.id;
    let row = find(w.conn, w.record.id, item_id)?;
    if has_voted(w.conn, row.id, user_id)? {
        return Ok(false);
    }
    diesel::insert_into(swot_votes::table)
        .values((
            swot_votes::item_id.eq(row.id),
            swot_votes::user_id.eq(user_id),
        ))
        .execute(w.conn)?;
    w.audit("partnership.swot.vote", None, Some(described(&row)))?;
    Ok(true)
}

/// Withdraws the person's vote, if they had one. Returns whether a vote was removed.
pub fn unvote(w: &mut Work<'_, Partnership>, item_id: i64) -> AppResult<bool> {
    let user_id = w.user()?.id;
    let row = find(w.conn, w.record.id, item_id)?;
    let removed = diesel::delete(
        swot_votes::table
            .filter(swot_votes::item_id.eq(row.id))
            .filter(swot_votes::user_id.eq(user_id)),
    )
    .execute(w.conn)?;
    if removed > 0 {
        w.audit("partnership.swot.unvote", Some(described(&row)), None)?;
    }
    Ok(removed > 0)
}

/// Deletes an item and its votes, if the person may: its organisation's
/// people, or anyone from the lead organisation (`owned::allow`).
/// Returns the quadrant it was in.
pub fn delete(w: &mut Work<'_, Partnership>, item_id: i64) -> AppResult<Quadrant> {
    let row = find(w.conn, w.record.id, item_id)?;
    crate::partnerships::owned::allow(w, row.organisation_id)?;
    let votes =
        diesel::delete(swot_votes::table.filter(swot_votes::item_id.eq(row.id))).execute(w.conn)?;
    diesel::delete(swot_items::table.find(row.id)).execute(w.conn)?;
    let mut before = described(&row);
    before["organisation_id"] = json!(row.organisation_id);
    before["votes"] = json!(votes);
    w.audit("partnership.swot.delete", Some(before), None)?;
    Ok(row.quadrant)
}
