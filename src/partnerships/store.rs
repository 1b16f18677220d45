//! Partnerships and their members: reads and changes. Every change is
//! audited in the same transaction, through the unit of work.

use chrono::{Months, NaiveDate};
use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Actor as AuditActor, Change};
use crate::db::schema::{
    lgsl_services, organisations, partnership_members, partnership_services, partnerships,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::orgs::model::Organisation;
use crate::policy::Action;
use crate::work::Work;

/// The columns a person sets, for both INSERT and UPDATE.
macro_rules! partnership_fields {
    ($input:expr) => {
        (
            partnerships::name.eq(&$input.name),
            partnerships::purpose.eq(&$input.purpose),
            partnerships::kind.eq($input.kind),
            partnerships::degree.eq($input.degree),
            partnerships::stage.eq($input.stage),
            partnerships::status.eq($input.status),
            partnerships::visibility.eq($input.visibility),
            partnerships::start_date.eq($input.start_date),
            partnerships::end_date.eq($input.end_date),
            partnerships::decision_body.eq(&$input.decision_body),
            partnerships::decision_rule.eq(&$input.decision_rule),
            partnerships::meeting_cadence.eq(&$input.meeting_cadence),
            partnerships::review_cadence_months.eq($input.review_cadence_months),
            partnerships::exit_plan.eq(&$input.exit_plan),
        )
    };
}

/// When the next review falls due: a cadence after the last review, or after
/// the start (or creation) if there has been none.
pub fn next_review(
    cadence_months: Option<i32>,
    last_review: Option<NaiveDate>,
    start: Option<NaiveDate>,
    created: NaiveDate,
) -> Option<NaiveDate> {
    let months = u32::try_from(cadence_months?).ok()?;
    last_review
        .or(start)
        .unwrap_or(created)
        .checked_add_months(Months::new(months))
}

fn last_review_date(conn: &mut DbConn, partnership_id: i64) -> AppResult<Option<NaiveDate>> {
    use crate::db::schema::reviews;
    Ok(reviews::table
        .filter(reviews::partnership_id.eq(partnership_id))
        .select(diesel::dsl::max(reviews::held_on))
        .first(conn)?)
}

/// Recomputes the stored next-review date (kept in the table so the
/// portfolio can sort and flag overdue reviews across many partnerships).
pub fn refresh_next_review(conn: &mut DbConn, partnership_id: i64) -> AppResult<()> {
    let p = get(conn, partnership_id)?;
    let due = next_review(
        p.review_cadence_months,
        last_review_date(conn, p.id)?,
        p.start_date,
        p.created_at.date(),
    );
    diesel::update(partnerships::table.find(partnership_id))
        .set(partnerships::next_review_due.eq(due))
        .execute(conn)?;
    Ok(())
}

fn set_services(conn: &mut DbConn, partnership_id: i64, services: &[i64]) -> AppResult<()> {
    diesel::delete(
        partnership_services::table.filter(partnership_services::partnership_id.eq(partnership_id)),
    )
    .execute(conn)?;
    for s in services {
        diesel::insert_into(partnership_services::table)
            .values((
                partnership_services::partnership_id.eq(partnership_id),
                partnership_services::service_id.eq(s),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Creates a partnership led by `lead`, which becomes its first active member.
pub fn create(
    conn: &mut DbConn,
    input: &PartnershipInput,
    lead: &Organisation,
    created_by: Option<i64>,
    actor: &AuditActor,
) -> AppResult<Partnership> {
    crate::lgsl::store::check_exist(conn, &input.services)?;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(partnerships::table)
        .values((
            partnership_fields!(input),
            partnerships::created_by.eq(created_by),
            partnerships::created_at.eq(now),
            partnerships::updated_at.eq(now),
        ))
        .returning(partnerships::id)
        .get_result(conn)?;
    set_services(conn, id, &input.services)?;
    diesel::insert_into(partnership_members::table)
        .values((
            partnership_members::partnership_id.eq(id),
            partnership_members::organisation_id.eq(lead.id),
            partnership_members::role.eq(MemberRole::Lead),
            partnership_members::status.eq(MemberStatus::Active),
            partnership_members::invited_at.eq(now),
            partnership_members::responded_at.eq(Some(now)),
        ))
        .execute(conn)?;
    refresh_next_review(conn, id)?;
    audit::record(
        conn,
        actor,
        Change::new("partnership.create", "partnership", id)
            .scoped("partnership", id)
            .in_organisation(lead.id)
            .after(input),
    )?;
    get(conn, id)
}

pub fn get(conn: &mut DbConn, id: i64) -> AppResult<Partnership> {
    Ok(partnerships::table
        .find(id)
        .select(Partnership::as_select())
        .first(conn)?)
}

pub fn services_of(conn: &mut DbConn, id: i64) -> AppResult<Vec<crate::lgsl::store::Service>> {
    Ok(partnership_services::table
        .inner_join(lgsl_services::table)
        .filter(partnership_services::partnership_id.eq(id))
        .order(lgsl_services::label.asc())
        .select(crate::lgsl::store::Service::as_select())
        .load(conn)?)
}

/// What the edit form starts from: the partnership as it is.
pub fn draft_of(conn: &mut DbConn, p: &Partnership) -> AppResult<PartnershipDraft> {
    Ok(PartnershipDraft {
        name: p.name.clone(),
        purpose: p.purpose.clone(),
        kind: p.kind.code().into(),
        degree: p.degree.code().into(),
        stage: p.stage,
        status: p.status.code().into(),
        visibility: p.visibility.code().into(),
        start_date: p.start_date,
        end_date: p.end_date,
        services: services_of(conn, p.id)?.into_iter().map(|s| s.id).collect(),
        decision_body: p.decision_body.clone(),
        decision_rule: p.decision_rule.clone(),
        meeting_cadence: p.meeting_cadence.clone(),
        review_cadence_months: p.review_cadence_months,
        exit_plan: p.exit_plan.clone(),
    })
}

pub fn update(w: &mut Work<'_, Partnership>, input: &PartnershipInput) -> AppResult<Partnership> {
    let id = w.record.id;
    if input.visibility != w.record.visibility {
        w.allow(Action::ChangeVisibility(w.rel))
            .map_err(|e| match e {
                AppError::Forbidden => AppError::invalid(
                    "visibility",
                    "Only the lead organisation can change who can see the partnership",
                ),
                e => e,
            })?;
    }
    crate::lgsl::store::check_exist(w.conn, &input.services)?;
    let before = draft_of(w.conn, &w.record)?;
    diesel::update(partnerships::table.find(id))
        .set((
            partnership_fields!(input),
            partnerships::updated_at.eq(crate::db::now()),
        ))
        .execute(w.conn)?;
    set_services(w.conn, id, &input.services)?;
    refresh_next_review(w.conn, id)?;
    w.audit(
        "partnership.update",
        audit::to_json(&before),
        audit::to_json(input),
    )?;
    w.reload()?;
    Ok(w.record.clone())
}

pub fn members(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<MemberView>> {
    let rows: Vec<(Member, String, String, Option<i64>)> = partnership_members::table
        .inner_join(organisations::table)
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .order((partnership_members::id.asc(),))
        .select((
            Member::as_select(),
            organisations::code,
            organisations::name,
            organisations::population,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(m, code, name, population)| MemberView {
            id: m.id,
            organisation_code: code,
            organisation_name: name,
            role: m.role,
            status: m.status,
            contact_name: m.contact_name,
            contact_email: m.contact_email,
            cost_share_bp: m.cost_share_bp,
            population,
        })
        .collect())
}

/// The members as `rel` may see them: contact email addresses are for
/// signed-in people of member organisations only.
pub fn members_as_seen(
    conn: &mut DbConn,
    partnership_id: i64,
    rel: crate::policy::Relation,
) -> AppResult<Vec<MemberView>> {
    let mut members = members(conn, partnership_id)?;
    if !super::history::shows_emails(rel) {
        for m in &mut members {
            m.contact_email.clear();
        }
    }
    Ok(members)
}

/// The active member organisations, by name, for choosing an owner or a
/// payer and for checking one.
pub fn active_members(conn: &mut DbConn, partnership_id: i64) -> AppResult<ActiveMembers> {
    let rows: Vec<(i64, String, String)> = partnership_members::table
        .inner_join(organisations::table)
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::status.eq(MemberStatus::Active))
        .order(organisations::name.asc())
        .select((organisations::id, organisations::code, organisations::name))
        .load(conn)?;
    Ok(ActiveMembers(
        rows.into_iter()
            .map(|(organisation_id, code, name)| ActiveMember {
                organisation_id,
                code,
                name,
            })
            .collect(),
    ))
}

pub fn view(
    conn: &mut DbConn,
    p: &Partnership,
    rel: crate::policy::Relation,
) -> AppResult<PartnershipView> {
    Ok(PartnershipView {
        details: p.clone(),
        services: services_of(conn, p.id)?.into_iter().map(|s| s.id).collect(),
        members: members_as_seen(conn, p.id, rel)?,
    })
}

/// Active members' organisation codes per partnership, lead first.
pub fn member_codes(
    conn: &mut DbConn,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, Vec<String>>> {
    let mut map: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, MemberRole, String)> = partnership_members::table
            .inner_join(organisations::table)
            .filter(partnership_members::partnership_id.eq_any(chunk))
            .filter(partnership_members::status.eq(MemberStatus::Active))
            .order((
                partnership_members::partnership_id.asc(),
                partnership_members::id.asc(),
            ))
            .select((
                partnership_members::partnership_id,
                partnership_members::role,
                organisations::code,
            ))
            .load(conn)?;
        for (pid, role, code) in rows {
            let list = map.entry(pid).or_default();
            if role == MemberRole::Lead {
                list.insert(0, code)
            } else {
                list.push(code)
            }
        }
    }
    Ok(map)
}
