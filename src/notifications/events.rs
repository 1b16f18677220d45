//! Changes to watched things, from the audit trail's domain events. Runs in
//! the transaction of the change, so the notification is stored with it.

use super::store::{deliver, Note};
use super::subjects::{self, Subject};
use super::{watches, NotificationKind};
use crate::audit::DomainEvent;
use crate::db::DbConn;
use crate::error::AppResult;

/// Tells the watchers of the changed record, and of the records related to
/// it (its organisations, its services), that it changed: not the person
/// who changed it, not for work the system did (imports, demo data), and
/// only those who may see the record now.
pub fn on_change(conn: &mut DbConn, event: &DomainEvent) -> AppResult<()> {
    let Some(actor_id) = event.actor.user_id else {
        return Ok(());
    };
    let (kind, id) = &event.record;
    let (Some(subject_kind), Ok(id)) = (subjects::find(kind), id.parse::<i64>()) else {
        return Ok(());
    };
    let subject = Subject::new(kind, id);
    let mut recipients = watches::watchers(conn, &subject)?;
    for related in (subject_kind.related)(conn, id)? {
        recipients.extend(watches::watchers(conn, &related)?);
    }
    recipients.retain(|u| *u != actor_id);
    if recipients.is_empty() {
        return Ok(());
    }
    let who: String = {
        use crate::db::schema::users;
        use diesel::prelude::*;
        users::table
            .find(actor_id)
            .select(users::display_name)
            .first(conn)
            .optional()?
            .unwrap_or_else(|| "Someone".to_string())
    };
    deliver(
        conn,
        &recipients,
        &Note {
            kind: NotificationKind::Change,
            subject,
            what: format!("{who} {}", describe(&event.kind)),
            link: None,
            audit_id: Some(event.audit_id),
        },
    )?;
    Ok(())
}

/// An audit action as words: "partnership.risk.create" → "added a risk".
pub fn describe(action: &str) -> String {
    // Needs' interest, updates and funding read as what people did.
    let said = match action {
        "need.interest.express" => Some("expressed interest"),
        "need.interest.change" => Some("changed their organisation's interest"),
        "need.interest.withdraw" => Some("withdrew their organisation's interest"),
        "need.interest.accept" => Some("accepted an organisation's interest"),
        "need.interest.decline" => Some("declined an organisation's interest"),
        "need.update.post" => Some("posted an update"),
        "need.funding.target" => Some("set the funding target"),
        "need.convert" => Some("started a partnership from the need"),
        "need.still_active" => Some("confirmed the need is still active"),
        "need.close" => Some("closed the need"),
        "partnership.health_check.create" => Some("started a health check"),
        "health_round.invite" => Some("invited stakeholders to the health check"),
        "health_round.remind" => Some("reminded stakeholders to answer the health check"),
        "health_round.close" => Some("closed the health check"),
        "health_round.answer" => Some("answered the health check"),
        "health_round.answer_change" => Some("changed their answers to the health check"),
        _ => None,
    };
    if let Some(said) = said {
        return said.to_string();
    }
    let parts: Vec<&str> = action.split('.').collect();
    let (thing, verb) = match parts.as_slice() {
        [record, "create"] => return format!("created the {record}"),
        [_, verb] => ("details", *verb),
        [_, thing, verb] => (*thing, *verb),
        _ => return format!("made a change ({action})"),
    };
    let thing = match thing {
        "ledger" => "a ledger entry".to_string(),
        "swot" => "a SWOT item".to_string(),
        "cost_shares" => return "changed the cost shares".to_string(),
        "details" => "the details".to_string(),
        other => {
            let words = other.replace('_', " ");
            let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {words}")
        }
    };
    match verb {
        "create" | "add" => format!("added {thing}"),
        "update" => format!("changed {thing}"),
        "delete" | "remove" => format!("removed {thing}"),
        "invite" => "invited an organisation".to_string(),
        "accept" => "accepted an invitation".to_string(),
        "decline" => "declined an invitation".to_string(),
        "progress" => format!("recorded progress on {thing}"),
        "review" => format!("reviewed {thing}"),
        "action_done" => "completed a review action".to_string(),
        "vote" => format!("voted on {thing}"),
        "unvote" => format!("took back a vote on {thing}"),
        other => format!("{} {thing}", other.replace('_', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn actions_read_as_words() {
        assert_eq!(describe("partnership.risk.create"), "added a risk");
        assert_eq!(describe("partnership.update"), "changed the details");
        assert_eq!(
            describe("partnership.agreement.delete"),
            "removed an agreement"
        );
        assert_eq!(
            describe("partnership.ledger.create"),
            "added a ledger entry"
        );
        assert_eq!(
            describe("partnership.objective.progress"),
            "recorded progress on an objective"
        );
        assert_eq!(
            describe("partnership.member.invite"),
            "invited an organisation"
        );
        assert_eq!(describe("partnership.create"), "created the partnership");
        assert_eq!(describe("odd"), "made a change (odd)");
        assert_eq!(describe("need.interest.express"), "expressed interest");
        assert_eq!(describe("need.update.post"), "posted an update");
    }
}
