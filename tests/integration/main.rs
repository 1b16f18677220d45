//! Integration tests: a real server on port 0, spoken to over HTTP. The same
//! tests run on SQLite and on PostgreSQL (see `common::backend`).

#![allow(clippy::inconsistent_digit_grouping)]

mod access;
mod access_order;
mod accounts;
mod admin;
mod admin_outbox;
mod api;
mod cli;
mod common;
mod directory;
mod email;
mod faults;
mod fuzz;
mod health_checks;
mod health_questionnaires;
mod health_report;
mod home;
mod imports;
mod introductions;
mod jobs;
mod needs;
mod needs_interest;
mod needs_matching;
mod needs_pipeline;
mod notifications;
mod ops;
mod partnerships;
mod partnerships_figures;
mod partnerships_governance;
mod partnerships_history_words;
mod partnerships_ledger;
mod partnerships_members_by_name;
mod partnerships_objectives;
mod partnerships_ownership;
mod partnerships_reviews;
mod partnerships_risks;
mod partnerships_swot;
mod reliability;
mod schema;
mod security;
mod skills;
mod strategy;
