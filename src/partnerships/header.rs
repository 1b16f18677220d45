//! What every partnership page shows above its section: the name, the
//! invitation banner, the success banner after a change, and the section
//! navigation.

use super::model::Partnership;
use crate::policy::{allows, Action, Actor, Relation};
use crate::work::Work;

/// The partnership's pages, in the order the navigation shows them:
/// (key, path after /partnerships/{id}, label). A new section adds itself
/// here and to `SECTIONS` in `partnerships/mod.rs`.
pub const NAV: &[(&str, &str, &str)] = &[
    ("overview", "", "Overview"),
    ("members", "/members", "Members"),
    ("objectives", "/objectives", "Objectives"),
    ("governance", "/governance", "Governance"),
    ("risks", "/risks", "Risks"),
    ("ledger", "/ledger", "Costs and benefits"),
    ("reviews", "/reviews", "Reviews"),
    ("swot", "/swot", "SWOT"),
    ("health", "/health-checks", "Health checks"),
    ("history", "/history", "History"),
];

#[derive(Clone, Debug)]
pub struct Header {
    pub p: Partnership,
    pub rel: Relation,
    /// The key of the section being shown (see [`NAV`]).
    pub section: &'static str,
    pub can_edit: bool,
    pub can_manage: bool,
    pub can_respond: bool,
    /// The watch button, on the overview for signed-in people.
    pub watch: Option<crate::notifications::watches::WatchButton>,
    /// What the person's last change did (see `partnerships::notice`).
    pub notice: Option<String>,
    /// Who is looking, for asking what they may change.
    pub actor: Option<Actor>,
}

impl Header {
    /// The header for a page drawn inside a unit of work.
    pub fn of(w: &Work<'_, Partnership>, section: &'static str) -> Header {
        let actor = w.person().map(|u| u.actor());
        let rel = w.rel;
        Header {
            can_edit: allows(actor.as_ref(), Action::EditPartnership(rel)),
            can_manage: allows(actor.as_ref(), Action::ManageMembership(rel)),
            can_respond: allows(actor.as_ref(), Action::RespondToInvitation(rel)),
            p: w.record.clone(),
            rel,
            section,
            watch: None,
            notice: None,
            actor,
        }
    }

    /// May the person change or delete what is recorded for
    /// `organisation_id` (the policy's `ChangeOrganisationsRecord`)?
    pub fn may_change(&self, organisation_id: &i64) -> bool {
        crate::partnerships::owned::may(self.actor.as_ref(), self.rel, *organisation_id)
    }

    /// Adds the success banner for the change `done` names, if the person
    /// looking made it.
    pub fn with_notice(
        mut self,
        w: &mut Work<'_, Partnership>,
        done: crate::partnerships::notice::Done,
    ) -> crate::error::AppResult<Header> {
        let viewer = w.user_id();
        self.notice = crate::partnerships::notice::text(w.conn, w.record.id, viewer, done.done)?;
        Ok(self)
    }

    /// Adds the watch button (for the overview).
    pub fn with_watch(mut self, w: &mut Work<'_, Partnership>) -> crate::error::AppResult<Header> {
        let subject = crate::notifications::Subject::new("partnership", w.record.id);
        let back = format!("/partnerships/{}", w.record.id);
        let user = w.person().map(|u| u.id);
        self.watch =
            crate::notifications::watches::button(w.conn, user, &subject, &w.record.name, &back)?;
        Ok(self)
    }
}
