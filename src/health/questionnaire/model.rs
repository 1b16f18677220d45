//! What a questionnaire looks like to the pages and the API.

use serde::Serialize;
use utoipa::ToSchema;

/// One statement to score 1 (strongly disagree) to 5 (strongly agree).
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct StatementView {
    pub id: i64,
    pub text: String,
}

/// A factor of partnership health, with its statements in order.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct FactorView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub statements: Vec<StatementView>,
}

/// A questionnaire and its latest published version.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct QuestionnaireView {
    pub id: i64,
    /// The organisation that owns it; none for Concord's own.
    pub organisation_id: Option<i64>,
    pub name: String,
    /// The latest published version's number and id.
    pub version: i32,
    pub version_id: i64,
    pub published_at: crate::time::Timestamp,
    pub factors: Vec<FactorView>,
}

/// A factor as an admin writes it for a new version.
#[derive(Clone, Debug)]
pub struct FactorInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub statements: Vec<String>,
}

/// The scale, for pages: (score, label).
pub const SCALE: [(i32, &str); 5] = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
];
