//! A closed round's headline figures — respondents, overall health,
//! placement, trend and the number of divergences — kept so the portfolio
//! reads one row a partnership instead of every answer of every round.
//!
//! A closed round takes no more answers, so its figures change only if an
//! earlier round of the same partnership closes later (the trend compares
//! with earlier closed rounds). Closing any round therefore forgets every
//! summary of its partnership; a missing summary is computed from the
//! report itself the next time the portfolio needs it.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::stats::{Direction, Placement, Report};
use crate::db::schema::{health_round_summaries as hs, partnership_members as pm};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::MemberStatus;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub respondents: usize,
    pub overall: Option<f64>,
    pub placement: Option<Placement>,
    pub trend: Option<Direction>,
    pub change: Option<f64>,
    pub divergences: usize,
}

impl Summary {
    pub fn of(report: &Report) -> Summary {
        Summary {
            respondents: report.respondents,
            overall: report.overall,
            placement: report.placement.clone(),
            trend: report.trend.as_ref().and_then(|t| t.direction),
            change: report.trend.as_ref().and_then(|t| t.change),
            divergences: report.divergences.len(),
        }
    }
}

/// The kept summaries of the rounds of every partnership the organisation
/// is an active member of, by round (rounds without one are absent).
pub fn of_member(conn: &mut DbConn, organisation_id: i64) -> AppResult<HashMap<i64, Summary>> {
    let member_of = pm::table
        .filter(pm::organisation_id.eq(organisation_id))
        .filter(pm::status.eq(MemberStatus::Active))
        .select(pm::partnership_id);
    let rows: Vec<(i64, String)> = hs::table
        .filter(hs::partnership_id.eq_any(member_of))
        .select((hs::round_id, hs::summary))
        .load(conn)?;
    // An unreadable summary (from an older shape) is recomputed.
    Ok(rows
        .into_iter()
        .filter_map(|(round, text)| Some((round, serde_json::from_str(&text).ok()?)))
        .collect())
}

/// Keeps summaries computed by a reader; one already kept stays as it is.
pub fn keep(conn: &mut DbConn, computed: &[(i64, i64, Summary)]) -> AppResult<()> {
    let now = crate::db::now();
    for chunk in computed.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(round, partnership, summary)| {
                (
                    hs::round_id.eq(*round),
                    hs::partnership_id.eq(*partnership),
                    hs::summary.eq(serde_json::to_string(summary).unwrap_or_default()),
                    hs::computed_at.eq(now),
                )
            })
            .collect();
        crate::db::per_backend!(&mut *conn, |c| diesel::insert_into(hs::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Forgets the partnership's summaries: one of its rounds has closed.
pub fn forget(conn: &mut DbConn, partnership_id: i64) -> AppResult<()> {
    diesel::delete(hs::table.filter(hs::partnership_id.eq(partnership_id))).execute(conn)?;
    Ok(())
}
