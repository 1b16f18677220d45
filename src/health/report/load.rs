//! A round's rows for the report, read from the tables: answers with who
//! gave them (invitation, organisation, role), the questionnaire version's
//! factors, comments, the invited organisations' names, and the
//! partnership's earlier closed rounds for the trend.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::stats::{self, CommentRow, Earlier, FactorInfo, Report, Row, Settings};
use crate::db::schema::{
    health_answers, health_comments, health_factors, health_invitations, health_rounds,
    health_statements, organisations,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::health::rounds::model::StakeholderRole;

/// The round's own facts the report shows.
#[derive(Clone, Debug)]
pub struct RoundFacts {
    pub id: i64,
    pub partnership_id: i64,
    pub version_id: i64,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: String,
    /// The smallest group shown (at least 3).
    pub min_group: i32,
    /// Divergence threshold in hundredths of a point.
    pub divergence_gap: i32,
}

impl RoundFacts {
    /// The round's own report settings.
    pub fn settings(&self) -> Settings {
        Settings::new(
            usize::try_from(self.min_group).unwrap_or(stats::MIN_GROUP),
            i64::from(self.divergence_gap),
        )
    }
}

/// Everything `stats::report` reads, owned.
pub struct Loaded {
    pub round: RoundFacts,
    pub factors: Vec<FactorInfo>,
    pub organisations: BTreeMap<i64, String>,
    /// Organisation id → register code (for the CSV and the API).
    pub codes: BTreeMap<i64, String>,
    pub roles: Vec<(String, String)>,
    pub rows: Vec<Row>,
    /// Statement id → its words.
    pub statements: BTreeMap<i64, String>,
    pub comments: Vec<CommentRow>,
    pub earlier: Vec<Earlier>,
    pub invited: i64,
}

impl Loaded {
    pub fn input(&self) -> stats::Input<'_> {
        stats::Input {
            round: self.round.id,
            factors: &self.factors,
            organisations: &self.organisations,
            roles: &self.roles,
            rows: &self.rows,
            comments: &self.comments,
            earlier: &self.earlier,
            settings: self.round.settings(),
        }
    }

    pub fn report(&self) -> Report {
        stats::report(&self.input())
    }
}

/// (id, partnership, version, title, opens, closes, status, min group, gap).
type RoundRow = (
    i64,
    i64,
    i64,
    String,
    NaiveDate,
    NaiveDate,
    String,
    i32,
    i32,
);

pub fn round(conn: &mut DbConn, id: i64) -> AppResult<RoundFacts> {
    let (id, partnership_id, version_id, title, opens_on, closes_on, status, min_group, gap) =
        health_rounds::table
            .find(id)
            .select((
                health_rounds::id,
                health_rounds::partnership_id,
                health_rounds::version_id,
                health_rounds::title,
                health_rounds::opens_on,
                health_rounds::closes_on,
                health_rounds::status,
                health_rounds::min_group,
                health_rounds::divergence_gap,
            ))
            .first::<RoundRow>(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
    Ok(RoundFacts {
        id,
        partnership_id,
        version_id,
        title,
        opens_on,
        closes_on,
        status,
        min_group,
        divergence_gap: gap,
    })
}

/// (invitation, organisation, role, factor, statement, score, don't know).
type AnswerRow = (i64, i64, String, i64, i64, Option<i32>, bool);

/// Every answer given in the round; an answer neither scored nor "don't
/// know" is no answer and is left out.
pub fn rows(conn: &mut DbConn, round_id: i64) -> AppResult<Vec<Row>> {
    let found: Vec<AnswerRow> = health_answers::table
        .inner_join(health_invitations::table)
        .inner_join(health_statements::table)
        .filter(health_invitations::round_id.eq(round_id))
        .select((
            health_invitations::id,
            health_invitations::organisation_id,
            health_invitations::role,
            health_statements::factor_id,
            health_statements::id,
            health_answers::score,
            health_answers::dont_know,
        ))
        .order((health_invitations::id, health_statements::id))
        .load(conn)?;
    Ok(found
        .into_iter()
        .filter(|(.., score, dont_know)| *dont_know || score.is_some())
        .map(
            |(respondent, organisation, role, factor, statement, score, dont_know)| Row {
                respondent,
                organisation,
                role,
                factor,
                statement,
                score: if dont_know { None } else { score },
            },
        )
        .collect())
}

pub fn factors(conn: &mut DbConn, version_id: i64) -> AppResult<Vec<FactorInfo>> {
    Ok(health_factors::table
        .filter(health_factors::version_id.eq(version_id))
        .order((health_factors::position, health_factors::id))
        .select((health_factors::id, health_factors::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| FactorInfo { id, name })
        .collect())
}

fn factor_codes(conn: &mut DbConn, version_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(health_factors::table
        .filter(health_factors::version_id.eq(version_id))
        .select((health_factors::id, health_factors::code))
        .load(conn)?)
}

fn comments(conn: &mut DbConn, round_id: i64) -> AppResult<Vec<CommentRow>> {
    Ok(health_comments::table
        .inner_join(health_invitations::table)
        .filter(health_invitations::round_id.eq(round_id))
        .select((
            health_comments::invitation_id,
            health_comments::factor_id,
            health_comments::text,
        ))
        .load::<(i64, i64, String)>(conn)?
        .into_iter()
        .map(|(respondent, factor, text)| CommentRow {
            respondent,
            factor: Some(factor),
            text,
        })
        .collect())
}

/// The invited organisations: id → (name, code).
fn invited_organisations(
    conn: &mut DbConn,
    round_id: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(health_invitations::table
        .inner_join(organisations::table)
        .filter(health_invitations::round_id.eq(round_id))
        .select((organisations::id, organisations::name, organisations::code))
        .distinct()
        .load(conn)?)
}

/// The partnership's closed rounds before this one, oldest first.
pub fn earlier(conn: &mut DbConn, round: &RoundFacts) -> AppResult<Vec<Earlier>> {
    // Factors are matched by code, so a round on another version of the
    // questionnaire still compares factor by factor.
    let codes_now: BTreeMap<String, i64> = factor_codes(conn, round.version_id)?
        .into_iter()
        .map(|(id, code)| (code, id))
        .collect();
    let before: Vec<(i64, i64, String, NaiveDate, i32)> = health_rounds::table
        .filter(health_rounds::partnership_id.eq(round.partnership_id))
        .filter(health_rounds::status.eq("closed"))
        .filter(health_rounds::id.ne(round.id))
        .filter(
            health_rounds::closes_on
                .lt(round.closes_on)
                .or(health_rounds::closes_on
                    .eq(round.closes_on)
                    .and(health_rounds::id.lt(round.id))),
        )
        .order((health_rounds::closes_on, health_rounds::id))
        .select((
            health_rounds::id,
            health_rounds::version_id,
            health_rounds::title,
            health_rounds::closes_on,
            health_rounds::min_group,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (id, version_id, title, closes_on, min_group) in before {
        let then: BTreeMap<i64, i64> = factor_codes(conn, version_id)?
            .into_iter()
            .filter_map(|(old, code)| Some((old, *codes_now.get(&code)?)))
            .collect();
        let mut rows = rows(conn, id)?;
        for r in &mut rows {
            // A factor this round does not ask keeps an id nothing matches.
            r.factor = then.get(&r.factor).copied().unwrap_or(-r.factor);
        }
        let label = format!("{title} (closed {})", closes_on.format("%-d %B %Y"));
        // Each round's figures are shown as its own threshold allows.
        let min_group = usize::try_from(min_group).unwrap_or(stats::MIN_GROUP);
        out.push(stats::earlier(id, label, &rows, min_group));
    }
    Ok(out)
}

pub fn roles() -> Vec<(String, String)> {
    StakeholderRole::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect()
}

/// The whole report's rows for round `id`.
pub fn load(conn: &mut DbConn, id: i64) -> AppResult<Loaded> {
    let round = round(conn, id)?;
    let factors = factors(conn, round.version_id)?;
    let orgs = invited_organisations(conn, id)?;
    let invited: i64 = health_invitations::table
        .filter(health_invitations::round_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(Loaded {
        rows: rows(conn, id)?,
        statements: health_statements::table
            .inner_join(health_factors::table)
            .filter(health_factors::version_id.eq(round.version_id))
            .select((health_statements::id, health_statements::text))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect(),
        comments: comments(conn, id)?,
        earlier: earlier(conn, &round)?,
        organisations: orgs.iter().map(|(i, n, _)| (*i, n.clone())).collect(),
        codes: orgs.iter().map(|(i, _, c)| (*i, c.clone())).collect(),
        roles: roles(),
        factors,
        round,
        invited,
    })
}
