//! The partnership register's vocabulary (DOMAIN.md) and records.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{partnership_members, partnerships};
use crate::error::FieldError;
pub use crate::policy::{MemberRole, MemberStatus, Visibility};
use crate::text;

crate::vocab::vocabulary!(
    /// Type of collaboration (seeds 001, 002).
    Kind {
        SharedService = "shared_service": "Shared service",
        SharedManagement = "shared_management": "Shared management team",
        JointProcurement = "joint_procurement": "Joint procurement",
        PooledBudget = "pooled_budget": "Pooled or shared budget",
        JointCommittee = "joint_committee": "Joint committee",
        JointVenture = "joint_venture": "Joint venture or company",
        Contract = "contract": "Contract or outsourcing",
        Statutory = "statutory": "Statutory partnership",
        DigitalPlatform = "digital_platform": "Joint digital platform",
        Network = "network": "Network or forum",
        Merger = "merger": "Merger",
    }
);

crate::vocab::vocabulary!(
    /// Degree on the collaboration spectrum: higher needs more trust, time and shared risk.
    Degree {
        Networking = "networking": "Networking",
        Coordinating = "coordinating": "Coordinating",
        Cooperating = "cooperating": "Cooperating",
        Collaborating = "collaborating": "Collaborating",
        Integrating = "integrating": "Integrating",
    }
);

crate::vocab::vocabulary!(
    Status {
        Proposed = "proposed": "Proposed",
        Active = "active": "Active",
        UnderReview = "under_review": "Under review",
        Exiting = "exiting": "Exiting",
        Ended = "ended": "Ended",
    }
);

/// ISO 44001 (formerly BS 11000) relationship lifecycle stages, 1 to 8.
pub const STAGES: [&str; 8] = [
    "Operational awareness",
    "Knowledge",
    "Internal assessment",
    "Partner selection",
    "Working together",
    "Value creation",
    "Staying together",
    "Exit strategy activation",
];

/// (value, label) pairs for a stage select.
pub fn stage_options() -> Vec<(String, String)> {
    (1..=8).map(|s| (s.to_string(), stage_label(s))).collect()
}

pub fn stage_label(stage: i32) -> String {
    match usize::try_from(stage)
        .ok()
        .and_then(|s| STAGES.get(s.wrapping_sub(1)))
    {
        Some(name) => format!("{stage}. {name}"),
        None => format!("Stage {stage}"),
    }
}

#[derive(Queryable, Selectable, Serialize, Clone, Debug, ToSchema)]
#[diesel(table_name = partnerships)]
pub struct Partnership {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub kind: Kind,
    pub degree: Degree,
    pub stage: i32,
    pub status: Status,
    pub visibility: Visibility,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub decision_body: String,
    pub decision_rule: String,
    pub meeting_cadence: String,
    pub review_cadence_months: Option<i32>,
    pub next_review_due: Option<NaiveDate>,
    pub exit_plan: String,
    #[serde(skip)]
    pub created_by: Option<i64>,
    pub created_at: crate::time::Timestamp,
    pub updated_at: crate::time::Timestamp,
}

impl Partnership {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
    pub fn degree_label(&self) -> &'static str {
        self.degree.label()
    }
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn visibility(&self) -> Visibility {
        self.visibility
    }
    pub fn stage_label(&self) -> String {
        stage_label(self.stage)
    }
    pub fn review_overdue(&self, today: impl std::borrow::Borrow<NaiveDate>) -> bool {
        self.next_review_due.is_some_and(|d| d < *today.borrow()) && self.status != Status::Ended
    }
}

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = partnership_members)]
pub struct Member {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub role: MemberRole,
    pub status: MemberStatus,
    pub contact_name: String,
    pub contact_email: String,
    pub cost_share_bp: Option<i32>,
    pub invited_at: crate::time::Timestamp,
    pub responded_at: Option<crate::time::Timestamp>,
}

/// A member with its organisation's names, for pages and the API.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct MemberView {
    pub id: i64,
    pub organisation_code: String,
    pub organisation_name: String,
    pub role: MemberRole,
    pub status: MemberStatus,
    pub contact_name: String,
    pub contact_email: String,
    /// Agreed share of shared costs, in basis points (10000 = 100%).
    pub cost_share_bp: Option<i32>,
    /// The organisation's population, for splitting costs by population.
    pub population: Option<i64>,
}

impl MemberView {
    pub fn is_active(&self) -> bool {
        self.status == MemberStatus::Active
    }
    pub fn share_label(&self) -> String {
        self.cost_share_bp
            .map(crate::money::percent)
            .unwrap_or_else(|| "Not agreed".into())
    }
}

/// The `{id}` of a partnership in an API path, for the OpenAPI document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PartnershipId {
    /// Partnership id.
    #[allow(dead_code)]
    id: i64,
}

/// An active member organisation, as rules about members need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveMember {
    pub organisation_id: i64,
    pub code: String,
    pub name: String,
}

/// The active members of one partnership, to check inputs against.
#[derive(Clone, Debug, Default)]
pub struct ActiveMembers(pub Vec<ActiveMember>);

impl ActiveMembers {
    /// The member with this register code (any case), if active.
    pub fn by_code(&self, code: &str) -> Option<&ActiveMember> {
        self.0
            .iter()
            .find(|m| m.code.eq_ignore_ascii_case(code.trim()))
    }

    pub fn by_id(&self, organisation_id: i64) -> Option<&ActiveMember> {
        self.0.iter().find(|m| m.organisation_id == organisation_id)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ActiveMember> {
        self.0.iter()
    }
}

/// A partnership's details as a form or the API gives them, before they are
/// checked. Also the JSON body of `POST` and `PUT /api/v1/partnerships`.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct PartnershipDraft {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    #[schema(value_type = Kind)]
    pub kind: String,
    #[schema(value_type = Degree)]
    pub degree: String,
    /// ISO 44001 stage, 1 to 8.
    #[schema(minimum = 1, maximum = 8)]
    pub stage: i32,
    #[schema(value_type = Status)]
    pub status: String,
    #[schema(value_type = Visibility)]
    pub visibility: String,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// LGSL service identifiers the partnership covers.
    #[serde(default)]
    pub services: Vec<i64>,
    #[serde(default)]
    pub decision_body: String,
    #[serde(default)]
    pub decision_rule: String,
    #[serde(default)]
    pub meeting_cadence: String,
    /// Months between reviews, 1 to 60; none means no cadence is set.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 60)]
    pub review_cadence_months: Option<i32>,
    #[serde(default)]
    pub exit_plan: String,
}

/// A partnership's details once checked: the only thing the store accepts.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct PartnershipInput {
    pub name: String,
    pub purpose: String,
    pub kind: Kind,
    pub degree: Degree,
    pub stage: i32,
    pub status: Status,
    pub visibility: Visibility,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Sorted, without duplicates; each one an LGSL service (checked by the store).
    pub services: Vec<i64>,
    pub decision_body: String,
    pub decision_rule: String,
    pub meeting_cadence: String,
    pub review_cadence_months: Option<i32>,
    pub exit_plan: String,
}

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 5000;
pub const MAX_SHORT: usize = 500;

/// The order fields appear in on the form, for listing errors.
pub const FIELD_ORDER: [&str; 15] = [
    "name",
    "purpose",
    "kind",
    "degree",
    "stage",
    "status",
    "visibility",
    "start_date",
    "end_date",
    "services",
    "decision_body",
    "decision_rule",
    "meeting_cadence",
    "review_cadence_months",
    "exit_plan",
];

impl PartnershipInput {
    /// Every rule about a partnership's details, worded once. All problems
    /// are found at once, in the order of the form.
    pub fn parse(draft: &PartnershipDraft) -> Result<PartnershipInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ok =
            |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let name = ok(text::required_line(
            "name",
            "Name",
            &draft.name,
            MAX_NAME,
            "Enter the partnership's name",
        ));
        let purpose = ok(text::paragraph(
            "purpose",
            "Purpose",
            &draft.purpose,
            MAX_TEXT,
        ));
        let decision_body = ok(text::line(
            "decision_body",
            "Decision-making body",
            &draft.decision_body,
            MAX_SHORT,
        ));
        let decision_rule = ok(text::line(
            "decision_rule",
            "How decisions are made",
            &draft.decision_rule,
            MAX_SHORT,
        ));
        let meeting_cadence = ok(text::line(
            "meeting_cadence",
            "How often it meets",
            &draft.meeting_cadence,
            MAX_SHORT,
        ));
        let exit_plan = ok(text::paragraph(
            "exit_plan",
            "Exit plan",
            &draft.exit_plan,
            MAX_TEXT,
        ));
        let kind = Kind::parse(&draft.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Select the type of partnership"));
        }
        let degree = Degree::parse(&draft.degree);
        if degree.is_none() {
            errors.push(FieldError::new(
                "degree",
                "Select where the partnership sits on the collaboration spectrum",
            ));
        }
        if !(1..=8).contains(&draft.stage) {
            errors.push(FieldError::new(
                "stage",
                "Select the lifecycle stage, 1 to 8",
            ));
        }
        let status = Status::parse(&draft.status);
        if status.is_none() {
            errors.push(FieldError::new("status", "Select the partnership's status"));
        }
        let visibility = Visibility::parse(&draft.visibility);
        if visibility.is_none() {
            errors.push(FieldError::new(
                "visibility",
                "Select who can see the partnership",
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
        if let (Some(s), Some(e)) = (draft.start_date, draft.end_date) {
            if e <= s {
                errors.push(FieldError::new(
                    "end_date",
                    "The end date must be after the start date",
                ));
            }
        }
        if draft
            .review_cadence_months
            .is_some_and(|m| !(1..=60).contains(&m))
        {
            errors.push(FieldError::new(
                "review_cadence_months",
                "Review cadence must be a whole number from 1 to 60",
            ));
        }
        if let Some(s) = draft.services.iter().find(|s| **s <= 0) {
            errors.push(FieldError::new(
                "services",
                format!("There is no LGSL service {s}"),
            ));
        }
        let (Some(kind), Some(degree), Some(status), Some(visibility), true) =
            (kind, degree, status, visibility, errors.is_empty())
        else {
            crate::web::forms::in_field_order(&mut errors, &FIELD_ORDER);
            return Err(errors);
        };
        let mut services = draft.services.clone();
        services.sort_unstable();
        services.dedup();
        Ok(PartnershipInput {
            name,
            purpose,
            kind,
            degree,
            stage: draft.stage,
            status,
            visibility,
            start_date: draft.start_date,
            end_date: draft.end_date,
            services,
            decision_body,
            decision_rule,
            meeting_cadence,
            review_cadence_months: draft.review_cadence_months,
            exit_plan,
        })
    }
}

/// A partnership as the API returns it: its details, services and members.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PartnershipView {
    #[serde(flatten)]
    pub details: Partnership,
    /// LGSL service identifiers the partnership covers.
    pub services: Vec<i64>,
    pub members: Vec<MemberView>,
}
