//! What a need is, and every rule about its details, worded once.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::needs;
use crate::error::FieldError;
use crate::policy::Visibility;
use crate::text;

crate::vocab::vocabulary!(
    /// Where the work stands, in the GDS service phases.
    Phase {
        Concept = "concept": "Concept",
        Discovery = "discovery": "Discovery",
        Alpha = "alpha": "Alpha",
        Beta = "beta": "Beta",
        Live = "live": "Live",
        Decommissioned = "decommissioned": "Decommissioned",
    }
);

crate::vocab::vocabulary!(
    /// What kind of working together the owner wants.
    Collaboration {
        ShareIdeas = "share_ideas": "Share ideas",
        OpenToConversation = "open_to_conversation": "Open to a conversation",
        ShareFunding = "share_funding": "Share funding",
        CoDevelop = "co_develop": "Develop it together",
        BuyTogether = "buy_together": "Buy together",
    }
);

crate::vocab::vocabulary!(
    /// Roughly what it will cost.
    BudgetBand {
        NotKnown = "not_known": "Not known yet",
        Under10k = "under_10k": "Under £10,000",
        From10kTo50k = "10k_to_50k": "£10,000 to £50,000",
        From50kTo250k = "50k_to_250k": "£50,000 to £250,000",
        From250kTo1m = "250k_to_1m": "£250,000 to £1 million",
        Over1m = "over_1m": "Over £1 million",
    }
);

crate::vocab::vocabulary!(
    /// Who may see a need.
    NeedVisibility {
        Organisation = "organisation": "People in my organisation only",
        SignedIn = "signed_in": "Everyone signed in to Concord",
        Public = "public": "Everyone, including the public",
    }
);

impl NeedVisibility {
    /// The policy's words for it: the owning organisation is the one member.
    pub fn as_policy(self) -> Visibility {
        match self {
            NeedVisibility::Organisation => Visibility::Partners,
            NeedVisibility::SignedIn => Visibility::SignedIn,
            NeedVisibility::Public => Visibility::Public,
        }
    }
}

crate::vocab::vocabulary!(
    /// Whether a need is still looking for partners.
    NeedStatus {
        Open = "open": "Open",
        Closed = "closed": "Closed",
    }
);

/// A need as stored.
#[derive(Queryable, Selectable, Serialize, Clone, Debug, ToSchema)]
#[diesel(table_name = needs)]
pub struct Need {
    pub id: i64,
    #[serde(skip)]
    pub organisation_id: i64,
    pub title: String,
    pub problem: String,
    pub users_affected: String,
    pub why_now: String,
    pub phase: Phase,
    pub budget_band: BudgetBand,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub technologies: String,
    pub visibility: NeedVisibility,
    pub status: NeedStatus,
    #[serde(skip)]
    pub created_by: Option<i64>,
    pub created_at: crate::time::Timestamp,
    pub updated_at: crate::time::Timestamp,
    /// The analysed text the matching engine ranks from (`matching::Terms`).
    #[serde(skip)]
    pub terms: String,
    /// What the owner hopes to pool from co-funders, in pence.
    pub funding_target_pence: Option<i64>,
    /// The partnership this need became, once converted.
    pub partnership_id: Option<i64>,
    /// When the owner was asked "still active?" and has not answered since.
    #[serde(skip)]
    pub asked_active_at: Option<crate::time::Timestamp>,
}

/// A need's details as a form or the API gives them, before they are
/// checked. Also the JSON body of `POST /api/v1/needs` and `PUT /api/v1/needs/{id}`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedDraft {
    pub title: String,
    /// The problem to be solved.
    #[serde(default)]
    pub problem: String,
    /// Who the users are.
    #[serde(default)]
    pub users_affected: String,
    #[serde(default)]
    pub why_now: String,
    #[schema(value_type = Phase)]
    pub phase: String,
    /// One or more kinds of collaboration wanted.
    #[serde(default)]
    #[schema(value_type = Vec<Collaboration>)]
    pub collaboration: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Option<BudgetBand>)]
    pub budget_band: Option<String>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// LGSL service identifiers.
    #[serde(default)]
    pub services: Vec<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub technologies: String,
    #[schema(value_type = NeedVisibility)]
    pub visibility: String,
}

/// A need's details once checked: the only thing the store accepts.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct NeedInput {
    pub title: String,
    pub problem: String,
    pub users_affected: String,
    pub why_now: String,
    pub phase: Phase,
    /// Sorted, without duplicates, at least one.
    pub collaboration: Vec<Collaboration>,
    pub budget_band: BudgetBand,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Sorted, without duplicates; each an LGSL service (checked by the store).
    pub services: Vec<i64>,
    /// Lower case, sorted, without duplicates.
    pub tags: Vec<String>,
    pub technologies: String,
    pub visibility: NeedVisibility,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 5000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG: usize = 50;
pub const MAX_SERVICES: usize = 20;

/// The order fields appear in on the form, for listing errors.
pub const FIELD_ORDER: [&str; 13] = [
    "title",
    "problem",
    "users_affected",
    "why_now",
    "services",
    "phase",
    "collaboration",
    "budget_band",
    "start_date",
    "end_date",
    "tags",
    "technologies",
    "visibility",
];

fn choice<T: Copy>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    message: &str,
) -> Option<T> {
    let found = parse(value.trim());
    if found.is_none() {
        errors.push(FieldError::new(field, message));
    }
    found
}

impl NeedInput {
    /// Every rule about a need's details. All problems are found at once.
    pub fn parse(draft: &NeedDraft) -> Result<NeedInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ok =
            |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let title = ok(text::required_line(
            "title",
            "Title",
            &draft.title,
            MAX_TITLE,
            "Enter a title for the need",
        ));
        let problem = ok(text::paragraph(
            "problem",
            "The problem",
            &draft.problem,
            MAX_TEXT,
        ));
        let users_affected = ok(text::paragraph(
            "users_affected",
            "Who the users are",
            &draft.users_affected,
            MAX_TEXT,
        ));
        let why_now = ok(text::paragraph(
            "why_now",
            "Why now",
            &draft.why_now,
            MAX_TEXT,
        ));
        let technologies = ok(text::line(
            "technologies",
            "Technologies",
            &draft.technologies,
            500,
        ));
        if problem.trim().is_empty() && !errors.iter().any(|e| e.field == "problem") {
            errors.push(FieldError::new(
                "problem",
                "Describe the problem to be solved",
            ));
        }
        let phase = choice(
            &mut errors,
            "phase",
            &draft.phase,
            Phase::parse,
            "Select the phase the work is in",
        );
        let visibility = choice(
            &mut errors,
            "visibility",
            &draft.visibility,
            NeedVisibility::parse,
            "Select who may see the need",
        );
        let budget_band = match draft.budget_band.as_deref().map(str::trim) {
            None | Some("") => Some(BudgetBand::NotKnown),
            Some(code) => choice(
                &mut errors,
                "budget_band",
                code,
                BudgetBand::parse,
                "Select a budget band from the list",
            ),
        };
        let mut collaboration = Vec::new();
        for code in &draft.collaboration {
            match Collaboration::parse(code.trim()) {
                Some(c) => collaboration.push(c),
                None => {
                    errors.push(FieldError::new(
                        "collaboration",
                        "Select the kinds of collaboration you want from the list",
                    ));
                    break;
                }
            }
        }
        collaboration.sort();
        collaboration.dedup();
        if collaboration.is_empty() && !errors.iter().any(|e| e.field == "collaboration") {
            errors.push(FieldError::new(
                "collaboration",
                "Select at least one kind of collaboration you want",
            ));
        }
        let mut services = draft.services.clone();
        services.sort_unstable();
        services.dedup();
        if services.len() > MAX_SERVICES {
            errors.push(FieldError::new(
                "services",
                format!("Choose at most {MAX_SERVICES} service areas"),
            ));
        }
        let mut tags: Vec<String> = Vec::new();
        for tag in &draft.tags {
            let tag = tag.trim().to_lowercase();
            if tag.is_empty() {
                continue;
            }
            if tag.chars().count() > MAX_TAG || tag.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    "tags",
                    format!("Each tag must be {MAX_TAG} characters or fewer, on one line"),
                ));
                break;
            }
            tags.push(tag);
        }
        tags.sort();
        tags.dedup();
        if tags.len() > MAX_TAGS {
            errors.push(FieldError::new(
                "tags",
                format!("Use at most {MAX_TAGS} tags"),
            ));
        }
        for (field, label, date) in [
            ("start_date", "Start date", draft.start_date),
            ("end_date", "End date", draft.end_date),
        ] {
            if let Err(e) = crate::web::forms::plausible_date(field, label, date) {
                errors.push(e);
            }
        }
        if let (Some(start), Some(end)) = (draft.start_date, draft.end_date) {
            if end < start {
                errors.push(FieldError::new(
                    "end_date",
                    "End date must be the same as or after the start date",
                ));
            }
        }
        match (phase, visibility, budget_band) {
            (Some(phase), Some(visibility), Some(budget_band)) if errors.is_empty() => {
                Ok(NeedInput {
                    title,
                    problem,
                    users_affected,
                    why_now,
                    phase,
                    collaboration,
                    budget_band,
                    start_date: draft.start_date,
                    end_date: draft.end_date,
                    services,
                    tags,
                    technologies,
                    visibility,
                })
            }
            _ => {
                crate::web::forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

/// A need as the pages and API show it, with what belongs to it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct NeedView {
    #[serde(flatten)]
    pub need: Need,
    pub organisation: crate::orgs::model::OrgRef,
    pub collaboration: Vec<Collaboration>,
    pub services: Vec<ServiceRef>,
    pub tags: Vec<String>,
}

/// An LGSL service by id and name.
#[derive(Serialize, Clone, Debug, ToSchema, Queryable)]
pub struct ServiceRef {
    pub id: i64,
    pub label: String,
}

impl NeedView {
    /// The draft that would save this need unchanged (for the edit form).
    pub fn draft(&self) -> NeedDraft {
        let n = &self.need;
        NeedDraft {
            title: n.title.clone(),
            problem: n.problem.clone(),
            users_affected: n.users_affected.clone(),
            why_now: n.why_now.clone(),
            phase: n.phase.code().into(),
            collaboration: self
                .collaboration
                .iter()
                .map(|c| c.code().to_string())
                .collect(),
            budget_band: Some(n.budget_band.code().into()),
            start_date: n.start_date,
            end_date: n.end_date,
            services: self.services.iter().map(|s| s.id).collect(),
            tags: self.tags.clone(),
            technologies: n.technologies.clone(),
            visibility: n.visibility.code().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> NeedDraft {
        NeedDraft {
            title: "Report a missed bin online".into(),
            problem: "Residents phone us to report missed collections.".into(),
            phase: "discovery".into(),
            collaboration: vec![
                "co_develop".into(),
                "share_ideas".into(),
                "co_develop".into(),
            ],
            tags: vec![" Waste ".into(), "waste".into(), "Bins".into()],
            visibility: "public".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_draft_is_tidied() {
        let input = NeedInput::parse(&draft()).unwrap();
        assert_eq!(
            input.collaboration,
            vec![Collaboration::ShareIdeas, Collaboration::CoDevelop]
        );
        assert_eq!(input.tags, vec!["bins", "waste"]);
        assert_eq!(input.budget_band, BudgetBand::NotKnown);
    }

    #[test]
    fn every_problem_is_named_in_form_order() {
        let bad = NeedDraft {
            title: " ".into(),
            phase: "someday".into(),
            collaboration: vec![],
            visibility: "everyone".into(),
            start_date: NaiveDate::from_ymd_opt(2027, 1, 1),
            end_date: NaiveDate::from_ymd_opt(2026, 1, 1),
            ..Default::default()
        };
        let fields: Vec<String> = NeedInput::parse(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "problem",
                "phase",
                "collaboration",
                "end_date",
                "visibility"
            ]
        );
    }
}
