//! How many organisations the directory holds, counted one way for every
//! page that says a number (home, directory, about the data), with words
//! for what each number counts.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::model::PARTNER_TYPES;
use crate::db::schema::organisations;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::money::thousands;

/// The directory's organisations by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrgCounts {
    /// Current councils that provide services (county, district, unitary,
    /// metropolitan and London borough councils, the City of London, and
    /// the Scottish, Welsh and Northern Irish councils).
    pub principal_councils: i64,
    /// Current bodies in the council register that provide no council
    /// services themselves: combined authorities and the Greater London
    /// Authority.
    pub combined_authorities: i64,
    /// Councils in the register that were abolished or merged.
    pub former_councils: i64,
    /// Current police, fire, NHS, public, voluntary and private partners.
    pub partners: i64,
}

impl OrgCounts {
    /// Every current body in the mySociety council register.
    pub fn register_current(&self) -> i64 {
        self.principal_councils + self.combined_authorities
    }

    /// What the directory lists by default (status "current").
    pub fn directory_current(&self) -> i64 {
        self.register_current() + self.partners
    }

    pub fn principal_councils_text(&self) -> String {
        thousands(self.principal_councils)
    }
    pub fn combined_authorities_text(&self) -> String {
        thousands(self.combined_authorities)
    }
    pub fn register_current_text(&self) -> String {
        thousands(self.register_current())
    }
    pub fn former_councils_text(&self) -> String {
        thousands(self.former_councils)
    }
    pub fn partners_text(&self) -> String {
        thousands(self.partners)
    }
    pub fn directory_current_text(&self) -> String {
        thousands(self.directory_current())
    }
}

/// One grouped query over the organisations.
pub fn counts(conn: &mut DbConn) -> AppResult<OrgCounts> {
    let rows: Vec<(String, Option<String>, bool, i64)> = organisations::table
        .group_by((
            organisations::type_code,
            organisations::tier,
            organisations::is_current,
        ))
        .select((
            organisations::type_code,
            organisations::tier,
            organisations::is_current,
            count_star(),
        ))
        .load(conn)?;
    let mut counts = OrgCounts::default();
    for (type_code, tier, current, n) in rows {
        let partner = PARTNER_TYPES.iter().any(|(code, _)| *code == type_code);
        match (partner, current, tier.is_some()) {
            (true, true, _) => counts.partners += n,
            (true, false, _) => {}
            (false, false, _) => counts.former_councils += n,
            (false, true, true) => counts.principal_councils += n,
            (false, true, false) => counts.combined_authorities += n,
        }
    }
    Ok(counts)
}
