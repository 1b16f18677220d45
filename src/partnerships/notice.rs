//! The success banner after a change to a partnership: "Cost of £180,000
//! for Birmingham City Council deleted".
//!
//! A change ends by redirecting to its page with `?done=<history entry>`:
//! the id of the audit entry the change wrote. The page words the banner
//! from that entry — only if it is this partnership's and the person
//! looking made it — so a link cannot make a page say something that did
//! not happen, and no text travels in the address.

use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::money;
use crate::partnerships::model::Partnership;
use crate::work::Work;

/// The query a page reads the banner from.
#[derive(Deserialize, Default, Clone, Copy, Debug)]
#[serde(default)]
pub struct Done {
    pub done: Option<i64>,
}

/// What a change gave back, and the history entry that says what it did.
pub struct Noted<T> {
    pub value: T,
    pub done: Option<i64>,
}

impl<T> Noted<T> {
    /// `path` with the banner's `?done=` (before any `#fragment`).
    pub fn to(&self, path: impl Into<String>) -> String {
        with_done(&path.into(), self.done)
    }
}

/// `path` with `?done=id` put before any `#fragment`.
pub fn with_done(path: &str, done: Option<i64>) -> String {
    let Some(done) = done else {
        return path.to_string();
    };
    let (base, fragment) = match path.find('#') {
        Some(i) => path.split_at(i),
        None => (path, ""),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}done={done}{fragment}")
}

/// Ends a change: `value` with the newest history entry this person wrote
/// in this partnership (the one the change just wrote), if any.
pub fn noted<T>(w: &mut Work<'_, Partnership>, value: T) -> AppResult<Noted<T>> {
    let done = last(w)?;
    Ok(Noted { value, done })
}

/// Does `change`, which may change nothing (a second vote): the banner
/// names its history entry only if it wrote one.
pub fn noting<T>(
    w: &mut Work<'_, Partnership>,
    change: impl FnOnce(&mut Work<'_, Partnership>) -> AppResult<T>,
) -> AppResult<Noted<T>> {
    let before = last(w)?;
    let value = change(w)?;
    let after = last(w)?;
    Ok(Noted {
        value,
        done: after.filter(|_| after != before),
    })
}

/// The newest history entry this person wrote in this partnership.
fn last(w: &mut Work<'_, Partnership>) -> AppResult<Option<i64>> {
    match w.user_id() {
        Some(user) => last_by(w.conn, w.record.id, user),
        None => Ok(None),
    }
}

/// The newest history entry person `user` wrote in partnership
/// `partnership_id` (for work outside a partnership's unit of work, like
/// starting one).
pub fn last_by(conn: &mut DbConn, partnership_id: i64, user: i64) -> AppResult<Option<i64>> {
    Ok(audit_log::table
        .filter(audit_log::scope_type.eq("partnership"))
        .filter(audit_log::scope_id.eq(partnership_id))
        .filter(audit_log::actor_user_id.eq(user))
        .select(diesel::dsl::max(audit_log::id))
        .first::<Option<i64>>(conn)?)
}

/// The banner for history entry `done`, if it is partnership
/// `partnership_id`'s and `viewer` made it.
pub fn text(
    conn: &mut DbConn,
    partnership_id: i64,
    viewer: Option<i64>,
    done: Option<i64>,
) -> AppResult<Option<String>> {
    let (Some(done), Some(viewer)) = (done, viewer) else {
        return Ok(None);
    };
    let row: Option<(String, Option<String>, Option<String>)> = audit_log::table
        .filter(audit_log::id.eq(done))
        .filter(audit_log::scope_type.eq("partnership"))
        .filter(audit_log::scope_id.eq(partnership_id))
        .filter(audit_log::actor_user_id.eq(viewer))
        .select((
            audit_log::action,
            audit_log::before_json,
            audit_log::after_json,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(action, before, after)| {
        let json = |t: Option<String>| {
            t.and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .unwrap_or(Value::Null)
        };
        words(&action, &json(before), &json(after))
    }))
}

/// What a change did, in a sentence without a full stop.
pub fn words(action: &str, before: &Value, after: &Value) -> String {
    // What the record says: after the change, or before a delete.
    let it = if after.is_null() { before } else { after };
    let s = |key: &str| it.get(key).and_then(Value::as_str).unwrap_or_default();
    let quoted = |key: &str| format!("\u{201c}{}\u{201d}", s(key));
    let said = match action {
        "partnership.ledger.create" | "partnership.ledger.delete" => {
            let kind = crate::partnerships::ledger::model::EntryType::parse(s("entry_type"))
                .map_or("Entry", |t| t.label());
            let amount = it.get("amount_pence").and_then(Value::as_i64).unwrap_or(0);
            let verb = if action.ends_with("delete") {
                "deleted"
            } else {
                "recorded"
            };
            let what = if amount > 0 {
                format!("{kind} of {}", money::pounds(amount))
            } else {
                format!("{kind} \u{201c}{}\u{201d}", s("description"))
            };
            Some(format!("{what} for {} {verb}", s("organisation_name")))
        }
        "partnership.risk.create" => Some(format!("Risk {} added", quoted("title"))),
        "partnership.risk.update" => Some(format!("Risk {} changed", quoted("title"))),
        "partnership.risk.review" => Some("Risk review recorded".into()),
        "partnership.objective.create" => Some(format!("Objective {} added", quoted("title"))),
        "partnership.objective.update" => Some(format!("Objective {} changed", quoted("title"))),
        "partnership.objective.progress" => {
            Some(format!("Progress recorded for {}", quoted("title")))
        }
        "partnership.agreement.create" => Some(format!("Agreement {} added", quoted("title"))),
        "partnership.agreement.update" => Some(format!("Agreement {} changed", quoted("title"))),
        "partnership.agreement.delete" => Some(format!("Agreement {} deleted", quoted("title"))),
        "partnership.review.create" => Some("Review recorded".into()),
        "partnership.review.action_done" => {
            Some(format!("Action {} marked as done", quoted("description")))
        }
        "partnership.swot.add" | "partnership.swot.delete" => {
            let quadrant = crate::partnerships::swot::model::Quadrant::parse(s("quadrant"))
                .map_or("the SWOT", |q| q.label());
            let verb = if action.ends_with("delete") {
                "deleted from"
            } else {
                "added to"
            };
            Some(format!("{} {verb} {quadrant}", quoted("text")))
        }
        "partnership.swot.vote" => Some(format!("Vote added to {}", quoted("text"))),
        "partnership.swot.unvote" => Some(format!("Vote taken back from {}", quoted("text"))),
        "partnership.member.remove" => Some("Member organisation removed".into()),
        "partnership.member.update" => Some("Member details saved".into()),
        "partnership.create" => Some(format!(
            "Partnership {} started. Next, invite the partner organisations from Members",
            quoted("name")
        )),
        "partnership.update" => Some("Partnership details saved".into()),
        _ => None,
    };
    said.unwrap_or_else(|| crate::text::sentence(&crate::notifications::events::describe(action)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deleted_cost_is_named_by_its_amount_and_organisation() {
        let before = json!({ "entry_type": "cost", "amount_pence": 180_000_00, "organisation_name": "Birmingham City Council" });
        assert_eq!(
            words("partnership.ledger.delete", &before, &Value::Null),
            "Cost of £180,000 for Birmingham City Council deleted"
        );
        let after = json!({ "entry_type": "non_cashable_benefit", "amount_pence": 0, "description": "Fewer complaints", "organisation_name": "Leeds" });
        assert_eq!(
            words("partnership.ledger.create", &Value::Null, &after),
            "Non-cashable benefit \u{201c}Fewer complaints\u{201d} for Leeds recorded"
        );
        assert_eq!(
            words(
                "partnership.swot.delete",
                &json!({ "quadrant": "threats", "text": "Staff leave" }),
                &Value::Null
            ),
            "\u{201c}Staff leave\u{201d} deleted from Threats"
        );
    }

    #[test]
    fn done_goes_before_the_fragment() {
        assert_eq!(
            with_done("/p/1/reviews#actions", Some(9)),
            "/p/1/reviews?done=9#actions"
        );
        assert_eq!(with_done("/p/1?x=1", Some(9)), "/p/1?x=1&done=9");
        assert_eq!(with_done("/p/1", None), "/p/1");
    }
}
