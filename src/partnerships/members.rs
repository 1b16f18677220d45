//! Membership: inviting organisations, answering, roles, contacts and agreed
//! cost shares.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::*;
use super::store::{self, record};
use crate::audit::Actor as AuditActor;
use crate::db::schema::partnership_members;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};

#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct InviteInput {
    /// Organisation code, e.g. LDS.
    pub organisation: String,
    /// `lead`, `partner`, `supplier` or `observer`.
    pub role: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
}

fn check_contact(name: &str, email: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if name.chars().count() > 100 {
        errors.push(FieldError::new(
            "contact_name",
            "Contact name must be 100 characters or fewer",
        ));
    }
    if !email.trim().is_empty() && !crate::users::store::valid_email(email.trim()) {
        errors.push(FieldError::new(
            "contact_email",
            "Enter the contact's email address in the correct format, like name@council.gov.uk",
        ));
    }
    errors
}

fn find(conn: &mut DbConn, partnership_id: i64, member_id: i64) -> AppResult<Member> {
    partnership_members::table
        .filter(partnership_members::id.eq(member_id))
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .select(Member::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Invites an organisation. Re-inviting one that declined or left asks again.
pub fn invite(
    conn: &mut DbConn,
    p: &Partnership,
    input: &InviteInput,
    actor: &AuditActor,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let org = if input.organisation.trim().is_empty() {
        errors.push(FieldError::new(
            "organisation",
            "Enter the code of the organisation to invite, like LDS",
        ));
        None
    } else {
        match crate::orgs::store::find(conn, &input.organisation) {
            Ok(o) if o.is_current => Some(o),
            Ok(o) => {
                errors.push(FieldError::new(
                    "organisation",
                    format!("{} no longer exists", o.name),
                ));
                None
            }
            Err(AppError::NotFound) => {
                errors.push(FieldError::new(
                    "organisation",
                    format!(
                        "No organisation has the code '{}'",
                        input.organisation.trim()
                    ),
                ));
                None
            }
            Err(e) => return Err(e),
        }
    };
    let role = MemberRole::parse(&input.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "Select the organisation's role"));
    }
    errors.extend(check_contact(&input.contact_name, &input.contact_email));
    let (Some(org), Some(role), true) = (org, role, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };

    let existing: Option<Member> = partnership_members::table
        .filter(partnership_members::partnership_id.eq(p.id))
        .filter(partnership_members::organisation_id.eq(org.id))
        .select(Member::as_select())
        .first(conn)
        .optional()?;
    let now = crate::db::now();
    match existing {
        Some(m)
            if m.status == MemberStatus::Active.code()
                || m.status == MemberStatus::Invited.code() =>
        {
            return Err(AppError::invalid(
                "organisation",
                format!(
                    "{} is already {}",
                    org.name,
                    if m.status == "active" {
                        "a member"
                    } else {
                        "invited"
                    }
                ),
            ));
        }
        Some(m) => {
            diesel::update(partnership_members::table.find(m.id))
                .set((
                    partnership_members::role.eq(role.code()),
                    partnership_members::status.eq(MemberStatus::Invited.code()),
                    partnership_members::contact_name.eq(input.contact_name.trim()),
                    partnership_members::contact_email.eq(input.contact_email.trim()),
                    partnership_members::invited_at.eq(now),
                    partnership_members::responded_at.eq(None::<chrono::NaiveDateTime>),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(partnership_members::table)
                .values((
                    partnership_members::partnership_id.eq(p.id),
                    partnership_members::organisation_id.eq(org.id),
                    partnership_members::role.eq(role.code()),
                    partnership_members::status.eq(MemberStatus::Invited.code()),
                    partnership_members::contact_name.eq(input.contact_name.trim()),
                    partnership_members::contact_email.eq(input.contact_email.trim()),
                    partnership_members::invited_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    record(
        conn,
        actor,
        p.id,
        "partnership.member.invite",
        None,
        Some(serde_json::json!({ "organisation": org.code, "role": role.code() })),
    )
}

/// The invited organisation accepts or declines.
pub fn respond(
    conn: &mut DbConn,
    p: &Partnership,
    organisation_id: i64,
    accept: bool,
    actor: &AuditActor,
) -> AppResult<()> {
    let m: Member = partnership_members::table
        .filter(partnership_members::partnership_id.eq(p.id))
        .filter(partnership_members::organisation_id.eq(organisation_id))
        .filter(partnership_members::status.eq(MemberStatus::Invited.code()))
        .select(Member::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let status = if accept {
        MemberStatus::Active
    } else {
        MemberStatus::Declined
    };
    diesel::update(partnership_members::table.find(m.id))
        .set((
            partnership_members::status.eq(status.code()),
            partnership_members::responded_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    record(
        conn,
        actor,
        p.id,
        if accept {
            "partnership.member.accept"
        } else {
            "partnership.member.decline"
        },
        Some(serde_json::json!({ "member": m.id, "status": "invited" })),
        Some(serde_json::json!({ "member": m.id, "status": status.code() })),
    )
}

#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct MemberUpdate {
    /// `lead`, `partner`, `supplier` or `observer`.
    pub role: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
}

fn active_leads(conn: &mut DbConn, partnership_id: i64) -> AppResult<i64> {
    Ok(partnership_members::table
        .filter(partnership_members::partnership_id.eq(partnership_id))
        .filter(partnership_members::status.eq(MemberStatus::Active.code()))
        .filter(partnership_members::role.eq(MemberRole::Lead.code()))
        .count()
        .get_result(conn)?)
}

pub fn update(
    conn: &mut DbConn,
    p: &Partnership,
    member_id: i64,
    input: &MemberUpdate,
    actor: &AuditActor,
) -> AppResult<()> {
    let m = find(conn, p.id, member_id)?;
    let mut errors = Vec::new();
    let role = MemberRole::parse(&input.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "Select the organisation's role"));
    }
    errors.extend(check_contact(&input.contact_name, &input.contact_email));
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if m.role == MemberRole::Lead.code()
        && role != MemberRole::Lead
        && m.status == MemberStatus::Active.code()
        && active_leads(conn, p.id)? <= 1
    {
        return Err(AppError::invalid(
            "role",
            "A partnership needs a lead: make another member the lead first",
        ));
    }
    diesel::update(partnership_members::table.find(m.id))
        .set((
            partnership_members::role.eq(role.code()),
            partnership_members::contact_name.eq(input.contact_name.trim()),
            partnership_members::contact_email.eq(input.contact_email.trim()),
        ))
        .execute(conn)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.member.update",
        Some(
            serde_json::json!({ "member": m.id, "role": m.role, "contact_name": m.contact_name, "contact_email": m.contact_email }),
        ),
        Some(
            serde_json::json!({ "member": m.id, "role": role.code(), "contact_name": input.contact_name.trim(), "contact_email": input.contact_email.trim() }),
        ),
    )
}

/// Removes a member (it is kept as "left", so history still names it).
pub fn remove(
    conn: &mut DbConn,
    p: &Partnership,
    member_id: i64,
    actor: &AuditActor,
) -> AppResult<()> {
    let m = find(conn, p.id, member_id)?;
    if m.role == MemberRole::Lead.code()
        && m.status == MemberStatus::Active.code()
        && active_leads(conn, p.id)? <= 1
    {
        return Err(AppError::invalid(
            "member",
            "The only lead cannot leave: make another member the lead first",
        ));
    }
    diesel::update(partnership_members::table.find(m.id))
        .set((
            partnership_members::status.eq(MemberStatus::Left.code()),
            partnership_members::cost_share_bp.eq(None::<i32>),
        ))
        .execute(conn)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.member.remove",
        Some(serde_json::json!({ "member": m.id, "status": m.status })),
        Some(serde_json::json!({ "member": m.id, "status": "left" })),
    )
}

/// Sets every active member's agreed cost share at once. Either all are
/// blank (no agreement), or all are given and add up to exactly 100%.
pub fn set_cost_shares(
    conn: &mut DbConn,
    p: &Partnership,
    shares: &[(i64, Option<i32>)],
    actor: &AuditActor,
) -> AppResult<()> {
    let current = store::members(conn, p.id)?;
    let active: Vec<&MemberView> = current.iter().filter(|m| m.is_active()).collect();
    let mut errors = Vec::new();
    for m in &active {
        if !shares.iter().any(|(id, _)| *id == m.id) {
            errors.push(FieldError::new(
                &format!("share-{}", m.id),
                format!("Give a share for {}", m.organisation_name),
            ));
        }
    }
    if let Some((id, _)) = shares
        .iter()
        .find(|(id, _)| !active.iter().any(|m| m.id == *id))
    {
        errors.push(FieldError::new(
            "shares",
            format!("Member {id} is not an active member of this partnership"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let given: Vec<i32> = shares.iter().filter_map(|(_, s)| *s).collect();
    if !given.is_empty() {
        if given.len() != shares.len() {
            return Err(AppError::invalid(
                "shares",
                "Give a share for every member, or leave them all blank",
            ));
        }
        let total: i32 = given.iter().sum();
        if total != 10_000 {
            return Err(AppError::invalid(
                "shares",
                format!(
                    "Shares must add up to 100%; these add up to {}",
                    crate::money::percent(total)
                ),
            ));
        }
    }
    let before: Vec<_> = active.iter().map(|m| serde_json::json!({ "organisation": m.organisation_code, "share_bp": m.cost_share_bp })).collect();
    for (id, share) in shares {
        diesel::update(partnership_members::table.find(id))
            .set(partnership_members::cost_share_bp.eq(share))
            .execute(conn)?;
    }
    let after: Vec<_> =
        active.iter().map(|m| serde_json::json!({ "organisation": m.organisation_code, "share_bp": shares.iter().find(|(id, _)| *id == m.id).and_then(|(_, s)| *s) })).collect();
    record(
        conn,
        actor,
        p.id,
        "partnership.cost_shares",
        Some(serde_json::json!(before)),
        Some(serde_json::json!(after)),
    )
}
