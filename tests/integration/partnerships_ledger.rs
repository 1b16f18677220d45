//! Integration tests for the partnership ledger section.
