//! Notifications: what Concord tells people, and how it reaches them.
//!
//! Anything that should tell someone something calls [`deliver`] with a
//! [`Note`] in the transaction of the change. Each recipient's own choice
//! for that kind (or their organisation's default, or Concord's) decides
//! whether it lands in the inbox only, is emailed at once (through the
//! outbox), waits for the daily digest, or is dropped. Nobody is told about
//! a record they may not see at that moment: every subject kind says who
//! may see it ([`subjects`]).
//!
//! Changes reach watchers through the audit trail's domain events
//! ([`events`]); reminders are jobs of the capabilities that own the dates
//! (e.g. `partnerships::reminders`); the digest is a daily job here.

pub mod api;
pub mod delivery;
pub mod digest;
pub mod events;
pub mod feed;
pub mod http;
mod links;
mod settings;
pub mod store;
pub mod subjects;
pub mod watches;

pub use delivery::Delivery;
pub use store::{deliver, Note};
pub use subjects::{Subject, SubjectKind};

use crate::slice::Slice;

crate::vocab::vocabulary!(
    /// What a notification is about, which is what people choose delivery by.
    NotificationKind {
        Invitation = "invitation": "Invitations to join a partnership",
        ReviewDue = "review_due": "Partnership reviews due or overdue",
        ActionDue = "action_due": "Actions and objectives due or overdue",
        RenewalDue = "renewal_due": "Agreements up for renewal",
        Change = "change": "Changes to things I watch",
        Mention = "mention": "Mentions of me or my organisation",
        SimilarNeed = "similar_need": "New needs like my organisation's",
        NeedCheck = "need_check": "My organisation's needs to confirm as still active",
    }
);

impl NotificationKind {
    /// How a kind reaches people who have not chosen, in an organisation
    /// that has not set a default: what needs doing by email, changes in
    /// the inbox.
    pub fn default_delivery(self) -> Delivery {
        match self {
            NotificationKind::Change | NotificationKind::SimilarNeed => Delivery::InApp,
            NotificationKind::Invitation
            | NotificationKind::ReviewDue
            | NotificationKind::ActionDue
            | NotificationKind::RenewalDue
            | NotificationKind::NeedCheck
            | NotificationKind::Mention => Delivery::Email,
        }
    }
}

pub const SLICE: Slice = Slice::of::<api::Doc>(http::routes, api::routes);

/// The daily digest job (reminders belong to the capabilities with dates).
pub const DIGEST_JOB: crate::jobs::Kind = crate::jobs::Kind {
    name: "notifications.digest",
    run: digest::run,
    schedule: crate::jobs::Schedule::Daily(match chrono::NaiveTime::from_hms_opt(7, 0, 0) {
        Some(t) => t,
        None => panic!("07:00 is a time"),
    }),
};
