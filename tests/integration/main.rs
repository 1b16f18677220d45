//! Integration tests: a real server on port 0, spoken to over HTTP. The same
//! tests run on SQLite and on PostgreSQL (see `common::backend`).

mod access;
mod accounts;
mod admin;
mod api;
mod common;
mod directory;
mod imports;
mod ops;
mod schema;
