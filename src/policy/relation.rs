//! How a person's organisation relates to a record that has member
//! organisations and a visibility (a partnership today; needs, health-check
//! rounds, trials and threads next). The policy decides from this alone.

crate::vocab::vocabulary!(
    /// Who may see a record.
    Visibility {
        Partners = "partners": "Partners only",
        SignedIn = "signed_in": "All signed-in users",
        Public = "public": "Public",
    }
);

crate::vocab::vocabulary!(
    /// A member organisation's role in a record.
    MemberRole {
        Lead = "lead": "Lead",
        Partner = "partner": "Partner",
        Supplier = "supplier": "Supplier",
        Observer = "observer": "Observer",
    }
);

crate::vocab::vocabulary!(
    /// Where an organisation's membership stands.
    MemberStatus {
        Invited = "invited": "Invited",
        Active = "active": "Member",
        Declined = "declined": "Declined",
        Left = "left": "Left",
    }
);

/// How the actor's organisation relates to one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relation {
    pub visibility: Visibility,
    /// The actor's organisation's role, if it is an active member.
    pub role: Option<MemberRole>,
    /// The actor's organisation is invited and has not answered yet.
    pub invited: bool,
}

impl Relation {
    /// How someone outside every member organisation (or signed out) relates.
    pub fn outsider(visibility: Visibility) -> Relation {
        Relation {
            visibility,
            role: None,
            invited: false,
        }
    }

    /// From the actor's organisation's membership row, if it has one.
    pub fn of_member(
        visibility: Visibility,
        membership: Option<(MemberRole, MemberStatus)>,
    ) -> Relation {
        let mut rel = Relation::outsider(visibility);
        match membership {
            Some((role, MemberStatus::Active)) => rel.role = Some(role),
            Some((_, MemberStatus::Invited)) => rel.invited = true,
            _ => {}
        }
        rel
    }
}
