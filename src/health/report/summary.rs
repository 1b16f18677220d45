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
use crate::health::rounds::model::RoundStatus;
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

/// What a reader saw when it computed a summary: the round, its
/// partnership, and how many closed rounds the partnership had then.
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    pub round: i64,
    pub partnership: i64,
    pub closed_rounds: i64,
}

/// Keeps summaries computed by a reader, each only if its partnership still
/// has as many closed rounds as the reader saw: a round that closed in
/// between (and forgot the summaries) may change the trend, so that summary
/// is left to be computed again. One already kept stays as it is.
pub fn keep(conn: &mut DbConn, computed: &[(Seen, Summary)]) -> AppResult<()> {
    use crate::db::schema::health_rounds as hr;
    let now = crate::db::now();
    for chunk in computed.chunks(500) {
        let partnerships: Vec<i64> = chunk.iter().map(|(seen, _)| seen.partnership).collect();
        let closed: Vec<i64> = hr::table
            .filter(hr::partnership_id.eq_any(&partnerships))
            .filter(hr::status.eq(RoundStatus::Closed))
            .select(hr::partnership_id)
            .load(conn)?;
        let rows: Vec<_> = chunk
            .iter()
            .filter(|(seen, _)| {
                closed.iter().filter(|p| **p == seen.partnership).count() as i64
                    == seen.closed_rounds
            })
            .map(|(seen, summary)| {
                (
                    hs::round_id.eq(seen.round),
                    hs::partnership_id.eq(seen.partnership),
                    hs::summary.eq(serde_json::to_string(summary).unwrap_or_default()),
                    hs::computed_at.eq(now),
                )
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
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
