//! What can be asked of membership (invite, change a member, agree cost
//! shares), as the form or the API gives it and once checked. Each rule is
//! worded here and nowhere else.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::orgs::model::Organisation;
use crate::partnerships::model::{MemberRole, MemberView};
use crate::text;

/// An invitation, as the form or the API gives it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct InviteDraft {
    /// The organisation's register code, e.g. LDS (or its GSS code). Its
    /// name, e.g. Leeds City Council, is taken when it matches only one
    /// current organisation.
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    #[schema(value_type = MemberRole)]
    pub role: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
}

/// A member's role and contact, as the form or the API gives them.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct MemberDraft {
    #[serde(default)]
    #[schema(value_type = MemberRole)]
    pub role: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
}

/// Who to contact at a member organisation.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

pub struct InviteInput {
    pub organisation: Organisation,
    pub role: MemberRole,
    pub contact: Contact,
}

pub struct MemberChange {
    pub role: MemberRole,
    pub contact: Contact,
}

fn contact(name: &str, email: &str, errors: &mut Vec<FieldError>) -> Contact {
    let name = text::line("contact_name", "Contact name", name, 100)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let email = email.trim().to_string();
    if !email.is_empty() && !crate::users::store::valid_email(&email) {
        errors.push(FieldError::new(
            "contact_email",
            "Enter the contact's email address in the correct format, like name@council.gov.uk",
        ));
    }
    Contact { name, email }
}

fn role(code: &str, errors: &mut Vec<FieldError>) -> Option<MemberRole> {
    let role = MemberRole::parse(code);
    if role.is_none() {
        errors.push(FieldError::new("role", "Select the organisation's role"));
    }
    role
}

impl InviteInput {
    /// Finds the organisation by its code, GSS code or name (see
    /// [`crate::orgs::store::by_code_or_name`]); it must still exist, and a
    /// name must match one organisation only.
    pub fn parse(conn: &mut DbConn, draft: &InviteDraft) -> AppResult<InviteInput> {
        use crate::orgs::store::Named;
        let mut errors = Vec::new();
        let typed = draft.organisation.trim();
        let mut problem = |m: String| errors.push(FieldError::new("organisation", m));
        let organisation = if typed.is_empty() {
            problem("Enter the name or code of the organisation to invite, like Leeds City Council or LDS".into());
            None
        } else {
            match crate::orgs::store::by_code_or_name(conn, typed)? {
                Named::One(o) => Some(o),
                Named::Former(o) => {
                    problem(format!("{} no longer exists", o.name));
                    None
                }
                Named::Several(found, more) => {
                    problem(several(typed, &found, more));
                    None
                }
                Named::Unknown => {
                    problem(format!(
                        "No organisation has the code or name '{typed}'. Check the spelling, or find the organisation in the directory"
                    ));
                    None
                }
            }
        };
        let role = role(&draft.role, &mut errors);
        if role == Some(MemberRole::Lead) {
            errors.push(FieldError::new(
                "role",
                "Invite them as a partner, supplier or observer; once they have joined, the lead can be handed to them",
            ));
        }
        let contact = contact(&draft.contact_name, &draft.contact_email, &mut errors);
        match (organisation, role) {
            (Some(organisation), Some(role)) if errors.is_empty() => Ok(InviteInput {
                organisation,
                role,
                contact,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// Says that a name matches several organisations, naming the first few
/// with their codes (the page also offers them to choose from).
fn several(typed: &str, found: &[Organisation], more: bool) -> String {
    const SHOWN: usize = 5;
    let mut names: Vec<String> = found
        .iter()
        .take(SHOWN)
        .map(|o| format!("{} ({})", o.name, o.code))
        .collect();
    let others = found.len().saturating_sub(SHOWN);
    if more {
        names.push("others".into());
    } else if others > 0 {
        names.push(format!("{others} more"));
    }
    let what = if more {
        "Type more of the name, or its code"
    } else {
        "Choose one, or type its code"
    };
    format!(
        "More than one organisation matches '{typed}': {}. {what}",
        names.join(", ")
    )
}

impl MemberChange {
    pub fn parse(draft: &MemberDraft) -> Result<MemberChange, Vec<FieldError>> {
        let mut errors = Vec::new();
        let role = role(&draft.role, &mut errors);
        let contact = contact(&draft.contact_name, &draft.contact_email, &mut errors);
        match role {
            Some(role) if errors.is_empty() => Ok(MemberChange { role, contact }),
            _ => Err(errors),
        }
    }
}

/// An answer to an invitation: `accept` (true) or `decline` (false).
pub fn accepts(answer: &str) -> Option<bool> {
    match answer {
        "accept" => Some(true),
        "decline" => Some(false),
        _ => None,
    }
}

/// Every active member's agreed share of shared costs: all blank (nothing
/// agreed), or all given and adding up to exactly 100%.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostShares(pub Vec<(i64, Option<i32>)>);

impl CostShares {
    /// `shares` are (member id, basis points) as given.
    pub fn parse(
        shares: &[(i64, Option<i32>)],
        members: &[MemberView],
    ) -> Result<CostShares, Vec<FieldError>> {
        let active: Vec<&MemberView> = members.iter().filter(|m| m.is_active()).collect();
        let mut errors = Vec::new();
        for m in &active {
            if !shares.iter().any(|(id, _)| *id == m.id) {
                errors.push(FieldError::new(
                    &format!("share-{}", m.id),
                    format!("Give a share for {}", m.organisation_name),
                ));
            }
        }
        if let Some((id, _)) = shares
            .iter()
            .find(|(id, _)| !active.iter().any(|m| m.id == *id))
        {
            errors.push(FieldError::new(
                "shares",
                format!("Member {id} is not an active member of this partnership"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some((id, _)) = shares.iter().find(|(id, _)| !seen.insert(*id)) {
            errors.push(FieldError::new(
                "shares",
                format!("Member {id} is given a share more than once"),
            ));
        }
        if shares
            .iter()
            .any(|(_, s)| s.is_some_and(|bp| !(0..=10_000).contains(&bp)))
        {
            errors.push(FieldError::new(
                "shares",
                "Each share must be from 0% to 100%",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let given: Vec<i32> = shares.iter().filter_map(|(_, s)| *s).collect();
        if !given.is_empty() {
            if given.len() != shares.len() {
                return Err(vec![FieldError::new(
                    "shares",
                    "Give a share for every member, or leave them all blank",
                )]);
            }
            let total: i32 = given.iter().sum();
            if total != 10_000 {
                return Err(vec![FieldError::new(
                    "shares",
                    format!(
                        "Shares must add up to 100%; these add up to {}",
                        crate::money::percent(total)
                    ),
                )]);
            }
        }
        Ok(CostShares(shares.to_vec()))
    }
}
