//! Interest in a need and what follows from it: organisations say they want
//! to watch, contribute or co-fund (with a pledge); the owner accepts or
//! declines and posts updates to those who joined in; pledges pool against
//! a target with a split preview; and one action turns the need into a
//! partnership with its partners invited and pledges as cost shares.
//! Interest left unanswered for 14 days reminds the owner.
//!
//! The routes and OpenAPI paths are registered by the needs slice
//! (`needs::http`, `needs::api`, `needs::ApiDoc`).

pub mod api;
pub mod convert;
pub mod funding;
pub mod http;
pub mod model;
pub mod reminders;
pub mod section;
pub mod store;
