//! Integration tests for the partnership objectives section.
