//! The Local Government Service List (LGSL): functions, services, and which
//! councils deliver each service (by tier, from GOV.UK's local services list).

pub mod api;
pub mod http;
pub mod import;
pub mod store;
