//! Brokers and introductions in the database: marking a broker, proposing
//! (a broker's person, outside any record), answering and converting
//! (inside the unit of work), and what each person is told.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::access::{introduction_visible_to, party_ids};
use super::model::*;
use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::schema::{brokers, introduction_parties as ip, introductions, organisations};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::notifications::{deliver, Note, NotificationKind, Subject};
use crate::orgs::model::{OrgRef, Organisation};
use crate::policy::{allows, Action, Actor};
use crate::time::Timestamp;
use crate::work::{Scoped, Work};

/// An organisation marked as a broker.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Broker {
    pub organisation: OrgRef,
    pub granted_at: Timestamp,
}

pub fn is_broker(conn: &mut DbConn, organisation_id: i64) -> AppResult<bool> {
    Ok(brokers::table
        .find(organisation_id)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn brokers(conn: &mut DbConn) -> AppResult<Vec<Broker>> {
    let rows: Vec<(String, String, String, Timestamp)> = brokers::table
        .inner_join(organisations::table)
        .order(organisations::name)
        .select((
            organisations::code,
            organisations::name,
            organisations::short_name,
            brokers::granted_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(code, name, short_name, granted_at)| Broker {
            organisation: OrgRef {
                code,
                name,
                short_name,
            },
            granted_at,
        })
        .collect())
}

fn org_ref(org: &Organisation) -> OrgRef {
    OrgRef {
        code: org.code.clone(),
        name: org.name.clone(),
        short_name: org.short_name.clone(),
    }
}

/// Marks an organisation as a broker (again is no change).
pub fn grant(
    conn: &mut DbConn,
    org: &Organisation,
    granted_by: Option<i64>,
    actor: &audit::Actor,
) -> AppResult<Broker> {
    let existing: Option<Timestamp> = brokers::table
        .find(org.id)
        .select(brokers::granted_at)
        .first(conn)
        .optional()?;
    if let Some(granted_at) = existing {
        return Ok(Broker {
            organisation: org_ref(org),
            granted_at,
        });
    }
    let now = crate::db::now();
    diesel::insert_into(brokers::table)
        .values((
            brokers::organisation_id.eq(org.id),
            brokers::granted_by.eq(granted_by),
            brokers::granted_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        Change::new("broker.grant", "organisation", org.id)
            .in_organisation(org.id)
            .after(serde_json::json!({ "broker": org.code })),
    )?;
    Ok(Broker {
        organisation: org_ref(org),
        granted_at: now.into(),
    })
}

/// Takes the mark away; its introductions stay the broker's and parties'.
pub fn revoke(conn: &mut DbConn, org: &Organisation, actor: &audit::Actor) -> AppResult<()> {
    let gone = diesel::delete(brokers::table.find(org.id)).execute(conn)?;
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        actor,
        Change::new("broker.revoke", "organisation", org.id)
            .in_organisation(org.id)
            .before(serde_json::json!({ "broker": org.code })),
    )?;
    Ok(())
}

/// An organisation by register code, GSS code or full name (any case):
/// (id, name, still current).
pub fn find_organisation(conn: &mut DbConn, typed: &str) -> AppResult<Option<(i64, String, bool)>> {
    match crate::orgs::store::find(conn, typed) {
        Ok(o) => return Ok(Some((o.id, o.name, o.is_current))),
        Err(AppError::NotFound) => {}
        Err(e) => return Err(e),
    }
    Ok(organisations::table
        .filter(crate::db::lower(organisations::name).eq(typed.trim().to_lowercase()))
        .order(organisations::is_current.desc())
        .select((
            organisations::id,
            organisations::name,
            organisations::is_current,
        ))
        .first(conn)
        .optional()?)
}

/// Whether `viewer` may see need `id` (false when there is none).
fn need_visible(conn: &mut DbConn, id: i64, viewer: Option<&Actor>) -> AppResult<bool> {
    use crate::needs::model::Need;
    Ok(match Need::load(conn, id, viewer)? {
        Some((_, rel)) => allows(viewer, Need::view_action(rel)),
        None => false,
    })
}

/// Checks a proposal against the database as `user` would make it.
pub fn check(
    conn: &mut DbConn,
    user: &SessionUser,
    draft: &IntroductionDraft,
) -> AppResult<IntroductionInput> {
    let mut found = HashMap::new();
    for typed in draft
        .parties
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        if !found.contains_key(typed) {
            let org = find_organisation(conn, typed)?;
            found.insert(typed.to_string(), org);
        }
    }
    let need_ok = match draft.need_id {
        Some(id) if id > 0 => need_visible(conn, id, Some(&user.actor()))?,
        _ => false,
    };
    let mut find = |t: &str| found.get(t).cloned().flatten();
    let mut visible = |_: i64| need_ok;
    IntroductionInput::parse(
        draft,
        ProposalContext {
            find_organisation: &mut find,
            need_visible: &mut visible,
            broker: user.organisation_id,
        },
    )
    .map_err(AppError::Invalid)
}

/// A broker's person proposes an introduction, in the caller's transaction:
/// the policy is asked here (the organisation must be a broker now), then
/// the parties' people are told.
pub fn propose(
    conn: &mut DbConn,
    user: &SessionUser,
    draft: &IntroductionDraft,
) -> AppResult<Introduction> {
    let broker = is_broker(conn, user.organisation_id)?;
    crate::policy::authorize(Some(&user.actor()), Action::ProposeIntroduction { broker })?;
    let input = check(conn, user, draft)?;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(introductions::table)
        .values((
            introductions::broker_organisation_id.eq(user.organisation_id),
            introductions::proposed_by.eq(Some(user.id)),
            introductions::need_id.eq(input.need_id),
            introductions::note.eq(&input.note),
            introductions::status.eq(IntroductionStatus::Proposed),
            introductions::created_at.eq(now),
            introductions::updated_at.eq(now),
        ))
        .returning(introductions::id)
        .get_result(conn)?;
    for org in &input.parties {
        diesel::insert_into(ip::table)
            .values((
                ip::introduction_id.eq(id),
                ip::organisation_id.eq(org),
                ip::status.eq(PartyStatus::Pending),
            ))
            .execute(conn)?;
    }
    let mut concerning = vec![user.organisation_id];
    concerning.extend(&input.parties);
    audit::record(
        conn,
        &user.audit_actor(),
        Change::new("introduction.create", "introduction", id)
            .scoped("introduction", id)
            .in_organisation(user.organisation_id)
            .concerning(concerning)
            .after(&input),
    )?;
    let people = crate::partnerships::notify::people_of(conn, &input.parties)?;
    tell(
        conn,
        &people,
        id,
        NotificationKind::Invitation,
        format!(
            "{} proposes that your organisation meets the others; accept or decline",
            user.organisation_name
        ),
    )?;
    get(conn, id)
}

fn get(conn: &mut DbConn, id: i64) -> AppResult<Introduction> {
    Ok(introductions::table
        .find(id)
        .select(Introduction::as_select())
        .first(conn)?)
}

fn tell(
    conn: &mut DbConn,
    people: &[i64],
    id: i64,
    kind: NotificationKind,
    what: String,
) -> AppResult<usize> {
    deliver(
        conn,
        people,
        &Note {
            kind,
            subject: Subject::new(Introduction::KIND, id),
            what,
            link: None,
            audit_id: None,
        },
    )
}

fn org_refs(conn: &mut DbConn, ids: &[i64]) -> AppResult<HashMap<i64, OrgRef>> {
    let rows: Vec<(i64, String, String, String)> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((
            organisations::id,
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, short_name)| {
            (
                id,
                OrgRef {
                    code,
                    name,
                    short_name,
                },
            )
        })
        .collect())
}

/// (organisation id, status, reason, responded at) of each party, by name.
type PartyRow = (i64, PartyStatus, Option<String>, Option<Timestamp>);

/// The introduction as `viewer` sees it: the need only if they may see it.
pub fn view(
    conn: &mut DbConn,
    intro: &Introduction,
    viewer: Option<&Actor>,
) -> AppResult<IntroductionView> {
    let rows: Vec<PartyRow> = ip::table
        .filter(ip::introduction_id.eq(intro.id))
        .select((
            ip::organisation_id,
            ip::status,
            ip::reason,
            ip::responded_at,
        ))
        .load(conn)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    ids.push(intro.broker_organisation_id);
    let refs = org_refs(conn, &ids)?;
    let mut parties: Vec<IntroductionParty> = rows
        .into_iter()
        .filter_map(|(org, status, reason, responded_at)| {
            Some(IntroductionParty {
                organisation: refs.get(&org)?.clone(),
                status,
                reason,
                responded_at,
            })
        })
        .collect();
    parties.sort_by(|a, b| a.organisation.name.cmp(&b.organisation.name));
    let need = match intro.need_id {
        Some(id) if need_visible(conn, id, viewer)? => {
            let title: String = crate::db::schema::needs::table
                .find(id)
                .select(crate::db::schema::needs::title)
                .first(conn)?;
            Some(IntroducedNeed { id, title })
        }
        _ => None,
    };
    Ok(IntroductionView {
        id: intro.id,
        status: intro.status,
        broker: refs
            .get(&intro.broker_organisation_id)
            .cloned()
            .ok_or_else(|| AppError::internal("an introduction's broker is missing"))?,
        note: intro.note.clone(),
        need,
        parties,
        partnership_id: intro.partnership_id,
        created_at: intro.created_at,
        updated_at: intro.updated_at,
        converted_at: intro.converted_at,
    })
}

/// The introductions `viewer`'s organisation proposed or is a party to,
/// newest first.
pub fn list(
    conn: &mut DbConn,
    viewer: &Actor,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<IntroductionView>, i64)> {
    let total: i64 = introductions::table
        .filter(introduction_visible_to!(Some(viewer)))
        .count()
        .get_result(conn)?;
    let rows: Vec<Introduction> = introductions::table
        .filter(introduction_visible_to!(Some(viewer)))
        .order((introductions::created_at.desc(), introductions::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(Introduction::as_select())
        .load(conn)?;
    let mut views = Vec::with_capacity(rows.len());
    for intro in &rows {
        views.push(view(conn, intro, Some(viewer))?);
    }
    Ok((views, total))
}

/// How many introductions wait for an answer from this organisation.
pub fn waiting_for(conn: &mut DbConn, organisation_id: i64) -> AppResult<i64> {
    Ok(ip::table
        .inner_join(introductions::table)
        .filter(ip::organisation_id.eq(organisation_id))
        .filter(ip::status.eq(PartyStatus::Pending))
        .filter(introductions::status.eq(IntroductionStatus::Proposed))
        .count()
        .get_result(conn)?)
}

/// The person answers for their own organisation, once. When every party
/// has accepted the introduction is accepted; one decline ends it.
pub fn respond(
    w: &mut Work<'_, Introduction>,
    input: &ResponseInput,
) -> AppResult<IntroductionStatus> {
    let user = w.user()?.clone();
    if w.record.status != IntroductionStatus::Proposed {
        return Err(AppError::Conflict(
            "This introduction is no longer waiting for answers".into(),
        ));
    }
    let mine = ip::table.find((w.record.id, user.organisation_id));
    let before: PartyStatus = mine.select(ip::status).first(w.conn)?;
    if before != PartyStatus::Pending {
        return Err(AppError::Conflict(format!(
            "{} has already answered this introduction",
            user.organisation_name
        )));
    }
    let status = if input.accept {
        PartyStatus::Accepted
    } else {
        PartyStatus::Declined
    };
    let now = crate::db::now();
    diesel::update(mine)
        .set((
            ip::status.eq(status),
            ip::reason.eq(&input.reason),
            ip::responded_by.eq(Some(user.id)),
            ip::responded_at.eq(Some(now)),
        ))
        .execute(w.conn)?;
    let answers: Vec<PartyStatus> = ip::table
        .filter(ip::introduction_id.eq(w.record.id))
        .select(ip::status)
        .load(w.conn)?;
    let overall = if answers.contains(&PartyStatus::Declined) {
        IntroductionStatus::Declined
    } else if answers.iter().all(|s| *s == PartyStatus::Accepted) {
        IntroductionStatus::Accepted
    } else {
        IntroductionStatus::Proposed
    };
    if overall != w.record.status {
        diesel::update(introductions::table.find(w.record.id))
            .set(introductions::status.eq(overall))
            .execute(w.conn)?;
    }
    let verb = if input.accept { "accept" } else { "decline" };
    w.audit(
        &format!("introduction.{verb}"),
        Some(serde_json::json!({ "organisation": user.organisation_code, "status": before })),
        Some(serde_json::json!({
            "organisation": user.organisation_code,
            "status": status,
            "reason": input.reason,
            "introduction": overall,
        })),
    )?;
    let what = match (&input.reason, input.accept) {
        (_, true) => format!("{} accepted", user.organisation_name),
        (Some(reason), false) => format!("{} declined: {reason}", user.organisation_name),
        (None, false) => format!("{} declined", user.organisation_name),
    };
    let id = w.record.id;
    let broker_people =
        crate::partnerships::notify::people_of(w.conn, &[w.record.broker_organisation_id])?;
    tell(w.conn, &broker_people, id, NotificationKind::Change, what)?;
    if overall == IntroductionStatus::Accepted {
        let parties = party_ids(w.conn, id)?;
        let people = crate::partnerships::notify::people_of(w.conn, &parties)?;
        tell(
            w.conn,
            &people,
            id,
            NotificationKind::Change,
            "every organisation accepted; it can now become a partnership".into(),
        )?;
    }
    w.reload()?;
    Ok(overall)
}

/// What a conversion made.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Conversion {
    pub introduction: IntroductionView,
    /// The partnership made, when it became one.
    pub partnership_id: Option<i64>,
    /// The need the other parties now contribute to, when it became a need with partners.
    pub need_id: Option<i64>,
}

/// Turns an accepted introduction into a partnership (the chosen party
/// leads, the others are invited as partners) or into its need with the
/// other parties as accepted contributors.
pub fn convert(w: &mut Work<'_, Introduction>, draft: &ConversionDraft) -> AppResult<Conversion> {
    let user = w.user()?.clone();
    let id = w.record.id;
    let parties = party_ids(w.conn, id)?;
    let refs = org_refs(w.conn, &parties)?;
    let coded: Vec<(i64, String)> = parties
        .iter()
        .filter_map(|p| refs.get(p).map(|r| (*p, r.code.clone())))
        .collect();
    let input = ConversionInput::parse(draft, &coded, w.record.need_id.is_some())
        .map_err(AppError::Invalid)?;
    if w.record.status != IntroductionStatus::Accepted {
        return Err(AppError::Conflict(
            "Only an introduction every party has accepted can be converted".into(),
        ));
    }
    let (partnership_id, need_id, what) = match input {
        ConversionInput::Partnership { lead, name } => {
            let pid = into_partnership(w, &user, lead, &name, &parties)?;
            let lead_name = refs.get(&lead).map(|r| r.name.clone()).unwrap_or_default();
            (
                Some(pid),
                None,
                format!("became the partnership \u{201c}{name}\u{201d}, led by {lead_name}; the others are invited"),
            )
        }
        ConversionInput::NeedWithPartners => {
            let need = w
                .record
                .need_id
                .ok_or_else(|| AppError::internal("no need"))?;
            into_need(w, &user, need, &parties)?;
            (None, Some(need), "became a need with partners".to_string())
        }
    };
    let now = crate::db::now();
    diesel::update(introductions::table.find(id))
        .set((
            introductions::status.eq(IntroductionStatus::Converted),
            introductions::partnership_id.eq(partnership_id),
            introductions::converted_at.eq(Some(now)),
        ))
        .execute(w.conn)?;
    w.audit(
        "introduction.convert",
        Some(serde_json::json!({ "status": "accepted" })),
        Some(serde_json::json!({
            "status": "converted",
            "partnership_id": partnership_id,
            "need_id": need_id,
        })),
    )?;
    let mut orgs = vec![w.record.broker_organisation_id];
    orgs.extend(&parties);
    let mut people = crate::partnerships::notify::people_of(w.conn, &orgs)?;
    people.retain(|p| *p != user.id);
    tell(w.conn, &people, id, NotificationKind::Change, what)?;
    w.reload()?;
    let viewer = user.actor();
    Ok(Conversion {
        introduction: view(w.conn, &w.record, Some(&viewer))?,
        partnership_id,
        need_id,
    })
}

fn into_partnership(
    w: &mut Work<'_, Introduction>,
    user: &SessionUser,
    lead: i64,
    name: &str,
    parties: &[i64],
) -> AppResult<i64> {
    use crate::partnerships::members::model::InviteInput;
    use crate::partnerships::model::{MemberRole, Partnership, PartnershipDraft, PartnershipInput};
    // The need's service areas carry over, so the partnership is found under them.
    let services: Vec<i64> = match w.record.need_id {
        Some(need) => crate::db::schema::need_services::table
            .filter(crate::db::schema::need_services::need_id.eq(need))
            .select(crate::db::schema::need_services::service_id)
            .load(w.conn)?,
        None => Vec::new(),
    };
    // It starts where an introduction leaves people: proposed, talking,
    // seen only by its members until the lead says otherwise.
    let draft = PartnershipDraft {
        name: name.to_string(),
        purpose: w.record.note.clone(),
        kind: "network".into(),
        degree: "networking".into(),
        stage: 1,
        status: "proposed".into(),
        visibility: "partners".into(),
        services,
        ..Default::default()
    };
    let input = PartnershipInput::parse(&draft).map_err(AppError::Invalid)?;
    let lead_org = crate::orgs::store::find_by_id(w.conn, lead)?;
    let p = crate::partnerships::store::create(
        w.conn,
        &input,
        &lead_org,
        Some(user.id),
        &user.audit_actor(),
    )?;
    let label = format!("introduction {} converted by {}", w.record.id, user.email);
    let mut pw = Work::<Partnership>::system(w.conn, p.id, &label)?;
    for party in parties.iter().filter(|o| **o != lead) {
        let organisation = crate::orgs::store::find_by_id(pw.conn, *party)?;
        let invite = InviteInput {
            organisation,
            role: MemberRole::Partner,
            contact: Default::default(),
        };
        crate::partnerships::members::store::invite(&mut pw, &invite)?;
    }
    Ok(p.id)
}

/// Records the other parties' interest in the need as accepted
/// contributors; a pledge an organisation already made stays as it was.
fn into_need(
    w: &mut Work<'_, Introduction>,
    user: &SessionUser,
    need: i64,
    parties: &[i64],
) -> AppResult<()> {
    use crate::db::schema::{need_interests as ni, needs};
    let owner: i64 = needs::table
        .find(need)
        .select(needs::organisation_id)
        .first(w.conn)?;
    if owner != w.record.broker_organisation_id && !parties.contains(&owner) {
        return Err(AppError::invalid(
            "into",
            "The need's own organisation is not among those introduced, so it cannot take the others on as contributors",
        ));
    }
    let now = crate::db::now();
    let note = format!("Introduced by a broker (introduction {})", w.record.id);
    for org in parties.iter().filter(|o| **o != owner) {
        crate::db::per_backend!(&mut *w.conn, |c| diesel::insert_into(ni::table)
            .values((
                ni::need_id.eq(need),
                ni::organisation_id.eq(org),
                ni::kind.eq("contributor"),
                ni::note.eq(&note),
                ni::status.eq("accepted"),
                ni::created_by.eq(Some(user.id)),
                ni::created_at.eq(now),
                ni::updated_at.eq(now),
                ni::responded_at.eq(Some(now)),
                ni::responded_by.eq(Some(user.id)),
            ))
            .on_conflict((ni::need_id, ni::organisation_id))
            .do_update()
            .set((
                ni::status.eq("accepted"),
                ni::updated_at.eq(now),
                ni::responded_at.eq(Some(now)),
                ni::responded_by.eq(Some(user.id)),
            ))
            .execute(c))?;
    }
    Ok(())
}
