//! Pooled funding for a need: what accepted co-funders pledged against the
//! owner's target, and a preview of how the target would split among the
//! owner and the accepted contributors and co-funders, with the partnership
//! cost calculator's rules.
//!
//! The one rule for "agreed shares" (used by the preview and by converting
//! the need into a partnership): each organisation's share is what it puts
//! in. A co-funder puts in its pledge; the owner puts in whatever of the
//! target the pledges do not cover (nothing when they cover it all, or when
//! there is no target); a contributor without a pledge puts in nothing.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{InterestKind, InterestStatus, InterestView};
use super::store;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::needs::model::Need;
use crate::partnerships::members::calculator::{self, Method, Party};

/// Pledged against the target.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct FundingView {
    pub target_pence: Option<i64>,
    /// What accepted co-funders pledged.
    pub pledged_pence: i64,
    /// What pending co-funders offer, not yet accepted.
    pub offered_pence: i64,
    /// What of the target the pledges do not cover (0 without a target).
    pub remaining_pence: i64,
}

impl FundingView {
    pub fn target_label(&self) -> String {
        self.target_pence
            .map(crate::money::pounds)
            .unwrap_or_else(|| "Not set".to_string())
    }
    pub fn pledged_label(&self) -> String {
        crate::money::pounds(self.pledged_pence)
    }
    pub fn offered_label(&self) -> String {
        crate::money::pounds(self.offered_pence)
    }
    pub fn remaining_label(&self) -> String {
        crate::money::pounds(self.remaining_pence)
    }
    /// Pledged as a whole percentage of the target, for the summary.
    pub fn percent(&self) -> Option<i64> {
        self.target_pence
            .filter(|t| *t > 0)
            .map(|t| ((self.pledged_pence as i128 * 100) / t as i128) as i64)
    }
}

pub fn summary(need: &Need, interests: &[InterestView]) -> FundingView {
    let sum = |status| {
        interests
            .iter()
            .filter(|i| i.kind == InterestKind::CoFunder && i.status == status)
            .filter_map(|i| i.pledge_pence)
            .sum::<i64>()
    };
    let pledged = sum(InterestStatus::Accepted);
    FundingView {
        target_pence: need.funding_target_pence,
        pledged_pence: pledged,
        offered_pence: sum(InterestStatus::Pending),
        remaining_pence: need
            .funding_target_pence
            .map(|t| (t - pledged).max(0))
            .unwrap_or(0),
    }
}

/// The owner, then each accepted contributor and co-funder, as the
/// calculator takes them (`id` is the organisation's id), with each one's
/// weight for "agreed shares".
pub fn parties(conn: &mut DbConn, need: &Need) -> AppResult<Vec<Party>> {
    let all = store::all(conn, need.id)?;
    let views: Vec<InterestView> = all.iter().map(|(_, v)| v.clone()).collect();
    let funding = summary(need, &views);
    let owner = crate::orgs::store::find_by_id(conn, need.organisation_id)?;
    let mut parties = vec![Party {
        id: owner.id,
        code: owner.code,
        name: owner.name,
        population: owner.population,
        share: Some((
            funding.remaining_pence,
            format!("Rest of the target {}", funding.remaining_label()),
        )),
    }];
    for (org, v) in all {
        if v.status != InterestStatus::Accepted || !v.kind.joins_in() {
            continue;
        }
        let population = crate::orgs::store::find_by_id(conn, org)?.population;
        let pledge = v.pledge_pence.unwrap_or(0);
        parties.push(Party {
            id: org,
            code: v.organisation.code,
            name: v.organisation.name,
            population,
            share: Some((
                pledge,
                if pledge > 0 {
                    format!("Pledge {}", crate::money::pounds(pledge))
                } else {
                    "No pledge".to_string()
                },
            )),
        });
    }
    Ok(parties)
}

/// `?method=equal|population|shares`.
#[derive(Deserialize, IntoParams, Clone, Debug, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SplitQuery {
    /// How to split the target (default equal).
    #[param(value_type = Option<Method>)]
    pub method: Option<String>,
}

impl SplitQuery {
    pub fn method(&self) -> Result<Method, FieldError> {
        match self.method.as_deref().map(str::trim) {
            None | Some("") => Ok(Method::Equal),
            Some(code) => Method::parse(code).ok_or_else(|| {
                FieldError::new("method", "method must be one of equal, population, shares")
            }),
        }
    }
}

/// One organisation's part of the target.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SplitRow {
    pub organisation: crate::orgs::model::OrgRef,
    /// What the split was weighted by, in words.
    pub basis: String,
    pub share_bp: i32,
    pub amount_pence: i64,
}

impl SplitRow {
    pub fn share_label(&self) -> String {
        crate::money::percent(self.share_bp)
    }
    pub fn amount_label(&self) -> String {
        crate::money::pounds(self.amount_pence)
    }
}

/// The funding target split among the owner and accepted partners.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SplitView {
    pub method: Method,
    pub amount_pence: i64,
    pub rows: Vec<SplitRow>,
}

/// Splits the target by `method` (without a target, what accepted
/// co-funders pledged); refused when the method cannot split it (no
/// population recorded, nothing put in by anyone).
pub fn split(conn: &mut DbConn, need: &Need, method: Method) -> AppResult<SplitView> {
    let parties = parties(conn, need)?;
    let target = match need.funding_target_pence {
        Some(target) => target,
        None => parties[1..]
            .iter()
            .filter_map(|p| p.share.as_ref())
            .map(|s| s.0)
            .sum(),
    };
    let calc = calculator::split_among(&parties, target, method)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    Ok(SplitView {
        method,
        amount_pence: calc.amount_pence,
        rows: calc
            .rows
            .into_iter()
            .map(|r| SplitRow {
                organisation: crate::orgs::model::OrgRef {
                    short_name: r.organisation_name.clone(),
                    code: r.organisation_code,
                    name: r.organisation_name,
                },
                basis: r.basis,
                share_bp: r.share_bp,
                amount_pence: r.amount_pence,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(id: i64, pledge: i64) -> Party {
        Party {
            id,
            code: format!("O{id}"),
            name: format!("Org {id}"),
            population: Some(100_000 * id),
            share: Some((pledge, String::new())),
        }
    }

    #[test]
    fn shares_follow_what_each_puts_in() {
        // Target £100,000: the owner covers the £60,000 the pledges do not.
        let parties = [party(1, 60_000_00), party(2, 40_000_00)];
        let calc = calculator::split_among(&parties, 100_000_00, Method::Shares).unwrap();
        assert_eq!(
            calc.rows.iter().map(|r| r.share_bp).collect::<Vec<_>>(),
            [6000, 4000]
        );
        // With nothing pledged and nothing left to cover, shares cannot split.
        let none = [party(1, 0), party(2, 0)];
        assert!(calculator::split_among(&none, 100, Method::Shares).is_err());
        assert_eq!(
            calculator::split_among(&none, 101, Method::Equal)
                .unwrap()
                .rows
                .iter()
                .map(|r| r.amount_pence)
                .sum::<i64>(),
            101,
            "nothing is lost to rounding"
        );
    }
}
