//! The interest, updates and funding part of a need's page, as the caller
//! may see and change it, and its forms as typed.

use serde::Deserialize;

use super::funding::{self, FundingView, SplitView};
use super::model::*;
use super::store;
use crate::error::{AppError, AppResult};
use crate::needs::model::{Need, NeedStatus};
use crate::partnerships::members::calculator::Method;
use crate::policy::{allows, Action};
use crate::work::Work;

/// The forms on the need page as typed, kept when one is refused.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Forms {
    pub kind: String,
    /// Pounds, as typed.
    pub pledge: String,
    pub note: String,
    /// An update.
    pub body: String,
    /// The funding target in pounds, as typed.
    pub target: String,
}

/// Interest, updates and funding as the caller may see and change them.
pub struct Section {
    pub need_id: i64,
    pub signed_in: bool,
    /// The owner's people: answer interest, post updates, set the target, convert.
    pub is_owner: bool,
    /// Another organisation's people who may say they are interested.
    pub can_express: bool,
    pub interests: Vec<InterestView>,
    /// The caller's organisation's interest, if any.
    pub own: Option<InterestView>,
    pub updates: Vec<UpdateView>,
    pub funding: FundingView,
    pub method: Method,
    pub split: Option<SplitView>,
    /// Why the split cannot be shown with this method.
    pub split_error: Option<String>,
    pub partnership_id: Option<i64>,
    pub open: bool,
    pub forms: Forms,
}

impl Section {
    pub fn of(w: &mut Work<'_, Need>, method: Option<&str>, forms: Forms) -> AppResult<Section> {
        let actor = w.person().map(|u| u.actor());
        let is_owner = allows(actor.as_ref(), Action::EditNeed(w.rel));
        let open = w.record.status == NeedStatus::Open;
        let all = store::all(w.conn, w.record.id)?;
        let everything: Vec<InterestView> = all.iter().map(|(_, v)| v.clone()).collect();
        let org = w.organisation_id();
        let own = all
            .iter()
            .find(|(o, _)| Some(*o) == org)
            .map(|(_, v)| v.clone());
        let interests = store::visible(w, all);
        let funding = funding::summary(&w.record, &everything);
        // The page is lenient: a method it does not know is "equally".
        let method = method.and_then(Method::parse).unwrap_or(Method::Equal);
        let (split, split_error) = if w.record.funding_target_pence.is_some() {
            match funding::split(w.conn, &w.record, method) {
                Ok(s) => (Some(s), None),
                Err(AppError::Invalid(e)) => (None, e.first().map(|e| e.message.clone())),
                Err(e) => return Err(e),
            }
        } else {
            (None, None)
        };
        // Forms start from the organisation's interest as it stands.
        let mut forms = forms;
        if forms.kind.is_empty() {
            if let Some(o) = own
                .as_ref()
                .filter(|o| o.status != InterestStatus::Withdrawn)
            {
                forms.kind = o.kind.code().to_string();
                forms.pledge = o
                    .pledge_pence
                    .map(crate::money::decimal)
                    .unwrap_or_default();
                forms.note = o.note.clone();
            }
        }
        if forms.target.is_empty() {
            forms.target = w
                .record
                .funding_target_pence
                .map(crate::money::decimal)
                .unwrap_or_default();
        }
        Ok(Section {
            need_id: w.record.id,
            signed_in: w.person().is_some(),
            is_owner,
            can_express: open && allows(actor.as_ref(), Action::ExpressInterest(w.rel)),
            interests,
            own,
            updates: store::updates(w.conn, w.record.id)?,
            funding,
            method,
            split,
            split_error,
            partnership_id: w.record.partnership_id,
            open,
            forms,
        })
    }

    pub fn kind_checked(&self, code: &str) -> bool {
        self.forms.kind == code
    }
}
