//! What every integration test shares: test databases (`db`), a running
//! server and its clients (`client`), and small helpers.

mod client;
mod db;
mod fixtures;
#[allow(dead_code)]
pub mod mail;

pub use client::*;
pub use db::{backend, TestDb};
#[allow(unused_imports)]
pub use fixtures::{partnership_draft, person};

/// Today's date, as the server sees it (UTC).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The (field, message) pairs of a problem-details body's `errors`.
pub fn field_errors(body: &serde_json::Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_string(),
                        e["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
