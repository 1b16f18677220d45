//! People: organisation members, invitations, and platform administration.

pub mod api;
pub mod http;
pub mod store;
