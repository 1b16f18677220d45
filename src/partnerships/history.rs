//! A partnership's history: every change to it and everything in it. People
//! are named with their organisation; their email addresses, and the
//! contact addresses recorded for members, are shown only to signed-in
//! people of member organisations.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{audit_log, organisations, users};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::Relation;

/// One change, as the history page and API show it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    /// When, in UTC (RFC 3339).
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// What happened, e.g. `partnership.risk.create`.
    pub action: String,
    /// The same in words: "Added a risk".
    pub description: String,
    /// Who: "Bola Lead (Birmingham City Council)", or the system.
    pub actor: String,
    /// Their email address: only for signed-in people of member organisations.
    pub actor_email: Option<String>,
    /// The record before the change, if it existed.
    pub before: Option<serde_json::Value>,
    /// The record after the change, unless it was deleted.
    pub after: Option<serde_json::Value>,
}

/// May `rel` see people's email addresses? Only members, signed in.
pub fn shows_emails(rel: Relation) -> bool {
    rel.role.is_some()
}

type Row = (
    i64,
    NaiveDateTime,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Changes to a partnership and everything in it, newest first.
pub fn history(
    conn: &mut DbConn,
    id: i64,
    limit: i64,
    emails: bool,
) -> AppResult<Vec<HistoryEntry>> {
    let rows: Vec<Row> = audit_log::table
        .left_join(users::table.on(audit_log::actor_user_id.eq(users::id.nullable())))
        .left_join(organisations::table.on(users::organisation_id.eq(organisations::id)))
        .filter(audit_log::scope_type.eq("partnership"))
        .filter(audit_log::scope_id.eq(id))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::occurred_at,
            audit_log::action,
            audit_log::actor_label,
            users::display_name.nullable(),
            organisations::name.nullable(),
            audit_log::before_json,
            audit_log::after_json,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, at, action, label, name, org, before, after)| {
            let person = name.is_some();
            let actor = match (name, org) {
                (Some(name), Some(org)) => format!("{name} ({org})"),
                (Some(name), None) => name,
                _ => label.clone(),
            };
            let json = |text: Option<String>| {
                let mut value = serde_json::from_str::<serde_json::Value>(&text?).ok()?;
                if !emails {
                    hide_emails(&mut value);
                }
                Some(value)
            };
            HistoryEntry {
                id,
                occurred_at: at.and_utc(),
                description: crate::text::sentence(&crate::notifications::events::describe(
                    &action,
                )),
                action,
                actor,
                actor_email: (emails && person).then_some(label),
                before: json(before),
                after: json(after),
            }
        })
        .collect())
}

/// One change in an organisation's activity feed.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Activity {
    pub occurred_at: crate::time::Timestamp,
    /// Who, by name (never an email address), or "Concord" for the system.
    pub actor: String,
    /// What, in words: "added a risk".
    pub description: String,
    pub partnership_id: i64,
    pub partnership_name: String,
}

/// The newest changes in the partnerships an organisation is an active
/// member of, that `viewer` may see.
pub fn for_organisation(
    conn: &mut DbConn,
    organisation_id: i64,
    viewer: Option<&crate::policy::Actor>,
    limit: i64,
) -> AppResult<Vec<Activity>> {
    use crate::db::schema::partnerships;
    let rows: Vec<(NaiveDateTime, String, Option<String>, i64, String)> = audit_log::table
        .inner_join(partnerships::table.on(audit_log::scope_id.eq(partnerships::id.nullable())))
        .left_join(users::table.on(audit_log::actor_user_id.eq(users::id.nullable())))
        .filter(audit_log::scope_type.eq("partnership"))
        .filter(crate::partnerships::access::partnership_has_member!(
            organisation_id,
            ["active"]
        ))
        .filter(crate::partnerships::access::partnership_visible_to!(viewer))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::occurred_at,
            audit_log::action,
            users::display_name.nullable(),
            partnerships::id,
            partnerships::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(at, action, name, partnership_id, partnership_name)| Activity {
                occurred_at: at.into(),
                actor: name.unwrap_or_else(|| "Concord".to_string()),
                description: crate::notifications::events::describe(&action),
                partnership_id,
                partnership_name,
            },
        )
        .collect())
}

/// Contact addresses recorded in a change are for members' eyes only.
fn hide_emails(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|key, _| !key.ends_with("email"));
            map.values_mut().for_each(hide_emails);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(hide_emails),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_taken_out_of_changes_at_any_depth() {
        let mut v = serde_json::json!({
            "member": 3, "contact_email": "kerra@cornwall.gov.uk",
            "list": [{ "email": "a@b.c", "name": "A" }]
        });
        hide_emails(&mut v);
        assert_eq!(
            v,
            serde_json::json!({ "member": 3, "list": [{ "name": "A" }] })
        );
    }
}
