//! Reading and writing an organisation's collaboration strategy (each save
//! a new version, with an audit entry), and the facts the register holds
//! about each of its partnerships, for the pure judgement in `model`.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::*;
use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::schema::{
    agreements, collaboration_strategies as cs, ledger_entries, organisations, partnership_members,
    partnerships, reviews, strategy_criteria as sc, users,
};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::{allows, Action, Actor, MemberStatus};
use crate::time::Timestamp;

/// The strategy in force: its latest version.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct StrategyView {
    /// Organisation code, e.g. BIR.
    pub organisation: String,
    pub organisation_name: String,
    /// 1 for the first version written; `null` before any is written.
    pub version: Option<i32>,
    pub outcomes: String,
    pub criteria: Vec<CriterionView>,
    /// When this version was written, and by whom.
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<String>,
}

#[derive(Serialize, Clone, Debug, PartialEq, ToSchema)]
pub struct CriterionView {
    #[schema(value_type = CriterionKind)]
    pub kind: CriterionKind,
    pub threshold: Option<f64>,
    /// The criterion in words.
    pub description: String,
}

impl StrategyView {
    pub fn criteria(&self) -> Vec<Criterion> {
        self.criteria
            .iter()
            .map(|c| Criterion {
                kind: c.kind,
                threshold: c.threshold,
            })
            .collect()
    }

    pub fn has(&self, kind: &CriterionKind) -> bool {
        self.criteria.iter().any(|c| c.kind == *kind)
    }

    /// The threshold as the form shows it.
    pub fn threshold_text(&self, kind: &CriterionKind) -> String {
        self.criteria
            .iter()
            .find(|c| c.kind == *kind)
            .and_then(|c| c.threshold)
            .map(number)
            .unwrap_or_default()
    }
}

/// One earlier or current version, for the strategy's history.
#[derive(Clone, Debug)]
pub struct Version {
    pub version: i32,
    pub created_at: Timestamp,
    pub by: String,
}

/// The organisation (id, code, name) by register or GSS code; 404 if none.
pub fn organisation(conn: &mut DbConn, code: &str) -> AppResult<(i64, String, String)> {
    let org = crate::orgs::store::find(conn, code)?;
    Ok((org.id, org.code, org.name))
}

/// The strategy in force for an organisation (version `None` if none yet).
pub fn current(conn: &mut DbConn, org: &(i64, String, String)) -> AppResult<StrategyView> {
    let row: Option<(i64, i32, String, Timestamp, Option<String>)> = cs::table
        .left_join(users::table.on(users::id.nullable().eq(cs::created_by)))
        .filter(cs::organisation_id.eq(org.0))
        .order(cs::version.desc())
        .select((
            cs::id,
            cs::version,
            cs::outcomes,
            cs::created_at,
            users::display_name.nullable(),
        ))
        .first::<(i64, i32, String, chrono::NaiveDateTime, Option<String>)>(conn)
        .optional()?
        .map(|(id, v, o, at, by)| (id, v, o, Timestamp(at), by));
    let mut view = StrategyView {
        organisation: org.1.clone(),
        organisation_name: org.2.clone(),
        version: None,
        outcomes: String::new(),
        criteria: Vec::new(),
        updated_at: None,
        updated_by: None,
    };
    let Some((id, version, outcomes, at, by)) = row else {
        return Ok(view);
    };
    let mut criteria: Vec<(CriterionKind, Option<f64>)> = sc::table
        .filter(sc::strategy_id.eq(id))
        .select((sc::kind, sc::threshold))
        .load(conn)?;
    criteria.sort_by_key(|c| c.0);
    view.version = Some(version);
    view.outcomes = outcomes;
    view.updated_at = Some(at);
    view.updated_by = Some(by.unwrap_or_else(|| "Concord".into()));
    view.criteria = criteria
        .into_iter()
        .map(|(kind, threshold)| CriterionView {
            kind,
            threshold,
            description: Criterion { kind, threshold }.describe(),
        })
        .collect();
    Ok(view)
}

/// Every version written, newest first.
pub fn versions(conn: &mut DbConn, organisation_id: i64) -> AppResult<Vec<Version>> {
    let rows: Vec<(i32, chrono::NaiveDateTime, Option<String>)> = cs::table
        .left_join(users::table.on(users::id.nullable().eq(cs::created_by)))
        .filter(cs::organisation_id.eq(organisation_id))
        .order(cs::version.desc())
        .select((cs::version, cs::created_at, users::display_name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(version, at, by)| Version {
            version,
            created_at: Timestamp(at),
            by: by.unwrap_or_else(|| "Concord".into()),
        })
        .collect())
}

/// Writes a new version of the strategy, and the audit entry saying what
/// changed in words. The caller has been allowed `SetCollaborationStrategy`.
pub fn save(
    conn: &mut DbConn,
    user: &SessionUser,
    org: &(i64, String, String),
    input: &StrategyInput,
) -> AppResult<StrategyView> {
    let before = current(conn, org)?;
    let version = before.version.unwrap_or(0) + 1;
    let id: i64 = diesel::insert_into(cs::table)
        .values((
            cs::organisation_id.eq(org.0),
            cs::version.eq(version),
            cs::outcomes.eq(&input.outcomes),
            cs::created_by.eq(Some(user.id)),
            cs::created_at.eq(crate::db::now()),
        ))
        .returning(cs::id)
        .get_result(conn)?;
    for c in &input.criteria {
        diesel::insert_into(sc::table)
            .values((
                sc::strategy_id.eq(id),
                sc::kind.eq(c.kind),
                sc::threshold.eq(c.threshold),
            ))
            .execute(conn)?;
    }
    let after = current(conn, org)?;
    let mut change = Change::new(
        "organisation.strategy.update",
        "collaboration_strategy",
        org.0,
    )
    .in_organisation(org.0)
    .after(Written::of(&after));
    if before.version.is_some() {
        change = change.before(Written::of(&before));
    }
    audit::record(conn, &user.audit_actor(), change)?;
    Ok(after)
}

/// A version as the audit trail shows it: the outcomes and the criteria in words.
#[derive(Serialize)]
struct Written {
    version: Option<i32>,
    outcomes: String,
    criteria: Vec<String>,
}

impl Written {
    fn of(v: &StrategyView) -> Written {
        Written {
            version: v.version,
            outcomes: v.outcomes.clone(),
            criteria: v.criteria.iter().map(|c| c.description.clone()).collect(),
        }
    }
}

/// A partnership the organisation is an active member of.
#[derive(Clone, Debug)]
pub struct Membership {
    pub partnership_id: i64,
    pub name: String,
    pub status: String,
}

/// The organisation's partnerships (active memberships), by name.
pub fn partnerships_of(conn: &mut DbConn, organisation_id: i64) -> AppResult<Vec<Membership>> {
    let rows: Vec<(i64, String, String)> = partnership_members::table
        .inner_join(partnerships::table)
        .filter(partnership_members::organisation_id.eq(organisation_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .order((partnerships::name.asc(), partnerships::id.asc()))
        .select((partnerships::id, partnerships::name, partnerships::status))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(partnership_id, name, status)| Membership {
            partnership_id,
            name,
            status,
        })
        .collect())
}

/// The latest health check's overall score: the report's overall mean of
/// the partnership's latest closed round (`None` before one has closed, or
/// while the report shows nothing for too few respondents). Read the way the
/// health portfolio reads it, until `health::report` offers one call for it.
pub fn latest_health(conn: &mut DbConn, partnership_id: i64) -> AppResult<Option<f64>> {
    use crate::db::schema::health_rounds as hr;
    let latest: Option<i64> = hr::table
        .filter(hr::partnership_id.eq(partnership_id))
        .filter(hr::status.eq("closed"))
        .order((hr::closes_on.desc(), hr::id.desc()))
        .select(hr::id)
        .first(conn)
        .optional()?;
    match latest {
        None => Ok(None),
        Some(round) => Ok(crate::health::report::load::load(conn, round)?
            .report()
            .overall),
    }
}

/// What the register holds about one partnership, for one organisation.
pub fn facts(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_code: &str,
    today: NaiveDate,
) -> AppResult<Facts> {
    let exit_plan: String = partnerships::table
        .find(partnership_id)
        .select(partnerships::exit_plan)
        .first(conn)?;
    let realised: Vec<(String, i64)> = ledger_entries::table
        .filter(ledger_entries::partnership_id.eq(partnership_id))
        .filter(ledger_entries::basis.eq("realised"))
        .select((ledger_entries::entry_type, ledger_entries::amount_pence))
        .load(conn)?;
    let (mut costs, mut savings, mut entries) = (0i64, 0i64, 0i64);
    for (kind, pence) in realised {
        match kind.as_str() {
            "cost" => costs = costs.saturating_add(pence),
            "cashable_saving" => savings = savings.saturating_add(pence),
            _ => continue,
        }
        entries += 1;
    }
    let exposure = crate::partnerships::risks::store::exposure_of(conn, partnership_id)?;
    let own = exposure
        .partners
        .iter()
        .find(|p| p.organisation == organisation_code);
    let last_review: Option<NaiveDate> = reviews::table
        .filter(reviews::partnership_id.eq(partnership_id))
        .select(diesel::dsl::max(reviews::held_on))
        .first(conn)?;
    let dates: Vec<(Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>)> = agreements::table
        .filter(agreements::partnership_id.eq(partnership_id))
        .select((
            agreements::signed_on,
            agreements::starts_on,
            agreements::ends_on,
        ))
        .load(conn)?;
    Ok(Facts {
        today,
        health_score: latest_health(conn, partnership_id)?,
        exit_plan: !exit_plan.trim().is_empty(),
        realised_costs_pence: costs,
        realised_savings_pence: savings,
        realised_entries: entries,
        exposure_exact: own.map(|p| p.exact).unwrap_or(0),
        open_risks: own.map(|p| p.open_risks).unwrap_or(0),
        last_review,
        agreements: dates
            .into_iter()
            .map(|(signed_on, starts_on, ends_on)| AgreementDates {
                signed_on,
                starts_on,
                ends_on,
            })
            .collect(),
    })
}

/// One partnership against the strategy.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PartnershipStanding {
    pub partnership_id: i64,
    pub name: String,
    pub status: String,
    pub judgements: Vec<Judgement>,
    /// Criteria not met.
    pub not_met: usize,
    /// Criteria the register cannot answer yet.
    pub not_known: usize,
}

impl PartnershipStanding {
    pub fn met(&self) -> usize {
        self.judgements.len() - self.not_met - self.not_known
    }
}

fn standing(
    conn: &mut DbConn,
    m: &Membership,
    strategy: &StrategyView,
    today: NaiveDate,
) -> AppResult<PartnershipStanding> {
    let facts = facts(conn, m.partnership_id, &strategy.organisation, today)?;
    let judgements = evaluate(&strategy.criteria(), &facts);
    let count = |s: Standing| judgements.iter().filter(|j| j.standing == s).count();
    Ok(PartnershipStanding {
        partnership_id: m.partnership_id,
        name: m.name.clone(),
        status: m.status.clone(),
        not_met: count(Standing::NotMet),
        not_known: count(Standing::NotKnown),
        judgements,
    })
}

/// The strategy review: every partnership of the organisation against
/// each criterion of its strategy.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct StrategyReview {
    pub strategy: StrategyView,
    /// The day the criteria were judged on.
    pub judged_on: NaiveDate,
    pub partnerships: Vec<PartnershipStanding>,
}

pub fn review(
    conn: &mut DbConn,
    org: &(i64, String, String),
    today: NaiveDate,
) -> AppResult<StrategyReview> {
    let strategy = current(conn, org)?;
    let mut partnerships = Vec::new();
    for m in partnerships_of(conn, org.0)? {
        partnerships.push(standing(conn, &m, &strategy, today)?);
    }
    Ok(StrategyReview {
        strategy,
        judged_on: today,
        partnerships,
    })
}

/// How one partnership stands against the strategies of its member
/// organisations that `viewer` may read (their own organisation's; every
/// one for platform admins) and that have written one.
pub fn for_partnership(
    conn: &mut DbConn,
    partnership_id: i64,
    viewer: Option<&Actor>,
    today: NaiveDate,
) -> AppResult<Vec<(StrategyView, PartnershipStanding)>> {
    let members: Vec<(i64, String, String, String, String)> = partnership_members::table
        .inner_join(organisations::table)
        .inner_join(partnerships::table)
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .order(organisations::name.asc())
        .select((
            organisations::id,
            organisations::code,
            organisations::name,
            partnerships::name,
            partnerships::status,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (id, code, name, pname, status) in members {
        if !allows(
            viewer,
            Action::ViewCollaborationStrategy {
                organisation_id: id,
            },
        ) {
            continue;
        }
        let strategy = current(conn, &(id, code, name))?;
        if strategy.version.is_none() {
            continue;
        }
        let m = Membership {
            partnership_id,
            name: pname,
            status,
        };
        let s = standing(conn, &m, &strategy, today)?;
        out.push((strategy, s));
    }
    Ok(out)
}

/// Today in UTC, the day criteria are judged on.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
