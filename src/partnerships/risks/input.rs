//! A risk and a risk review as typed, and every rule about them, worded once.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::*;
use crate::error::FieldError;
use crate::money::percent;
use crate::partnerships::model::ActiveMembers;
use crate::text;
use crate::web::forms;

/// A likelihood or an impact: 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Level(i32);

impl Level {
    pub fn new(n: i32) -> Option<Level> {
        (1..=5).contains(&n).then_some(Level(n))
    }
    pub fn get(self) -> i32 {
        self.0
    }
}

/// A risk as the form or the API gives it, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct RiskDraft {
    pub title: String,
    pub description: String,
    pub category: String,
    pub likelihood: Option<i32>,
    pub impact: Option<i32>,
    /// Organisation code of the owning member.
    pub owner: String,
    pub mitigation: String,
    pub status: String,
    /// (organisation code, basis points); `None` when not given at all.
    pub shares: Option<Vec<(String, i32)>>,
}

/// What a risk is checked against: the partnership as it is now.
pub struct RiskContext<'a> {
    pub members: &'a ActiveMembers,
    /// The members' agreed cost shares, used when no split is given.
    pub default_shares: Option<Vec<(String, i32)>>,
    /// The risk being changed, if it is a change.
    pub current: Option<&'a RiskView>,
}

/// A risk once checked: the only thing the store accepts.
#[derive(Clone, Debug)]
pub struct RiskInput {
    pub title: String,
    pub description: String,
    pub category: RiskCategory,
    pub likelihood: Level,
    pub impact: Level,
    /// Organisation id of the owning member.
    pub owner: i64,
    pub mitigation: String,
    pub status: RiskStatus,
    /// (organisation id, basis points), the non-zero ones.
    pub shares: Vec<(i64, i32)>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = crate::partnerships::model::MAX_TEXT;

/// The add/edit form's fields in order, for listing errors.
pub const FIELD_ORDER: [&str; 10] = [
    "category",
    "title",
    "description",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "status",
    "shares",
    "share",
];

impl RiskInput {
    /// Every rule about a risk, worded once; all problems at once.
    pub fn parse(draft: &RiskDraft, ctx: &RiskContext<'_>) -> Result<RiskInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let category = RiskCategory::parse(&draft.category);
        if category.is_none() {
            errors.push(FieldError::new("category", "Select the category of risk"));
        }
        // A blank title takes the category's label, so picking a template is enough.
        let title = match (draft.title.trim(), category) {
            ("", Some(c)) => Ok(c.label().to_string()),
            (title, _) => text::line("title", "Title", title, MAX_TITLE),
        };
        let title = forms::keep(&mut errors, title).unwrap_or_default();
        let description = forms::keep(
            &mut errors,
            text::paragraph("description", "Description", &draft.description, MAX_TEXT),
        );
        let mitigation = forms::keep(
            &mut errors,
            text::paragraph("mitigation", "Mitigation", &draft.mitigation, MAX_TEXT),
        );
        let likelihood = draft.likelihood.and_then(Level::new);
        if likelihood.is_none() {
            errors.push(FieldError::new(
                "likelihood",
                "Select how likely the risk is, from 1 (rare) to 5 (almost certain)",
            ));
        }
        let impact = draft.impact.and_then(Level::new);
        if impact.is_none() {
            errors.push(FieldError::new(
                "impact",
                "Select the impact if it happens, from 1 (negligible) to 5 (severe)",
            ));
        }
        let status = RiskStatus::parse(&draft.status);
        if status.is_none() {
            errors.push(FieldError::new("status", "Select the risk's status"));
        }
        let owner = owner(&draft.owner, ctx, &mut errors);
        let shares = shares(draft, ctx, &mut errors);
        match (
            category,
            likelihood,
            impact,
            status,
            owner,
            description,
            mitigation,
        ) {
            (
                Some(category),
                Some(likelihood),
                Some(impact),
                Some(status),
                Some(owner),
                Some(description),
                Some(mitigation),
            ) if errors.is_empty() => Ok(RiskInput {
                title,
                description,
                category,
                likelihood,
                impact,
                owner,
                mitigation,
                status,
                shares,
            }),
            _ => {
                forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

/// The owner must be an active member; an existing risk keeps its owner
/// even after that member has left, so it can still be updated (say, closed).
fn owner(code: &str, ctx: &RiskContext<'_>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let code = code.trim();
    if code.is_empty() {
        errors.push(FieldError::new(
            "owner",
            "Select the member organisation that owns the risk",
        ));
        return None;
    }
    if let Some(current) = ctx
        .current
        .filter(|c| c.owner.code.eq_ignore_ascii_case(code))
    {
        return Some(current.owner_id);
    }
    match ctx.members.by_code(code) {
        Some(m) => Some(m.organisation_id),
        None => {
            errors.push(FieldError::new(
                "owner",
                format!("{code} is not an active member of this partnership"),
            ));
            None
        }
    }
}

/// Who carries what share: every organisation an active member, none twice,
/// each 0–100%, and all adding up to exactly 100%. Unchanged shares of an
/// existing risk are kept even if a member has since left.
fn shares(
    draft: &RiskDraft,
    ctx: &RiskContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Vec<(i64, i32)> {
    let Some(given) = draft.shares.clone().or_else(|| ctx.default_shares.clone()) else {
        errors.push(FieldError::new(
            "shares",
            "Give each member's share of the risk in basis points, adding up to 10000: the members have no agreed cost shares to use instead",
        ));
        return vec![];
    };
    if let Some(current) = ctx.current.filter(|c| same_shares(&c.shares, &given)) {
        return current
            .shares
            .iter()
            .map(|s| (s.organisation_id, s.share_bp))
            .collect();
    }
    let mut problems = Vec::new();
    let mut out: Vec<(i64, i32)> = Vec::new();
    for (code, bp) in &given {
        let Some(m) = ctx.members.by_code(code) else {
            problems.push(FieldError::new(
                "shares",
                format!(
                    "{} is not an active member of this partnership",
                    code.trim()
                ),
            ));
            continue;
        };
        if out.iter().any(|(o, _)| *o == m.organisation_id) {
            problems.push(FieldError::new(
                "shares",
                format!("{} is given a share more than once", m.name),
            ));
        } else if !(0..=10_000).contains(bp) {
            problems.push(FieldError::new(
                "shares",
                format!("{}'s share must be from 0% to 100%", m.name),
            ));
        } else {
            out.push((m.organisation_id, *bp));
        }
    }
    if problems.is_empty() {
        let total: i32 = out.iter().map(|(_, bp)| bp).sum();
        if total != 10_000 {
            problems.push(FieldError::new(
                "shares",
                format!(
                    "Risk shares must add up to 100%; these add up to {}",
                    percent(total)
                ),
            ));
        }
    }
    errors.extend(problems);
    out.retain(|(_, bp)| *bp > 0);
    out
}

fn same_shares(current: &[RiskShare], proposed: &[(String, i32)]) -> bool {
    let norm = |v: Vec<(String, i32)>| {
        let mut v: Vec<(String, i32)> = v
            .into_iter()
            .filter(|(_, bp)| *bp != 0)
            .map(|(c, bp)| (c.trim().to_uppercase(), bp))
            .collect();
        v.sort();
        v
    };
    norm(
        current
            .iter()
            .map(|s| (s.organisation.clone(), s.share_bp))
            .collect(),
    ) == norm(proposed.to_vec())
}

/// A review of a risk as the form or the API gives it.
#[derive(Clone, Debug, Default)]
pub struct ReviewDraft {
    pub reviewed_on: Option<NaiveDate>,
    pub likelihood: Option<i32>,
    pub impact: Option<i32>,
    pub status: String,
    pub note: String,
}

/// A review once checked; it also becomes the risk's current state.
#[derive(Clone, Debug)]
pub struct ReviewInput {
    pub reviewed_on: NaiveDate,
    pub likelihood: Level,
    pub impact: Level,
    pub status: RiskStatus,
    pub note: String,
}

impl ReviewInput {
    pub fn parse(draft: &ReviewDraft, today: NaiveDate) -> Result<ReviewInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        match draft.reviewed_on {
            None => errors.push(FieldError::new(
                "reviewed_on",
                "Enter the date of the review",
            )),
            Some(d) if d > today => errors.push(FieldError::new(
                "reviewed_on",
                "The date of the review must be today or in the past",
            )),
            d => forms::keep(
                &mut errors,
                forms::plausible_date("reviewed_on", "The date of the review", d),
            )
            .unwrap_or(()),
        }
        let likelihood = draft.likelihood.and_then(Level::new);
        if likelihood.is_none() {
            errors.push(FieldError::new(
                "likelihood",
                "Select how likely the risk is now, from 1 (rare) to 5 (almost certain)",
            ));
        }
        let impact = draft.impact.and_then(Level::new);
        if impact.is_none() {
            errors.push(FieldError::new(
                "impact",
                "Select the impact now, from 1 (negligible) to 5 (severe)",
            ));
        }
        let status = RiskStatus::parse(&draft.status);
        if status.is_none() {
            errors.push(FieldError::new(
                "status",
                "Select the risk's status after the review",
            ));
        }
        let note = forms::keep(
            &mut errors,
            text::paragraph("note", "The note", &draft.note, MAX_TEXT),
        );
        match (draft.reviewed_on, likelihood, impact, status, note) {
            (Some(reviewed_on), Some(likelihood), Some(impact), Some(status), Some(note))
                if errors.is_empty() =>
            {
                Ok(ReviewInput {
                    reviewed_on,
                    likelihood,
                    impact,
                    status,
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}
