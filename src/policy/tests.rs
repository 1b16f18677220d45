use super::*;

fn actor(role: Role, org: i64) -> Actor {
    Actor {
        user_id: 1,
        organisation_id: org,
        role,
    }
}

#[test]
fn anonymous_may_only_read_public_data() {
    assert!(allows(None, Action::ViewPublicData));
    assert!(!allows(None, Action::ManageOwnAccount));
    assert!(!allows(None, Action::ViewMembers { organisation_id: 1 }));
    assert!(!allows(None, Action::AdministerPlatform));
}

#[test]
fn members_cannot_administer() {
    let m = actor(Role::Member, 7);
    assert!(allows(Some(&m), Action::ViewMembers { organisation_id: 7 }));
    assert!(!allows(
        Some(&m),
        Action::ViewMembers { organisation_id: 8 }
    ));
    assert!(!allows(
        Some(&m),
        Action::InviteMember {
            organisation_id: 7,
            role: Role::Member
        }
    ));
    assert!(!allows(Some(&m), Action::CreateOrganisation));
    assert!(!allows(Some(&m), Action::AdministerPlatform));
    assert!(!allows(
        Some(&m),
        Action::ViewAudit {
            organisation_id: Some(7)
        }
    ));
}

#[test]
fn org_admins_manage_only_their_own_organisation() {
    let a = actor(Role::OrgAdmin, 7);
    assert!(allows(
        Some(&a),
        Action::InviteMember {
            organisation_id: 7,
            role: Role::OrgAdmin
        }
    ));
    assert!(!allows(
        Some(&a),
        Action::InviteMember {
            organisation_id: 7,
            role: Role::PlatformAdmin
        }
    ));
    assert!(!allows(
        Some(&a),
        Action::InviteMember {
            organisation_id: 8,
            role: Role::Member
        }
    ));
    assert!(allows(
        Some(&a),
        Action::EditOrganisation { organisation_id: 7 }
    ));
    assert!(!allows(
        Some(&a),
        Action::EditOrganisation { organisation_id: 8 }
    ));
    assert!(allows(
        Some(&a),
        Action::ViewAudit {
            organisation_id: Some(7)
        }
    ));
    assert!(!allows(
        Some(&a),
        Action::ViewAudit {
            organisation_id: None
        }
    ));
    assert!(!allows(Some(&a), Action::CreateOrganisation));
}

fn rel(visibility: Visibility, role: Option<MemberRole>, invited: bool) -> Relation {
    Relation {
        visibility,
        role,
        invited,
    }
}

#[test]
fn partnership_visibility() {
    let m = actor(Role::Member, 7);
    let admin = actor(Role::PlatformAdmin, 1);
    let outsider = rel(Visibility::Partners, None, false);
    assert!(!allows(Some(&m), Action::ViewPartnership(outsider)));
    assert!(
        !allows(Some(&admin), Action::ViewPartnership(outsider)),
        "partners only means partners only"
    );
    assert!(
        allows(
            Some(&m),
            Action::ViewPartnership(rel(Visibility::Partners, None, true))
        ),
        "invitees see what they are invited to"
    );
    assert!(allows(
        Some(&m),
        Action::ViewPartnership(rel(Visibility::Partners, Some(MemberRole::Observer), false))
    ));
    assert!(allows(
        Some(&m),
        Action::ViewPartnership(rel(Visibility::SignedIn, None, false))
    ));
    assert!(!allows(
        None,
        Action::ViewPartnership(rel(Visibility::SignedIn, None, false))
    ));
    assert!(allows(
        None,
        Action::ViewPartnership(rel(Visibility::Public, None, false))
    ));
}

#[test]
fn partnership_changes() {
    let m = actor(Role::Member, 7);
    let a = actor(Role::OrgAdmin, 7);
    let public_outsider = rel(Visibility::Public, None, false);
    assert!(
        !allows(Some(&m), Action::EditPartnership(public_outsider)),
        "seeing is not changing"
    );
    assert!(!allows(None, Action::EditPartnership(public_outsider)));
    assert!(allows(
        Some(&m),
        Action::EditPartnership(rel(Visibility::Partners, Some(MemberRole::Partner), false))
    ));
    assert!(!allows(
        Some(&m),
        Action::EditPartnership(rel(Visibility::Partners, Some(MemberRole::Observer), false))
    ));
    assert!(allows(
        Some(&m),
        Action::ManageMembership(rel(Visibility::Partners, Some(MemberRole::Lead), false))
    ));
    assert!(!allows(
        Some(&m),
        Action::ManageMembership(rel(Visibility::Partners, Some(MemberRole::Partner), false))
    ));
    assert!(
        !allows(
            Some(&a),
            Action::ManageMembership(rel(Visibility::Partners, Some(MemberRole::Partner), false))
        ),
        "a partner's admin cannot take the partnership over"
    );
    assert!(!allows(Some(&a), Action::ManageMembership(public_outsider)));
    assert!(allows(
        Some(&a),
        Action::RespondToInvitation(rel(Visibility::Partners, None, true))
    ));
    assert!(!allows(
        Some(&m),
        Action::RespondToInvitation(rel(Visibility::Partners, None, true))
    ));
    assert!(!allows(
        Some(&a),
        Action::RespondToInvitation(rel(Visibility::Partners, Some(MemberRole::Partner), false))
    ));
    assert!(!allows(Some(&m), Action::ImportPartnerships));
    assert!(allows(Some(&a), Action::ImportPartnerships));
}

#[test]
fn what_is_recorded_for_an_organisation_is_changed_by_its_people_or_the_lead() {
    let m = actor(Role::Member, 7);
    let partner = rel(Visibility::Partners, Some(MemberRole::Partner), false);
    let lead = rel(Visibility::Partners, Some(MemberRole::Lead), false);
    let observer = rel(Visibility::Partners, Some(MemberRole::Observer), false);
    let supplier = rel(Visibility::Partners, Some(MemberRole::Supplier), false);
    let onlooker = rel(Visibility::Public, None, false);
    let invited = rel(Visibility::Partners, None, true);
    let record = |rel, own| Action::ChangeOrganisationsRecord { rel, own };
    assert!(allows(Some(&m), record(partner, true)), "own entry");
    assert!(
        allows(Some(&m), record(supplier, true)),
        "a supplier's own entry"
    );
    assert!(
        !allows(Some(&m), record(partner, false)),
        "another partner's entry: Cornwall cannot delete Birmingham's cost"
    );
    assert!(
        !allows(Some(&m), record(supplier, false)),
        "another partner's entry, from a supplier"
    );
    assert!(
        allows(Some(&m), record(lead, false)),
        "the lead keeps the partnership's records"
    );
    assert!(allows(Some(&m), record(lead, true)));
    assert!(
        !allows(Some(&m), record(observer, true)),
        "observers change nothing, not even their own"
    );
    assert!(!allows(Some(&m), record(onlooker, false)));
    assert!(!allows(Some(&m), record(invited, true)), "not yet a member");
    assert!(!allows(None, record(lead, true)), "signed out");
    let admin = actor(Role::PlatformAdmin, 1);
    assert!(
        !allows(Some(&admin), record(onlooker, false)),
        "the platform does not change partnerships' records"
    );
    assert!(allows(Some(&m), Action::ChangeVisibility(lead)));
    assert!(
        !allows(Some(&m), Action::ChangeVisibility(partner)),
        "visibility is the lead's decision"
    );
    assert!(!allows(
        Some(&admin),
        Action::ChangeVisibility(rel(Visibility::Public, None, false))
    ));
}

#[test]
fn interest_in_a_need_is_recorded_by_its_own_organisation() {
    let m = actor(Role::Member, 7);
    let owner = rel(Visibility::SignedIn, Some(MemberRole::Lead), false);
    let other = rel(Visibility::SignedIn, None, false);
    let hidden = rel(Visibility::Partners, None, false);
    assert!(allows(Some(&m), Action::ExpressInterest(other)));
    assert!(
        !allows(Some(&m), Action::ExpressInterest(owner)),
        "no interest in one's own need"
    );
    assert!(
        !allows(Some(&m), Action::ExpressInterest(hidden)),
        "nor in one it may not see"
    );
    assert!(!allows(
        None,
        Action::ExpressInterest(rel(Visibility::Public, None, false))
    ));
    assert!(allows(
        Some(&m),
        Action::ChangeInterest {
            rel: other,
            own: true
        }
    ));
    assert!(
        !allows(
            Some(&m),
            Action::ChangeInterest {
                rel: owner,
                own: false
            }
        ),
        "the owner answers interest; it does not change another's pledge"
    );
    assert!(allows(Some(&m), Action::EditNeed(owner)));
    assert!(!allows(Some(&m), Action::EditNeed(other)));
    let import = |organisation_id| Action::ImportNeeds { organisation_id };
    assert!(
        !allows(Some(&m), import(7)),
        "members list needs one by one"
    );
    let a = actor(Role::OrgAdmin, 7);
    assert!(allows(Some(&a), import(7)));
    assert!(
        !allows(Some(&a), import(8)),
        "only for their own organisation"
    );
    assert!(allows(Some(&actor(Role::PlatformAdmin, 1)), import(8)));
}

#[test]
fn introductions_belong_to_their_broker_and_parties() {
    let m = actor(Role::Member, 7);
    let admin = actor(Role::PlatformAdmin, 1);
    assert!(allows(
        Some(&m),
        Action::ProposeIntroduction { broker: true }
    ));
    assert!(!allows(
        Some(&m),
        Action::ProposeIntroduction { broker: false }
    ));
    assert!(
        !allows(Some(&admin), Action::ProposeIntroduction { broker: false }),
        "a platform admin's organisation is made a broker first"
    );
    let view = |broker, party| Action::ViewIntroduction { broker, party };
    assert!(allows(Some(&m), view(true, false)));
    assert!(allows(Some(&m), view(false, true)));
    assert!(!allows(Some(&m), view(false, false)));
    assert!(!allows(Some(&admin), view(false, false)));
    assert!(!allows(None, view(false, false)));
    assert!(allows(
        Some(&m),
        Action::RespondToIntroduction { party: true }
    ));
    assert!(
        !allows(Some(&m), Action::RespondToIntroduction { party: false }),
        "the broker does not answer for the parties"
    );
    assert!(allows(
        Some(&admin),
        Action::ViewBrokerDashboard { broker: false }
    ));
    assert!(!allows(
        Some(&m),
        Action::ViewBrokerDashboard { broker: false }
    ));
}

#[test]
fn health_checks_are_run_by_the_lead_and_read_by_members() {
    let m = actor(Role::Member, 7);
    let lead = rel(Visibility::Public, Some(MemberRole::Lead), false);
    let partner = rel(Visibility::Partners, Some(MemberRole::Partner), false);
    let onlooker = rel(Visibility::Public, None, false);
    assert!(allows(Some(&m), Action::RunHealthCheck(lead)));
    assert!(!allows(Some(&m), Action::RunHealthCheck(partner)));
    assert!(allows(Some(&m), Action::ViewHealthReport(partner)));
    assert!(
        !allows(Some(&m), Action::ViewHealthReport(onlooker)),
        "a public partnership's report is still its members'"
    );
    assert!(!allows(None, Action::ViewHealthReport(onlooker)));
    let admin = actor(Role::PlatformAdmin, 1);
    assert!(!allows(Some(&admin), Action::ViewHealthReport(onlooker)));
    let a = actor(Role::OrgAdmin, 7);
    let own = Action::EditQuestionnaire {
        organisation_id: Some(7),
    };
    assert!(allows(Some(&a), own));
    assert!(!allows(Some(&m), own));
    assert!(!allows(
        Some(&a),
        Action::EditQuestionnaire {
            organisation_id: None
        }
    ));
    assert!(allows(
        Some(&admin),
        Action::EditQuestionnaire {
            organisation_id: None
        }
    ));
    assert!(
        allows(
            Some(&admin),
            Action::EditQuestionnaire {
                organisation_id: Some(7)
            }
        ),
        "platform admins may version any organisation's questionnaire"
    );
    assert!(!allows(Some(&actor(Role::OrgAdmin, 8)), own));
    assert!(!allows(None, own));
    let see = |org| Action::ViewQuestionnaire {
        organisation_id: org,
    };
    assert!(
        allows(Some(&m), see(None)),
        "Concord's own: everyone signed in"
    );
    assert!(!allows(None, see(None)));
    assert!(allows(Some(&m), see(Some(7))), "its own people");
    assert!(!allows(Some(&actor(Role::OrgAdmin, 8)), see(Some(7))));
    assert!(allows(Some(&admin), see(Some(7))));
    assert!(allows(
        Some(&a),
        Action::SetCollaborationStrategy { organisation_id: 7 }
    ));
    assert!(!allows(
        Some(&m),
        Action::SetCollaborationStrategy { organisation_id: 7 }
    ));
    assert!(allows(
        Some(&m),
        Action::ViewCollaborationStrategy { organisation_id: 7 }
    ));
    assert!(!allows(
        Some(&m),
        Action::ViewCollaborationStrategy { organisation_id: 8 }
    ));
    assert!(!allows(
        Some(&m),
        Action::ViewSkillsAggregate { organisation_id: 7 }
    ));
}

#[test]
fn platform_admins_may_do_everything_listed() {
    let p = actor(Role::PlatformAdmin, 1);
    assert!(allows(Some(&p), Action::CreateOrganisation));
    assert!(allows(
        Some(&p),
        Action::InviteMember {
            organisation_id: 99,
            role: Role::PlatformAdmin
        }
    ));
    assert!(allows(
        Some(&p),
        Action::ViewAudit {
            organisation_id: None
        }
    ));
}
