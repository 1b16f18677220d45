//! Importers for the LGSL lists and GOV.UK's providing tiers.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::audit::Actor;
use crate::db::schema::{lgsl_functions, lgsl_services};
use crate::db::Db;
use crate::imports::{parse_id, ImportError, ImportReport, SeenKeys, Table};

/// LGSL functions (Identifier, Label, Parent identifiers). Parents may come after children in the file.
pub fn functions(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["Identifier", "Label", "Parent identifiers"])?;
    let mut seen = SeenKeys::default();
    let mut rows = Vec::new();
    for row in table.rows() {
        let row = row?;
        let id = parse_id(&row, "Identifier")?;
        seen.check(&row, "Identifier", &id.to_string())?;
        let label = row.required("Label")?.to_string();
        let parent = match row.get("Parent identifiers") {
            "" => None,
            p => Some((
                p.parse::<i64>().map_err(|_| {
                    row.error(format!(
                        "'Parent identifiers' is '{p}'; expected one function identifier"
                    ))
                })?,
                row.line,
            )),
        };
        rows.push((id, label, parent));
    }
    let ids: HashSet<i64> = rows.iter().map(|r| r.0).collect();
    for (id, _, parent) in &rows {
        if let Some((p, line)) = parent {
            if !ids.contains(p) {
                return Err(ImportError::at(
                    *line,
                    format!("function {id} names parent {p}, which is not in the file"),
                ));
            }
        }
    }
    let report = db.write_blocking(|conn| {
        let current: HashMap<i64, (String, Option<i64>)> = lgsl_functions::table
            .select((
                lgsl_functions::id,
                lgsl_functions::label,
                lgsl_functions::parent_id,
            ))
            .load::<(i64, String, Option<i64>)>(conn)?
            .into_iter()
            .map(|(i, l, p)| (i, (l, p)))
            .collect();
        let mut report = ImportReport::default();
        // Insert without parents first, then set parents, so order in the file does not matter.
        for (id, label, _) in &rows {
            if !current.contains_key(id) {
                diesel::insert_into(lgsl_functions::table)
                    .values((lgsl_functions::id.eq(id), lgsl_functions::label.eq(label)))
                    .execute(conn)?;
            }
        }
        for (id, label, parent) in &rows {
            let parent_id = parent.map(|(p, _)| p);
            match current.get(id) {
                Some((l, p)) if l == label && *p == parent_id => report.unchanged += 1,
                existing => {
                    diesel::update(lgsl_functions::table.find(id))
                        .set((
                            lgsl_functions::label.eq(label),
                            lgsl_functions::parent_id.eq(parent_id),
                        ))
                        .execute(conn)?;
                    if existing.is_some() {
                        report.updated += 1
                    } else {
                        report.created += 1
                    }
                }
            }
        }
        crate::imports::record(conn, actor, "LGSL functions", &report)?;
        Ok(report)
    })?;
    Ok(report)
}

/// LGSL services (Identifier, Label, Description).
pub fn services(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["Identifier", "Label", "Description"])?;
    let mut seen = SeenKeys::default();
    let mut rows = Vec::new();
    for row in table.rows() {
        let row = row?;
        let id = parse_id(&row, "Identifier")?;
        seen.check(&row, "Identifier", &id.to_string())?;
        rows.push((
            id,
            row.required("Label")?.to_string(),
            row.get("Description").to_string(),
        ));
    }
    let report = db.write_blocking(|conn| {
        let current: HashMap<i64, (String, String)> = lgsl_services::table
            .select((
                lgsl_services::id,
                lgsl_services::label,
                lgsl_services::description,
            ))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(i, l, d)| (i, (l, d)))
            .collect();
        let mut report = ImportReport::default();
        let mut inserts = Vec::new();
        for (id, label, description) in &rows {
            match current.get(id) {
                Some((l, d)) if l == label && d == description => report.unchanged += 1,
                Some(_) => {
                    diesel::update(lgsl_services::table.find(id))
                        .set((
                            lgsl_services::label.eq(label),
                            lgsl_services::description.eq(description),
                        ))
                        .execute(conn)?;
                    report.updated += 1;
                }
                None => {
                    inserts.push((
                        lgsl_services::id.eq(*id),
                        lgsl_services::label.eq(label.clone()),
                        lgsl_services::description.eq(description.clone()),
                    ));
                    report.created += 1;
                }
            }
        }
        for chunk in inserts.chunks(500) {
            crate::db::per_backend!(&mut *conn, |c| diesel::insert_into(lgsl_services::table)
                .values(chunk)
                .execute(c))?;
        }
        crate::imports::record(conn, actor, "LGSL services", &report)?;
        Ok(report)
    })?;
    Ok(report)
}

/// GOV.UK's local services (LGSL, Description, Providing Tier). A service
/// missing from the LGSL snapshot is added with GOV.UK's title as its label.
pub fn service_tiers(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["LGSL", "Description", "Providing Tier"])?;
    let mut seen = SeenKeys::default();
    let mut rows = Vec::new();
    for row in table.rows() {
        let row = row?;
        let id = parse_id(&row, "LGSL")?;
        seen.check(&row, "LGSL", &id.to_string())?;
        let tier = match row.required("Providing Tier")? {
            "county/unitary" => "county",
            "district/unitary" => "district",
            "all" => "all",
            other => {
                return Err(row.error(format!(
                "'Providing Tier' is '{other}'; expected county/unitary, district/unitary or all"
            )))
            }
        };
        rows.push((id, row.required("Description")?.to_string(), tier));
    }
    let report = db.write_blocking(|conn| {
        let current: HashMap<i64, (Option<String>, Option<String>)> = lgsl_services::table
            .select((
                lgsl_services::id,
                lgsl_services::providing_tier,
                lgsl_services::govuk_title,
            ))
            .load::<(i64, Option<String>, Option<String>)>(conn)?
            .into_iter()
            .map(|(i, t, g)| (i, (t, g)))
            .collect();
        let mut report = ImportReport::default();
        for (id, title, tier) in &rows {
            match current.get(id) {
                Some((Some(t), Some(g))) if t == tier && g == title => report.unchanged += 1,
                Some(_) => {
                    diesel::update(lgsl_services::table.find(id))
                        .set((
                            lgsl_services::providing_tier.eq(*tier),
                            lgsl_services::govuk_title.eq(title),
                        ))
                        .execute(conn)?;
                    report.updated += 1;
                }
                None => {
                    diesel::insert_into(lgsl_services::table)
                        .values((
                            lgsl_services::id.eq(id),
                            lgsl_services::label.eq(title),
                            lgsl_services::providing_tier.eq(*tier),
                            lgsl_services::govuk_title.eq(title),
                        ))
                        .execute(conn)?;
                    report.created += 1;
                }
            }
        }
        crate::imports::record(conn, actor, "GOV.UK service tiers", &report)?;
        Ok(report)
    })?;
    Ok(report)
}
