//! Importers for the files that hang off the council register: websites,
//! neighbours, and similar-council groups.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::audit::Actor;
use crate::db::schema::{organisation_neighbours, organisations, similarity_groups};
use crate::db::{Db, DbConn};
use crate::imports::{ImportError, ImportReport, SeenKeys, Table};

/// Register code for every current and former GSS code.
fn codes_by_gss(conn: &mut DbConn) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, Option<String>, String)> = organisations::table
        .select((
            organisations::code,
            organisations::gss_code,
            organisations::former_gss_codes,
        ))
        .load(conn)?;
    let mut map = HashMap::new();
    // Former codes first, so a current code always wins.
    for (code, _, former) in &rows {
        for g in former.split(',').filter(|g| !g.is_empty()) {
            map.insert(g.to_string(), code.clone());
        }
    }
    for (code, gss, _) in rows {
        if let Some(g) = gss {
            map.insert(g, code);
        }
    }
    Ok(map)
}

fn ids_by_code(conn: &mut DbConn) -> QueryResult<HashMap<String, i64>> {
    Ok(organisations::table
        .select((organisations::code, organisations::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Sets council websites from GOV.UK's local-links-manager list, matched by GSS code.
pub fn websites(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["gss", "homepage_url", "name"])?;
    let by_gss = db.read_blocking(|c| Ok(codes_by_gss(c)?))?;
    let mut seen = SeenKeys::default();
    let mut updates = Vec::new();
    for row in table.rows() {
        let row = row?;
        let gss = row.required("gss")?;
        seen.check(&row, "gss", gss)?;
        let code = by_gss.get(gss).ok_or_else(|| {
            row.error(format!(
                "no council has GSS code '{gss}' ({}); import councils first",
                row.get("name")
            ))
        })?;
        let url = row.required("homepage_url")?;
        if !crate::orgs::store::valid_website(url) {
            return Err(row.error(format!("'homepage_url' is '{url}', which is not a web address starting with http:// or https://")));
        }
        updates.push((code.clone(), url.to_string()));
    }
    let report = db.write_blocking(|conn| {
        let current: HashMap<String, Option<String>> = organisations::table
            .select((organisations::code, organisations::website))
            .load::<(String, Option<String>)>(conn)?
            .into_iter()
            .collect();
        let mut report = ImportReport::default();
        for (code, url) in &updates {
            if current.get(code).and_then(|w| w.as_deref()) == Some(url.as_str()) {
                report.unchanged += 1;
                continue;
            }
            diesel::update(organisations::table.filter(organisations::code.eq(code)))
                .set((
                    organisations::website.eq(url),
                    organisations::updated_at.eq(crate::db::now()),
                ))
                .execute(conn)?;
            report.updated += 1;
        }
        crate::imports::record(conn, actor, "websites", &report)?;
        Ok(report)
    })?;
    Ok(report)
}

/// Replaces the neighbours of every council named in mySociety's touching_las.csv.
pub fn neighbours(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["local-authority-code", "overlap"])?;
    let ids = db.read_blocking(|c| Ok(ids_by_code(c)?))?;
    let mut seen = SeenKeys::default();
    let mut wanted: Vec<(i64, HashSet<i64>)> = Vec::new();
    for row in table.rows() {
        let row = row?;
        let code = row.required("local-authority-code")?;
        seen.check(&row, "local-authority-code", code)?;
        let id = *ids.get(code).ok_or_else(|| {
            row.error(format!(
                "unknown council code '{code}'; import councils first"
            ))
        })?;
        let mut set = HashSet::new();
        for other in row
            .get("overlap")
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let other_id = *ids.get(other).ok_or_else(|| {
                row.error(format!("'overlap' names unknown council code '{other}'"))
            })?;
            if other_id != id {
                set.insert(other_id);
            }
        }
        wanted.push((id, set));
    }
    let report = db.write_blocking(|conn| {
        let mut report = ImportReport::default();
        for (id, set) in &wanted {
            let current: HashSet<i64> = organisation_neighbours::table
                .filter(organisation_neighbours::organisation_id.eq(id))
                .select(organisation_neighbours::neighbour_id)
                .load::<i64>(conn)?
                .into_iter()
                .collect();
            if &current == set {
                report.unchanged += 1;
                continue;
            }
            diesel::delete(
                organisation_neighbours::table
                    .filter(organisation_neighbours::organisation_id.eq(id)),
            )
            .execute(conn)?;
            let rows: Vec<_> = set
                .iter()
                .map(|n| {
                    (
                        organisation_neighbours::organisation_id.eq(*id),
                        organisation_neighbours::neighbour_id.eq(*n),
                    )
                })
                .collect();
            crate::db::per_backend!(conn, |c| diesel::insert_into(
                organisation_neighbours::table
            )
            .values(&rows)
            .execute(c))?;
            if current.is_empty() {
                report.created += 1
            } else {
                report.updated += 1
            }
        }
        crate::imports::record(conn, actor, "neighbours", &report)?;
        Ok(report)
    })?;
    Ok(report)
}

/// Descriptions of the similar-council groups (composite_label_desc.csv).
pub fn similarity_groups(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["label", "desc"])?;
    let mut seen = SeenKeys::default();
    let mut groups = Vec::new();
    for row in table.rows() {
        let row = row?;
        let label = row.required("label")?;
        seen.check(&row, "label", label)?;
        groups.push((label.to_string(), row.get("desc").to_string()));
    }
    let report = db.write_blocking(|conn| {
        let current: HashMap<String, String> = similarity_groups::table
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let mut report = ImportReport::default();
        for (label, desc) in &groups {
            match current.get(label) {
                Some(d) if d == desc => report.unchanged += 1,
                Some(_) => {
                    diesel::update(similarity_groups::table.find(label))
                        .set(similarity_groups::description.eq(desc))
                        .execute(conn)?;
                    report.updated += 1;
                }
                None => {
                    diesel::insert_into(similarity_groups::table)
                        .values((
                            similarity_groups::label.eq(label),
                            similarity_groups::description.eq(desc),
                        ))
                        .execute(conn)?;
                    report.created += 1;
                }
            }
        }
        crate::imports::record(conn, actor, "similarity groups", &report)?;
        Ok(report)
    })?;
    Ok(report)
}

/// Each council's similar-councils group (composite_la_labels.csv).
pub fn similarity(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let mut table = Table::parse(text, &["local-authority-code", "label"])?;
    let ids = db.read_blocking(|c| Ok(ids_by_code(c)?))?;
    let mut seen = SeenKeys::default();
    let mut labels = Vec::new();
    for row in table.rows() {
        let row = row?;
        let code = row.required("local-authority-code")?;
        seen.check(&row, "local-authority-code", code)?;
        if !ids.contains_key(code) {
            return Err(row.error(format!(
                "unknown council code '{code}'; import councils first"
            )));
        }
        labels.push((code.to_string(), row.required("label")?.to_string()));
    }
    let report = db.write_blocking(|conn| {
        let known: HashSet<String> = similarity_groups::table
            .select(similarity_groups::label)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let current: HashMap<String, Option<String>> = organisations::table
            .select((organisations::code, organisations::similarity_label))
            .load::<(String, Option<String>)>(conn)?
            .into_iter()
            .collect();
        let mut report = ImportReport::default();
        for (code, label) in &labels {
            if !known.contains(label) {
                // A label without a description file still groups councils.
                diesel::insert_into(similarity_groups::table)
                    .values((
                        similarity_groups::label.eq(label),
                        similarity_groups::description.eq(""),
                    ))
                    .execute(conn)?;
            }
            if current.get(code).and_then(|l| l.as_deref()) == Some(label.as_str()) {
                report.unchanged += 1;
                continue;
            }
            diesel::update(organisations::table.filter(organisations::code.eq(code)))
                .set(organisations::similarity_label.eq(label))
                .execute(conn)?;
            report.updated += 1;
        }
        crate::imports::record(conn, actor, "similarity", &report)?;
        Ok(report)
    })?;
    Ok(report)
}
