//! Inviting stakeholders and reminding them. Each invitation has its own
//! random token, stored only as its hash; the link goes out by email
//! through the outbox in the same transaction, so an invitation is never
//! made without its email, nor its email sent twice. A reminder carries a
//! fresh link (the token is not kept, so it cannot be sent again): the
//! earlier link stops working when the reminder is written.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::*;
use crate::db::schema::{health_invitations as hi, organisations as o, partnerships as p};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::outbox::{self, Mail};
use crate::work::Work;

/// The link an invitee answers at.
pub fn answer_url(token: &str) -> String {
    format!(
        "{}/health/{token}",
        crate::notifications::store::public_url().trim_end_matches('/')
    )
}

/// The last moment answers are taken: the end of the close date.
pub fn expiry(closes_on: NaiveDate) -> NaiveDateTime {
    closes_on.and_hms_opt(23, 59, 59).unwrap_or_default()
}

/// Emails already invited to a round (lower case).
pub fn invited_emails(conn: &mut DbConn, round_id: i64) -> AppResult<HashSet<String>> {
    Ok(hi::table
        .filter(hi::round_id.eq(round_id))
        .select(hi::email)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

fn partnership_name(conn: &mut DbConn, id: i64) -> AppResult<String> {
    Ok(p::table.find(id).select(p::name).first(conn)?)
}

fn mail(to: &str, partnership: &str, round: &HealthRound, link: &str, reminder: bool) -> Mail {
    let closes = round.closes_on.format("%-d %B %Y");
    let subject = if reminder {
        format!("Reminder: health check of {partnership}")
    } else {
        format!("Health check of {partnership}: your views")
    };
    let opening = if reminder {
        "We have not had your answers yet."
    } else {
        "You have been asked to give your views on how this partnership is working."
    };
    let text = format!(
        "{opening}\n\n{partnership}: {title}\n\nAnswer here, without an account (about 10 minutes):\n{link}\n\n\
         You can change your answers until the end of {closes}. Your answers are shown to the partnership \
         only as averages of at least three people; your comments are shown without your name.\n\n\
         This link is yours alone: please do not forward it.{again}\n",
        title = round.title,
        again = if reminder {
            " It replaces the link in any earlier email."
        } else {
            ""
        },
    );
    Mail::text(to, &subject, &text)
}

/// Invites stakeholders to the round (the lead, checked by the caller's
/// unit of work) and queues their emails; returns each answer link.
pub fn invite(
    w: &mut Work<'_, HealthRound>,
    inputs: &[InvitationInput],
    today: NaiveDate,
) -> AppResult<Vec<InvitationCreated>> {
    let round = w.record.clone();
    if round.status == RoundStatus::Closed || today > round.closes_on {
        return Err(AppError::Conflict(
            "This round is closed: start a new round to invite more people.".into(),
        ));
    }
    let partnership = partnership_name(w.conn, round.partnership_id)?;
    let now = crate::db::now();
    let expires_at = expiry(round.closes_on);
    let mut out = Vec::new();
    for input in inputs {
        let token = crate::auth::random_token();
        let id: i64 = diesel::insert_into(hi::table)
            .values((
                hi::round_id.eq(round.id),
                hi::organisation_id.eq(input.organisation_id),
                hi::email.eq(&input.email),
                hi::role.eq(input.role),
                hi::token_hash.eq(crate::auth::hash_token(&token)),
                hi::expires_at.eq(expires_at),
                hi::invited_at.eq(now),
            ))
            .returning(hi::id)
            .get_result(w.conn)?;
        let link = answer_url(&token);
        outbox::enqueue(
            w.conn,
            &mail(&input.email, &partnership, &round, &link, false),
        )?;
        let code: String = o::table
            .find(input.organisation_id)
            .select(o::code)
            .first(w.conn)?;
        out.push(InvitationCreated {
            id,
            email: input.email.clone(),
            organisation: code,
            role: input.role,
            answer_url: link,
            expires_at: expires_at.into(),
        });
    }
    let summary: Vec<serde_json::Value> = out
        .iter()
        .map(|i| serde_json::json!({"organisation": i.organisation, "role": i.role}))
        .collect();
    w.audit(
        "health_round.invite",
        None,
        Some(serde_json::json!({ "invited": summary })),
    )?;
    Ok(out)
}

/// Reminds each unanswered invitation not reminded today, through the
/// outbox with a fresh link; returns how many went. Each invitation is
/// claimed by one update, so two callers never remind it twice in a day.
pub fn remind_unanswered(
    conn: &mut DbConn,
    round: &HealthRound,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let today = now.date();
    if !round.takes_answers(today) {
        return Ok(0);
    }
    let day_start = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    let due: Vec<(i64, String)> = hi::table
        .filter(hi::round_id.eq(round.id))
        .filter(hi::responded_at.is_null())
        .filter(hi::reminded_at.is_null().or(hi::reminded_at.lt(day_start)))
        .order(hi::id.asc())
        .select((hi::id, hi::email))
        .load(conn)?;
    let partnership = partnership_name(conn, round.partnership_id)?;
    let mut sent = 0;
    for (id, email) in due {
        let token = crate::auth::random_token();
        let claimed = diesel::update(
            hi::table
                .find(id)
                .filter(hi::responded_at.is_null())
                .filter(hi::reminded_at.is_null().or(hi::reminded_at.lt(day_start))),
        )
        .set((
            hi::reminded_at.eq(now),
            hi::token_hash.eq(crate::auth::hash_token(&token)),
        ))
        .execute(conn)?;
        if claimed == 1 {
            outbox::enqueue(
                conn,
                &mail(&email, &partnership, round, &answer_url(&token), true),
            )?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// The lead's "send reminders" button and API: audited on the round.
pub fn remind(w: &mut Work<'_, HealthRound>) -> AppResult<usize> {
    let round = w.record.clone();
    let sent = remind_unanswered(w.conn, &round, crate::db::now())?;
    if sent > 0 {
        w.audit(
            "health_round.remind",
            None,
            Some(serde_json::json!({ "reminded": sent })),
        )?;
    }
    Ok(sent)
}
