//! Introductions' vocabulary, records, what the forms and the API give, and
//! the rules about it, worded once here.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::introductions;
use crate::error::FieldError;
use crate::orgs::model::OrgRef;
use crate::text;
use crate::time::Timestamp;

crate::vocab::vocabulary!(
    /// Where an introduction stands.
    IntroductionStatus {
        Proposed = "proposed": "Waiting for answers",
        Accepted = "accepted": "Accepted by everyone",
        Declined = "declined": "Declined",
        Converted = "converted": "Converted",
    }
);

crate::vocab::vocabulary!(
    /// One party organisation's answer so far.
    PartyStatus {
        Pending = "pending": "Not answered yet",
        Accepted = "accepted": "Accepted",
        Declined = "declined": "Declined",
    }
);

crate::vocab::vocabulary!(
    /// A party's answer to an introduction.
    IntroductionAnswer {
        Accept = "accept": "Accept",
        Decline = "decline": "Decline",
    }
);

crate::vocab::vocabulary!(
    /// What an accepted introduction becomes.
    ConversionKind {
        Partnership = "partnership": "A partnership",
        NeedWithPartners = "need_with_partners": "The need, with the other parties as contributors",
    }
);

/// An introduction as stored.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = introductions)]
pub struct Introduction {
    pub id: i64,
    pub broker_organisation_id: i64,
    pub proposed_by: Option<i64>,
    pub need_id: Option<i64>,
    pub note: String,
    pub status: IntroductionStatus,
    pub partnership_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub converted_at: Option<Timestamp>,
}

/// The need an introduction is about, shown only to those who may see it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct IntroducedNeed {
    pub id: i64,
    pub title: String,
}

/// One organisation introduced, and its answer.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct IntroductionParty {
    pub organisation: OrgRef,
    pub status: PartyStatus,
    /// Why it declined, if it said.
    pub reason: Option<String>,
    pub responded_at: Option<Timestamp>,
}

/// An introduction as its broker and parties see it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct IntroductionView {
    pub id: i64,
    pub status: IntroductionStatus,
    /// The broker organisation that proposed it.
    pub broker: OrgRef,
    pub note: String,
    /// The need it is about; null when there is none or the caller may not see it.
    pub need: Option<IntroducedNeed>,
    pub parties: Vec<IntroductionParty>,
    /// The partnership it became, once converted into one.
    pub partnership_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub converted_at: Option<Timestamp>,
}

impl IntroductionView {
    /// "Birmingham and Leeds", for titles.
    pub fn party_names(&self) -> String {
        names(
            &self
                .parties
                .iter()
                .map(|p| p.organisation.name.clone())
                .collect::<Vec<_>>(),
        )
    }

    pub fn party_of(&self, code: &str) -> Option<&IntroductionParty> {
        self.parties.iter().find(|p| p.organisation.code == code)
    }
}

/// "A", "A and B", "A, B and C".
pub fn names(all: &[String]) -> String {
    match all {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A proposal, as the form or the API gives it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct IntroductionDraft {
    /// The organisations to introduce, each by register code (e.g. LDS) or full name; two or more.
    #[serde(default)]
    pub parties: Vec<String>,
    /// Why they should meet.
    #[serde(default)]
    pub note: String,
    /// The need it is about, if any (one the proposer may see).
    #[serde(default)]
    pub need_id: Option<i64>,
}

/// A proposal once checked: organisations resolved to ids.
#[derive(Serialize, Clone, Debug)]
pub struct IntroductionInput {
    /// Organisation ids, in the order given, without repeats.
    pub parties: Vec<i64>,
    pub note: String,
    pub need_id: Option<i64>,
}

pub const MAX_NOTE: usize = 5000;
pub const MAX_REASON: usize = 1000;
pub const MAX_PARTIES: usize = 20;

pub const FIELD_ORDER: [&str; 3] = ["parties", "need_id", "note"];

/// An organisation found by what was typed: (id, name, still current).
pub type FoundOrganisation = (i64, String, bool);

/// What the rules need from the database: an organisation by code or name
/// (id, name, still current), and whether the proposer may see a need.
pub struct ProposalContext<'a> {
    pub find_organisation: &'a mut dyn FnMut(&str) -> Option<FoundOrganisation>,
    pub need_visible: &'a mut dyn FnMut(i64) -> bool,
    /// The broker's own organisation, which cannot be a party.
    pub broker: i64,
}

impl IntroductionInput {
    /// Every rule about a proposal, all problems at once in the form's order.
    pub fn parse(
        draft: &IntroductionDraft,
        ctx: ProposalContext<'_>,
    ) -> Result<IntroductionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut parties = Vec::new();
        let given: Vec<&str> = draft
            .parties
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        for typed in &given {
            match (ctx.find_organisation)(typed) {
                None => errors.push(FieldError::new(
                    "parties",
                    format!("No organisation has the code or name '{typed}'"),
                )),
                Some((_, name, false)) => errors.push(FieldError::new(
                    "parties",
                    format!("{name} no longer exists"),
                )),
                Some((id, _, true)) if id == ctx.broker => errors.push(FieldError::new(
                    "parties",
                    "Introduce other organisations, not your own",
                )),
                Some((id, _, true)) => {
                    if !parties.contains(&id) {
                        parties.push(id);
                    }
                }
            }
        }
        if errors.is_empty() && parties.len() < 2 {
            errors.push(FieldError::new(
                "parties",
                "Enter at least two different organisations to introduce",
            ));
        }
        if parties.len() > MAX_PARTIES {
            errors.push(FieldError::new(
                "parties",
                format!("Introduce at most {MAX_PARTIES} organisations at once"),
            ));
        }
        if let Some(need) = draft.need_id {
            // A need the proposer may not see reads exactly as one that does not exist.
            if need <= 0 || !(ctx.need_visible)(need) {
                errors.push(FieldError::new(
                    "need_id",
                    format!("There is no need {need} that you can see"),
                ));
            }
        }
        let note = required_note(&draft.note)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if errors.is_empty() {
            Ok(IntroductionInput {
                parties,
                note,
                need_id: draft.need_id,
            })
        } else {
            crate::web::forms::in_field_order(&mut errors, &FIELD_ORDER);
            Err(errors)
        }
    }
}

/// The note: required, several lines allowed.
fn required_note(note: &str) -> Result<String, FieldError> {
    let note = text::paragraph("note", "Note", note, MAX_NOTE)?;
    if note.trim().is_empty() {
        return Err(FieldError::new(
            "note",
            "Enter a note saying why these organisations should meet",
        ));
    }
    Ok(note)
}

/// An answer, as the form or the API gives it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct ResponseDraft {
    #[serde(default)]
    #[schema(value_type = IntroductionAnswer)]
    pub answer: String,
    /// Why the organisation declines (optional; ignored when accepting).
    #[serde(default)]
    pub reason: String,
}

pub struct ResponseInput {
    pub accept: bool,
    pub reason: Option<String>,
}

impl ResponseInput {
    pub fn parse(draft: &ResponseDraft) -> Result<ResponseInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let answer = IntroductionAnswer::parse(draft.answer.trim());
        if answer.is_none() {
            errors.push(FieldError::new(
                "answer",
                "Select whether your organisation accepts or declines",
            ));
        }
        let reason = text::paragraph("reason", "Reason", &draft.reason, MAX_REASON)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        match answer {
            Some(answer) if errors.is_empty() => {
                let accept = answer == IntroductionAnswer::Accept;
                Ok(ResponseInput {
                    accept,
                    reason: (!accept && !reason.is_empty()).then_some(reason),
                })
            }
            _ => Err(errors),
        }
    }
}

/// A conversion, as the form or the API gives it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct ConversionDraft {
    #[serde(default)]
    #[schema(value_type = ConversionKind)]
    pub into: String,
    /// For a partnership: the party that leads it, by register code.
    #[serde(default)]
    pub lead: Option<String>,
    /// For a partnership: its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A conversion once checked.
pub enum ConversionInput {
    /// A partnership led by `lead` (a party), the other parties invited.
    Partnership { lead: i64, name: String },
    /// The need the introduction is about, the other parties contributors.
    NeedWithPartners,
}

pub const CONVERSION_ORDER: [&str; 3] = ["into", "lead", "name"];

impl ConversionInput {
    /// `parties`: (organisation id, register code) of each party.
    pub fn parse(
        draft: &ConversionDraft,
        parties: &[(i64, String)],
        about_need: bool,
    ) -> Result<ConversionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let result = match ConversionKind::parse(draft.into.trim()) {
            None => {
                errors.push(FieldError::new(
                    "into",
                    "Select what the introduction becomes",
                ));
                None
            }
            Some(ConversionKind::NeedWithPartners) if !about_need => {
                errors.push(FieldError::new(
                    "into",
                    "Only an introduction about a need can become a need with partners",
                ));
                None
            }
            Some(ConversionKind::NeedWithPartners) => Some(ConversionInput::NeedWithPartners),
            Some(ConversionKind::Partnership) => {
                let code = draft.lead.as_deref().unwrap_or("").trim().to_uppercase();
                let lead = parties.iter().find(|(_, c)| *c == code).map(|(id, _)| *id);
                if lead.is_none() {
                    errors.push(FieldError::new(
                        "lead",
                        "Select which of the parties leads the partnership",
                    ));
                }
                let name = text::required_line(
                    "name",
                    "Partnership name",
                    draft.name.as_deref().unwrap_or(""),
                    crate::partnerships::model::MAX_NAME,
                    "Enter the partnership's name",
                )
                .map_err(|e| errors.push(e))
                .ok();
                match (lead, name) {
                    (Some(lead), Some(name)) => Some(ConversionInput::Partnership { lead, name }),
                    _ => None,
                }
            }
        };
        match result {
            Some(input) if errors.is_empty() => Ok(input),
            _ => {
                crate::web::forms::in_field_order(&mut errors, &CONVERSION_ORDER);
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        parties: &[&str],
        need: Option<i64>,
        note: &str,
    ) -> Result<IntroductionInput, Vec<FieldError>> {
        let draft = IntroductionDraft {
            parties: parties.iter().map(|s| s.to_string()).collect(),
            note: note.into(),
            need_id: need,
        };
        let mut find = |t: &str| match t.to_uppercase().as_str() {
            "BIR" | "BIRMINGHAM CITY COUNCIL" => Some((1, "Birmingham".to_string(), true)),
            "LDS" => Some((2, "Leeds".to_string(), true)),
            "OLD" => Some((3, "Old".to_string(), false)),
            "LGA" => Some((9, "LGA".to_string(), true)),
            _ => None,
        };
        let mut visible = |id: i64| id == 5;
        IntroductionInput::parse(
            &draft,
            ProposalContext {
                find_organisation: &mut find,
                need_visible: &mut visible,
                broker: 9,
            },
        )
    }

    #[test]
    fn a_proposal_names_two_current_organisations_other_than_the_broker() {
        let ok = parse(&["BIR", "lds", "Birmingham City Council"], Some(5), "Meet").unwrap();
        assert_eq!(ok.parties, vec![1, 2], "by code or name, once each");
        let fields = |r: Result<IntroductionInput, Vec<FieldError>>| -> Vec<String> {
            r.err().unwrap().into_iter().map(|e| e.message).collect()
        };
        assert_eq!(
            fields(parse(&["BIR", "BIR"], None, "Meet")),
            ["Enter at least two different organisations to introduce"]
        );
        assert_eq!(
            fields(parse(&["BIR", "LGA", "OLD", "XYZ"], Some(6), "")),
            [
                "Introduce other organisations, not your own",
                "Old no longer exists",
                "No organisation has the code or name 'XYZ'",
                "There is no need 6 that you can see",
                "Enter a note saying why these organisations should meet",
            ]
        );
    }

    #[test]
    fn answers_and_conversions() {
        let decline = ResponseInput::parse(&ResponseDraft {
            answer: "decline".into(),
            reason: "Not this year".into(),
        })
        .unwrap();
        assert!(!decline.accept && decline.reason.as_deref() == Some("Not this year"));
        assert!(ResponseInput::parse(&ResponseDraft::default()).is_err());
        let parties = vec![(1, "BIR".to_string()), (2, "LDS".to_string())];
        let draft = ConversionDraft {
            into: "partnership".into(),
            lead: Some("lds".into()),
            name: Some("Joint bins".into()),
        };
        assert!(matches!(
            ConversionInput::parse(&draft, &parties, false),
            Ok(ConversionInput::Partnership { lead: 2, .. })
        ));
        let outsider = ConversionDraft {
            lead: Some("CON".into()),
            ..draft.clone()
        };
        assert_eq!(
            ConversionInput::parse(&outsider, &parties, false)
                .err()
                .unwrap()[0]
                .field,
            "lead"
        );
        let need = ConversionDraft {
            into: "need_with_partners".into(),
            ..Default::default()
        };
        assert!(ConversionInput::parse(&need, &parties, false).is_err());
        assert!(ConversionInput::parse(&need, &parties, true).is_ok());
    }
}
