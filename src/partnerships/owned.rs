//! What is recorded for one member organisation of a partnership — its
//! contact details, ledger entries, the risks it owns and its share of
//! them, the objectives it owns and their progress, the review actions it
//! owns, the SWOT items it added — is recorded, changed and deleted only by
//! that organisation's people or by the lead; the other members see it.
//! The rule is the policy's `ChangeOrganisationsRecord`; this asks it for
//! one record inside a unit of work, so pages, the API and imports meet the
//! same rule.

use crate::error::AppResult;
use crate::partnerships::model::Partnership;
use crate::policy::{allows, Action, Actor, Relation};
use crate::work::Work;

/// `Ok` if the person doing `w` may record, change or delete something
/// recorded for `organisation_id`; 403 otherwise. System work is not asked.
pub fn allow(w: &Work<'_, Partnership>, organisation_id: i64) -> AppResult<()> {
    let own = w.organisation_id() == Some(organisation_id);
    w.allow(Action::ChangeOrganisationsRecord { rel: w.rel, own })
}

/// The same question for drawing a page: whether to offer the links.
pub fn may(actor: Option<&Actor>, rel: Relation, organisation_id: i64) -> bool {
    let own = actor.is_some_and(|a| a.organisation_id == organisation_id);
    allows(actor, Action::ChangeOrganisationsRecord { rel, own })
}
