//! What an organisation's interest in a need is, an update on a need, and
//! every rule about them, worded once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::money::MAX_PENCE;
use crate::text;

crate::vocab::vocabulary!(
    /// How an organisation wants to join in a need.
    InterestKind {
        Watcher = "watcher": "Watch how it goes",
        Contributor = "contributor": "Contribute to the work",
        CoFunder = "co_funder": "Co-fund it",
    }
);

crate::vocab::vocabulary!(
    /// Where an organisation's interest stands with the need's owner.
    InterestStatus {
        Pending = "pending": "Waiting for an answer",
        Accepted = "accepted": "Accepted",
        Declined = "declined": "Declined",
        Withdrawn = "withdrawn": "Withdrawn",
    }
);

impl InterestKind {
    /// What the need page calls an organisation of this kind.
    pub fn role(self) -> &'static str {
        match self {
            InterestKind::Watcher => "Watcher",
            InterestKind::Contributor => "Contributor",
            InterestKind::CoFunder => "Co-funder",
        }
    }

    /// Contributors and co-funders are partners when the need becomes a partnership.
    pub fn joins_in(self) -> bool {
        self != InterestKind::Watcher
    }
}

pub const MAX_NOTE: usize = 2000;
pub const MAX_UPDATE: usize = 5000;

/// An organisation's interest as the pages and API show it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct InterestView {
    pub id: i64,
    pub need_id: i64,
    pub organisation: crate::orgs::model::OrgRef,
    pub kind: InterestKind,
    /// Co-funders' pledge in pence.
    pub pledge_pence: Option<i64>,
    /// Shown to the need's owner and the interested organisation only.
    pub note: String,
    pub status: InterestStatus,
    /// Why the owner declined, if they said.
    pub decline_reason: String,
    pub created_at: crate::time::Timestamp,
    pub updated_at: crate::time::Timestamp,
    pub responded_at: Option<crate::time::Timestamp>,
}

impl InterestView {
    pub fn pledge_label(&self) -> String {
        self.pledge_pence
            .map(crate::money::pounds)
            .unwrap_or_default()
    }
}

/// Interest as the API gives it (`POST /api/v1/needs/{id}/interest`).
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestDraft {
    #[schema(value_type = InterestKind)]
    pub kind: String,
    /// Required, more than 0, for co-funders; refused for others.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000000000000_i64)]
    pub pledge_pence: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// Interest once checked: the only thing the store accepts.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct InterestInput {
    pub kind: InterestKind,
    pub pledge_pence: Option<i64>,
    pub note: String,
}

/// The order fields appear in on the form.
pub const FIELD_ORDER: [&str; 4] = ["kind", "pledge_pence", "pledge", "note"];

impl InterestInput {
    /// Every rule about interest; all problems at once, in form order.
    pub fn parse(draft: &InterestDraft) -> Result<InterestInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = InterestKind::parse(draft.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "Select whether your organisation wants to watch, contribute or co-fund",
            ));
        }
        match (kind, draft.pledge_pence) {
            (Some(InterestKind::CoFunder), None) => errors.push(FieldError::new(
                "pledge_pence",
                "Enter how much your organisation pledges, in pounds",
            )),
            (Some(InterestKind::CoFunder), Some(p)) if p <= 0 => errors.push(FieldError::new(
                "pledge_pence",
                "A pledge must be more than £0",
            )),
            (Some(InterestKind::CoFunder), Some(p)) if p > MAX_PENCE => {
                errors.push(FieldError::new("pledge_pence", crate::money::TOO_LARGE))
            }
            (Some(InterestKind::CoFunder), Some(_)) => {}
            (Some(_), Some(_)) => errors.push(FieldError::new(
                "pledge_pence",
                "Only co-funders pledge money: leave the pledge empty, or choose to co-fund",
            )),
            _ => {}
        }
        let note = text::paragraph("note", "Note", &draft.note, MAX_NOTE)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        match kind {
            Some(kind) if errors.is_empty() => Ok(InterestInput {
                kind,
                pledge_pence: draft.pledge_pence,
                note,
            }),
            _ => {
                crate::web::forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

/// A change to one interest (`PUT /api/v1/needs/{id}/interest/{interest_id}`):
/// the owner sets `status` to accepted or declined (with `decline_reason`);
/// the interested organisation changes `kind`, `pledge_pence` and `note`,
/// or sets `status` to withdrawn.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestChange {
    #[serde(default)]
    #[schema(value_type = Option<InterestStatus>)]
    pub status: Option<String>,
    #[serde(default)]
    pub decline_reason: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<InterestKind>)]
    pub kind: Option<String>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000000000000_i64)]
    pub pledge_pence: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The owner's answer to an interest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub accept: bool,
    pub reason: String,
}

impl Answer {
    pub fn parse(status: &str, reason: &str) -> Result<Answer, Vec<FieldError>> {
        let mut errors = Vec::new();
        let accept = match InterestStatus::parse(status.trim()) {
            Some(InterestStatus::Accepted) => Some(true),
            Some(InterestStatus::Declined) => Some(false),
            _ => {
                errors.push(FieldError::new(
                    "status",
                    "The need's owner answers with accepted or declined",
                ));
                None
            }
        };
        let reason = text::paragraph("decline_reason", "Reason", reason, MAX_NOTE)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        match accept {
            Some(accept) if errors.is_empty() => Ok(Answer {
                accept,
                // A reason is kept only for a decline.
                reason: if accept { String::new() } else { reason },
            }),
            _ => Err(errors),
        }
    }
}

/// An update the owner posted on a need.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct UpdateView {
    pub id: i64,
    pub body: String,
    /// Who posted it, by name.
    pub author: String,
    pub created_at: crate::time::Timestamp,
}

/// `POST /api/v1/needs/{id}/updates`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDraft {
    pub body: String,
}

impl UpdateDraft {
    pub fn parse(&self) -> Result<String, Vec<FieldError>> {
        let body =
            text::paragraph("body", "Update", &self.body, MAX_UPDATE).map_err(|e| vec![e])?;
        if body.trim().is_empty() {
            return Err(vec![FieldError::new("body", "Enter the update")]);
        }
        Ok(body)
    }
}

/// `PUT /api/v1/needs/{id}/funding`: the target in pence, or null for none.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingDraft {
    #[schema(minimum = 1, maximum = 1000000000000_i64)]
    pub target_pence: Option<i64>,
}

impl FundingDraft {
    pub fn parse(&self) -> Result<Option<i64>, Vec<FieldError>> {
        match self.target_pence {
            Some(p) if p <= 0 => Err(vec![FieldError::new(
                "target_pence",
                "The funding target must be more than £0, or left empty for none",
            )]),
            Some(p) if p > MAX_PENCE => Err(vec![FieldError::new(
                "target_pence",
                crate::money::TOO_LARGE,
            )]),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: &str, pledge: Option<i64>) -> InterestDraft {
        InterestDraft {
            kind: kind.into(),
            pledge_pence: pledge,
            note: String::new(),
        }
    }

    #[test]
    fn co_funders_pledge_and_nobody_else_does() {
        let ok = InterestInput::parse(&draft("co_funder", Some(500_000_00))).unwrap();
        assert_eq!(ok.pledge_pence, Some(500_000_00));
        assert!(InterestInput::parse(&draft("watcher", None)).is_ok());
        for (kind, pledge, says) in [
            ("co_funder", None, "Enter how much"),
            ("co_funder", Some(0), "more than £0"),
            ("co_funder", Some(-5), "more than £0"),
            ("watcher", Some(100), "Only co-funders pledge"),
            ("contributor", Some(100), "Only co-funders pledge"),
        ] {
            let errors = InterestInput::parse(&draft(kind, pledge)).unwrap_err();
            assert_eq!(errors[0].field, "pledge_pence");
            assert!(errors[0].message.contains(says), "{kind} {pledge:?}");
        }
        let errors = InterestInput::parse(&draft("sponsor", None)).unwrap_err();
        assert_eq!(errors[0].field, "kind");
    }

    #[test]
    fn the_owner_answers_accepted_or_declined_only() {
        assert!(Answer::parse("accepted", "ignored")
            .unwrap()
            .reason
            .is_empty());
        assert_eq!(
            Answer::parse("declined", "Too late").unwrap().reason,
            "Too late"
        );
        assert!(Answer::parse("withdrawn", "").is_err());
    }
}
