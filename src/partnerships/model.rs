//! The partnership register's vocabulary (DOMAIN.md) and records.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{partnership_members, partnerships};
pub use crate::policy::{MemberRole, MemberStatus, Visibility};

crate::vocabulary!(
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

crate::vocabulary!(
    /// Degree on the collaboration spectrum: higher needs more trust, time and shared risk.
    Degree {
        Networking = "networking": "Networking",
        Coordinating = "coordinating": "Coordinating",
        Cooperating = "cooperating": "Cooperating",
        Collaborating = "collaborating": "Collaborating",
        Integrating = "integrating": "Integrating",
    }
);

crate::vocabulary!(
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

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = partnerships)]
pub struct Partnership {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub kind: String,
    pub degree: String,
    pub stage: i32,
    pub status: String,
    pub visibility: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub decision_body: String,
    pub decision_rule: String,
    pub meeting_cadence: String,
    pub review_cadence_months: Option<i32>,
    pub next_review_due: Option<NaiveDate>,
    pub exit_plan: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Partnership {
    pub fn kind_label(&self) -> &'static str {
        Kind::parse(&self.kind)
            .map(Kind::label)
            .unwrap_or("Unknown")
    }
    pub fn degree_label(&self) -> &'static str {
        Degree::parse(&self.degree)
            .map(Degree::label)
            .unwrap_or("Unknown")
    }
    pub fn status_label(&self) -> &'static str {
        Status::parse(&self.status)
            .map(Status::label)
            .unwrap_or("Unknown")
    }
    pub fn visibility(&self) -> Visibility {
        // Unknown values are treated as the most private.
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Partners)
    }
    pub fn stage_label(&self) -> String {
        stage_label(self.stage)
    }
    pub fn review_overdue(&self, today: impl std::borrow::Borrow<NaiveDate>) -> bool {
        self.next_review_due.is_some_and(|d| d < *today.borrow())
            && self.status != Status::Ended.code()
    }
}

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = partnership_members)]
pub struct Member {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub role: String,
    pub status: String,
    pub contact_name: String,
    pub contact_email: String,
    pub cost_share_bp: Option<i32>,
    pub invited_at: NaiveDateTime,
    pub responded_at: Option<NaiveDateTime>,
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

/// What can be set when creating or editing a partnership.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct PartnershipInput {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    /// One of the `Kind` codes, e.g. `shared_service`.
    pub kind: String,
    /// One of the `Degree` codes, e.g. `cooperating`.
    pub degree: String,
    /// ISO 44001 stage, 1 to 8.
    pub stage: i32,
    /// One of the `Status` codes, e.g. `active`.
    pub status: String,
    /// `partners`, `signed_in` or `public`.
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
    /// Months between reviews; none means no cadence is set.
    #[serde(default)]
    pub review_cadence_months: Option<i32>,
    #[serde(default)]
    pub exit_plan: String,
}

/// A partnership as the API returns it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PartnershipView {
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
    pub services: Vec<i64>,
    pub members: Vec<MemberView>,
    pub updated_at: NaiveDateTime,
}
