//! Interest and updates in the database. Every change runs inside the
//! need's unit of work and ends in `w.audit(...)`, whose domain event tells
//! the need's watchers (its owner's people by belonging); the interested
//! organisations' people are told here, in the same transaction.

use diesel::prelude::*;

use super::model::*;
use crate::db::schema::{need_interests as ni, need_updates as nu, needs, organisations, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::needs::model::{Need, NeedStatus};
use crate::notifications::{deliver, Note, NotificationKind, Subject};
use crate::policy::{allows, Action};
use crate::work::Work;

type W<'a, 'c> = &'a mut Work<'c, Need>;

/// (id, need, organisation, code, name, short name, kind, pledge, note,
/// status, reason, created, updated, responded).
type Row = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    InterestKind,
    Option<i64>,
    String,
    InterestStatus,
    String,
    crate::time::Timestamp,
    crate::time::Timestamp,
    Option<crate::time::Timestamp>,
);

fn rows(conn: &mut DbConn, need_id: i64, only: Option<i64>) -> AppResult<Vec<(i64, InterestView)>> {
    let mut q = ni::table
        .inner_join(organisations::table)
        .filter(ni::need_id.eq(need_id))
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(ni::id.eq(id));
    }
    let found: Vec<Row> = q
        .order(ni::id)
        .select((
            ni::id,
            ni::need_id,
            ni::organisation_id,
            organisations::code,
            organisations::name,
            organisations::short_name,
            ni::kind,
            ni::pledge_pence,
            ni::note,
            ni::status,
            ni::decline_reason,
            ni::created_at,
            ni::updated_at,
            ni::responded_at,
        ))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|r| {
            (
                r.2,
                InterestView {
                    id: r.0,
                    need_id: r.1,
                    organisation: crate::orgs::model::OrgRef {
                        code: r.3,
                        name: r.4,
                        short_name: r.5,
                    },
                    kind: r.6,
                    pledge_pence: r.7,
                    note: r.8,
                    status: r.9,
                    decline_reason: r.10,
                    created_at: r.11,
                    updated_at: r.12,
                    responded_at: r.13,
                },
            )
        })
        .collect())
}

/// Every interest in the need, with the organisation it belongs to.
pub fn all(conn: &mut DbConn, need_id: i64) -> AppResult<Vec<(i64, InterestView)>> {
    rows(conn, need_id, None)
}

/// The interest `viewer` may see: the owner's people see them all; anyone
/// else the accepted ones and their own organisation's, and notes and
/// reasons only on their own.
pub fn visible(w: &Work<'_, Need>, conn_rows: Vec<(i64, InterestView)>) -> Vec<InterestView> {
    let owner = allows(
        w.person().map(|u| u.actor()).as_ref(),
        Action::EditNeed(w.rel),
    );
    let org = w.organisation_id();
    conn_rows
        .into_iter()
        .filter_map(|(o, mut v)| {
            let own = Some(o) == org;
            if owner || own {
                return Some(v);
            }
            (v.status == InterestStatus::Accepted).then(|| {
                v.note.clear();
                v.decline_reason.clear();
                v
            })
        })
        .collect()
}

/// One interest in this need and its organisation (404 if it is another need's).
pub fn find(conn: &mut DbConn, need_id: i64, id: i64) -> AppResult<(i64, InterestView)> {
    rows(conn, need_id, Some(id))?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

fn open(w: &Work<'_, Need>) -> AppResult<()> {
    if w.record.status == NeedStatus::Closed {
        return Err(AppError::invalid(
            "need",
            "This need is closed: it no longer takes interest or changes to it",
        ));
    }
    Ok(())
}

fn audit_json(v: &InterestView) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "organisation": v.organisation.code,
        "kind": v.kind.code(),
        "pledge_pence": v.pledge_pence,
        "status": v.status.code(),
    }))
}

/// The caller's organisation says it is interested; saying it again
/// changes its interest. A new kind or pledge waits for the owner again.
pub fn express(w: W, input: &InterestInput) -> AppResult<InterestView> {
    open(w)?;
    let user = w.user()?.clone();
    let need_id = w.record.id;
    let now = crate::db::now();
    let existing: Option<(i64, InterestView)> = rows(w.conn, need_id, None)?
        .into_iter()
        .find(|(o, _)| *o == user.organisation_id);
    let id = match &existing {
        Some((_, v)) => {
            let same_terms = v.kind == input.kind && v.pledge_pence == input.pledge_pence;
            let keep = same_terms && v.status != InterestStatus::Withdrawn;
            let status = if keep {
                v.status
            } else {
                InterestStatus::Pending
            };
            diesel::update(ni::table.find(v.id))
                .set((
                    ni::kind.eq(input.kind),
                    ni::pledge_pence.eq(input.pledge_pence),
                    ni::note.eq(&input.note),
                    ni::status.eq(status),
                    ni::updated_at.eq(now),
                ))
                .execute(w.conn)?;
            if !keep {
                diesel::update(ni::table.find(v.id))
                    .set((
                        ni::decline_reason.eq(""),
                        ni::responded_at.eq(None::<chrono::NaiveDateTime>),
                        ni::responded_by.eq(None::<i64>),
                    ))
                    .execute(w.conn)?;
            }
            v.id
        }
        None => diesel::insert_into(ni::table)
            .values((
                ni::need_id.eq(need_id),
                ni::organisation_id.eq(user.organisation_id),
                ni::kind.eq(input.kind),
                ni::pledge_pence.eq(input.pledge_pence),
                ni::note.eq(&input.note),
                ni::status.eq(InterestStatus::Pending),
                ni::created_by.eq(Some(user.id)),
                ni::created_at.eq(now),
                ni::updated_at.eq(now),
            ))
            .returning(ni::id)
            .get_result(w.conn)?,
    };
    let (_, after) = find(w.conn, need_id, id)?;
    let action = if existing.is_some() {
        "need.interest.change"
    } else {
        "need.interest.express"
    };
    let before = existing.as_ref().and_then(|(_, v)| audit_json(v));
    w.audit(action, before, audit_json(&after))?;
    Ok(after)
}

/// The interested organisation takes its interest back.
pub fn withdraw(w: W, id: i64) -> AppResult<InterestView> {
    let (org, before) = find(w.conn, w.record.id, id)?;
    w.allow(Action::ChangeInterest {
        rel: w.rel,
        own: w.organisation_id() == Some(org),
    })?;
    diesel::update(ni::table.find(id))
        .set((
            ni::status.eq(InterestStatus::Withdrawn),
            ni::updated_at.eq(crate::db::now()),
        ))
        .execute(w.conn)?;
    let (_, after) = find(w.conn, w.record.id, id)?;
    w.audit(
        "need.interest.withdraw",
        audit_json(&before),
        audit_json(&after),
    )?;
    Ok(after)
}

/// The owner accepts or declines an interest; the interested organisation's
/// people are told.
pub fn answer(w: W, id: i64, answer: &Answer) -> AppResult<InterestView> {
    w.allow(Action::EditNeed(w.rel))?;
    open(w)?;
    let (org, before) = find(w.conn, w.record.id, id)?;
    if before.status == InterestStatus::Withdrawn {
        return Err(AppError::invalid(
            "status",
            format!(
                "{} has withdrawn its interest: there is nothing to answer",
                before.organisation.name
            ),
        ));
    }
    let status = if answer.accept {
        InterestStatus::Accepted
    } else {
        InterestStatus::Declined
    };
    let now = crate::db::now();
    diesel::update(ni::table.find(id))
        .set((
            ni::status.eq(status),
            ni::decline_reason.eq(&answer.reason),
            ni::responded_at.eq(Some(now)),
            ni::responded_by.eq(w.user_id()),
            ni::updated_at.eq(now),
        ))
        .execute(w.conn)?;
    let (_, after) = find(w.conn, w.record.id, id)?;
    let action = if answer.accept {
        "need.interest.accept"
    } else {
        "need.interest.decline"
    };
    w.audit(action, audit_json(&before), audit_json(&after))?;
    let what = if answer.accept {
        "your organisation's interest was accepted".to_string()
    } else if answer.reason.is_empty() {
        "your organisation's interest was declined".to_string()
    } else {
        format!(
            "your organisation's interest was declined: {}",
            crate::text::truncate(&answer.reason, 120)
        )
    };
    tell(w, &[org], what)?;
    Ok(after)
}

/// Tells the people of `organisations` about the need, except the person
/// acting and those who watch the need (the audit event told them already).
fn tell(w: W, organisations: &[i64], what: String) -> AppResult<usize> {
    let subject = Subject::new("need", w.record.id);
    let watching = crate::notifications::watches::watchers(w.conn, &subject)?;
    let mut people = crate::partnerships::notify::people_of(w.conn, organisations)?;
    people.retain(|u| Some(*u) != w.user_id() && !watching.contains(u));
    deliver(
        w.conn,
        &people,
        &Note {
            kind: NotificationKind::Change,
            subject,
            what,
            link: None,
            audit_id: None,
        },
    )
}

/// Organisations whose interest the owner accepted.
pub fn accepted_organisations(conn: &mut DbConn, need_id: i64) -> AppResult<Vec<i64>> {
    Ok(ni::table
        .filter(ni::need_id.eq(need_id))
        .filter(ni::status.eq(InterestStatus::Accepted))
        .order(ni::id)
        .select(ni::organisation_id)
        .load(conn)?)
}

/// The owner posts an update: it reaches the need's watchers through the
/// audit event, and every person of each organisation whose interest was accepted.
pub fn post_update(w: W, body: &str) -> AppResult<UpdateView> {
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(nu::table)
        .values((
            nu::need_id.eq(w.record.id),
            nu::body.eq(body),
            nu::created_by.eq(w.user_id()),
            nu::created_at.eq(now),
        ))
        .returning(nu::id)
        .get_result(w.conn)?;
    w.audit(
        "need.update.post",
        None,
        Some(serde_json::json!({ "update": id, "body": body })),
    )?;
    let orgs = accepted_organisations(w.conn, w.record.id)?;
    tell(
        w,
        &orgs,
        format!("new update: {}", crate::text::truncate(body, 120)),
    )?;
    updates(w.conn, w.record.id)?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(AppError::NotFound)
}

/// A need's updates, newest first.
pub fn updates(conn: &mut DbConn, need_id: i64) -> AppResult<Vec<UpdateView>> {
    let found: Vec<(i64, String, Option<String>, crate::time::Timestamp)> = nu::table
        .left_join(users::table.on(nu::created_by.eq(users::id.nullable())))
        .filter(nu::need_id.eq(need_id))
        .order((nu::created_at.desc(), nu::id.desc()))
        .select((
            nu::id,
            nu::body,
            users::display_name.nullable(),
            nu::created_at,
        ))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(id, body, author, created_at)| UpdateView {
            id,
            body,
            author: author.unwrap_or_else(|| "Concord".to_string()),
            created_at,
        })
        .collect())
}

/// The owner sets (or clears) what it hopes to pool.
pub fn set_target(w: W, target: Option<i64>) -> AppResult<Option<i64>> {
    open(w)?;
    let before = w.record.funding_target_pence;
    diesel::update(needs::table.find(w.record.id))
        .set(needs::funding_target_pence.eq(target))
        .execute(w.conn)?;
    w.audit(
        "need.funding.target",
        Some(serde_json::json!({ "target_pence": before })),
        Some(serde_json::json!({ "target_pence": target })),
    )?;
    w.reload()?;
    Ok(target)
}

/// A change to one interest through the API: the owner answers; the
/// interested organisation changes or withdraws its own. Who may do which is
/// settled before the body is judged.
pub fn change(
    w: W,
    id: i64,
    body: crate::api::JsonBody<InterestChange>,
) -> AppResult<InterestView> {
    let (org, current) = find(w.conn, w.record.id, id)?;
    let own = w.organisation_id() == Some(org);
    let actor = w.person().map(|u| u.actor());
    let owner = allows(actor.as_ref(), Action::EditNeed(w.rel));
    if !own && !owner {
        w.allow(Action::ChangeInterest { rel: w.rel, own })?;
    }
    let change = body.parse()?;
    let status = change.status.as_deref().map(str::trim);
    match status {
        Some("accepted") | Some("declined") if !own => {
            if change.kind.is_some() || change.pledge_pence.is_some() || change.note.is_some() {
                return Err(AppError::invalid(
                    "kind",
                    "The need's owner answers an interest; only the interested organisation changes it",
                ));
            }
            let a = Answer::parse(
                status.unwrap_or_default(),
                change.decline_reason.as_deref().unwrap_or(""),
            )
            .map_err(AppError::Invalid)?;
            answer(w, id, &a)
        }
        _ if !own => {
            // The owner may not change another organisation's interest.
            w.allow(Action::ChangeInterest { rel: w.rel, own })?;
            Err(AppError::Forbidden)
        }
        Some("withdrawn") => withdraw(w, id),
        Some("pending") | None => {
            w.allow(Action::ChangeInterest { rel: w.rel, own })?;
            // A new kind brings its own pledge (or none).
            let pledge_pence = match &change.kind {
                Some(_) => change.pledge_pence,
                None => change.pledge_pence.or(current.pledge_pence),
            };
            let draft = InterestDraft {
                kind: change.kind.unwrap_or_else(|| current.kind.code().to_string()),
                pledge_pence,
                note: change.note.unwrap_or(current.note),
            };
            let input = InterestInput::parse(&draft).map_err(AppError::Invalid)?;
            express(w, &input)
        }
        Some(_) => Err(AppError::invalid(
            "status",
            "Your organisation may set status to withdrawn; the need's owner answers with accepted or declined",
        )),
    }
}
