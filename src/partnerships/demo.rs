//! Demo partnerships between real councils, so a new user sees a living
//! register: a shared service between neighbouring districts, a digital
//! platform between distant councils, a procurement still being set up, a
//! national network and a shared management team. The arrangements are
//! illustrative; the councils, codes and populations are real.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::members::calculator;
use super::members::model::CostShares;
use super::model::*;
use super::{members, store};
use crate::audit::Actor;
use crate::db::schema::{
    ledger_entries, objective_updates, objectives, organisations, partnership_members,
    partnerships, review_actions, reviews, risk_shares, risks, swot_items,
};
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::work::Work;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

struct Demo {
    name: &'static str,
    purpose: &'static str,
    kind: Kind,
    degree: Degree,
    stage: i32,
    status: Status,
    visibility: Visibility,
    cadence: i32,
    governance: (&'static str, &'static str, &'static str),
    exit_plan: &'static str,
    lead: &'static str,
    partners: &'static [&'static str],
    invited: &'static [&'static str],
    service_search: &'static str,
}

const DEMOS: &[Demo] = &[
    Demo {
        name: "Worcestershire Regulatory Services",
        purpose: "One environmental health and licensing service for the six Worcestershire districts, hosted by Bromsgrove, so that scarce specialists are shared and standards are the same across the county.",
        kind: Kind::SharedService,
        degree: Degree::Integrating,
        stage: 7,
        status: Status::Active,
        visibility: Visibility::Public,
        cadence: 12,
        governance: ("Joint committee of the six councils", "Majority vote, one vote per council", "Quarterly"),
        exit_plan: "Twelve months' notice before 1 April. Staff return to councils by headcount share; shared IT licences are novated to the host; each council keeps its own records.",
        lead: "BRM",
        partners: &["MAV", "RED", "WOC", "WYC", "WYE"],
        invited: &[],
        service_search: "noise",
    },
    Demo {
        name: "Waste services digital platform",
        purpose: "Build one set of online bin services (report a missed collection, order a bin, check collection days) and share it, instead of each council buying its own.",
        kind: Kind::DigitalPlatform,
        degree: Degree::Cooperating,
        stage: 5,
        status: Status::Active,
        visibility: Visibility::SignedIn,
        cadence: 6,
        governance: ("Product board of the three heads of digital", "Consensus; the lead decides if none is reached in two meetings", "Monthly"),
        exit_plan: "The code is open source; a leaving council keeps a copy and its data export.",
        lead: "BIR",
        partners: &["LDS", "CON"],
        invited: &[],
        service_search: "refuse",
    },
    Demo {
        name: "Black Country highways materials procurement",
        purpose: "Buy road salt, asphalt and street lighting parts together to get better prices.",
        kind: Kind::JointProcurement,
        degree: Degree::Coordinating,
        stage: 4,
        status: Status::Proposed,
        visibility: Visibility::Partners,
        cadence: 12,
        governance: ("Heads of procurement group", "Unanimous", "Every two months"),
        exit_plan: "",
        lead: "SAW",
        partners: &["BIR", "DUD", "WLL"],
        invited: &["SOL"],
        service_search: "gritting",
    },
    Demo {
        name: "Core cities digital network",
        purpose: "Heads of digital from the big cities share what they are building and what did not work.",
        kind: Kind::Network,
        degree: Degree::Networking,
        stage: 2,
        status: Status::Active,
        visibility: Visibility::Public,
        cadence: 12,
        governance: ("Open network", "No decisions are binding", "Every six weeks"),
        exit_plan: "Any member may leave at any time.",
        lead: "MAN",
        partners: &["BIR", "LDS", "LIV", "NET", "SHF", "NGM"],
        invited: &[],
        service_search: "",
    },
    Demo {
        name: "Adur and Worthing shared management",
        purpose: "One chief executive, one management team and one workforce serving two councils.",
        kind: Kind::SharedManagement,
        degree: Degree::Integrating,
        stage: 7,
        status: Status::Active,
        visibility: Visibility::Public,
        cadence: 24,
        governance: ("Joint strategic committee", "Each council decides its own budget; joint matters by both leaders", "Monthly"),
        exit_plan: "",
        lead: "WOT",
        partners: &["ADU"],
        invited: &[],
        service_search: "",
    },
];

fn starts() -> [NaiveDate; 5] {
    [
        d(2010, 6, 1),
        d(2025, 9, 1),
        d(2026, 10, 1),
        d(2019, 1, 15),
        d(2008, 4, 1),
    ]
}

fn add_member(conn: &mut DbConn, pid: i64, code: &str, status: MemberStatus) -> AppResult<()> {
    let org = crate::orgs::store::find(conn, code)?;
    let now = crate::db::now();
    diesel::insert_into(partnership_members::table)
        .values((
            partnership_members::partnership_id.eq(pid),
            partnership_members::organisation_id.eq(org.id),
            partnership_members::role.eq(MemberRole::Partner),
            partnership_members::status.eq(status),
            partnership_members::invited_at.eq(now),
            partnership_members::responded_at.eq((status == MemberStatus::Active).then_some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

fn org_id(conn: &mut DbConn, code: &str) -> AppResult<i64> {
    Ok(crate::orgs::store::find(conn, code)?.id)
}

/// Loads the demo partnerships that are not there yet; returns how many were added.
pub fn load(db: &Db, actor: &Actor) -> anyhow::Result<usize> {
    let mut added = 0;
    for (demo, start) in DEMOS.iter().zip(starts()) {
        let exists: i64 = db.read_blocking(|c| {
            Ok(partnerships::table
                .filter(partnerships::name.eq(demo.name))
                .count()
                .get_result(c)?)
        })?;
        if exists > 0 {
            continue;
        }
        db.write_blocking(|c| {
            let services = if demo.service_search.is_empty() {
                vec![]
            } else {
                crate::lgsl::store::search(c, Some(demo.service_search), true, 0, 2)?
                    .0
                    .into_iter()
                    .map(|s| s.id)
                    .collect()
            };
            let input = PartnershipInput {
                name: demo.name.into(),
                purpose: demo.purpose.into(),
                kind: demo.kind,
                degree: demo.degree,
                stage: demo.stage,
                status: demo.status,
                visibility: demo.visibility,
                start_date: Some(start),
                end_date: None,
                services,
                decision_body: demo.governance.0.into(),
                decision_rule: demo.governance.1.into(),
                meeting_cadence: demo.governance.2.into(),
                review_cadence_months: Some(demo.cadence),
                exit_plan: demo.exit_plan.into(),
            };
            let lead = crate::orgs::store::find(c, demo.lead)?;
            let p = store::create(c, &input, &lead, None, actor)?;
            for code in demo.partners {
                add_member(c, p.id, code, MemberStatus::Active)?;
            }
            for code in demo.invited {
                add_member(c, p.id, code, MemberStatus::Invited)?;
            }
            // Shares by population, as many shared services agree.
            let all = store::members(c, p.id)?;
            if let Ok(calc) = calculator::calculate_split(&all, 100, calculator::Method::Population)
            {
                let shares: Vec<(i64, Option<i32>)> = calc
                    .rows
                    .iter()
                    .map(|r| (r.member_id, Some(r.share_bp)))
                    .collect();
                let shares =
                    CostShares::parse(&shares, &all).map_err(crate::error::AppError::Invalid)?;
                members::store::set_cost_shares(&mut Work::system(c, p.id, "demo data")?, &shares)?;
            }
            if demo.name == "Worcestershire Regulatory Services" {
                worcestershire_records(c, p.id)?;
            }
            if demo.name == "Waste services digital platform" {
                waste_platform_records(c, p.id)?;
            }
            // Most demo partnerships have been reviewed recently, so only some show as overdue.
            match demo.name {
                "Core cities digital network" => review(
                    c,
                    p.id,
                    d(2025, 12, 4),
                    "Attendance steady; members asked for a shared list of suppliers.",
                )?,
                "Adur and Worthing shared management" => review(
                    c,
                    p.id,
                    d(2025, 6, 19),
                    "Savings sustained; staff survey shows the single workforce is settled.",
                )?,
                _ => {}
            }
            store::refresh_next_review(c, p.id)?;
            Ok(())
        })?;
        added += 1;
    }
    Ok(added)
}

/// The demo's records are in the partnership's history, as if recorded on
/// their pages.
fn audit(conn: &mut DbConn, pid: i64, action: &str, after: serde_json::Value) -> AppResult<()> {
    Work::<Partnership>::system(conn, pid, "demo data")?.audit(action, None, Some(after))
}

fn org_code(conn: &mut DbConn, id: i64) -> AppResult<String> {
    Ok(organisations::table
        .find(id)
        .select(organisations::code)
        .first(conn)?)
}

fn review(conn: &mut DbConn, pid: i64, held_on: NaiveDate, findings: &str) -> AppResult<()> {
    audit(
        conn,
        pid,
        "partnership.review.create",
        serde_json::json!({ "held_on": held_on, "decision": "continue", "findings": findings, "actions": [] }),
    )?;
    diesel::insert_into(reviews::table)
        .values((
            reviews::partnership_id.eq(pid),
            reviews::held_on.eq(held_on),
            reviews::findings.eq(findings),
            reviews::decision.eq("continue"),
            reviews::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn ledger(
    conn: &mut DbConn,
    pid: i64,
    org: i64,
    kind: &str,
    basis: &str,
    year: i32,
    pounds: i64,
    description: &str,
) -> AppResult<()> {
    let id = diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::partnership_id.eq(pid),
            ledger_entries::organisation_id.eq(org),
            ledger_entries::entry_type.eq(kind),
            ledger_entries::basis.eq(basis),
            ledger_entries::financial_year.eq(year),
            ledger_entries::amount_pence.eq(pounds * 100),
            ledger_entries::description.eq(description),
            ledger_entries::created_at.eq(crate::db::now()),
        ))
        .returning(ledger_entries::id)
        .get_result::<i64>(conn)?;
    let entry = crate::partnerships::ledger::store::get(conn, pid, id)?;
    let after = crate::audit::to_json(&entry).unwrap_or_default();
    audit(conn, pid, "partnership.ledger.create", after)?;
    Ok(())
}

fn risk(
    conn: &mut DbConn,
    pid: i64,
    title: &str,
    category: &str,
    likelihood: i32,
    impact: i32,
    owner: i64,
    mitigation: &str,
    shares: &[(i64, i32)],
) -> AppResult<()> {
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(risks::table)
        .values((
            risks::partnership_id.eq(pid),
            risks::title.eq(title),
            risks::category.eq(category),
            risks::likelihood.eq(likelihood),
            risks::impact.eq(impact),
            risks::owner_organisation_id.eq(owner),
            risks::mitigation.eq(mitigation),
            risks::status.eq("open"),
            risks::created_at.eq(now),
            risks::updated_at.eq(now),
        ))
        .returning(risks::id)
        .get_result(conn)?;
    for (org, bp) in shares {
        diesel::insert_into(risk_shares::table)
            .values((
                risk_shares::risk_id.eq(id),
                risk_shares::organisation_id.eq(org),
                risk_shares::share_bp.eq(bp),
            ))
            .execute(conn)?;
    }
    let mut parts = Vec::new();
    for (org, bp) in shares {
        parts.push(serde_json::json!({ "organisation": org_code(conn, *org)?, "share_bp": bp }));
    }
    let after = serde_json::json!({
        "risk": id, "title": title, "category": category, "likelihood": likelihood,
        "impact": impact, "owner": org_code(conn, owner)?, "status": "open",
        "mitigation": mitigation, "shares": parts,
    });
    audit(conn, pid, "partnership.risk.create", after)?;
    Ok(())
}

fn worcestershire_records(c: &mut DbConn, pid: i64) -> AppResult<()> {
    let (brm, wyc) = (org_id(c, "BRM")?, org_id(c, "WYC")?);
    for (year, cost, saving) in [
        (2022, 410_000, 520_000),
        (2023, 395_000, 560_000),
        (2024, 402_000, 610_000),
    ] {
        ledger(
            c,
            pid,
            brm,
            "cost",
            "realised",
            year,
            cost,
            "Hosting, management and IT",
        )?;
        ledger(
            c,
            pid,
            wyc,
            "cashable_saving",
            "realised",
            year,
            saving,
            "Fewer posts than six separate teams",
        )?;
    }
    ledger(
        c,
        pid,
        brm,
        "cashable_saving",
        "expected",
        2025,
        640_000,
        "Full-year effect of the licensing restructure",
    )?;
    ledger(
        c,
        pid,
        wyc,
        "non_cashable_benefit",
        "realised",
        2024,
        0,
        "Same licensing standards in every district",
    )?;
    risk(
        c,
        pid,
        "Supplier failure leaving the public sector in limbo",
        "supplier_failure",
        2,
        5,
        brm,
        "Second supplier on the framework; data exported monthly",
        &[(brm, 5000), (wyc, 5000)],
    )?;
    risk(
        c,
        pid,
        "Partners unable to agree joint objectives",
        "objectives_disagreement",
        3,
        3,
        wyc,
        "Annual business plan agreed at the joint committee",
        &[(brm, 2000), (wyc, 8000)],
    )?;
    let now = crate::db::now();
    diesel::insert_into(reviews::table)
        .values((
            reviews::partnership_id.eq(pid),
            reviews::held_on.eq(d(2026, 3, 12)),
            reviews::findings
                .eq("Savings on track; response times for noise complaints slipped in winter."),
            reviews::decision.eq("improve"),
            reviews::created_at.eq(now),
        ))
        .execute(c)?;
    let review_id: i64 = reviews::table
        .filter(reviews::partnership_id.eq(pid))
        .select(reviews::id)
        .first(c)?;
    diesel::insert_into(review_actions::table)
        .values((
            review_actions::review_id.eq(review_id),
            review_actions::description.eq("Add out-of-hours noise cover in winter"),
            review_actions::owner_organisation_id.eq(brm),
            review_actions::due_on.eq(d(2026, 11, 1)),
        ))
        .execute(c)?;
    audit(
        c,
        pid,
        "partnership.review.create",
        serde_json::json!({
            "review": review_id, "held_on": d(2026, 3, 12), "decision": "improve",
            "findings": "Savings on track; response times for noise complaints slipped in winter.",
            "actions": [{ "description": "Add out-of-hours noise cover in winter", "owner": "BRM", "due_on": d(2026, 11, 1) }],
        }),
    )?;
    Ok(())
}

fn waste_platform_records(c: &mut DbConn, pid: i64) -> AppResult<()> {
    let (bir, lds, con) = (org_id(c, "BIR")?, org_id(c, "LDS")?, org_id(c, "CON")?);
    let now = crate::db::now();
    let objective: i64 = diesel::insert_into(objectives::table)
        .values((
            objectives::partnership_id.eq(pid),
            objectives::title.eq("Move missed-bin reports online"),
            objectives::measure.eq("Share of missed-bin reports made online"),
            objectives::unit.eq("%"),
            objectives::baseline.eq(35.0),
            objectives::target.eq(80.0),
            objectives::start_date.eq(d(2025, 9, 1)),
            objectives::due_date.eq(d(2027, 3, 31)),
            objectives::owner_organisation_id.eq(bir),
            objectives::created_at.eq(now),
            objectives::updated_at.eq(now),
        ))
        .returning(objectives::id)
        .get_result(c)?;
    audit(
        c,
        pid,
        "partnership.objective.create",
        serde_json::json!({
            "objective": objective, "title": "Move missed-bin reports online",
            "measure": "Share of missed-bin reports made online", "unit": "%",
            "baseline": 35.0, "target": 80.0, "start_date": d(2025, 9, 1),
            "due_date": d(2027, 3, 31), "owner": "BIR",
        }),
    )?;
    diesel::insert_into(objective_updates::table)
        .values((
            objective_updates::objective_id.eq(objective),
            objective_updates::value.eq(52.0),
            objective_updates::rag.eq("green"),
            objective_updates::note.eq("Birmingham live; Leeds in beta"),
            objective_updates::recorded_on.eq(d(2026, 6, 30)),
            objective_updates::created_at.eq(now),
        ))
        .execute(c)?;
    audit(
        c,
        pid,
        "partnership.objective.progress",
        serde_json::json!({
            "objective": objective, "title": "Move missed-bin reports online", "value": 52.0,
            "recorded_on": d(2026, 6, 30), "rag": "green", "note": "Birmingham live; Leeds in beta",
        }),
    )?;
    ledger(
        c,
        pid,
        bir,
        "cost",
        "realised",
        2025,
        180_000,
        "Build team, first year",
    )?;
    ledger(
        c,
        pid,
        lds,
        "cost",
        "realised",
        2025,
        90_000,
        "Integration with Leeds' back office",
    )?;
    ledger(
        c,
        pid,
        con,
        "cashable_saving",
        "expected",
        2026,
        120_000,
        "Licence for a commercial product no longer needed",
    )?;
    risk(
        c,
        pid,
        "Quick wins pursued while harder customer requirements go undelivered",
        "quick_wins",
        3,
        4,
        lds,
        "Roadmap agreed by the product board each quarter",
        &[(bir, 6000), (lds, 4000)],
    )?;
    for (quadrant, text, org) in [
        ("strengths", "One team, three councils' users", bir),
        ("weaknesses", "Back-office systems differ", lds),
        (
            "opportunities",
            "Other councils could join at low cost",
            con,
        ),
        ("threats", "Funding ends in 2027", bir),
    ] {
        diesel::insert_into(swot_items::table)
            .values((
                swot_items::partnership_id.eq(pid),
                swot_items::quadrant.eq(quadrant),
                swot_items::text.eq(text),
                swot_items::organisation_id.eq(org),
                swot_items::created_at.eq(now),
            ))
            .execute(c)?;
        let after = serde_json::json!({ "quadrant": quadrant, "text": text, "organisation": org_code(c, org)? });
        audit(c, pid, "partnership.swot.add", after)?;
    }
    Ok(())
}
