//! Questionnaires for health checks: Concord's own (no organisation) and
//! organisations' own, each in published versions. A published version
//! never changes: a new version is a copy, edited, published next to it.

pub mod api;
pub mod http;
pub mod model;
pub mod store;
