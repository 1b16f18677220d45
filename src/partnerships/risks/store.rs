//! Reads and changes to the shared risk register. Every change is checked in
//! full before anything is written, and audited in the same transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::exposure::*;
use super::input::*;
use super::model::*;
use crate::db::schema::{
    organisations, partnership_members, risk_reviews, risk_shares, risks, users,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::orgs::model::OrgRef;
use crate::partnerships::model::{MemberStatus, Partnership};
use crate::partnerships::store as partnerships;
use crate::work::Work;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risks)]
struct Risk {
    id: i64,
    title: String,
    description: String,
    category: RiskCategory,
    likelihood: i32,
    impact: i32,
    owner_organisation_id: i64,
    mitigation: String,
    status: RiskStatus,
    created_at: crate::time::Timestamp,
    updated_at: crate::time::Timestamp,
}

fn views(conn: &mut DbConn, partnership_id: i64, risk_id: Option<i64>) -> AppResult<Vec<RiskView>> {
    let mut query = risks::table
        .inner_join(organisations::table)
        .filter(risks::partnership_id.eq(partnership_id))
        .select((
            Risk::as_select(),
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .into_boxed();
    if let Some(id) = risk_id {
        query = query.filter(risks::id.eq(id));
    }
    let rows: Vec<(Risk, String, String, String)> = query.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(r, ..)| r.id).collect();
    let shares: Vec<(i64, i64, i32, String, String, String)> = risk_shares::table
        .inner_join(organisations::table)
        .filter(risk_shares::risk_id.eq_any(&ids))
        .order((
            risk_shares::risk_id.asc(),
            risk_shares::share_bp.desc(),
            organisations::name.asc(),
        ))
        .select((
            risk_shares::risk_id,
            organisations::id,
            risk_shares::share_bp,
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .load(conn)?;
    let mut out: Vec<RiskView> = rows
        .into_iter()
        .map(|(r, code, name, short_name)| {
            let score = r.likelihood * r.impact;
            RiskView {
                id: r.id,
                title: r.title,
                description: r.description,
                category: r.category,
                likelihood: r.likelihood,
                impact: r.impact,
                score,
                rating: rag(score).to_string(),
                owner: OrgRef {
                    code,
                    name,
                    short_name,
                },
                owner_id: r.owner_organisation_id,
                mitigation: r.mitigation,
                status: r.status,
                shares: shares
                    .iter()
                    .filter(|s| s.0 == r.id)
                    .map(|(_, org_id, bp, code, name, short)| RiskShare {
                        organisation_id: *org_id,
                        organisation: code.clone(),
                        organisation_name: name.clone(),
                        short_name: short.clone(),
                        share_bp: *bp,
                    })
                    .collect(),
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect();
    sort_register(&mut out);
    Ok(out)
}

/// The partnership's register, in register order.
pub fn list(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<RiskView>> {
    views(conn, partnership_id, None)
}

/// One risk, if it belongs to this partnership.
pub fn get(conn: &mut DbConn, partnership_id: i64, risk_id: i64) -> AppResult<RiskView> {
    views(conn, partnership_id, Some(risk_id))?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

#[derive(Queryable)]
struct ReviewRow {
    id: i64,
    reviewed_on: NaiveDate,
    likelihood: i32,
    impact: i32,
    status: RiskStatus,
    note: String,
    reviewed_by: Option<String>,
    created_at: crate::time::Timestamp,
}

/// A risk's reviews, newest first.
pub fn reviews(conn: &mut DbConn, risk_id: i64) -> AppResult<Vec<RiskReview>> {
    let rows: Vec<ReviewRow> = risk_reviews::table
        .left_join(users::table.on(risk_reviews::reviewed_by.eq(users::id.nullable())))
        .filter(risk_reviews::risk_id.eq(risk_id))
        .order((risk_reviews::reviewed_on.desc(), risk_reviews::id.desc()))
        .select((
            risk_reviews::id,
            risk_reviews::reviewed_on,
            risk_reviews::likelihood,
            risk_reviews::impact,
            risk_reviews::status,
            risk_reviews::note,
            users::display_name.nullable(),
            risk_reviews::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| RiskReview {
            id: r.id,
            reviewed_on: r.reviewed_on,
            likelihood: r.likelihood,
            impact: r.impact,
            score: r.likelihood * r.impact,
            status: r.status,
            note: r.note,
            reviewed_by: r.reviewed_by,
            created_at: r.created_at,
        })
        .collect())
}

pub fn detail(conn: &mut DbConn, partnership_id: i64, risk_id: i64) -> AppResult<RiskDetail> {
    let risk = get(conn, partnership_id, risk_id)?;
    let reviews = reviews(conn, risk.id)?;
    Ok(RiskDetail { risk, reviews })
}

/// Active members as (code, name), for the exposure table.
pub fn member_names(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<(String, String)>> {
    Ok(partnership_members::table
        .inner_join(organisations::table)
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .order(organisations::name.asc())
        .select((organisations::code, organisations::name))
        .load(conn)?)
}

pub fn exposure_of(conn: &mut DbConn, partnership_id: i64) -> AppResult<RiskExposure> {
    let risks = list(conn, partnership_id)?;
    let members = member_names(conn, partnership_id)?;
    Ok(RiskExposure {
        partners: exposure(&risks, &members),
        heat_map: heat_map(&risks).iter().map(|row| row.to_vec()).collect(),
    })
}

/// The members' agreed cost shares as a default split of a new risk, when
/// every active member has one.
pub fn default_shares(
    conn: &mut DbConn,
    partnership_id: i64,
) -> AppResult<Option<Vec<(String, i32)>>> {
    let active: Vec<_> = partnerships::members(conn, partnership_id)?
        .into_iter()
        .filter(|m| m.is_active())
        .collect();
    let shares: Option<Vec<(String, i32)>> = active
        .iter()
        .map(|m| m.cost_share_bp.map(|bp| (m.organisation_code.clone(), bp)))
        .collect();
    Ok(shares.filter(|s| !s.is_empty() && s.iter().map(|(_, bp)| bp).sum::<i32>() == 10_000))
}

/// The agreed cost shares by organisation id (none unless every active
/// member has one).
fn agreed_shares(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<(i64, i32)>> {
    let members = partnerships::active_members(conn, partnership_id)?;
    Ok(default_shares(conn, partnership_id)?
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(code, bp)| members.by_code(&code).map(|m| (m.organisation_id, bp)))
        .collect())
}

/// What a risk is checked against: the active members, their agreed cost
/// shares, and the risk as it is (for a change).
pub fn check(
    conn: &mut DbConn,
    partnership_id: i64,
    draft: &RiskDraft,
    current: Option<&RiskView>,
) -> AppResult<RiskInput> {
    let members = partnerships::active_members(conn, partnership_id)?;
    let default_shares = default_shares(conn, partnership_id)?;
    let ctx = RiskContext {
        members: &members,
        default_shares,
        current,
    };
    RiskInput::parse(draft, &ctx).map_err(AppError::Invalid)
}

/// The organisations whose share of risk `risk_id` would change.
fn changed_shares(conn: &mut DbConn, risk_id: i64, shares: &[(i64, i32)]) -> AppResult<Vec<i64>> {
    let now: Vec<(i64, i32)> = risk_shares::table
        .filter(risk_shares::risk_id.eq(risk_id))
        .filter(risk_shares::share_bp.ne(0))
        .select((risk_shares::organisation_id, risk_shares::share_bp))
        .load(conn)?;
    let share = |list: &[(i64, i32)], org: i64| {
        list.iter()
            .find(|(o, _)| *o == org)
            .map_or(0, |(_, bp)| *bp)
    };
    let mut orgs: Vec<i64> = now.iter().chain(shares).map(|(o, _)| *o).collect();
    orgs.sort_unstable();
    orgs.dedup();
    Ok(orgs
        .into_iter()
        .filter(|&o| share(&now, o) != share(shares, o))
        .collect())
}

fn write_shares(conn: &mut DbConn, risk_id: i64, shares: &[(i64, i32)]) -> AppResult<()> {
    diesel::delete(risk_shares::table.filter(risk_shares::risk_id.eq(risk_id))).execute(conn)?;
    for (org, bp) in shares {
        diesel::insert_into(risk_shares::table)
            .values((
                risk_shares::risk_id.eq(risk_id),
                risk_shares::organisation_id.eq(org),
                risk_shares::share_bp.eq(bp),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What the history page shows of a risk.
fn audit_json(r: &RiskView) -> serde_json::Value {
    serde_json::json!({
        "risk": r.id,
        "title": r.title,
        "category": r.category.code(),
        "likelihood": r.likelihood,
        "impact": r.impact,
        "owner": r.owner.code,
        "status": r.status.code(),
        "description": r.description,
        "mitigation": r.mitigation,
        "shares": r.shares.iter().map(|s| serde_json::json!({ "organisation": s.organisation, "share_bp": s.share_bp })).collect::<Vec<_>>(),
    })
}

/// The columns a person sets, for both INSERT and UPDATE.
macro_rules! risk_fields {
    ($input:expr) => {
        (
            risks::title.eq(&$input.title),
            risks::description.eq(&$input.description),
            risks::category.eq($input.category),
            risks::likelihood.eq($input.likelihood.get()),
            risks::impact.eq($input.impact.get()),
            risks::owner_organisation_id.eq($input.owner),
            risks::mitigation.eq(&$input.mitigation),
            risks::status.eq($input.status),
        )
    };
}

/// Records a risk owned by the person's organisation, or by the lead for
/// any member (`owned::allow`). A partner may split a new risk by the
/// members' agreed cost shares, or leave others out of it; putting any
/// other share on another organisation is that organisation's (or the
/// lead's) to do.
pub fn create(w: &mut Work<'_, Partnership>, input: &RiskInput) -> AppResult<RiskView> {
    crate::partnerships::owned::allow(w, input.owner)?;
    let agreed = agreed_shares(w.conn, w.record.id)?;
    for &(org, bp) in &input.shares {
        let as_agreed = agreed.iter().any(|&(o, a)| o == org && a == bp);
        if bp != 0 && !as_agreed {
            crate::partnerships::owned::allow(w, org)?;
        }
    }
    let pid = w.record.id;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(risks::table)
        .values((
            risks::partnership_id.eq(pid),
            risk_fields!(input),
            risks::created_at.eq(now),
            risks::updated_at.eq(now),
        ))
        .returning(risks::id)
        .get_result(w.conn)?;
    write_shares(w.conn, id, &input.shares)?;
    let view = get(w.conn, pid, id)?;
    w.audit("partnership.risk.create", None, Some(audit_json(&view)))?;
    Ok(view)
}

/// The draft that would leave a risk as it is; edits start from here.
pub fn draft_of(r: &RiskView) -> RiskDraft {
    RiskDraft {
        title: r.title.clone(),
        description: r.description.clone(),
        category: r.category.code().to_string(),
        likelihood: Some(r.likelihood),
        impact: Some(r.impact),
        owner: r.owner.code.clone(),
        mitigation: r.mitigation.clone(),
        status: r.status.code().to_string(),
        shares: Some(
            r.shares
                .iter()
                .map(|s| (s.organisation.clone(), s.share_bp))
                .collect(),
        ),
    }
}

pub fn update(
    w: &mut Work<'_, Partnership>,
    before: &RiskView,
    input: &RiskInput,
) -> AppResult<RiskView> {
    let pid = w.record.id;
    // The risk is its owner's to change and to hand on (or the lead's); an
    // organisation's share of it is that organisation's (or the lead's).
    crate::partnerships::owned::allow(w, before.owner_id)?;
    crate::partnerships::owned::allow(w, input.owner)?;
    for org in changed_shares(w.conn, before.id, &input.shares)? {
        crate::partnerships::owned::allow(w, org)?;
    }
    diesel::update(risks::table.find(before.id))
        .set((risk_fields!(input), risks::updated_at.eq(crate::db::now())))
        .execute(w.conn)?;
    write_shares(w.conn, before.id, &input.shares)?;
    let after = get(w.conn, pid, before.id)?;
    w.audit(
        "partnership.risk.update",
        Some(audit_json(before)),
        Some(audit_json(&after)),
    )?;
    Ok(after)
}

/// Records a dated review, which also becomes the risk's current
/// likelihood, impact and status.
pub fn review(
    w: &mut Work<'_, Partnership>,
    risk_id: i64,
    input: &ReviewInput,
) -> AppResult<RiskReview> {
    let before = get(w.conn, w.record.id, risk_id)?;
    crate::partnerships::owned::allow(w, before.owner_id)?;
    let now = crate::db::now();
    let reviewed_by = w.user_id();
    let id: i64 = diesel::insert_into(risk_reviews::table)
        .values((
            risk_reviews::risk_id.eq(before.id),
            risk_reviews::reviewed_on.eq(input.reviewed_on),
            risk_reviews::likelihood.eq(input.likelihood.get()),
            risk_reviews::impact.eq(input.impact.get()),
            risk_reviews::status.eq(input.status),
            risk_reviews::note.eq(&input.note),
            risk_reviews::reviewed_by.eq(reviewed_by),
            risk_reviews::created_at.eq(now),
        ))
        .returning(risk_reviews::id)
        .get_result(w.conn)?;
    diesel::update(risks::table.find(before.id))
        .set((
            risks::likelihood.eq(input.likelihood.get()),
            risks::impact.eq(input.impact.get()),
            risks::status.eq(input.status),
            risks::updated_at.eq(now),
        ))
        .execute(w.conn)?;
    w.audit(
        "partnership.risk.review",
        Some(serde_json::json!({ "risk": before.id, "likelihood": before.likelihood, "impact": before.impact, "status": before.status.code() })),
        Some(serde_json::json!({ "risk": before.id, "reviewed_on": input.reviewed_on, "likelihood": input.likelihood, "impact": input.impact, "status": input.status.code(), "note": input.note })),
    )?;
    reviews(w.conn, before.id)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)
}
