//! Who may see or change what. Every page and API handler asks here; nothing
//! else decides. Default deny: an action is allowed only by an explicit rule.

mod relation;

use serde::{Deserialize, Serialize};

pub use relation::{MemberRole, MemberStatus, Relation, Visibility};

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Role {
    /// Runs the platform: creates organisations and users anywhere.
    PlatformAdmin,
    /// Manages their own organisation's details and people.
    OrgAdmin,
    /// Works in their organisation's name.
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::PlatformAdmin, Role::OrgAdmin, Role::Member];

    pub fn code(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::OrgAdmin => "org_admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "Platform administrator",
            Role::OrgAdmin => "Organisation administrator",
            Role::Member => "Member",
        }
    }
}

crate::vocab::stored_as_text!(Role);

/// The signed-in person an action is checked for.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: i64,
    pub organisation_id: i64,
    pub role: Role,
}

/// Everything that can be asked of Concord that is not open to everyone.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// Read public reference data: the directory, organisation pages, services.
    ViewPublicData,
    /// See and change one's own account, password and API tokens.
    ManageOwnAccount,
    /// Create an organisation that is not in the council register.
    CreateOrganisation,
    /// Change an organisation's details (website, name of a non-council).
    EditOrganisation { organisation_id: i64 },
    /// See the people in an organisation and pending invitations.
    ViewMembers { organisation_id: i64 },
    /// Invite someone to join an organisation with a role.
    InviteMember { organisation_id: i64, role: Role },
    /// Create users in any organisation; see the admin area.
    AdministerPlatform,
    /// Set how notifications reach an organisation's people unless they choose.
    SetNotificationDefaults { organisation_id: i64 },
    /// List a need or project for one's own organisation.
    CreateNeed,
    /// See a need: by its visibility, and always its own organisation's people.
    ViewNeed(Relation),
    /// Change a need, answer interest in it, post updates to its watchers,
    /// pool its funding and turn it into a partnership: its own
    /// organisation's people only.
    EditNeed(Relation),
    /// Import needs from a CSV file for an organisation: its admins, and
    /// platform admins (changing an existing need still takes `EditNeed`).
    ImportNeeds { organisation_id: i64 },
    /// Say one's organisation wants to watch, contribute to or co-fund a
    /// need it may see; never its own.
    ExpressInterest(Relation),
    /// Change or withdraw an organisation's interest (its pledge included);
    /// `own`: the interest is the actor's organisation's.
    ChangeInterest { rel: Relation, own: bool },
    /// Propose an introduction between organisations; `broker`: the actor's
    /// organisation is a broker (a regional body, the LGA).
    ProposeIntroduction { broker: bool },
    /// See an introduction; `broker`: the actor's organisation proposed it;
    /// `party`: the actor's organisation is one of those introduced.
    ViewIntroduction { broker: bool, party: bool },
    /// Accept or decline an introduction for one's own organisation.
    RespondToIntroduction { party: bool },
    /// Turn an accepted introduction into a need with partners or a
    /// partnership: the broker or a party.
    ConvertIntroduction { broker: bool, party: bool },
    /// See a broker's dashboard; `broker`: it is the actor's organisation's.
    ViewBrokerDashboard { broker: bool },
    /// Read the audit trail; `None` means the whole platform's.
    ViewAudit { organisation_id: Option<i64> },
    /// Start a partnership, led by one's own organisation.
    CreatePartnership,
    /// Import partnerships from a CSV file.
    ImportPartnerships,
    /// See a partnership and everything in it (objectives, risks, ledger, reviews).
    ViewPartnership(Relation),
    /// Change a partnership's details, objectives, risks, ledger, reviews and SWOT.
    EditPartnership(Relation),
    /// Invite or remove member organisations, change their roles (handing
    /// the lead on included) and record the agreed cost shares.
    ManageMembership(Relation),
    /// Record, change or delete something recorded for one member
    /// organisation of a partnership: its contact details, a ledger entry,
    /// a risk it owns or its share of one, an objective it owns and the
    /// progress recorded against it, a review action it owns, a SWOT item it
    /// added. `own`: the record is (or would be) the actor's own
    /// organisation's. Its own people or the lead; other members may see it.
    ChangeOrganisationsRecord { rel: Relation, own: bool },
    /// Change who may see the partnership.
    ChangeVisibility(Relation),
    /// Accept or decline an invitation on behalf of one's organisation.
    RespondToInvitation(Relation),
    /// Start a health check round on a partnership, invite and remind its
    /// stakeholders, close it: the lead.
    RunHealthCheck(Relation),
    /// Read a health check's report: the partnership's member organisations
    /// only, whatever the partnership's visibility.
    ViewHealthReport(Relation),
    /// See a health check questionnaire and its versions; `None` is
    /// Concord's own (everyone signed in), `Some(org)` an organisation's
    /// (its own people and platform admins).
    ViewQuestionnaire { organisation_id: Option<i64> },
    /// Create or version a health check questionnaire; `None` is Concord's
    /// own (platform admins), `Some(org)` an organisation's.
    EditQuestionnaire { organisation_id: Option<i64> },
    /// Write an organisation's collaboration strategy: its admins.
    SetCollaborationStrategy { organisation_id: i64 },
    /// Read an organisation's collaboration strategy and how its
    /// partnerships stand against it: its own people.
    ViewCollaborationStrategy { organisation_id: i64 },
    /// See the aggregate of an organisation's collaboration skills
    /// self-assessments (never one person's): its admins.
    ViewSkillsAggregate { organisation_id: i64 },
}

pub fn allows(actor: Option<&Actor>, action: Action) -> bool {
    use Action::*;
    match action {
        ViewPublicData => return true,
        ViewPartnership(rel) | ViewNeed(rel) if rel.visibility == Visibility::Public => {
            return true
        }
        _ => {}
    }
    let Some(actor) = actor else { return false };
    let admin = actor.role == Role::PlatformAdmin;
    let org_admin_of = |org: i64| actor.role == Role::OrgAdmin && actor.organisation_id == org;
    match action {
        ViewPublicData | ManageOwnAccount => true,
        CreateOrganisation | AdministerPlatform => admin,
        EditOrganisation { organisation_id } | SetNotificationDefaults { organisation_id } => {
            admin || org_admin_of(organisation_id)
        }
        ViewMembers { organisation_id } => admin || actor.organisation_id == organisation_id,
        // Organisation admins may add members and fellow admins, never platform admins.
        InviteMember {
            organisation_id,
            role,
        } => admin || (org_admin_of(organisation_id) && role != Role::PlatformAdmin),
        ViewAudit {
            organisation_id: None,
        } => admin,
        ViewAudit {
            organisation_id: Some(org),
        } => admin || org_admin_of(org),
        CreatePartnership | CreateNeed => true,
        ImportNeeds { organisation_id } => admin || org_admin_of(organisation_id),
        // A need's own organisation relates as its lead; visibility "organisation" is partners-only.
        ViewNeed(rel) => allows(Some(actor), ViewPartnership(rel)),
        // What is recorded for an organisation is changed by its own people.
        EditNeed(rel) => rel.role == Some(MemberRole::Lead),
        ExpressInterest(rel) => {
            rel.role != Some(MemberRole::Lead) && allows(Some(actor), ViewNeed(rel))
        }
        // What is recorded for an organisation is changed by its own people.
        ChangeInterest { rel, own } => own && allows(Some(actor), ViewNeed(rel)),
        ProposeIntroduction { broker } => broker,
        // Introductions are between their broker and parties, not the platform's business.
        ViewIntroduction { broker, party } | ConvertIntroduction { broker, party } => {
            broker || party
        }
        RespondToIntroduction { party } => party,
        ViewBrokerDashboard { broker } => broker || admin,
        ImportPartnerships => admin || actor.role == Role::OrgAdmin,
        // Partners-only partnerships are hidden even from platform admins.
        ViewPartnership(rel) => match rel.visibility {
            Visibility::Public | Visibility::SignedIn => true,
            Visibility::Partners => rel.role.is_some() || rel.invited,
        },
        // Observers watch; every other active member organisation may change things.
        EditPartnership(rel) => matches!(
            rel.role,
            Some(MemberRole::Lead | MemberRole::Partner | MemberRole::Supplier)
        ),
        // Membership is the lead's to manage; nobody can raise their own
        // organisation's role, because only the lead changes roles at all.
        ManageMembership(rel) => rel.role == Some(MemberRole::Lead),
        // What is recorded for an organisation is changed by its own people
        // (or the lead, who keeps the partnership's records); only the lead
        // records something for another organisation.
        ChangeOrganisationsRecord { rel, own } => {
            rel.role == Some(MemberRole::Lead) || (own && allows(Some(actor), EditPartnership(rel)))
        }
        // Who may see a partnership is a lead decision.
        ChangeVisibility(rel) => rel.role == Some(MemberRole::Lead),
        RespondToInvitation(rel) => rel.invited && actor.role == Role::OrgAdmin,
        RunHealthCheck(rel) => rel.role == Some(MemberRole::Lead),
        // Members' views are for members: not observers' onlookers, not the platform.
        ViewHealthReport(rel) => rel.role.is_some(),
        ViewQuestionnaire {
            organisation_id: None,
        } => true,
        ViewQuestionnaire {
            organisation_id: Some(org),
        } => admin || actor.organisation_id == org,
        EditQuestionnaire {
            organisation_id: None,
        } => admin,
        EditQuestionnaire {
            organisation_id: Some(org),
        }
        | SetCollaborationStrategy {
            organisation_id: org,
        }
        | ViewSkillsAggregate {
            organisation_id: org,
        } => admin || org_admin_of(org),
        ViewCollaborationStrategy { organisation_id } => {
            admin || actor.organisation_id == organisation_id
        }
    }
}

/// `Ok` if allowed; otherwise the error to show: sign in first, or forbidden.
pub fn authorize(actor: Option<&Actor>, action: Action) -> crate::error::AppResult<()> {
    if allows(actor, action) {
        Ok(())
    } else if actor.is_none() {
        Err(crate::error::AppError::Unauthenticated)
    } else {
        Err(crate::error::AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests;
