//! Answering by link: the token is the credential. A token finds exactly
//! one invitation (by its hash); its answers can be changed until the round
//! stops taking answers or the invitation expires, never after. Nothing of
//! anyone else's answers is read here.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Change};
use crate::db::schema::{
    health_answers as ha, health_comments as hc, health_invitations as hi, health_rounds as hr,
    organisations as o, partnerships as p,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::health::questionnaire::model::FactorView;
use crate::health::questionnaire::store as questionnaires;

/// One invitation found by its token.
#[derive(Clone, Debug)]
pub struct Invited {
    pub invitation_id: i64,
    pub organisation_name: String,
    pub partnership_name: String,
    pub role: StakeholderRole,
    pub expires_at: NaiveDateTime,
    pub responded_at: Option<NaiveDateTime>,
    pub round: HealthRound,
}

impl Invited {
    /// Why answers cannot be given or changed now, if they cannot.
    pub fn refused(&self, now: NaiveDateTime) -> Option<String> {
        let today = now.date();
        if self.round.status == RoundStatus::Closed || today > self.round.closes_on {
            Some(
                "This health check has closed, so answers can no longer be given or changed."
                    .into(),
            )
        } else if now > self.expires_at {
            Some("This link has expired, so answers can no longer be given or changed.".into())
        } else if today < self.round.opens_on {
            Some(format!(
                "This health check opens on {}. Come back to this link then.",
                self.round.opens_on.format("%-d %B %Y")
            ))
        } else {
            None
        }
    }
}

/// The invitation this token belongs to; `None` for a token nobody has.
pub fn find(conn: &mut DbConn, token: &str) -> AppResult<Option<Invited>> {
    if token.len() > 100 {
        return Ok(None);
    }
    let row: Option<(
        i64,
        String,
        StakeholderRole,
        NaiveDateTime,
        Option<NaiveDateTime>,
        HealthRound,
    )> = hi::table
        .inner_join(o::table)
        .inner_join(hr::table)
        .filter(hi::token_hash.eq(crate::auth::hash_token(token)))
        .select((
            hi::id,
            o::name,
            hi::role,
            hi::expires_at,
            hi::responded_at,
            HealthRound::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((invitation_id, organisation_name, role, expires_at, responded_at, round)) = row
    else {
        return Ok(None);
    };
    let partnership_name = p::table
        .find(round.partnership_id)
        .select(p::name)
        .first(conn)?;
    Ok(Some(Invited {
        invitation_id,
        organisation_name,
        partnership_name,
        role,
        expires_at,
        responded_at,
        round,
    }))
}

/// Statement → score (None: don't know), and factor → comment.
pub type OwnAnswers = (HashMap<i64, Option<i32>>, HashMap<i64, String>);

/// This invitation's own answers: statement → score (None: don't know),
/// and factor → comment.
pub fn own(conn: &mut DbConn, invitation_id: i64) -> AppResult<OwnAnswers> {
    let answers: Vec<(i64, Option<i32>)> = ha::table
        .filter(ha::invitation_id.eq(invitation_id))
        .select((ha::statement_id, ha::score))
        .load(conn)?;
    let comments: Vec<(i64, String)> = hc::table
        .filter(hc::invitation_id.eq(invitation_id))
        .select((hc::factor_id, hc::text))
        .load(conn)?;
    Ok((
        answers.into_iter().collect(),
        comments.into_iter().collect(),
    ))
}

/// The round's questionnaire, as the invitee answers it.
pub fn questionnaire(conn: &mut DbConn, invited: &Invited) -> AppResult<Vec<FactorView>> {
    questionnaires::factors(conn, invited.round.version_id)
}

/// Replaces the invitation's answers with these, if answers are still
/// taken; a refusal is a conflict with the reason.
pub fn save(
    conn: &mut DbConn,
    invited: &Invited,
    input: &ResponseInput,
    now: NaiveDateTime,
) -> AppResult<ResponseSaved> {
    if let Some(why) = invited.refused(now) {
        return Err(AppError::Conflict(why));
    }
    let id = invited.invitation_id;
    let changed = invited.responded_at.is_some();
    diesel::delete(ha::table.filter(ha::invitation_id.eq(id))).execute(conn)?;
    diesel::delete(hc::table.filter(hc::invitation_id.eq(id))).execute(conn)?;
    for (statement_id, score) in &input.answers {
        diesel::insert_into(ha::table)
            .values((
                ha::invitation_id.eq(id),
                ha::statement_id.eq(statement_id),
                ha::score.eq(score),
                ha::dont_know.eq(score.is_none()),
            ))
            .execute(conn)?;
    }
    for (factor_id, text) in &input.comments {
        diesel::insert_into(hc::table)
            .values((
                hc::invitation_id.eq(id),
                hc::factor_id.eq(factor_id),
                hc::text.eq(text),
            ))
            .execute(conn)?;
    }
    diesel::update(hi::table.find(id))
        .set(hi::responded_at.eq(now))
        .execute(conn)?;
    let counts = ResponseSaved {
        answered: input.answers.iter().filter(|a| a.1.is_some()).count() as i64,
        dont_know: input.answers.iter().filter(|a| a.1.is_none()).count() as i64,
        comments: input.comments.len() as i64,
        closes_on: invited.round.closes_on,
    };
    // The trail says that someone answered, never what or who.
    audit::record(
        conn,
        &audit::Actor {
            user_id: None,
            label: "health check link".into(),
        },
        Change::new(
            if changed {
                "health_round.answer_change"
            } else {
                "health_round.answer"
            },
            "health_round",
            invited.round.id,
        )
        .scoped("health_round", invited.round.id)
        .after(serde_json::json!({
            "answered": counts.answered,
            "dont_know": counts.dont_know,
            "comments": counts.comments,
        })),
    )?;
    Ok(counts)
}
