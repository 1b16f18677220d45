//! `concord import needs FILE.csv`: needs by organisation code. Atomic (one
//! bad line refuses the file, naming the line); running it again updates the
//! needs it made in place (matched by organisation and title).
//!
//! Columns: `organisation` (register code), `title`, `problem`, `services`
//! (LGSL ids separated by `|`), `phase`, `collaboration` (codes separated by
//! `|`), `visibility`; optional `users`, `tags` (separated by `|`),
//! `budget_band`, `start`, `end` (YYYY-MM-DD).
//!
//! On the page (`/needs/import`) a person imports through the same policy as
//! the forms, row by row: organisation admins for their own organisation,
//! platform admins for any; an existing need is changed only by its own
//! organisation's people. The command line is the platform's operator.

use diesel::prelude::*;

use super::model::{Need, NeedDraft, NeedInput};
use super::store;
use crate::audit::Actor;
use crate::auth::SessionUser;
use crate::db::schema::needs;
use crate::db::DbConn;
use crate::imports::{parse_date, ImportError, ImportReport, Row, SeenKeys, Table};
use crate::policy::{allows, Action};
use crate::work::Work;

/// Every column the file may have, required ones first.
pub const COLUMNS: &[&str] = &[
    "organisation",
    "title",
    "problem",
    "services",
    "phase",
    "collaboration",
    "visibility",
    "users",
    "tags",
    "budget_band",
    "start",
    "end",
];

/// Who is importing decides what a row may do.
#[derive(Clone, Debug)]
pub enum Importer {
    /// The command line: the file is the register of needs.
    Platform,
    /// Someone on the import page: each row is checked as that person.
    Person(SessionUser),
}

const REQUIRED: [&str; 7] = [
    "organisation",
    "title",
    "problem",
    "services",
    "phase",
    "collaboration",
    "visibility",
];

fn list(row: &Row<'_>, column: &str) -> Vec<String> {
    row.get(column)
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn draft(row: &Row<'_>) -> Result<NeedDraft, ImportError> {
    let mut services = Vec::new();
    for id in list(row, "services") {
        services.push(id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            row.error(format!(
                "'services' has '{id}', which is not an LGSL service number; separate numbers with |"
            ))
        })?);
    }
    Ok(NeedDraft {
        title: row.get("title").to_string(),
        problem: row.get("problem").to_string(),
        users_affected: row.get("users").to_string(),
        why_now: String::new(),
        phase: row.get("phase").to_string(),
        collaboration: list(row, "collaboration"),
        budget_band: row.optional("budget_band"),
        start_date: parse_date(row, "start")?,
        end_date: parse_date(row, "end")?,
        services,
        tags: list(row, "tags"),
        technologies: String::new(),
        visibility: row.get("visibility").to_string(),
    })
}

/// Imports the file in the caller's transaction.
pub fn import(
    conn: &mut DbConn,
    text: &str,
    importer: &Importer,
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    let person = match importer {
        Importer::Platform => None,
        Importer::Person(user) => Some(user),
    };
    let mut table = Table::parse(text, &REQUIRED)?;
    let mut report = ImportReport::default();
    let mut seen = SeenKeys::default();
    for row in table.rows() {
        let row = row?;
        let code = row.required("organisation")?.to_uppercase();
        let title = row.required("title")?.to_string();
        seen.check(
            &row,
            "need",
            &format!("{code}\u{1f}{}", title.to_lowercase()),
        )?;
        let org = crate::orgs::store::find(conn, &code)
            .map_err(|_| row.error(format!("no organisation has the code '{code}'")))?;
        if let Some(user) = person {
            let may = allows(
                Some(&user.actor()),
                Action::ImportNeeds {
                    organisation_id: org.id,
                },
            );
            if !may {
                return Err(row.error(format!(
                    "you may import needs only for your own organisation, not {code}"
                )));
            }
        }
        let input = NeedInput::parse(&draft(&row)?).map_err(|errors| {
            row.error(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let existing: Option<Need> = needs::table
            .filter(needs::organisation_id.eq(org.id))
            .filter(needs::title.eq(&input.title))
            .select(Need::as_select())
            .first(conn)
            .optional()?;
        match existing {
            None => {
                store::create(conn, &input, org.id, person.map(|u| u.id), actor)
                    .map_err(|e| row.error(e.describe()))?;
                report.created += 1;
            }
            Some(need) => {
                let now = NeedInput::parse(&store::view(conn, &need)?.draft()).ok();
                if now.as_ref() == Some(&input) {
                    report.unchanged += 1;
                    continue;
                }
                let mut w = match person {
                    None => Work::<Need>::system(conn, need.id, "import")?,
                    Some(user) => {
                        Work::<Need>::open(conn, need.id, Some(user.clone()), Action::EditNeed)
                            .map_err(|_| {
                                row.error(format!(
                                    "'{}' is {code}'s need and only its own people may change it",
                                    need.title
                                ))
                            })?
                    }
                };
                store::update(&mut w, &input).map_err(|e| row.error(e.describe()))?;
                report.updated += 1;
            }
        }
    }
    crate::imports::record(conn, actor, "needs", &report)?;
    Ok(report)
}
