//! Health check rounds: started by a partnership's lead on a questionnaire
//! version, with invitations to stakeholders of its member organisations,
//! answered by link until the round closes.

pub mod access;
pub mod answers;
pub mod api;
pub mod http;
pub mod invitations;
pub mod model;
pub mod reminders;
pub mod store;
