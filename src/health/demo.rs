//! A completed health check on a demo partnership, so a new user sees a
//! real report at once: eight stakeholders from two partners, in all four
//! roles, with varied scores, some "don't know" and some comments.

use chrono::Duration;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::db::schema::{
    health_answers as ha, health_comments as hc, health_invitations as hi, health_rounds as hr,
    partnerships as p,
};
use crate::db::Db;
use crate::health::questionnaire::store as questionnaires;
use crate::health::rounds::model::{RoundStatus, StakeholderRole};

// Birmingham leads it, so the demo's Birmingham and Leeds people see the report.
const PARTNERSHIP: &str = "Waste services digital platform";
const TITLE: &str = "Annual health check";

/// (organisation, role, email, leaning): leaning moves the person's scores.
const PEOPLE: &[(&str, StakeholderRole, &str, i32)] = &[
    (
        "BIR",
        StakeholderRole::Leadership,
        "chief.exec@birmingham.example",
        1,
    ),
    (
        "BIR",
        StakeholderRole::Management,
        "head.waste@birmingham.example",
        1,
    ),
    (
        "BIR",
        StakeholderRole::Operational,
        "waste.officer1@birmingham.example",
        0,
    ),
    (
        "BIR",
        StakeholderRole::Operational,
        "waste.officer2@birmingham.example",
        0,
    ),
    (
        "LDS",
        StakeholderRole::Leadership,
        "director@leeds.example",
        0,
    ),
    (
        "LDS",
        StakeholderRole::Management,
        "digital.manager@leeds.example",
        -1,
    ),
    (
        "LDS",
        StakeholderRole::Operational,
        "officer@leeds.example",
        -1,
    ),
    (
        "LDS",
        StakeholderRole::External,
        "chair@leeds-business.example",
        0,
    ),
];

/// Factors the second partner sees less kindly than the host (a divergence).
const LEEDS_DOUBTS: &[&str] = &["communication", "risk_sharing", "commitment"];

const COMMENTS: &[(usize, &str, &str)] = &[
    (
        0,
        "strategy",
        "The purpose is clear to members and staff alike.",
    ),
    (
        2,
        "delivery",
        "Missed-bin reports now arrive online, but the round data is often a day late.",
    ),
    (
        5,
        "communication",
        "We often hear about changes after they have been decided.",
    ),
    (
        6,
        "risk_sharing",
        "Our council carried the cost of the IT overrun on its own.",
    ),
    (
        4,
        "learning",
        "The annual review is useful; lessons rarely reach the crews.",
    ),
    (
        7,
        "outcomes",
        "Residents get one answer about their bins whichever council they live in.",
    ),
];

/// Adds the round once; returns how many rounds were added (0 or 1).
pub fn load(db: &Db, _actor: &Actor) -> anyhow::Result<usize> {
    let added = db.write_blocking(|c| {
        let Some(pid) = p::table
            .filter(p::name.eq(PARTNERSHIP))
            .select(p::id)
            .first::<i64>(c)
            .optional()?
        else {
            return Ok(0);
        };
        let exists: i64 = hr::table
            .filter(hr::partnership_id.eq(pid))
            .filter(hr::title.eq(TITLE))
            .count()
            .get_result(c)?;
        if exists > 0 {
            return Ok(0);
        }
        let qid = questionnaires::default_id(c)?;
        let (version_id, _, _) =
            questionnaires::latest_version(c, qid)?.ok_or(crate::error::AppError::NotFound)?;
        let now = crate::db::now();
        let today = now.date();
        let (opens_on, closes_on) = (today - Duration::days(45), today - Duration::days(15));
        let round: i64 = diesel::insert_into(hr::table)
            .values((
                hr::partnership_id.eq(pid),
                hr::version_id.eq(version_id),
                hr::title.eq(TITLE),
                hr::opens_on.eq(opens_on),
                hr::closes_on.eq(closes_on),
                hr::status.eq(RoundStatus::Closed),
                hr::created_at.eq(opens_on.and_hms_opt(9, 0, 0).unwrap_or(now)),
            ))
            .returning(hr::id)
            .get_result(c)?;
        let factors = questionnaires::factors(c, version_id)?;
        for (i, (org, role, email, leaning)) in PEOPLE.iter().enumerate() {
            let organisation = crate::orgs::store::find(c, org)?;
            let answered = (opens_on + Duration::days(3 + i as i64)).and_hms_opt(10, 0, 0);
            let invitation: i64 = diesel::insert_into(hi::table)
                .values((
                    hi::round_id.eq(round),
                    hi::organisation_id.eq(organisation.id),
                    hi::email.eq(email),
                    hi::role.eq(role),
                    hi::token_hash.eq(crate::auth::hash_token(&crate::auth::random_token())),
                    hi::expires_at.eq(closes_on.and_hms_opt(23, 59, 59).unwrap_or(now)),
                    hi::invited_at.eq(opens_on.and_hms_opt(9, 0, 0).unwrap_or(now)),
                    hi::responded_at.eq(answered),
                ))
                .returning(hi::id)
                .get_result(c)?;
            for (fi, f) in factors.iter().enumerate() {
                for (si, s) in f.statements.iter().enumerate() {
                    // Varied, repeatable: a base per factor, the person's
                    // leaning, a small wobble, and the second partner's doubts.
                    let mut score =
                        3 + ((fi + si) % 3) as i32 - 1 + leaning + ((i + si) % 2) as i32;
                    if *org == "LDS" && LEEDS_DOUBTS.contains(&f.code.as_str()) {
                        score -= 2;
                    }
                    let dont_know = (i * 7 + fi * 3 + si) % 11 == 0;
                    let score = (!dont_know).then_some(score.clamp(1, 5));
                    diesel::insert_into(ha::table)
                        .values((
                            ha::invitation_id.eq(invitation),
                            ha::statement_id.eq(s.id),
                            ha::score.eq(score),
                            ha::dont_know.eq(dont_know),
                        ))
                        .execute(c)?;
                }
            }
            for (who, code, text) in COMMENTS.iter().filter(|(who, _, _)| *who == i) {
                let _ = who;
                if let Some(f) = factors.iter().find(|f| f.code == *code) {
                    diesel::insert_into(hc::table)
                        .values((
                            hc::invitation_id.eq(invitation),
                            hc::factor_id.eq(f.id),
                            hc::text.eq(text),
                        ))
                        .execute(c)?;
                }
            }
        }
        Ok(1)
    })?;
    Ok(added)
}
