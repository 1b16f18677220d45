//! "Start a partnership from this need": one action by the need's owner, in
//! the need's transaction. The partnership is led by the owner, named after
//! the need, its purpose the need's problem, with the need's LGSL services;
//! every organisation whose interest as contributor or co-funder was
//! accepted is invited as a partner (its admins accept as for any
//! invitation). When anything was pledged, each member's agreed cost share
//! is what it puts in (see `funding`): co-funders their pledge, the owner
//! the rest of the target. The need then points at the partnership and closes.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::funding;
use crate::db::schema::{need_collaborations, need_services, needs, partnership_members as pm};
use crate::error::{AppError, AppResult};
use crate::needs::model::{Collaboration, Need, NeedStatus};
use crate::notifications::{deliver, Note, NotificationKind, Subject};
use crate::partnerships::members::model::{Contact, InviteInput};
use crate::partnerships::model::{MemberRole, Partnership, PartnershipDraft, PartnershipInput};
use crate::policy::Action;
use crate::work::Work;

/// What converting made (`POST /api/v1/needs/{id}/convert`).
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Converted {
    pub partnership_id: i64,
    /// The partnership's page.
    pub link: String,
    /// Register codes of the organisations invited as partners.
    pub invited: Vec<String>,
}

pub fn convert(w: &mut Work<'_, Need>) -> AppResult<Converted> {
    if let Some(pid) = w.record.partnership_id {
        return Err(AppError::Conflict(format!(
            "This need has already become a partnership: see /partnerships/{pid}"
        )));
    }
    if w.record.status == NeedStatus::Closed {
        return Err(AppError::Conflict(
            "This need is closed: open it again before starting a partnership from it".into(),
        ));
    }
    let need = w.record.clone();
    let parties = funding::parties(w.conn, &need)?;
    let partners = &parties[1..];
    if partners.is_empty() {
        return Err(AppError::Conflict(
            "Accept at least one organisation's interest as contributor or co-funder first: they become the partners".into(),
        ));
    }
    let services: Vec<i64> = need_services::table
        .filter(need_services::need_id.eq(need.id))
        .select(need_services::service_id)
        .load(w.conn)?;
    let wants: Vec<Collaboration> = need_collaborations::table
        .filter(need_collaborations::need_id.eq(need.id))
        .select(need_collaborations::collaboration)
        .load(w.conn)?;
    let pledged: i64 = partners
        .iter()
        .filter_map(|p| p.share.as_ref())
        .map(|s| s.0)
        .sum();
    let kind = if pledged > 0 || wants.contains(&Collaboration::ShareFunding) {
        "pooled_budget"
    } else if wants.contains(&Collaboration::BuyTogether) {
        "joint_procurement"
    } else {
        "shared_service"
    };
    let draft = PartnershipDraft {
        name: need.title.clone(),
        purpose: need.problem.clone(),
        kind: kind.into(),
        degree: "collaborating".into(),
        stage: 1,
        status: "proposed".into(),
        visibility: need.visibility.as_policy().code().into(),
        start_date: need.start_date,
        end_date: need.end_date,
        services,
        ..Default::default()
    };
    // Nothing was sent to judge: a need whose details a partnership cannot
    // take (dates, say) is in the wrong state, not bad input.
    let input = PartnershipInput::parse(&draft).map_err(|e| {
        AppError::Conflict(format!(
            "The need cannot become a partnership as it stands: {}",
            AppError::Invalid(e).describe()
        ))
    })?;
    let lead = crate::orgs::store::find_by_id(w.conn, need.organisation_id)?;
    let actor = w.actor()?;
    let person = w.person().cloned();
    let p = crate::partnerships::store::create(w.conn, &input, &lead, w.user_id(), &actor)?;

    // Inviting goes through the partnership's own unit of work, so its
    // history records who invited whom, as if done on its members page.
    let mut pw: Work<'_, Partnership> = match person {
        Some(user) => Work::open(&mut *w.conn, p.id, Some(user), Action::ManageMembership)?,
        None => Work::system(&mut *w.conn, p.id, "need conversion")?,
    };
    let mut invited = Vec::new();
    for party in partners {
        let organisation = crate::orgs::store::find_by_id(pw.conn, party.id)?;
        invited.push(organisation.code.clone());
        crate::partnerships::members::store::invite(
            &mut pw,
            &InviteInput {
                organisation,
                role: MemberRole::Partner,
                contact: Contact {
                    name: String::new(),
                    email: String::new(),
                },
            },
        )?;
    }
    if pledged > 0 {
        let weights: Vec<i64> = parties
            .iter()
            .map(|p| p.share.as_ref().map(|s| s.0).unwrap_or(0))
            .collect();
        let shares = crate::money::split(10_000, &weights);
        let mut after = Vec::new();
        for (party, bp) in parties.iter().zip(&shares) {
            diesel::update(
                pm::table
                    .filter(pm::partnership_id.eq(p.id))
                    .filter(pm::organisation_id.eq(party.id)),
            )
            .set(pm::cost_share_bp.eq(Some(*bp as i32)))
            .execute(pw.conn)?;
            after.push(serde_json::json!({ "organisation": party.code, "share_bp": bp }));
        }
        pw.audit(
            "partnership.cost_shares",
            None,
            Some(serde_json::json!(after)),
        )?;
    }
    // The invited organisations' admins are the ones who answer.
    for party in partners {
        let admins: Vec<i64> = {
            use crate::db::schema::users;
            users::table
                .filter(users::organisation_id.eq(party.id))
                .filter(users::is_active.eq(true))
                .filter(users::role.eq("org_admin"))
                .select(users::id)
                .load(pw.conn)?
        };
        deliver(
            pw.conn,
            &admins,
            &Note {
                kind: NotificationKind::Invitation,
                subject: Subject::new("partnership", p.id),
                what: format!(
                    "your organisation is invited to join, started from the need \"{}\"",
                    crate::text::truncate(&need.title, 80)
                ),
                link: Some(format!("/partnerships/{}", p.id)),
                audit_id: None,
            },
        )?;
    }
    drop(pw);

    diesel::update(needs::table.find(need.id))
        .set((
            needs::partnership_id.eq(Some(p.id)),
            needs::status.eq(NeedStatus::Closed),
        ))
        .execute(w.conn)?;
    credit_introductions(w, need.id, p.id)?;
    w.audit(
        "need.convert",
        Some(serde_json::json!({ "status": "open" })),
        Some(serde_json::json!({ "status": "closed", "partnership": p.id, "invited": invited })),
    )?;
    w.reload()?;
    Ok(Converted {
        partnership_id: p.id,
        link: format!("/partnerships/{}", p.id),
        invited,
    })
}

/// A broker who introduced the need's owner to its partners made this
/// partnership happen: accepted introductions about the need count as
/// converted into it (the broker dashboard counts them), with an audit
/// entry in each introduction's trail. Written against the tables, so the
/// needs capability does not import the introductions one.
fn credit_introductions(w: &mut Work<'_, Need>, need: i64, partnership: i64) -> AppResult<()> {
    use crate::db::schema::introductions as intro;
    let credited: Vec<i64> = intro::table
        .filter(intro::need_id.eq(need))
        .filter(intro::status.eq("accepted"))
        .select(intro::id)
        .load(w.conn)?;
    if credited.is_empty() {
        return Ok(());
    }
    let now = crate::db::now();
    diesel::update(intro::table.filter(intro::id.eq_any(&credited)))
        .set((
            intro::status.eq("converted"),
            intro::partnership_id.eq(Some(partnership)),
            intro::converted_at.eq(Some(now)),
            intro::updated_at.eq(now),
        ))
        .execute(w.conn)?;
    let actor = w.actor()?;
    for id in credited {
        crate::audit::record(
            w.conn,
            &actor,
            crate::audit::Change::new("introduction.convert", "introduction", id)
                .scoped("introduction", id)
                .before(serde_json::json!({ "status": "accepted" }))
                .after(serde_json::json!({
                    "status": "converted",
                    "partnership_id": partnership,
                    "need_id": need,
                })),
        )?;
    }
    Ok(())
}
