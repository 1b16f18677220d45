//! Integration tests for the partnership risks section.
