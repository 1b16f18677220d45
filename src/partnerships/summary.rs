//! Headline figures for one partnership.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{
    ledger_entries, objective_updates, objectives, review_actions, reviews, risks,
};
use crate::db::DbConn;
use crate::error::AppResult;

/// Red, amber or green.
pub fn rag_label(rag: &str) -> &'static str {
    match rag {
        "red" => "Red",
        "amber" => "Amber",
        "green" => "Green",
        _ => "No update",
    }
}

pub fn rag_tag_class(rag: &str) -> &'static str {
    match rag {
        "red" => "govuk-tag--red",
        "amber" => "govuk-tag--yellow",
        "green" => "govuk-tag--green",
        _ => "govuk-tag--grey",
    }
}

#[derive(Serialize, Clone, Debug, Default, ToSchema)]
pub struct Summary {
    pub objectives: i64,
    pub red: i64,
    pub amber: i64,
    pub green: i64,
    pub open_risks: i64,
    /// Open risks scoring 15 or more (likelihood × impact).
    pub high_risks: i64,
    pub realised_costs_pence: i64,
    pub realised_savings_pence: i64,
    pub expected_savings_pence: i64,
    pub reviews: i64,
    pub last_review: Option<NaiveDate>,
    pub overdue_actions: i64,
}

impl Summary {
    /// The partnership's overall RAG: its worst objective's latest status.
    pub fn rag(&self) -> &'static str {
        if self.red > 0 {
            "red"
        } else if self.amber > 0 {
            "amber"
        } else if self.green > 0 {
            "green"
        } else {
            "none"
        }
    }
}

/// Latest RAG per objective of one partnership.
pub fn latest_rags(
    conn: &mut DbConn,
    partnership_ids: &[i64],
) -> AppResult<Vec<(i64, i64, String)>> {
    // (partnership, objective, rag), newest update first per objective.
    let rows: Vec<(i64, i64, String)> = objective_updates::table
        .inner_join(objectives::table)
        .filter(objectives::partnership_id.eq_any(partnership_ids))
        .order((
            objective_updates::objective_id.asc(),
            objective_updates::recorded_on.desc(),
            objective_updates::id.desc(),
        ))
        .select((
            objectives::partnership_id,
            objective_updates::objective_id,
            objective_updates::rag,
        ))
        .load(conn)?;
    let mut latest: Vec<(i64, i64, String)> = Vec::new();
    for row in rows {
        if latest.last().is_none_or(|l| l.1 != row.1) {
            latest.push(row);
        }
    }
    Ok(latest)
}

pub fn for_partnership(conn: &mut DbConn, id: i64) -> AppResult<Summary> {
    let mut s = Summary {
        objectives: objectives::table
            .filter(objectives::partnership_id.eq(id))
            .count()
            .get_result(conn)?,
        ..Default::default()
    };
    for (_, _, rag) in latest_rags(conn, &[id])? {
        match rag.as_str() {
            "red" => s.red += 1,
            "amber" => s.amber += 1,
            "green" => s.green += 1,
            _ => {}
        }
    }
    let open: Vec<(i32, i32)> = risks::table
        .filter(risks::partnership_id.eq(id))
        .filter(risks::status.ne("closed"))
        .select((risks::likelihood, risks::impact))
        .load(conn)?;
    s.open_risks = open.len() as i64;
    s.high_risks = open.iter().filter(|(l, i)| l * i >= 15).count() as i64;
    let entries: Vec<(String, String, i64)> = ledger_entries::table
        .filter(ledger_entries::partnership_id.eq(id))
        .select((
            ledger_entries::entry_type,
            ledger_entries::basis,
            ledger_entries::amount_pence,
        ))
        .load(conn)?;
    for (kind, basis, amount) in entries {
        match (kind.as_str(), basis.as_str()) {
            ("cost", "realised") => s.realised_costs_pence += amount,
            ("cashable_saving", "realised") => s.realised_savings_pence += amount,
            ("cashable_saving", "expected") => s.expected_savings_pence += amount,
            _ => {}
        }
    }
    s.reviews = reviews::table
        .filter(reviews::partnership_id.eq(id))
        .count()
        .get_result(conn)?;
    s.last_review = reviews::table
        .filter(reviews::partnership_id.eq(id))
        .select(diesel::dsl::max(reviews::held_on))
        .first(conn)?;
    s.overdue_actions = review_actions::table
        .inner_join(reviews::table)
        .filter(reviews::partnership_id.eq(id))
        .filter(review_actions::done_on.is_null())
        .filter(review_actions::due_on.lt(chrono::Utc::now().date_naive()))
        .count()
        .get_result(conn)?;
    Ok(s)
}
