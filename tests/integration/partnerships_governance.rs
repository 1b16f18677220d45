//! Integration tests for the partnership governance section.
