//! Integration tests for the partnership reviews section.
