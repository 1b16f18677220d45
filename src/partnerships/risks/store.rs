//! Reads and changes to the shared risk register. Every change is checked in
//! full before anything is written, and audited in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::*;
use crate::audit::Actor as AuditActor;
use crate::db::schema::{
    organisations, partnership_members, risk_reviews, risk_shares, risks, users,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::orgs::model::OrgRef;
use crate::partnerships::model::{MemberStatus, Partnership};
use crate::partnerships::store::{self as pstore, record};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risks)]
struct Risk {
    id: i64,
    title: String,
    description: String,
    category: String,
    likelihood: i32,
    impact: i32,
    owner_organisation_id: i64,
    mitigation: String,
    status: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The order fields appear on the form, so errors are listed in that order.
const FIELD_ORDER: [&str; 9] = [
    "category",
    "title",
    "description",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "status",
    "shares",
];

pub fn sort_errors(errors: &mut [FieldError]) {
    errors.sort_by_key(|e| {
        FIELD_ORDER
            .iter()
            .position(|f| *f == e.field || (*f == "shares" && e.field.starts_with("share-")))
            .unwrap_or(FIELD_ORDER.len())
    });
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
                category: RiskCategory::parse(&r.category).unwrap_or(RiskCategory::Other),
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
                // Unknown values count as open, like the overview's `status != 'closed'`.
                status: RiskStatus::parse(&r.status).unwrap_or(RiskStatus::Open),
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
    status: String,
    note: String,
    reviewed_by: Option<String>,
    created_at: NaiveDateTime,
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
            status: RiskStatus::parse(&r.status).unwrap_or(RiskStatus::Open),
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
        .filter(partnership_members::status.eq(MemberStatus::Active.code()))
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
    let active: Vec<_> = pstore::members(conn, partnership_id)?
        .into_iter()
        .filter(|m| m.is_active())
        .collect();
    let shares: Option<Vec<(String, i32)>> = active
        .iter()
        .map(|m| m.cost_share_bp.map(|bp| (m.organisation_code.clone(), bp)))
        .collect();
    Ok(shares.filter(|s| !s.is_empty() && s.iter().map(|(_, bp)| bp).sum::<i32>() == 10_000))
}

/// Checks an input in full: what was typed, then the owner and shares
/// against the active members. Unchanged owner and shares of an existing
/// risk are kept even if that member has since left, so the risk can still
/// be updated (say, closed) without first re-dividing it.
fn check(
    conn: &mut DbConn,
    partnership_id: i64,
    input: &RiskInput,
    current: Option<&RiskView>,
) -> AppResult<(i64, Vec<(i64, i32)>)> {
    let mut errors = validate(input);
    let active = pstore::active_member_orgs(conn, partnership_id)?;
    let mut owner_id = None;
    if !input.owner.trim().is_empty() {
        match current.filter(|c| c.owner.code.eq_ignore_ascii_case(input.owner.trim())) {
            Some(c) => owner_id = Some(c.owner_id),
            None => match active
                .iter()
                .find(|(_, code, _)| code.eq_ignore_ascii_case(input.owner.trim()))
            {
                Some((id, _, _)) => owner_id = Some(*id),
                None => errors.push(FieldError::new(
                    "owner",
                    format!(
                        "{} is not an active member of this partnership",
                        input.owner.trim()
                    ),
                )),
            },
        }
    }
    let unchanged = current.filter(|c| same_shares(&c.shares, &input.shares));
    let shares = match unchanged {
        Some(c) => c
            .shares
            .iter()
            .map(|s| (s.organisation_id, s.share_bp))
            .collect(),
        None => check_shares(&active, &input.shares).unwrap_or_else(|e| {
            errors.extend(e);
            vec![]
        }),
    };
    match owner_id {
        Some(id) if errors.is_empty() => Ok((id, shares)),
        _ => {
            sort_errors(&mut errors);
            Err(AppError::Invalid(errors))
        }
    }
}

fn same_shares(current: &[RiskShare], proposed: &[(String, i32)]) -> bool {
    let norm = |v: Vec<(String, i32)>| {
        let mut v: Vec<(String, i32)> = v
            .into_iter()
            .filter(|(_, bp)| *bp != 0)
            .map(|(c, bp)| (c.trim().to_uppercase(), bp))
            .collect();
        v.sort();
        v
    };
    norm(
        current
            .iter()
            .map(|s| (s.organisation.clone(), s.share_bp))
            .collect(),
    ) == norm(proposed.to_vec())
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

pub fn create(
    conn: &mut DbConn,
    p: &Partnership,
    input: &RiskInput,
    actor: &AuditActor,
) -> AppResult<RiskView> {
    let (owner_id, shares) = check(conn, p.id, input, None)?;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(risks::table)
        .values((
            risks::partnership_id.eq(p.id),
            risks::title.eq(input.effective_title()),
            risks::description.eq(input.description.trim()),
            risks::category.eq(&input.category),
            risks::likelihood.eq(input.likelihood),
            risks::impact.eq(input.impact),
            risks::owner_organisation_id.eq(owner_id),
            risks::mitigation.eq(input.mitigation.trim()),
            risks::status.eq(&input.status),
            risks::created_at.eq(now),
            risks::updated_at.eq(now),
        ))
        .returning(risks::id)
        .get_result(conn)?;
    write_shares(conn, id, &shares)?;
    let view = get(conn, p.id, id)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.risk.create",
        None,
        Some(audit_json(&view)),
    )?;
    Ok(view)
}

/// The input that would leave a risk as it is; edits start from here.
pub fn input_of(r: &RiskView) -> RiskInput {
    RiskInput {
        title: r.title.clone(),
        description: r.description.clone(),
        category: r.category.code().to_string(),
        likelihood: r.likelihood,
        impact: r.impact,
        owner: r.owner.code.clone(),
        mitigation: r.mitigation.clone(),
        status: r.status.code().to_string(),
        shares: r
            .shares
            .iter()
            .map(|s| (s.organisation.clone(), s.share_bp))
            .collect(),
    }
}

pub fn update(
    conn: &mut DbConn,
    p: &Partnership,
    risk_id: i64,
    input: &RiskInput,
    actor: &AuditActor,
) -> AppResult<RiskView> {
    let before = get(conn, p.id, risk_id)?;
    let (owner_id, shares) = check(conn, p.id, input, Some(&before))?;
    diesel::update(risks::table.find(before.id))
        .set((
            risks::title.eq(input.effective_title()),
            risks::description.eq(input.description.trim()),
            risks::category.eq(&input.category),
            risks::likelihood.eq(input.likelihood),
            risks::impact.eq(input.impact),
            risks::owner_organisation_id.eq(owner_id),
            risks::mitigation.eq(input.mitigation.trim()),
            risks::status.eq(&input.status),
            risks::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    write_shares(conn, before.id, &shares)?;
    let after = get(conn, p.id, before.id)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.risk.update",
        Some(audit_json(&before)),
        Some(audit_json(&after)),
    )?;
    Ok(after)
}

/// Records a dated review, which also becomes the risk's current
/// likelihood, impact and status.
pub fn review(
    conn: &mut DbConn,
    p: &Partnership,
    risk_id: i64,
    input: &ReviewInput,
    reviewed_by: Option<i64>,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<RiskReview> {
    let before = get(conn, p.id, risk_id)?;
    let errors = validate_review(input, today);
    let Some(reviewed_on) = input.reviewed_on.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(risk_reviews::table)
        .values((
            risk_reviews::risk_id.eq(before.id),
            risk_reviews::reviewed_on.eq(reviewed_on),
            risk_reviews::likelihood.eq(input.likelihood),
            risk_reviews::impact.eq(input.impact),
            risk_reviews::status.eq(&input.status),
            risk_reviews::note.eq(input.note.trim()),
            risk_reviews::reviewed_by.eq(reviewed_by),
            risk_reviews::created_at.eq(now),
        ))
        .returning(risk_reviews::id)
        .get_result(conn)?;
    diesel::update(risks::table.find(before.id))
        .set((
            risks::likelihood.eq(input.likelihood),
            risks::impact.eq(input.impact),
            risks::status.eq(&input.status),
            risks::updated_at.eq(now),
        ))
        .execute(conn)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.risk.review",
        Some(
            serde_json::json!({ "risk": before.id, "likelihood": before.likelihood, "impact": before.impact, "status": before.status.code() }),
        ),
        Some(
            serde_json::json!({ "risk": before.id, "reviewed_on": reviewed_on, "likelihood": input.likelihood, "impact": input.impact, "status": input.status, "note": input.note.trim() }),
        ),
    )?;
    reviews(conn, before.id)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)
}
