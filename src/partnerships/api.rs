//! Partnership API handlers.
