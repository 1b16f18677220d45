//! Needs and projects: what an organisation needs or is building, listed so
//! that others with the same need — often not the neighbours — can find it
//! and join in. `matching` ranks organisations and needs that resemble one
//! another and says why.

pub mod matching;
