//! Integration tests for the partnership swot section.
