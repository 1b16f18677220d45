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
    /// The whole change as a sentence: "Bola Lead (Birmingham City Council)
    /// added a ledger entry: £180,000 cost for Birmingham City Council
    /// (2025/26)".
    pub summary: String,
    /// What changed, field by field, in words: labels instead of column
    /// names, money in pounds, shares in per cent, organisations by name.
    pub changes: Vec<FieldChange>,
}

/// One field of a change, as people read it.
#[derive(Serialize, Clone, Debug, PartialEq, ToSchema)]
pub struct FieldChange {
    /// e.g. "Amount".
    pub label: String,
    /// The value before, in words; absent when the field was not there.
    pub before: Option<String>,
    /// The value after, in words; absent when the field was removed.
    pub after: Option<String>,
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

/// Changes to a partnership and everything in it, newest first. Its
/// health checks' changes are in it for members (`emails`: signed-in people
/// of active member organisations), who alone may see health checks.
pub fn history(
    conn: &mut DbConn,
    id: i64,
    limit: i64,
    emails: bool,
) -> AppResult<Vec<HistoryEntry>> {
    use crate::db::schema::health_rounds;
    let rounds: Vec<i64> = if emails {
        health_rounds::table
            .filter(health_rounds::partnership_id.eq(id))
            .select(health_rounds::id)
            .load(conn)?
    } else {
        Vec::new()
    };
    let rows: Vec<Row> = audit_log::table
        .left_join(users::table.on(audit_log::actor_user_id.eq(users::id.nullable())))
        .left_join(organisations::table.on(users::organisation_id.eq(organisations::id)))
        .filter(
            audit_log::scope_type
                .eq("partnership")
                .and(audit_log::scope_id.eq(id))
                .or(audit_log::scope_type
                    .eq("health_round")
                    .and(audit_log::scope_id.eq_any(rounds))),
        )
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
    let mut codes = Vec::new();
    for row in &rows {
        for text in [&row.6, &row.7].into_iter().flatten() {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                organisation_codes(&value, &mut codes);
            }
        }
    }
    codes.sort();
    codes.dedup();
    let names: Names = organisations::table
        .filter(organisations::code.eq_any(&codes))
        .select((organisations::code, organisations::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, at, action, label, name, org, before, after)| {
            let person = name.is_some();
            let actor = match (name, org) {
                (Some(name), Some(org)) => format!("{name} ({org})"),
                (Some(name), None) => name,
                _ => match label.strip_prefix("system: ") {
                    Some(why) => format!("Concord ({why})"),
                    None => label.clone(),
                },
            };
            let json = |text: Option<String>| {
                let mut value = serde_json::from_str::<serde_json::Value>(&text?).ok()?;
                if !emails {
                    hide_emails(&mut value);
                }
                Some(value)
            };
            let (before, after) = (json(before), json(after));
            let did = match action.as_str() {
                "partnership.cost_shares" => "changed the cost shares".to_string(),
                other => crate::notifications::events::describe(other),
            };
            let summary = match subject(before.as_ref(), after.as_ref(), &names) {
                Some(thing) => format!("{actor} {did}: {thing}"),
                None => format!("{actor} {did}"),
            };
            HistoryEntry {
                id,
                occurred_at: at.and_utc(),
                description: crate::text::sentence(&did),
                summary,
                changes: changes(before.as_ref(), after.as_ref(), &names),
                action,
                actor,
                actor_email: (emails && person).then_some(label),
                before,
                after,
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

/// Organisation codes and their names.
type Names = std::collections::HashMap<String, String>;

/// Keys whose value is an organisation's code.
fn is_organisation_key(key: &str) -> bool {
    matches!(key, "organisation" | "organisation_code" | "owner" | "lead")
}

/// Every organisation code a change names, at any depth.
fn organisation_codes(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match v {
                    serde_json::Value::String(code) if is_organisation_key(key) => {
                        out.push(code.clone())
                    }
                    other => organisation_codes(other, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| organisation_codes(v, out)),
        _ => {}
    }
}

/// At most `max` characters, with "…" when cut.
fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// What a change is about, in a few words: a ledger entry's amount, type
/// and organisation; otherwise its title, name or text.
fn subject(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    names: &Names,
) -> Option<String> {
    let record = after.or(before)?.as_object()?;
    let text = |key: &str| {
        record
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    if let Some(pence) = record.get("amount_pence").and_then(|v| v.as_i64()) {
        let mut words = crate::money::pounds(pence);
        if let Some(kind) = text("entry_type") {
            words.push(' ');
            words.push_str(&kind.replace('_', " "));
        }
        if let Some(basis) = text("basis") {
            words.push_str(&format!(" ({basis})"));
        }
        if let Some(code) = text("organisation_code").or(text("organisation")) {
            words.push_str(&format!(" for {}", organisation(code, names)));
        }
        if let Some(year) = text("financial_year_label") {
            words.push_str(&format!(", {year}"));
        }
        return Some(words);
    }
    for key in [
        "title",
        "name",
        "statement",
        "text",
        "question",
        "findings",
        "description",
    ] {
        if let Some(found) = text(key) {
            return Some(clip(found, 80));
        }
    }
    if let Some(code) = text("organisation") {
        return Some(organisation(code, names));
    }
    None
}

fn organisation(code: &str, names: &Names) -> String {
    names.get(code).cloned().unwrap_or_else(|| code.to_string())
}

/// Fields that identify or repeat something, not what people changed.
fn is_hidden_key(key: &str) -> bool {
    key == "id"
        || key.ends_with("_id")
        || matches!(
            key,
            "risk"
                | "item"
                | "review"
                | "objective"
                | "member"
                | "created_at"
                | "updated_at"
                | "organisation_name"
                | "financial_year"
        )
}

/// Fields whose value is a code from a closed list ("open", "green").
fn is_code_key(key: &str) -> bool {
    matches!(
        key,
        "status"
            | "rag"
            | "decision"
            | "category"
            | "quadrant"
            | "entry_type"
            | "basis"
            | "kind"
            | "degree"
            | "visibility"
            | "role"
    )
}

/// What people call a field.
fn label(key: &str) -> String {
    let known = match key {
        "amount_pence" => "Amount",
        "share_bp" => "Share",
        "shares" => "Shares",
        "entry_type" => "Type",
        "kind" => "Type of partnership",
        "degree" => "Degree of collaboration",
        "financial_year_label" => "Financial year",
        "organisation" | "organisation_code" => "Organisation",
        "owner" => "Owner",
        "decision_body" => "Decision-making body",
        "decision_rule" => "How decisions are made",
        "review_cadence_months" => "Review every (months)",
        "services" => "Services (LGSL)",
        "contact_email" => "Contact email",
        "due_on" => "Due",
        "held_on" => "Held on",
        "swot" | "quadrant" => "Quadrant",
        "rag" => "RAG status",
        "likelihood" => "Likelihood (1 to 5)",
        "impact" => "Impact (1 to 5)",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let words = key
        .trim_end_matches("_pence")
        .trim_end_matches("_bp")
        .trim_end_matches("_code")
        .replace('_', " ");
    crate::text::sentence(&words)
}

/// A value in words: money in pounds, shares in per cent, organisations by
/// name, codes as words.
fn words(key: &str, value: &serde_json::Value, names: &Names) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "not set".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(pence) if key.ends_with("_pence") => crate::money::pounds(pence),
            Some(bp) if key.ends_with("_bp") => crate::money::percent(bp as i32),
            _ => n.to_string(),
        },
        Value::String(s) if is_organisation_key(key) => organisation(s, names),
        Value::String(s) if is_code_key(key) => crate::text::sentence(&s.replace('_', " ")),
        Value::String(s) if s.is_empty() => "blank".to_string(),
        Value::String(s) if s.len() == 10 => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        {
            Ok(date) => date.format("%-d %B %Y").to_string(),
            Err(_) => s.clone(),
        },
        Value::String(s)
            if !s.contains(' ')
                && s.contains('_')
                && s.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
        {
            crate::text::sentence(&s.replace('_', " "))
        }
        Value::String(s) => clip(s, 200),
        Value::Array(items) if items.is_empty() => "none".to_string(),
        Value::Array(items) => items
            .iter()
            .map(|item| words(key, item, names))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => {
            // A share: "Birmingham City Council 45.39%".
            if let (Some(org), Some(share)) = (map.get("organisation"), map.get("share_bp")) {
                let share = match share.as_i64() {
                    Some(bp) => crate::money::percent(bp as i32),
                    None => "no share".to_string(),
                };
                return format!("{} {share}", words("organisation", org, names));
            }
            map.iter()
                .filter(|(k, _)| !is_hidden_key(k))
                .map(|(k, v)| format!("{}: {}", label(k), words(k, v, names)))
                .collect::<Vec<_>>()
                .join("; ")
        }
    }
}

/// The fields a change set, changed or removed, in words.
fn changes(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    names: &Names,
) -> Vec<FieldChange> {
    use serde_json::Value;
    let empty = serde_json::Map::new();
    let as_map = |v: Option<&Value>| -> Option<serde_json::Map<String, Value>> {
        match v? {
            Value::Object(map) => Some(map.clone()),
            // A list (the cost shares): one field.
            other => Some(serde_json::Map::from_iter([(
                "shares".to_string(),
                other.clone(),
            )])),
        }
    };
    let (b, a) = (as_map(before), as_map(after));
    let (bm, am) = (b.as_ref().unwrap_or(&empty), a.as_ref().unwrap_or(&empty));
    let mut keys: Vec<&String> = am.keys().collect();
    keys.extend(bm.keys().filter(|k| !am.contains_key(*k)));
    keys.into_iter()
        .filter(|k| !is_hidden_key(k))
        .filter(|k| bm.get(*k) != am.get(*k))
        // A new record's unset fields say nothing.
        .filter(|k| bm.contains_key(*k) || !am.get(*k).is_some_and(Value::is_null))
        .map(|k| FieldChange {
            label: label(k),
            before: bm.get(k).map(|v| words(k, v, names)),
            after: am.get(k).map(|v| words(k, v, names)),
        })
        .collect()
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

    fn names() -> Names {
        Names::from([
            ("BIR".to_string(), "Birmingham City Council".to_string()),
            ("LDS".to_string(), "Leeds City Council".to_string()),
        ])
    }

    #[test]
    fn a_risk_change_reads_in_labels_per_cent_and_names() {
        let before = serde_json::json!({
            "risk": 4, "title": "Quick wins pursued at the expense of the long term",
            "owner": "BIR", "likelihood": 2, "status": "open",
            "shares": [{ "organisation": "BIR", "share_bp": 6000 }, { "organisation": "LDS", "share_bp": 4000 }],
        });
        let mut after = before.clone();
        after["likelihood"] = 4.into();
        after["shares"] = serde_json::json!([{ "organisation": "BIR", "share_bp": 5050 }, { "organisation": "LDS", "share_bp": 4950 }]);
        assert_eq!(
            subject(Some(&before), Some(&after), &names()).unwrap(),
            "Quick wins pursued at the expense of the long term"
        );
        let got = changes(Some(&before), Some(&after), &names());
        assert_eq!(
            got,
            vec![
                FieldChange {
                    label: "Likelihood (1 to 5)".into(),
                    before: Some("2".into()),
                    after: Some("4".into())
                },
                FieldChange {
                    label: "Shares".into(),
                    before: Some("Birmingham City Council 60%, Leeds City Council 40%".into()),
                    after: Some("Birmingham City Council 50.5%, Leeds City Council 49.5%".into())
                },
            ]
        );
    }

    #[test]
    fn a_ledger_entry_reads_in_pounds_for_its_organisation() {
        let entry = serde_json::json!({
            "id": 9, "organisation_code": "BIR", "organisation_name": "Birmingham City Council",
            "entry_type": "cashable_saving", "basis": "expected", "financial_year": 2025,
            "financial_year_label": "2025/26", "amount_pence": 18_000_000, "description": "",
        });
        assert_eq!(
            subject(None, Some(&entry), &names()).unwrap(),
            "£180,000 cashable saving (expected) for Birmingham City Council, 2025/26"
        );
        let got = changes(Some(&entry), None, &names());
        assert!(got.iter().any(|c| c.label == "Amount"
            && c.before.as_deref() == Some("£180,000")
            && c.after.is_none()));
        assert!(got
            .iter()
            .any(|c| c.label == "Type" && c.before.as_deref() == Some("Cashable saving")));
        assert!(got
            .iter()
            .all(|c| !c.label.contains('_') && c.label != "Id"));
    }

    #[test]
    fn cost_shares_are_one_field_in_per_cent() {
        let before = serde_json::json!([{ "organisation": "BIR", "share_bp": null }]);
        let after = serde_json::json!([{ "organisation": "BIR", "share_bp": 10000 }]);
        assert_eq!(
            changes(Some(&before), Some(&after), &names()),
            vec![FieldChange {
                label: "Shares".into(),
                before: Some("Birmingham City Council no share".into()),
                after: Some("Birmingham City Council 100%".into())
            }]
        );
    }
}
