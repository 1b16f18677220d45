//! Importing partnerships from CSV, by organisation codes. Atomic and strict
//! like every import: the first bad line refuses the file, with its number.
//! A partnership is matched on (name, lead), so re-importing updates in place.
//!
//! A person importing on the page can do exactly what they could do on the
//! partnership pages, row by row, through the same policy: start
//! partnerships their own organisation leads, invite the other organisations
//! named (who must accept), and change existing partnerships only where they
//! may change them. The command line is the platform's operator and sets the
//! register up as the file says, with the partners as members.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::audit::Actor as AuditActor;
use crate::auth::SessionUser;
use crate::db::schema::{organisations, partnership_members, partnerships};
use crate::db::DbConn;
use crate::error::AppError;
use crate::imports::{parse_date, ImportError, ImportReport, Table};
use crate::partnerships::model::*;
use crate::partnerships::store;
use crate::policy::{allows, authorize, Action};
use crate::work::{Scoped, Work};

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

/// Who is importing decides what a row may do.
#[derive(Clone, Debug)]
pub enum Importer {
    /// The command line: partnerships are set up as the file says, and every
    /// named partner is an active member.
    Platform,
    /// Someone on the import page: each row goes through the policy as that
    /// person, and the organisations named are invited.
    Person(SessionUser),
}

#[derive(Debug)]
struct Row {
    line: u64,
    input: PartnershipInput,
    lead: String,
    partners: Vec<String>,
}

/// Reads one line of the file into a partnership, without looking at the database.
fn parse(row: &crate::imports::Row<'_>) -> Result<Row, ImportError> {
    {
        let lead = row.required("lead")?.to_uppercase();
        let name = row.required("name")?.to_string();
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
        let draft = PartnershipDraft {
            name,
            purpose: row.get("purpose").to_string(),
            kind: row.get("kind").to_string(),
            degree: row.get("degree").to_string(),
            stage,
            status: row.get("status").to_string(),
            visibility: row.get("visibility").to_string(),
            start_date: parse_date(row, "start_date")?,
            end_date: parse_date(row, "end_date")?,
            services,
            review_cadence_months,
            ..Default::default()
        };
        let input = PartnershipInput::parse(&draft).map_err(|errors| {
            let e = &errors[0];
            row.error(format!("'{}': {}", e.field, e.message))
        })?;
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
        Ok(Row {
            line: row.line,
            input,
            lead,
            partners,
        })
    }
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
        AppError::Forbidden | AppError::NotFound | AppError::Unauthenticated => {
            ImportError::at(line, "you may not change this partnership")
        }
        other => ImportError::at(line, other.detail()),
    }
}

/// Checks and writes every row in the caller's transaction.
pub fn import(
    conn: &mut DbConn,
    file: impl std::io::Read,
    importer: &Importer,
    actor: &AuditActor,
) -> Result<ImportReport, ImportError> {
    if let Importer::Person(user) = importer {
        authorize(Some(&user.actor()), Action::ImportPartnerships)
            .map_err(|_| ImportError::file("your account may not import partnerships"))?;
    }
    let orgs: HashMap<String, (i64, bool)> = organisations::table
        .select((
            organisations::code,
            organisations::id,
            organisations::is_current,
        ))
        .load::<(String, i64, bool)>(conn)
        .map_err(ImportError::from)?
        .into_iter()
        .map(|(c, i, cur)| (c, (i, cur)))
        .collect();
    let mut report = ImportReport::default();
    // Lines are read, checked and written one at a time, so memory stays flat
    // however long the file; a bad line later on rolls the transaction back.
    // Which line set each partnership catches a partnership named twice.
    let mut set_by_line: HashMap<i64, u64> = HashMap::new();
    let mut table = Table::read(file, COLUMNS)?;
    for row in table.rows() {
        let row = parse(&row?)?;
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
        let same_name_and_lead: Vec<i64> = partnerships::table
            .inner_join(partnership_members::table)
            .filter(partnerships::name.eq(&row.input.name))
            .filter(partnership_members::organisation_id.eq(lead_id))
            .filter(partnership_members::role.eq(MemberRole::Lead))
            .filter(partnership_members::status.eq(MemberStatus::Active))
            .select(partnerships::id)
            .order(partnerships::id)
            .load(conn)
            .map_err(ImportError::from)?;
        if let Some(first) = same_name_and_lead.iter().find_map(|id| set_by_line.get(id)) {
            return Err(ImportError::at(
                line,
                format!(
                    "duplicate partnership (name and lead) '{} / {}' (first seen on line {first})",
                    row.input.name, row.lead
                ),
            ));
        }
        let existing = same_name_and_lead.first().copied();
        // Someone who may not see a partnership is told nothing of it: the
        // row is treated as a new partnership, which they may start only if
        // their organisation leads it (and then they would see it).
        let existing = match (existing, importer) {
            (Some(id), Importer::Person(user)) => {
                let visible = Partnership::load(conn, id, Some(&user.actor()))
                    .map_err(at(line))?
                    .is_some_and(|(_, rel)| {
                        allows(Some(&user.actor()), Action::ViewPartnership(rel))
                    });
                visible.then_some(id)
            }
            (existing, _) => existing,
        };
        let id = match existing {
            Some(id) => {
                let mut w = match importer {
                    Importer::Platform => Work::system(conn, id, "cli import"),
                    Importer::Person(user) => {
                        Work::open(conn, id, Some(user.clone()), Action::EditPartnership)
                    }
                }
                .map_err(at(line))?;
                let mut input = row.input.clone();
                // Governance text is not in the file: keep what is there.
                let before = store::draft_of(w.conn, &w.record).map_err(at(line))?;
                input.decision_body = before.decision_body.clone();
                input.decision_rule = before.decision_rule.clone();
                input.meeting_cadence = before.meeting_cadence.clone();
                input.exit_plan = before.exit_plan.clone();
                if PartnershipInput::parse(&before).ok().as_ref() == Some(&input) {
                    report.unchanged += 1;
                } else {
                    store::update(&mut w, &input).map_err(at(line))?;
                    report.updated += 1;
                }
                id
            }
            None => {
                if let Importer::Person(user) = importer {
                    if lead_id != user.organisation_id {
                        return Err(ImportError::at(
                            line,
                            format!(
                                "the lead must be your organisation ({}): you can start partnerships your organisation leads, and the others named are invited",
                                user.organisation_code
                            ),
                        ));
                    }
                }
                let lead = crate::orgs::store::find_by_id(conn, lead_id).map_err(at(line))?;
                report.created += 1;
                store::create(conn, &row.input, &lead, actor.user_id, actor)
                    .map_err(at(line))?
                    .id
            }
        };
        set_by_line.insert(id, line);
        for partner in partner_ids {
            match importer {
                Importer::Platform => add_member(conn, id, partner, MemberStatus::Active),
                Importer::Person(user) => invite(conn, id, partner, user),
            }
            .map_err(at(line))?;
        }
    }
    Ok(report)
}

/// Invites an organisation as the person could on the members page, unless
/// it is already a member or invited.
fn invite(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_id: i64,
    user: &SessionUser,
) -> crate::error::AppResult<()> {
    if has_member(conn, partnership_id, organisation_id)? {
        return Ok(());
    }
    let mut w = Work::open(
        conn,
        partnership_id,
        Some(user.clone()),
        Action::ManageMembership,
    )?;
    let input = crate::partnerships::members::model::InviteInput {
        organisation: crate::orgs::store::find_by_id(w.conn, organisation_id)?,
        role: MemberRole::Partner,
        contact: Default::default(),
    };
    crate::partnerships::members::store::invite(&mut w, &input)
}

fn has_member(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_id: i64,
) -> crate::error::AppResult<bool> {
    let n: i64 = partnership_members::table
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::organisation_id.eq(organisation_id))
        .filter(partnership_members::status.eq_any([MemberStatus::Active, MemberStatus::Invited]))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Adds a member unless it is already there in any status (the command line).
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
                partnership_members::role.eq(MemberRole::Partner),
                partnership_members::status.eq(status),
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

    fn parse_all(text: &str) -> Result<Vec<Row>, ImportError> {
        let mut table = Table::parse(text, COLUMNS)?;
        let rows: Vec<Row> = table
            .rows()
            .map(|row| parse(&row?))
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    #[test]
    fn parses_good_rows_and_names_the_bad_line() {
        let good = "Shared bins,,shared_service,collaborating,5,active,public,2024-04-01,,SOL,BIR|DUD,524,12\n";
        let rows = parse_all(&format!("{HEADER}{good}")).unwrap();
        assert_eq!(rows[0].partners, vec!["BIR", "DUD"]);
        assert_eq!(rows[0].input.services, vec![524]);
        let err = parse_all(&format!(
            "{HEADER}{good}{}",
            good.replace("collaborating", "friends")
                .replace("Shared bins", "Other")
        ))
        .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("'degree'"), "{err}");
        let err =
            parse_all(&format!("{HEADER}{}", good.replace("BIR|DUD", "BIR|SOL"))).unwrap_err();
        assert!(err.message.contains("names SOL twice"));
        let err = parse_all(&format!("{HEADER}{}", good.replace(",5,", ",five,"))).unwrap_err();
        assert!(err.message.contains("'stage' is 'five'"));
        let err = parse_all(&format!(
            "{HEADER}{}",
            good.replace("2024-04-01,", "2024-04-01,2023-01-01")
        ))
        .unwrap_err();
        assert!(err.message.contains("end date must be after"), "{err}");
    }
}
