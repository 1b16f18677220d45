//! Rounds' vocabularies, what the pages and API show of them, drafts and
//! their checked inputs. Each rule about a round, an invitation or an
//! answer is worded here and nowhere else.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::health::questionnaire::model::FactorView;
use crate::partnerships::model::ActiveMembers;
use crate::text;
use crate::time::Timestamp;

crate::vocab::vocabulary!(
    /// Whether a round takes answers (until its close date) or was closed.
    RoundStatus {
        Open = "open": "Open",
        Closed = "closed": "Closed",
    }
);

crate::vocab::vocabulary!(
    /// The part a stakeholder plays in the partnership.
    StakeholderRole {
        Leadership = "leadership": "Leadership",
        Management = "management": "Management",
        Operational = "operational": "Operational or front line",
        External = "external": "External",
    }
);

/// A health check round as stored.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = crate::db::schema::health_rounds)]
pub struct HealthRound {
    pub id: i64,
    pub partnership_id: i64,
    pub version_id: i64,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: RoundStatus,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    /// The smallest group the report shows (at least 3).
    pub min_group: i32,
    /// The gap between partners' means flagged as a divergence, in hundredths.
    pub divergence_gap: i32,
}

use diesel::prelude::{Queryable, Selectable};

impl HealthRound {
    /// Answers are taken from the open date to the end of the close date,
    /// unless the lead closed the round.
    pub fn takes_answers(&self, today: NaiveDate) -> bool {
        self.status == RoundStatus::Open && self.opens_on <= today && today <= self.closes_on
    }

    /// Open, closed by the lead, or past its close date.
    pub fn stage(&self, today: NaiveDate) -> &'static str {
        if self.status == RoundStatus::Closed || today > self.closes_on {
            "Closed"
        } else if today < self.opens_on {
            "Not open yet"
        } else {
            "Open"
        }
    }
}

/// A new round as given.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundDraft {
    /// What the round is called, e.g. "Autumn 2026 health check".
    pub title: String,
    /// The questionnaire to use (its latest version); Concord's own if left out.
    #[serde(default)]
    pub questionnaire_id: Option<i64>,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    /// The anonymity threshold: the report shows no group of fewer people
    /// than this (they are merged into "Other"). 3 if left out; never below 3.
    #[serde(default)]
    #[schema(minimum = 3, maximum = 100)]
    pub min_group: Option<i64>,
    /// The gap between partners' means (in points) flagged as a divergence:
    /// more than 0, at most 4, to two decimal places. 1.0 if left out.
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 4, multiple_of = 0.01)]
    pub divergence_gap: Option<f64>,
}

/// The anonymity threshold when none is given, and the highest allowed.
pub const MIN_GROUP_DEFAULT: i32 = crate::health::report::stats::MIN_GROUP as i32;
pub const MIN_GROUP_MAX: i32 = 100;
/// The divergence gap when none is given, and the highest (hundredths).
pub const DIVERGENCE_GAP_DEFAULT: i32 = crate::health::report::stats::DIVERGENCE_GAP as i32;
pub const DIVERGENCE_GAP_MAX: i32 = 400;

/// A round, checked.
#[derive(Clone, Debug)]
pub struct RoundInput {
    pub title: String,
    pub questionnaire_id: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub min_group: i32,
    /// Hundredths of a point.
    pub divergence_gap: i32,
}

/// A gap in points as hundredths, if it has at most two decimal places.
fn hundredths(points: f64) -> Option<i32> {
    let h = points * 100.0;
    let rounded = h.round();
    ((h - rounded).abs() < 1e-6 && rounded.abs() < 1e6).then_some(rounded as i32)
}

/// Hundredths of a point as people write them: 1.0, 0.75, 1.5.
pub fn points(hundredths: i32) -> String {
    if hundredths % 10 == 0 {
        format!("{}.{}", hundredths / 100, (hundredths % 100) / 10)
    } else {
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    }
}

/// What the round rules need: today, and the questionnaires the lead's
/// organisation may use (ids; the first is the default).
pub struct RoundContext<'a> {
    pub today: NaiveDate,
    pub questionnaires: &'a [i64],
}

impl RoundInput {
    pub fn parse(d: &RoundDraft, ctx: &RoundContext) -> Result<RoundInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text::required_line(
            "title",
            "The round's title",
            &d.title,
            200,
            "Enter a title for the round",
        )
        .map_err(|e| errors.push(e))
        .ok();
        let questionnaire_id = match d.questionnaire_id {
            None => ctx.questionnaires.first().copied(),
            Some(q) if ctx.questionnaires.contains(&q) => Some(q),
            Some(_) => {
                errors.push(FieldError::new(
                    "questionnaire_id",
                    "Choose Concord's questionnaire or one of your organisation's",
                ));
                None
            }
        };
        let opens_on = match d.opens_on {
            None => {
                errors.push(FieldError::new(
                    "opens_on",
                    "Enter the date the round opens",
                ));
                None
            }
            Some(o) if o < ctx.today => {
                errors.push(FieldError::new(
                    "opens_on",
                    "The date the round opens must be today or in the future",
                ));
                None
            }
            Some(o) => Some(o),
        };
        let closes_on = match d.closes_on {
            None => {
                errors.push(FieldError::new(
                    "closes_on",
                    "Enter the date the round closes",
                ));
                None
            }
            Some(c) if c < ctx.today => {
                errors.push(FieldError::new(
                    "closes_on",
                    "The date the round closes must be today or in the future",
                ));
                None
            }
            Some(c) if d.opens_on.is_some_and(|o| c <= o) => {
                errors.push(FieldError::new(
                    "closes_on",
                    "The date the round closes must be after the date it opens",
                ));
                None
            }
            Some(c) if c > ctx.today + chrono::Duration::days(366) => {
                errors.push(FieldError::new(
                    "closes_on",
                    "The date the round closes must be within a year",
                ));
                None
            }
            Some(c) => Some(c),
        };
        let min_group = match d.min_group {
            None => MIN_GROUP_DEFAULT,
            Some(n) if n < i64::from(MIN_GROUP_DEFAULT) => {
                errors.push(FieldError::new(
                    "min_group",
                    format!("The anonymity threshold must be at least {MIN_GROUP_DEFAULT}: smaller groups could let people's answers be picked out"),
                ));
                MIN_GROUP_DEFAULT
            }
            Some(n) if n > i64::from(MIN_GROUP_MAX) => {
                errors.push(FieldError::new(
                    "min_group",
                    format!("The anonymity threshold must be at most {MIN_GROUP_MAX}"),
                ));
                MIN_GROUP_DEFAULT
            }
            Some(n) => n as i32,
        };
        let divergence_gap = match d.divergence_gap {
            None => DIVERGENCE_GAP_DEFAULT,
            Some(g) => match hundredths(g) {
                Some(h) if (1..=DIVERGENCE_GAP_MAX).contains(&h) && g > 0.0 => h,
                Some(_) => {
                    errors.push(FieldError::new(
                        "divergence_gap",
                        "The divergence gap must be more than 0 and at most 4 points, like 1.0 or 0.5",
                    ));
                    DIVERGENCE_GAP_DEFAULT
                }
                None => {
                    errors.push(FieldError::new(
                        "divergence_gap",
                        "Give the divergence gap to at most two decimal places, like 1.0 or 0.75",
                    ));
                    DIVERGENCE_GAP_DEFAULT
                }
            },
        };
        match (title, questionnaire_id, opens_on, closes_on) {
            (Some(title), Some(questionnaire_id), Some(opens_on), Some(closes_on))
                if errors.is_empty() =>
            {
                Ok(RoundInput {
                    title,
                    questionnaire_id,
                    opens_on,
                    closes_on,
                    min_group,
                    divergence_gap,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One stakeholder to invite.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationDraft {
    pub email: String,
    /// The register code of the member organisation they answer for.
    pub organisation: String,
    #[schema(value_type = StakeholderRole)]
    pub role: String,
}

/// Stakeholders to invite, at most 200 at once.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationList {
    pub invitations: Vec<InvitationDraft>,
}

/// A stakeholder, checked.
#[derive(Clone, Debug)]
pub struct InvitationInput {
    pub email: String,
    pub organisation_id: i64,
    pub role: StakeholderRole,
}

pub const MAX_INVITATIONS: usize = 200;

/// Whether this looks like an email address (one @, a dot after it, no spaces).
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl InvitationInput {
    /// Checks each stakeholder; `prefix` names fields (`invitations[0].` for
    /// the API, empty for the form). `already`: emails invited already.
    pub fn parse_all(
        drafts: &[InvitationDraft],
        members: &ActiveMembers,
        already: &HashSet<String>,
        prefix: impl Fn(usize) -> String,
    ) -> Result<Vec<InvitationInput>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        if drafts.is_empty() {
            errors.push(FieldError::new("invitations", "Invite at least one person"));
        }
        if drafts.len() > MAX_INVITATIONS {
            errors.push(FieldError::new(
                "invitations",
                format!("Invite at most {MAX_INVITATIONS} people at once"),
            ));
            return Err(errors);
        }
        for (i, d) in drafts.iter().enumerate() {
            let p = prefix(i);
            let email = d.email.trim().to_lowercase();
            let email_ok = match text::line(&format!("{p}email"), "The email address", &email, 254)
            {
                Err(e) => {
                    errors.push(e);
                    false
                }
                Ok(_) if email.is_empty() => {
                    errors.push(FieldError::new(
                        &format!("{p}email"),
                        "Enter the person's email address",
                    ));
                    false
                }
                Ok(_) if !plausible_email(&email) => {
                    errors.push(FieldError::new(
                        &format!("{p}email"),
                        "Enter an email address in the correct format, like name@example.gov.uk",
                    ));
                    false
                }
                Ok(_) if already.contains(&email) || !seen.insert(email.clone()) => {
                    errors.push(FieldError::new(
                        &format!("{p}email"),
                        format!("{email} is already invited to this round"),
                    ));
                    false
                }
                Ok(_) => true,
            };
            let org = match members.by_code(&d.organisation) {
                Some(m) => Some(m.organisation_id),
                None => {
                    errors.push(FieldError::new(
                        &format!("{p}organisation"),
                        "Choose an organisation that is an active member of the partnership",
                    ));
                    None
                }
            };
            let role = match StakeholderRole::parse(d.role.trim()) {
                Some(r) => Some(r),
                None => {
                    errors.push(FieldError::new(
                        &format!("{p}role"),
                        "Choose leadership, management, operational or external",
                    ));
                    None
                }
            };
            if let (true, Some(organisation_id), Some(role)) = (email_ok, org, role) {
                out.push(InvitationInput {
                    email,
                    organisation_id,
                    role,
                });
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// An invitation made: the answer link is shown only to the round's lead, once.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct InvitationCreated {
    pub id: i64,
    pub email: String,
    /// The member organisation's register code.
    pub organisation: String,
    pub role: StakeholderRole,
    /// The link the stakeholder answers at, without an account.
    pub answer_url: String,
    pub expires_at: Timestamp,
}

/// How many were invited and how many answered, for one group.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Rate {
    /// The organisation's register code, or the role's code.
    pub code: String,
    pub label: String,
    pub invited: i64,
    pub responded: i64,
}

impl Rate {
    /// Percentage answered, rounded down; 0 when nobody was invited.
    pub fn percent(&self) -> i64 {
        if self.invited == 0 {
            0
        } else {
            self.responded * 100 / self.invited
        }
    }
}

/// A round, with response rates (counts only).
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RoundView {
    pub id: i64,
    pub partnership_id: i64,
    pub partnership_name: String,
    pub title: String,
    pub questionnaire_id: i64,
    pub questionnaire_name: String,
    pub questionnaire_version: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: RoundStatus,
    /// The report shows no group of fewer people than this.
    pub min_group: i32,
    /// The gap between partners' means (points) flagged as a divergence.
    pub divergence_gap: f64,
    /// Whether answers are taken today.
    pub taking_answers: bool,
    pub invited: i64,
    pub responded: i64,
    pub by_partner: Vec<Rate>,
    pub by_role: Vec<Rate>,
    pub created_at: Timestamp,
}

/// One statement's answer: a score 1–5, or don't know.
#[derive(Deserialize, Serialize, Clone, Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerDraft {
    pub statement_id: i64,
    /// 1 (strongly disagree) to 5 (strongly agree); leave out for don't know.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub score: Option<i32>,
    #[serde(default)]
    pub dont_know: bool,
}

/// Free text about one factor.
#[derive(Deserialize, Serialize, Clone, Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentDraft {
    pub factor_id: i64,
    pub text: String,
}

/// A stakeholder's answers; sending again replaces them while the round is open.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthResponseDraft {
    #[serde(default)]
    pub answers: Vec<AnswerDraft>,
    #[serde(default)]
    pub comments: Vec<CommentDraft>,
}

/// Answers, checked: (statement, score or none for don't know).
#[derive(Clone, Debug, Default)]
pub struct ResponseInput {
    pub answers: Vec<(i64, Option<i32>)>,
    pub comments: Vec<(i64, String)>,
}

impl ResponseInput {
    /// Statements and factors must be the round's version's; a statement
    /// is scored 1–5 or don't know, not both; one answer per statement.
    pub fn parse(
        d: &HealthResponseDraft,
        factors: &[FactorView],
    ) -> Result<ResponseInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let statements: HashSet<i64> = factors
            .iter()
            .flat_map(|f| f.statements.iter().map(|s| s.id))
            .collect();
        let factor_ids: HashSet<i64> = factors.iter().map(|f| f.id).collect();
        let mut out = ResponseInput::default();
        let mut seen = HashSet::new();
        for (i, a) in d.answers.iter().enumerate() {
            let field = format!("answers[{i}]");
            if !statements.contains(&a.statement_id) {
                errors.push(FieldError::new(
                    &format!("{field}.statement_id"),
                    "This statement is not in the round's questionnaire",
                ));
                continue;
            }
            if !seen.insert(a.statement_id) {
                errors.push(FieldError::new(
                    &format!("{field}.statement_id"),
                    "Answer each statement once",
                ));
                continue;
            }
            match (a.score, a.dont_know) {
                (Some(s), false) if (1..=5).contains(&s) => {
                    out.answers.push((a.statement_id, Some(s)))
                }
                (Some(_), false) => errors.push(FieldError::new(
                    &format!("{field}.score"),
                    "Score each statement from 1 (strongly disagree) to 5 (strongly agree)",
                )),
                (None, true) => out.answers.push((a.statement_id, None)),
                (Some(_), true) => errors.push(FieldError::new(
                    &format!("{field}.score"),
                    "Give a score or say you don't know, not both",
                )),
                (None, false) => {}
            }
        }
        let mut seen = HashSet::new();
        for (i, c) in d.comments.iter().enumerate() {
            let field = format!("comments[{i}]");
            if !factor_ids.contains(&c.factor_id) || !seen.insert(c.factor_id) {
                errors.push(FieldError::new(
                    &format!("{field}.factor_id"),
                    "Comment once on each factor of the round's questionnaire",
                ));
                continue;
            }
            match text::paragraph(&format!("{field}.text"), "A comment", &c.text, 2000) {
                Ok(t) if t.is_empty() => {}
                Ok(t) => out.comments.push((c.factor_id, t)),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// What an answer saved says.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ResponseSaved {
    pub answered: i64,
    pub dont_know: i64,
    pub comments: i64,
    /// Answers can be changed until the end of this day.
    pub closes_on: NaiveDate,
}

#[cfg(test)]
mod tests;
