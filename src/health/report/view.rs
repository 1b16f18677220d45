//! What the report page and the CSV draw from a worked-out report: tables
//! of the same figures as the pictures, and the anonymised responses.

use std::collections::BTreeMap;

use super::load::Loaded;
use super::stats::{self, GroupResult, Report};
use crate::error::AppResult;
use crate::web::charts::{self, Series};
use crate::web::csv::CsvWriter;

/// One row of a breakdown table: a group and its mean per factor, as shown.
pub struct TableRow {
    pub label: String,
    pub respondents: usize,
    pub overall: String,
    pub means: Vec<String>,
}

pub fn table(groups: &[GroupResult]) -> Vec<TableRow> {
    groups
        .iter()
        .map(|g| TableRow {
            label: g.label.clone(),
            respondents: g.respondents,
            overall: stats::show(g.overall),
            means: g.factors.iter().map(|c| stats::show(c.mean)).collect(),
        })
        .collect()
}

/// The factor profile: one line per shown partner group across the factors.
pub fn profile_svg(report: &Report) -> String {
    let categories: Vec<String> = report.factors.iter().map(|f| f.name.clone()).collect();
    let series: Vec<Series> = report
        .by_partner
        .iter()
        .map(|g| Series {
            label: g.label.clone(),
            values: g.factors.iter().map(|c| c.mean).collect(),
        })
        .collect();
    charts::profile(
        "factor-profile",
        "Factor profile by partner",
        "Each partner's mean score (1 to 5) for each factor, one line per partner; the table below gives the same figures.",
        &categories,
        &series,
        (1.0, 5.0),
    )
}

/// The partner × factor heat map.
pub fn heat_svg(report: &Report) -> String {
    let rows: Vec<String> = report.by_partner.iter().map(|g| g.label.clone()).collect();
    let columns: Vec<String> = report.factors.iter().map(|f| f.name.clone()).collect();
    let cells: Vec<Vec<Option<f64>>> = report
        .by_partner
        .iter()
        .map(|g| g.factors.iter().map(|c| c.mean).collect())
        .collect();
    charts::score_grid(
        "partner-heat-map",
        "Heat map of partners by factor",
        "Mean score (1 to 5) of each partner for each factor: orange is low, blue is high; the table below gives the same figures.",
        &rows,
        &columns,
        &cells,
    )
}

/// The anonymised responses: one line per answer, respondents numbered in
/// an order shuffled by a hash (never the invitation's), no email or name;
/// the organisation only when its group is shown, the role only when both
/// its role group and the partner × role group are big enough. Nothing at
/// all when fewer than the threshold answered.
pub fn responses_csv(loaded: &Loaded) -> AppResult<Vec<u8>> {
    let input = loaded.input();
    let min = input.settings.min_group();
    let mut out = CsvWriter::new(&[
        "respondent",
        "organisation",
        "role",
        "factor",
        "statement",
        "answer",
    ])?;
    let (orgs, _) = stats::respondents(&loaded.rows);
    if orgs.len() < min {
        return out.finish();
    }
    let (partners, roles) = stats::groupings(&input);
    // How many respondents share each (partner group, role group).
    let mut cells: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in orgs.keys() {
        if let (Some(p), Some(q)) = (partners.of.get(r), roles.of.get(r)) {
            *cells.entry((p.clone(), q.clone())).or_default() += 1;
        }
    }
    let mut order: Vec<i64> = orgs.keys().copied().collect();
    order.sort_by_key(|r| (stats::stable_hash(&[loaded.round.id, *r]), *r));
    let number: BTreeMap<i64, usize> = order.iter().enumerate().map(|(i, r)| (*r, i + 1)).collect();
    let factor_names: BTreeMap<i64, &str> = loaded
        .factors
        .iter()
        .map(|f| (f.id, f.name.as_str()))
        .collect();
    let mut rows: Vec<&stats::Row> = loaded.rows.iter().collect();
    rows.sort_by_key(|r| (number.get(&r.respondent).copied(), r.factor, r.statement));
    for row in rows {
        let organisation = partners.label_of(row.respondent).unwrap_or("Not shown");
        let cell = match (
            partners.of.get(&row.respondent),
            roles.of.get(&row.respondent),
        ) {
            (Some(p), Some(q)) => cells.get(&(p.clone(), q.clone())).copied().unwrap_or(0),
            _ => 0,
        };
        let role = if cell >= min {
            roles.label_of(row.respondent).unwrap_or("Not shown")
        } else {
            "Not shown"
        };
        out.row([
            format!(
                "Respondent {}",
                number.get(&row.respondent).copied().unwrap_or(0)
            ),
            organisation.to_string(),
            role.to_string(),
            factor_names
                .get(&row.factor)
                .copied()
                .unwrap_or("")
                .to_string(),
            loaded
                .statements
                .get(&row.statement)
                .cloned()
                .unwrap_or_default(),
            row.score
                .map_or_else(|| "Don't know".to_string(), |s| s.to_string()),
        ])?;
    }
    out.finish()
}
