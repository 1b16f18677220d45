//! Organisations: every UK council from the mySociety register, plus the
//! police, fire, NHS, voluntary and private partners admins add.

pub mod api;
pub mod http;
pub mod import;
pub mod model;
pub mod store;
