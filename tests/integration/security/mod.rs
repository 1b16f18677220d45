//! Security: the holes found by probing the register, each kept closed by a
//! test, and probes that walk every route as every kind of caller: about a
//! partnership, a need and a health check round.

mod health_probe;
mod holes;
mod probe;
