//! The matching engine (being built).
