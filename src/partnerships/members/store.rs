//! Membership changes: inviting organisations, answering, roles, contacts
//! and agreed cost shares. Each is audited in the partnership's history.

use diesel::prelude::*;

use super::model::{CostShares, InviteInput, MemberChange};
use crate::db::schema::partnership_members;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::partnerships::model::*;
use crate::partnerships::store;
use crate::policy::Action;
use crate::work::Work;

type W<'a, 'c> = &'a mut Work<'c, Partnership>;

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
pub fn invite(w: W, input: &InviteInput) -> AppResult<()> {
    let (pid, org) = (w.record.id, &input.organisation);
    let existing: Option<Member> = partnership_members::table
        .filter(partnership_members::partnership_id.eq(pid))
        .filter(partnership_members::organisation_id.eq(org.id))
        .select(Member::as_select())
        .first(w.conn)
        .optional()?;
    let now = crate::db::now();
    match existing {
        Some(m) if matches!(m.status, MemberStatus::Active | MemberStatus::Invited) => {
            let what = if m.status == MemberStatus::Active {
                "a member"
            } else {
                "invited"
            };
            return Err(AppError::invalid(
                "organisation",
                format!("{} is already {what}", org.name),
            ));
        }
        Some(m) => {
            diesel::update(partnership_members::table.find(m.id))
                .set((
                    partnership_members::role.eq(input.role),
                    partnership_members::status.eq(MemberStatus::Invited),
                    partnership_members::contact_name.eq(&input.contact.name),
                    partnership_members::contact_email.eq(&input.contact.email),
                    partnership_members::invited_at.eq(now),
                    partnership_members::responded_at.eq(None::<chrono::NaiveDateTime>),
                ))
                .execute(w.conn)?;
        }
        None => {
            diesel::insert_into(partnership_members::table)
                .values((
                    partnership_members::partnership_id.eq(pid),
                    partnership_members::organisation_id.eq(org.id),
                    partnership_members::role.eq(input.role),
                    partnership_members::status.eq(MemberStatus::Invited),
                    partnership_members::contact_name.eq(&input.contact.name),
                    partnership_members::contact_email.eq(&input.contact.email),
                    partnership_members::invited_at.eq(now),
                ))
                .execute(w.conn)?;
        }
    }
    let after = serde_json::json!({ "organisation": org.code, "role": input.role.code() });
    w.audit("partnership.member.invite", None, Some(after))
}

/// The invited organisation (the person's own) accepts or declines.
pub fn respond(w: W, accept: bool) -> AppResult<()> {
    let organisation_id = w.user()?.organisation_id;
    let m: Member = partnership_members::table
        .filter(partnership_members::partnership_id.eq(w.record.id))
        .filter(partnership_members::organisation_id.eq(organisation_id))
        .filter(partnership_members::status.eq(MemberStatus::Invited))
        .select(Member::as_select())
        .first(w.conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let status = if accept {
        MemberStatus::Active
    } else {
        MemberStatus::Declined
    };
    diesel::update(partnership_members::table.find(m.id))
        .set((
            partnership_members::status.eq(status),
            partnership_members::responded_at.eq(Some(crate::db::now())),
        ))
        .execute(w.conn)?;
    let action = if accept {
        "partnership.member.accept"
    } else {
        "partnership.member.decline"
    };
    w.audit(
        action,
        Some(serde_json::json!({ "member": m.id, "status": "invited" })),
        Some(serde_json::json!({ "member": m.id, "status": status.code() })),
    )
}

/// Changes a member's role or contact. Roles are the lead's to change
/// (`ManageMembership`); a contact may also be changed by that
/// organisation's own people (`owned::allow`). Making another member the
/// lead hands the lead over, so there is always exactly one.
pub fn update(w: W, member_id: i64, change: &MemberChange) -> AppResult<()> {
    let pid = w.record.id;
    let m = find(w.conn, pid, member_id)?;
    if change.role != m.role {
        w.allow(Action::ManageMembership(w.rel))?;
    } else {
        crate::partnerships::owned::allow(w, m.organisation_id)?;
    }
    if m.role == MemberRole::Lead && change.role != MemberRole::Lead {
        return Err(AppError::invalid(
            "role",
            "A partnership needs a lead: make another member the lead, and the lead passes to them",
        ));
    }
    let handover = change.role == MemberRole::Lead && m.role != MemberRole::Lead;
    if handover && m.status != MemberStatus::Active {
        return Err(AppError::invalid(
            "role",
            "Only an active member can lead: wait until they have accepted the invitation",
        ));
    }
    if handover {
        // The old lead stays on as a partner.
        diesel::update(
            partnership_members::table
                .filter(partnership_members::partnership_id.eq(pid))
                .filter(partnership_members::role.eq(MemberRole::Lead)),
        )
        .set(partnership_members::role.eq(MemberRole::Partner))
        .execute(w.conn)?;
    }
    diesel::update(partnership_members::table.find(m.id))
        .set((
            partnership_members::role.eq(change.role),
            partnership_members::contact_name.eq(&change.contact.name),
            partnership_members::contact_email.eq(&change.contact.email),
        ))
        .execute(w.conn)?;
    w.audit(
        "partnership.member.update",
        Some(serde_json::json!({ "member": m.id, "role": m.role.code(), "contact_name": m.contact_name, "contact_email": m.contact_email })),
        Some(serde_json::json!({ "member": m.id, "role": change.role.code(), "contact_name": change.contact.name, "contact_email": change.contact.email })),
    )
}

/// Removes a member (it is kept as "left", so history still names it).
pub fn remove(w: W, member_id: i64) -> AppResult<()> {
    let pid = w.record.id;
    let m = find(w.conn, pid, member_id)?;
    if m.role == MemberRole::Lead && m.status == MemberStatus::Active {
        return Err(AppError::invalid(
            "member",
            "The lead cannot leave: make another member the lead first",
        ));
    }
    diesel::update(partnership_members::table.find(m.id))
        .set((
            partnership_members::status.eq(MemberStatus::Left),
            partnership_members::cost_share_bp.eq(None::<i32>),
        ))
        .execute(w.conn)?;
    w.audit(
        "partnership.member.remove",
        Some(serde_json::json!({ "member": m.id, "status": m.status.code() })),
        Some(serde_json::json!({ "member": m.id, "status": "left" })),
    )
}

/// Agreed cost shares as given, (member id, basis points), checked against
/// the partnership's members as they are now.
pub fn check_cost_shares(
    conn: &mut DbConn,
    partnership_id: i64,
    shares: &[(i64, Option<i32>)],
) -> AppResult<CostShares> {
    let members = store::members(conn, partnership_id)?;
    CostShares::parse(shares, &members).map_err(AppError::Invalid)
}

/// Sets every active member's agreed cost share at once.
pub fn set_cost_shares(w: W, shares: &CostShares) -> AppResult<()> {
    let current = store::members(w.conn, w.record.id)?;
    let active: Vec<&MemberView> = current.iter().filter(|m| m.is_active()).collect();
    let share_of = |id: i64| {
        shares
            .0
            .iter()
            .find(|(m, _)| *m == id)
            .and_then(|(_, s)| *s)
    };
    let before: Vec<_> = active
        .iter()
        .map(|m| serde_json::json!({ "organisation": m.organisation_code, "share_bp": m.cost_share_bp }))
        .collect();
    for (id, share) in &shares.0 {
        diesel::update(partnership_members::table.find(id))
            .set(partnership_members::cost_share_bp.eq(share))
            .execute(w.conn)?;
    }
    let after: Vec<_> = active
        .iter()
        .map(|m| serde_json::json!({ "organisation": m.organisation_code, "share_bp": share_of(m.id) }))
        .collect();
    w.audit(
        "partnership.cost_shares",
        Some(serde_json::json!(before)),
        Some(serde_json::json!(after)),
    )
}
