//! Rounds: starting one (inside the partnership's unit of work), reading
//! one with its response rates, the rounds a person may see, closing.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use crate::db::schema::{
    health_invitations as hi, health_rounds as hr, organisations as o, partnership_members as pm,
    partnerships as p,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::health::questionnaire::store as questionnaires;
use crate::partnerships::model::{MemberStatus, Partnership};
use crate::policy::Actor;
use crate::work::Work;

/// The questionnaires a round on this partnership may use (ids, Concord's first).
pub fn usable_questionnaires(
    conn: &mut DbConn,
    organisation_id: Option<i64>,
) -> AppResult<Vec<i64>> {
    Ok(questionnaires::usable_by(conn, organisation_id, false)?
        .into_iter()
        .map(|q| q.id)
        .collect())
}

/// Starts a round on the partnership with the questionnaire's latest version.
pub fn create(w: &mut Work<'_, Partnership>, input: &RoundInput) -> AppResult<HealthRound> {
    let (version_id, _, _) = questionnaires::latest_version(w.conn, input.questionnaire_id)?
        .ok_or(AppError::NotFound)?;
    let id: i64 = diesel::insert_into(hr::table)
        .values((
            hr::partnership_id.eq(w.record.id),
            hr::version_id.eq(version_id),
            hr::title.eq(&input.title),
            hr::opens_on.eq(input.opens_on),
            hr::closes_on.eq(input.closes_on),
            hr::status.eq(RoundStatus::Open),
            hr::created_by.eq(w.user_id()),
            hr::created_at.eq(crate::db::now()),
            hr::min_group.eq(input.min_group),
            hr::divergence_gap.eq(input.divergence_gap),
        ))
        .returning(hr::id)
        .get_result(w.conn)?;
    let round: HealthRound = hr::table
        .find(id)
        .select(HealthRound::as_select())
        .first(w.conn)?;
    let questionnaire = questionnaire_label(w.conn, round.version_id)?;
    w.audit(
        "partnership.health_check.create",
        None,
        Some(serde_json::json!({
            "round": round.id,
            "title": round.title,
            "opens_on": round.opens_on,
            "closes_on": round.closes_on,
            "questionnaire": questionnaire,
            "min_group": round.min_group,
            "divergence_gap": points(round.divergence_gap),
        })),
    )?;
    Ok(round)
}

/// "Name, version N", for the audit trail.
fn questionnaire_label(conn: &mut DbConn, version_id: i64) -> AppResult<String> {
    let (_, name, version) = questionnaires::version_label(conn, version_id)?;
    Ok(format!("{name}, version {version}"))
}

/// Closes a round early: no more answers. Closing again changes nothing.
pub fn close(w: &mut Work<'_, HealthRound>) -> AppResult<()> {
    if w.record.status == RoundStatus::Closed {
        return Ok(());
    }
    diesel::update(hr::table.find(w.record.id))
        .set(hr::status.eq(RoundStatus::Closed))
        .execute(w.conn)?;
    // A round closing can change later rounds' trends: recompute them all.
    crate::health::report::summary::forget(w.conn, w.record.partnership_id)?;
    w.audit(
        "health_round.close",
        Some(serde_json::json!({"status": "open"})),
        Some(serde_json::json!({"status": "closed"})),
    )?;
    w.reload()
}

/// Invited and answered, by member organisation and by role (counts only).
pub fn rates(conn: &mut DbConn, round_id: i64) -> AppResult<(Vec<Rate>, Vec<Rate>)> {
    let rows: Vec<(String, String, StakeholderRole, bool)> = hi::table
        .inner_join(o::table)
        .filter(hi::round_id.eq(round_id))
        .select((o::code, o::name, hi::role, hi::responded_at.is_not_null()))
        .load(conn)?;
    let mut by_partner: Vec<Rate> = Vec::new();
    for (code, name, _, answered) in &rows {
        match by_partner.iter_mut().find(|r| &r.code == code) {
            Some(r) => {
                r.invited += 1;
                r.responded += *answered as i64;
            }
            None => by_partner.push(Rate {
                code: code.clone(),
                label: name.clone(),
                invited: 1,
                responded: *answered as i64,
            }),
        }
    }
    by_partner.sort_by(|a, b| a.label.cmp(&b.label));
    let by_role = StakeholderRole::ALL
        .iter()
        .map(|role| Rate {
            code: role.code().to_string(),
            label: role.label().to_string(),
            invited: rows.iter().filter(|r| r.2 == *role).count() as i64,
            responded: rows.iter().filter(|r| r.2 == *role && r.3).count() as i64,
        })
        .filter(|r| r.invited > 0)
        .collect();
    Ok((by_partner, by_role))
}

/// The round as the pages and API show it.
pub fn view(conn: &mut DbConn, round: &HealthRound, today: NaiveDate) -> AppResult<RoundView> {
    let partnership_name: String = p::table
        .find(round.partnership_id)
        .select(p::name)
        .first(conn)?;
    let (questionnaire_id, questionnaire_name, questionnaire_version) =
        questionnaires::version_label(conn, round.version_id)?;
    let (by_partner, by_role) = rates(conn, round.id)?;
    Ok(RoundView {
        id: round.id,
        partnership_id: round.partnership_id,
        partnership_name,
        title: round.title.clone(),
        questionnaire_id,
        questionnaire_name,
        questionnaire_version,
        opens_on: round.opens_on,
        closes_on: round.closes_on,
        status: round.status,
        min_group: round.min_group,
        divergence_gap: f64::from(round.divergence_gap) / 100.0,
        taking_answers: round.takes_answers(today),
        invited: by_partner.iter().map(|r| r.invited).sum(),
        responded: by_partner.iter().map(|r| r.responded).sum(),
        by_partner,
        by_role,
        created_at: round.created_at,
    })
}

/// A partnership's rounds, newest first.
pub fn of_partnership(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<HealthRound>> {
    Ok(hr::table
        .filter(hr::partnership_id.eq(partnership_id))
        .order((hr::opens_on.desc(), hr::id.desc()))
        .select(HealthRound::as_select())
        .load(conn)?)
}

/// The rounds a person may see: those of partnerships their organisation is
/// an active member of (the SQL twin of `ViewHealthReport`), newest first.
pub fn visible_to(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<HealthRound>> {
    let mine = pm::table
        .filter(pm::organisation_id.eq(actor.organisation_id))
        .filter(pm::status.eq(MemberStatus::Active))
        .select(pm::partnership_id);
    Ok(hr::table
        .filter(hr::partnership_id.eq_any(mine))
        .order((hr::opens_on.desc(), hr::id.desc()))
        .limit(500)
        .select(HealthRound::as_select())
        .load(conn)?)
}
