//! Partnerships and their members: checks, reads and changes. Every change is
//! audited in the same transaction.

use chrono::{Months, NaiveDate};
use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Actor as AuditActor, Change};
use crate::db::schema::{
    lgsl_services, organisations, partnership_members, partnership_services, partnerships,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::orgs::model::Organisation;

pub const MAX_TEXT: usize = 5000;

/// The columns a person sets, for both INSERT and UPDATE.
macro_rules! partnership_fields {
    ($input:expr) => {
        (
            partnerships::name.eq($input.name.trim()),
            partnerships::purpose.eq($input.purpose.trim()),
            partnerships::kind.eq(&$input.kind),
            partnerships::degree.eq(&$input.degree),
            partnerships::stage.eq($input.stage),
            partnerships::status.eq(&$input.status),
            partnerships::visibility.eq(&$input.visibility),
            partnerships::start_date.eq($input.start_date),
            partnerships::end_date.eq($input.end_date),
            partnerships::decision_body.eq($input.decision_body.trim()),
            partnerships::decision_rule.eq($input.decision_rule.trim()),
            partnerships::meeting_cadence.eq($input.meeting_cadence.trim()),
            partnerships::review_cadence_months.eq($input.review_cadence_months),
            partnerships::exit_plan.eq($input.exit_plan.trim()),
        )
    };
}

/// Checks everything a person can type; field names match forms and JSON.
pub fn validate(input: &PartnershipInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter the partnership's name"));
    } else if name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "Name must be 200 characters or fewer",
        ));
    }
    for (field, value) in [("purpose", &input.purpose), ("exit_plan", &input.exit_plan)] {
        if value.chars().count() > MAX_TEXT {
            errors.push(FieldError::new(
                field,
                format!("Keep this to {MAX_TEXT} characters or fewer"),
            ));
        }
    }
    for (field, value) in [
        ("decision_body", &input.decision_body),
        ("decision_rule", &input.decision_rule),
        ("meeting_cadence", &input.meeting_cadence),
    ] {
        if value.chars().count() > 500 {
            errors.push(FieldError::new(
                field,
                "Keep this to 500 characters or fewer",
            ));
        }
    }
    if Kind::parse(&input.kind).is_none() {
        errors.push(FieldError::new("kind", "Select the type of partnership"));
    }
    if Degree::parse(&input.degree).is_none() {
        errors.push(FieldError::new(
            "degree",
            "Select where the partnership sits on the collaboration spectrum",
        ));
    }
    if !(1..=8).contains(&input.stage) {
        errors.push(FieldError::new(
            "stage",
            "Select the lifecycle stage, 1 to 8",
        ));
    }
    if Status::parse(&input.status).is_none() {
        errors.push(FieldError::new("status", "Select the partnership's status"));
    }
    if Visibility::parse(&input.visibility).is_none() {
        errors.push(FieldError::new(
            "visibility",
            "Select who can see the partnership",
        ));
    }
    if let (Some(s), Some(e)) = (input.start_date, input.end_date) {
        if e <= s {
            errors.push(FieldError::new(
                "end_date",
                "The end date must be after the start date",
            ));
        }
    }
    if let Some(m) = input.review_cadence_months {
        if !(1..=60).contains(&m) {
            errors.push(FieldError::new(
                "review_cadence_months",
                "Review cadence must be from 1 to 60 months",
            ));
        }
    }
    errors
}

fn check_services(conn: &mut DbConn, services: &[i64]) -> AppResult<()> {
    if services.is_empty() {
        return Ok(());
    }
    let known: Vec<i64> = lgsl_services::table
        .filter(lgsl_services::id.eq_any(services))
        .select(lgsl_services::id)
        .load(conn)?;
    if let Some(missing) = services.iter().find(|s| !known.contains(s)) {
        return Err(AppError::invalid(
            "services",
            format!("There is no LGSL service {missing}"),
        ));
    }
    Ok(())
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
    let p: Partnership = partnerships::table
        .find(partnership_id)
        .select(Partnership::as_select())
        .first(conn)?;
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
    let mut unique = services.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for s in unique {
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
    let errors = validate(input);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    check_services(conn, &input.services)?;
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
            partnership_members::role.eq(MemberRole::Lead.code()),
            partnership_members::status.eq(MemberStatus::Active.code()),
            partnership_members::invited_at.eq(now),
            partnership_members::responded_at.eq(Some(now)),
        ))
        .execute(conn)?;
    refresh_next_review(conn, id)?;
    audit::record(
        conn,
        actor,
        Change {
            action: "partnership.create".into(),
            entity_type: "partnership".into(),
            entity_id: id.to_string(),
            organisation_id: Some(lead.id),
            before: None,
            after: audit::to_json(input),
            organisations: Vec::new(),
        },
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

/// The form's view of a partnership, for editing.
pub fn input_of(conn: &mut DbConn, p: &Partnership) -> AppResult<PartnershipInput> {
    Ok(PartnershipInput {
        name: p.name.clone(),
        purpose: p.purpose.clone(),
        kind: p.kind.clone(),
        degree: p.degree.clone(),
        stage: p.stage,
        status: p.status.clone(),
        visibility: p.visibility.clone(),
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

pub fn update(
    conn: &mut DbConn,
    p: &Partnership,
    input: &PartnershipInput,
    actor: &AuditActor,
) -> AppResult<Partnership> {
    let errors = validate(input);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    check_services(conn, &input.services)?;
    let before = input_of(conn, p)?;
    diesel::update(partnerships::table.find(p.id))
        .set((
            partnership_fields!(input),
            partnerships::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    set_services(conn, p.id, &input.services)?;
    refresh_next_review(conn, p.id)?;
    audit::record(
        conn,
        actor,
        Change {
            action: "partnership.update".into(),
            entity_type: "partnership".into(),
            entity_id: p.id.to_string(),
            organisation_id: None,
            before: audit::to_json(&before),
            after: audit::to_json(input),
            organisations: Vec::new(),
        },
    )?;
    get(conn, p.id)
}

/// Marks a partnership as changed (sub-records call this so lists sort by activity).
pub fn touch(conn: &mut DbConn, id: i64) -> AppResult<()> {
    diesel::update(partnerships::table.find(id))
        .set(partnerships::updated_at.eq(crate::db::now()))
        .execute(conn)?;
    Ok(())
}

/// Records a change to anything inside a partnership in its history.
pub fn record(
    conn: &mut DbConn,
    actor: &AuditActor,
    partnership_id: i64,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    touch(conn, partnership_id)?;
    audit::record(
        conn,
        actor,
        Change {
            action: action.to_string(),
            entity_type: "partnership".into(),
            entity_id: partnership_id.to_string(),
            organisation_id: None,
            before,
            after,
            organisations: Vec::new(),
        },
    )?;
    Ok(())
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
            role: MemberRole::parse(&m.role).unwrap_or(MemberRole::Observer),
            status: MemberStatus::parse(&m.status).unwrap_or(MemberStatus::Left),
            contact_name: m.contact_name,
            contact_email: m.contact_email,
            cost_share_bp: m.cost_share_bp,
            population,
        })
        .collect())
}

/// Active member organisations as (organisation id, code, name), for choosing an owner or payer.
pub fn active_member_orgs(
    conn: &mut DbConn,
    partnership_id: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(partnership_members::table
        .inner_join(organisations::table)
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::status.eq(MemberStatus::Active.code()))
        .order(organisations::name.asc())
        .select((organisations::id, organisations::code, organisations::name))
        .load(conn)?)
}

/// The organisation id for a code, if it is an active member; for checking owners and payers.
pub fn active_member_id(
    conn: &mut DbConn,
    partnership_id: i64,
    code: &str,
    field: &str,
) -> AppResult<i64> {
    active_member_orgs(conn, partnership_id)?
        .into_iter()
        .find(|(_, c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(id, _, _)| id)
        .ok_or_else(|| {
            AppError::invalid(
                field,
                if code.trim().is_empty() {
                    "Select a member organisation".to_string()
                } else {
                    format!(
                        "{} is not an active member of this partnership",
                        code.trim()
                    )
                },
            )
        })
}

pub fn view(conn: &mut DbConn, p: &Partnership) -> AppResult<PartnershipView> {
    Ok(PartnershipView {
        id: p.id,
        name: p.name.clone(),
        purpose: p.purpose.clone(),
        kind: Kind::parse(&p.kind).unwrap_or(Kind::Network),
        degree: Degree::parse(&p.degree).unwrap_or(Degree::Networking),
        stage: p.stage,
        status: Status::parse(&p.status).unwrap_or(Status::Proposed),
        visibility: p.visibility(),
        start_date: p.start_date,
        end_date: p.end_date,
        decision_body: p.decision_body.clone(),
        decision_rule: p.decision_rule.clone(),
        meeting_cadence: p.meeting_cadence.clone(),
        review_cadence_months: p.review_cadence_months,
        next_review_due: p.next_review_due,
        exit_plan: p.exit_plan.clone(),
        services: services_of(conn, p.id)?.into_iter().map(|s| s.id).collect(),
        members: members(conn, p.id)?,
        updated_at: p.updated_at,
    })
}

/// Active members' organisation codes per partnership, lead first.
pub fn member_codes(
    conn: &mut DbConn,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, Vec<String>>> {
    let mut map: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String, String)> = partnership_members::table
            .inner_join(organisations::table)
            .filter(partnership_members::partnership_id.eq_any(chunk))
            .filter(partnership_members::status.eq(MemberStatus::Active.code()))
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
            if role == MemberRole::Lead.code() {
                list.insert(0, code)
            } else {
                list.push(code)
            }
        }
    }
    Ok(map)
}
