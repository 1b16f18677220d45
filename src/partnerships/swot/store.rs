//! SWOT items and votes: checks, reads and changes. Every change is audited
//! in the same transaction. Callers check `Action::EditPartnership` before
//! adding or voting; deleting is checked here because it depends on the item.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Quadrant;
use crate::auth::SessionUser;
use crate::db::schema::{organisations, swot_items, swot_votes};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::legacy::record;
use crate::policy::{allows, Action, Actor, Relation};

/// The longest an item may be, in characters.
pub const MAX_TEXT: usize = 500;

/// A new item, as typed or sent as JSON.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct SwotInput {
    /// `strengths`, `weaknesses`, `opportunities` or `threats`.
    #[serde(default)]
    pub quadrant: String,
    /// The item, up to 500 characters.
    #[serde(default)]
    pub text: String,
}

/// An item with its votes, as seen by one person.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SwotItem {
    pub id: i64,
    pub quadrant: Quadrant,
    pub text: String,
    /// The organisation of the person who added it.
    pub organisation_code: String,
    pub organisation_name: String,
    pub created_at: NaiveDateTime,
    pub votes: i64,
    /// Whether the caller has voted for it.
    pub voted: bool,
    /// Whether the caller may delete it: whoever added it, or anyone from the lead organisation.
    pub can_delete: bool,
}

/// Every item on a partnership's board, most votes first, then oldest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SwotBoard {
    pub items: Vec<SwotItem>,
}

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = swot_items)]
struct Row {
    id: i64,
    partnership_id: i64,
    quadrant: String,
    text: String,
    organisation_id: i64,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
}

/// The quadrant and tidied text, or every problem with them. Field names
/// match the JSON (`quadrant`, `text`); the page renames `text` per quadrant.
pub fn validate(input: &SwotInput) -> Result<(Quadrant, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let quadrant = Quadrant::parse(&input.quadrant);
    if quadrant.is_none() {
        errors.push(FieldError::new(
            "quadrant",
            "Choose a quadrant: strengths, weaknesses, opportunities or threats",
        ));
    }
    // Browsers send line breaks as CRLF; count them once, as the character count does.
    let text = input.text.replace("\r\n", "\n").trim().to_string();
    let (one, word) = quadrant
        .map(|q| (q.one(), q.singular()))
        .unwrap_or(("the item", "item"));
    if text.is_empty() {
        errors.push(FieldError::new("text", format!("Enter {one}")));
    } else if text.chars().count() > MAX_TEXT {
        let mut chars = word.chars();
        let word: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        errors.push(FieldError::new(
            "text",
            format!("{word} must be {MAX_TEXT} characters or fewer"),
        ));
    }
    match quadrant {
        Some(q) if errors.is_empty() => Ok((q, text)),
        _ => Err(errors),
    }
}

/// Most votes first; among equals, the oldest first (then by id, so the order is stable).
pub fn rank(items: &mut [SwotItem]) {
    items.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(a.created_at.cmp(&b.created_at))
            .then(a.id.cmp(&b.id))
    });
}

/// Whoever added an item, or anyone from the lead organisation, may delete
/// it, as long as their organisation may still change the partnership.
pub fn may_delete(actor: Option<&Actor>, rel: Relation, created_by: Option<i64>) -> bool {
    let Some(actor) = actor else { return false };
    allows(
        Some(actor),
        Action::DeleteContribution {
            rel,
            authored: created_by == Some(actor.user_id),
        },
    )
}

/// The partnership's items with vote counts, ranked, as `actor` sees them.
pub fn board(
    conn: &mut DbConn,
    partnership_id: i64,
    actor: Option<&Actor>,
    rel: Relation,
) -> AppResult<Vec<SwotItem>> {
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
    let me = actor.map(|a| a.user_id);
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for (item, _) in &votes {
        *counts.entry(*item).or_default() += 1;
    }
    let mut items: Vec<SwotItem> = rows
        .into_iter()
        // Only this module writes the table, through `validate`; an unknown code cannot be placed on the board.
        .filter_map(|(r, code, name)| {
            Some(SwotItem {
                quadrant: Quadrant::parse(&r.quadrant)?,
                votes: counts.get(&r.id).copied().unwrap_or(0),
                voted: me.is_some_and(|u| votes.contains(&(r.id, u))),
                can_delete: may_delete(actor, rel, r.created_by),
                id: r.id,
                text: r.text,
                organisation_code: code,
                organisation_name: name,
                created_at: r.created_at,
            })
        })
        .collect();
    rank(&mut items);
    Ok(items)
}

/// One item as `actor` sees it; not found unless it belongs to the partnership.
pub fn item(
    conn: &mut DbConn,
    partnership_id: i64,
    item_id: i64,
    actor: Option<&Actor>,
    rel: Relation,
) -> AppResult<SwotItem> {
    board(conn, partnership_id, actor, rel)?
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

fn described(row: &Row) -> serde_json::Value {
    json!({ "item": row.id, "quadrant": row.quadrant, "text": row.text })
}

/// Adds an item in the name of `user`'s organisation. Returns its id.
pub fn add(
    conn: &mut DbConn,
    partnership_id: i64,
    input: &SwotInput,
    user: &SessionUser,
) -> AppResult<i64> {
    let (quadrant, text) = validate(input).map_err(AppError::Invalid)?;
    let id: i64 = diesel::insert_into(swot_items::table)
        .values((
            swot_items::partnership_id.eq(partnership_id),
            swot_items::quadrant.eq(quadrant.code()),
            swot_items::text.eq(&text),
            swot_items::organisation_id.eq(user.organisation_id),
            swot_items::created_by.eq(Some(user.id)),
            swot_items::created_at.eq(crate::db::now()),
        ))
        .returning(swot_items::id)
        .get_result(conn)?;
    let after = json!({ "item": id, "quadrant": quadrant.code(), "text": text, "organisation": user.organisation_code });
    record(
        conn,
        &user.audit_actor(),
        partnership_id,
        "partnership.swot.add",
        None,
        Some(after),
    )?;
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

/// Records `user`'s vote. Voting again changes nothing: one vote per person
/// per item. Returns whether a vote was added.
pub fn vote(
    conn: &mut DbConn,
    partnership_id: i64,
    item_id: i64,
    user: &SessionUser,
) -> AppResult<bool> {
    let row = find(conn, partnership_id, item_id)?;
    if has_voted(conn, row.id, user.id)? {
        return Ok(false);
    }
    diesel::insert_into(swot_votes::table)
        .values((
            swot_votes::item_id.eq(row.id),
            swot_votes::user_id.eq(user.id),
        ))
        .execute(conn)?;
    record(
        conn,
        &user.audit_actor(),
        partnership_id,
        "partnership.swot.vote",
        None,
        Some(described(&row)),
    )?;
    Ok(true)
}

/// Withdraws `user`'s vote, if they had one. Returns whether a vote was removed.
pub fn unvote(
    conn: &mut DbConn,
    partnership_id: i64,
    item_id: i64,
    user: &SessionUser,
) -> AppResult<bool> {
    let row = find(conn, partnership_id, item_id)?;
    let removed = diesel::delete(
        swot_votes::table
            .filter(swot_votes::item_id.eq(row.id))
            .filter(swot_votes::user_id.eq(user.id)),
    )
    .execute(conn)?;
    if removed > 0 {
        record(
            conn,
            &user.audit_actor(),
            partnership_id,
            "partnership.swot.unvote",
            Some(described(&row)),
            None,
        )?;
    }
    Ok(removed > 0)
}

/// Deletes an item and its votes, if `user` may (see [`may_delete`]).
/// Returns the quadrant it was in.
pub fn delete(
    conn: &mut DbConn,
    partnership_id: i64,
    item_id: i64,
    user: &SessionUser,
    rel: Relation,
) -> AppResult<Quadrant> {
    let row = find(conn, partnership_id, item_id)?;
    if !may_delete(Some(&user.actor()), rel, row.created_by) {
        return Err(AppError::Forbidden);
    }
    let votes =
        diesel::delete(swot_votes::table.filter(swot_votes::item_id.eq(row.id))).execute(conn)?;
    diesel::delete(swot_items::table.find(row.id)).execute(conn)?;
    let mut before = described(&row);
    before["organisation_id"] = json!(row.organisation_id);
    before["votes"] = json!(votes);
    record(
        conn,
        &user.audit_actor(),
        partnership_id,
        "partnership.swot.delete",
        Some(before),
        None,
    )?;
    Ok(Quadrant::parse(&row.quadrant).unwrap_or(Quadrant::Strengths))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnerships::model::{MemberRole, Visibility};
    use crate::policy::Role;

    fn input(quadrant: &str, text: &str) -> SwotInput {
        SwotInput {
            quadrant: quadrant.into(),
            text: text.into(),
        }
    }

    fn messages(r: Result<(Quadrant, String), Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn validation_names_the_quadrant_and_the_limit() {
        assert_eq!(
            validate(&input("threats", "  Staff turnover \r\n")),
            Ok((Quadrant::Threats, "Staff turnover".to_string()))
        );
        assert_eq!(
            messages(validate(&input("opportunities", "   "))),
            vec![("text".into(), "Enter an opportunity".into())]
        );
        let long = "x".repeat(501);
        assert_eq!(
            messages(validate(&input("weaknesses", &long))),
            vec![(
                "text".into(),
                "Weakness must be 500 characters or fewer".into()
            )]
        );
        assert!(
            validate(&input("strengths", &"é".repeat(500))).is_ok(),
            "characters, not bytes"
        );
        // 250 lines of "x" with CRLF breaks are 499 characters once the breaks count as one.
        assert!(validate(&input("strengths", &vec!["x"; 250].join("\r\n"))).is_ok());
        assert_eq!(
            messages(validate(&input("picnic", ""))),
            vec![
                (
                    "quadrant".into(),
                    "Choose a quadrant: strengths, weaknesses, opportunities or threats".into()
                ),
                ("text".into(), "Enter the item".into())
            ]
        );
    }

    fn item(id: i64, votes: i64, minute: u32) -> SwotItem {
        let created_at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(9, minute, 0)
            .unwrap();
        SwotItem {
            id,
            quadrant: Quadrant::Strengths,
            text: String::new(),
            organisation_code: String::new(),
            organisation_name: String::new(),
            created_at,
            votes,
            voted: false,
            can_delete: false,
        }
    }

    #[test]
    fn ranking_is_by_votes_then_oldest_first() {
        let mut items = vec![
            item(1, 0, 1),
            item(2, 2, 5),
            item(3, 2, 3),
            item(4, 5, 9),
            item(5, 0, 1),
        ];
        rank(&mut items);
        assert_eq!(
            items.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![4, 3, 2, 1, 5]
        );
    }

    #[test]
    fn the_adder_or_the_lead_may_delete_but_not_observers() {
        let me = Actor {
            user_id: 7,
            organisation_id: 2,
            role: Role::Member,
        };
        let rel = |role| Relation {
            visibility: Visibility::Partners,
            role,
            invited: false,
        };
        assert!(
            may_delete(Some(&me), rel(Some(MemberRole::Partner)), Some(7)),
            "my own item"
        );
        assert!(
            !may_delete(Some(&me), rel(Some(MemberRole::Partner)), Some(8)),
            "someone else's"
        );
        assert!(
            may_delete(Some(&me), rel(Some(MemberRole::Lead)), Some(8)),
            "the lead tidies the board"
        );
        assert!(
            !may_delete(Some(&me), rel(Some(MemberRole::Observer)), Some(7)),
            "observers only watch"
        );
        assert!(
            !may_delete(
                Some(&me),
                Relation {
                    visibility: Visibility::Public,
                    role: None,
                    invited: false
                },
                Some(7)
            ),
            "after leaving"
        );
        assert!(!may_delete(None, rel(Some(MemberRole::Lead)), None));
    }
}
