//! Importing partnerships from CSV, by organisation codes. Atomic and strict
//! like every import: the first bad line refuses the file, with its number.
//! A partnership is matched on (name, lead), so re-importing updates in place.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::*;
use super::store;
use crate::audit::Actor as AuditActor;
use crate::db::schema::{organisations, partnership_members, partnerships};
use crate::db::DbConn;
use crate::error::AppError;
use crate::imports::{parse_date, ImportError, ImportReport, SeenKeys, Table};

pub const COLUMNS: &[&str] = &[
    "name",
    "purpose",
    "kind",
    "degree",
    "stage",
    "status",
    "visibility",
    "start_date",
    "end_date",
    "lead",
    "partners",
    "services",
    "review_cadence_months",
];

/// Who is importing decides how partners join.
#[derive(Clone, Copy, Debug)]
pub enum Importer {
    /// Platform admins and the command line: every named partner joins as an active member.
    Platform,
    /// An organisation admin: their organisation must be in each row; the others are invited.
    Organisation(i64),
}

#[derive(Debug)]
struct Row {
    line: u64,
    input: PartnershipInput,
    lead: String,
    partners: Vec<String>,
}

fn parse(text: &str) -> Result<Vec<Row>, ImportError> {
    let table = Table::parse(text, COLUMNS)?;
    let mut seen = SeenKeys::default();
    let mut rows = Vec::new();
    for row in table.rows() {
        let lead = row.required("lead")?.to_uppercase();
        let name = row.required("name")?.to_string();
        seen.check(
            &row,
            "partnership (name and lead)",
            &format!("{name} / {lead}"),
        )?;
        let stage = row.get("stage").parse::<i32>().map_err(|_| {
            row.error(format!(
                "'stage' is '{}'; it must be a number from 1 to 8",
                row.get("stage")
            ))
        })?;
        let services = row
            .get("services")
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    row.error(format!("'services' has '{s}', which is not an LGSL number"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let review_cadence_months = match row.get("review_cadence_months") {
            "" => None,
            v => Some(v.parse::<i32>().map_err(|_| {
                row.error(format!(
                    "'review_cadence_months' is '{v}', which is not a whole number"
                ))
            })?),
        };
        let input = PartnershipInput {
            name,
            purpose: row.get("purpose").to_string(),
            kind: row.get("kind").to_string(),
            degree: row.get("degree").to_string(),
            stage,
            status: row.get("status").to_string(),
            visibility: row.get("visibility").to_string(),
            start_date: parse_date(&row, "start_date")?,
            end_date: parse_date(&row, "end_date")?,
            services,
            review_cadence_months,
            ..Default::default()
        };
        if let Some(e) = store::validate(&input).into_iter().next() {
            return Err(row.error(format!("'{}': {}", e.field, e.message)));
        }
        let mut partners: Vec<String> = Vec::new();
        for code in row
            .get("partners")
            .split('|')
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
        {
            if code == lead || partners.contains(&code) {
                return Err(row.error(format!("'partners' names {code} twice (or names the lead)")));
            }
            partners.push(code);
        }
        rows.push(Row {
            line: row.line,
            input,
            lead,
            partners,
        });
    }
    Ok(rows)
}

fn at(line: u64) -> impl Fn(AppError) -> ImportError {
    move |e| match e {
        AppError::Invalid(errors) => ImportError::at(
            line,
            errors
                .iter()
                .map(|e| format!("'{}': {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => ImportError::at(line, other.to_string()),
    }
}

/// Checks and writes every row in the caller's transaction.
pub fn import(
    conn: &mut DbConn,
    text: &str,
    importer: Importer,
    actor: &AuditActor,
) -> Result<ImportReport, ImportError> {
    let rows = parse(text)?;
    let orgs: HashMap<String, (i64, bool)> = organisations::table
        .select((
            organisations::code,
            organisations::id,
            organisations::is_current,
        ))
        .load::<(String, i64, bool)>(conn)
        .map_err(|e| ImportError::file(e.to_string()))?
        .into_iter()
        .map(|(c, i, cur)| (c, (i, cur)))
        .collect();
    let mut report = ImportReport::default();
    for row in rows {
        let line = row.line;
        let find = |code: &str| -> Result<i64, ImportError> {
            match orgs.get(code) {
                Some((id, true)) => Ok(*id),
                Some((_, false)) => Err(ImportError::at(
                    line,
                    format!("organisation {code} no longer exists"),
                )),
                None => Err(ImportError::at(
                    line,
                    format!("no organisation has the code '{code}'"),
                )),
            }
        };
        let lead_id = find(&row.lead)?;
        let partner_ids = row
            .partners
            .iter()
            .map(|c| find(c))
            .collect::<Result<Vec<_>, _>>()?;
        if let Importer::Organisation(own) = importer {
            if lead_id != own && !partner_ids.contains(&own) {
                return Err(ImportError::at(
                    line,
                    "your organisation must be the lead or one of the partners",
                ));
            }
        }
        let existing: Option<i64> = partnerships::table
            .inner_join(partnership_members::table)
            .filter(partnerships::name.eq(row.input.name.trim()))
            .filter(partnership_members::organisation_id.eq(lead_id))
            .filter(partnership_members::role.eq(MemberRole::Lead.code()))
            .select(partnerships::id)
            .first(conn)
            .optional()
            .map_err(|e| ImportError::file(e.to_string()))?;
        let p = match existing {
            Some(id) => {
                let p = store::get(conn, id).map_err(at(line))?;
                let before = store::input_of(conn, &p).map_err(at(line))?;
                let mut input = row.input.clone();
                // Governance text is not in the file: keep what is there.
                input.decision_body = before.decision_body.clone();
                input.decision_rule = before.decision_rule.clone();
                input.meeting_cadence = before.meeting_cadence.clone();
                input.exit_plan = before.exit_plan.clone();
                if before_matches(&before, &input) {
                    report.unchanged += 1;
                } else {
                    store::update(conn, &p, &input, actor).map_err(at(line))?;
                    report.updated += 1;
                }
                p
            }
            None => {
                let lead = crate::orgs::store::find_by_id(conn, lead_id).map_err(at(line))?;
                report.created += 1;
                store::create(conn, &row.input, &lead, actor.user_id, actor).map_err(at(line))?
            }
        };
        for partner in partner_ids {
            let status = match importer {
                Importer::Organisation(own) if own != partner => MemberStatus::Invited,
                _ => MemberStatus::Active,
            };
            add_member(conn, p.id, partner, status).map_err(at(line))?;
        }
    }
    Ok(report)
}

fn before_matches(a: &PartnershipInput, b: &PartnershipInput) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

/// Adds a member unless it is already there in any status.
fn add_member(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_id: i64,
    status: MemberStatus,
) -> crate::error::AppResult<()> {
    let exists: i64 = partnership_members::table
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::organisation_id.eq(organisation_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        let now = crate::db::now();
        diesel::insert_into(partnership_members::table)
            .values((
                partnership_members::partnership_id.eq(partnership_id),
                partnership_members::organisation_id.eq(organisation_id),
                partnership_members::role.eq(MemberRole::Partner.code()),
                partnership_members::status.eq(status.code()),
                partnership_members::invited_at.eq(now),
                partnership_members::responded_at
                    .eq((status == MemberStatus::Active).then_some(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,purpose,kind,degree,stage,status,visibility,start_date,end_date,lead,partners,services,review_cadence_months\n";

    #[test]
    fn parses_good_rows_and_names_the_bad_line() {
        let good = "Shared bins,,shared_service,collaborating,5,active,public,2024-04-01,,SOL,BIR|DUD,524,12\n";
        let rows = parse(&format!("{HEADER}{good}")).unwrap();
        assert_eq!(rows[0].partners, vec!["BIR", "DUD"]);
        assert_eq!(rows[0].input.services, vec![524]);
        let err = parse(&format!(
            "{HEADER}{good}{}",
            good.replace("collaborating", "friends")
                .replace("Shared bins", "Other")
        ))
        .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("'degree'"), "{err}");
        let err = parse(&format!("{HEADER}{good}{good}")).unwrap_err();
        assert!(err.message.contains("duplicate partnership"), "{err}");
        let err = parse(&format!("{HEADER}{}", good.replace("BIR|DUD", "BIR|SOL"))).unwrap_err();
        assert!(err.message.contains("names SOL twice"));
        let err = parse(&format!("{HEADER}{}", good.replace(",5,", ",five,"))).unwrap_err();
        assert!(err.message.contains("'stage' is 'five'"));
        let err = parse(&format!(
            "{HEADER}{}",
            good.replace("2024-04-01,", "2024-04-01,2023-01-01")
        ))
        .unwrap_err();
        assert!(err.message.contains("end date must be after"), "{err}");
    }
}
