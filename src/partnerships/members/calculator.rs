//! The cost-sharing calculator: splits a shared cost equally, by population
//! (from the council register) or by the members' agreed shares. Nothing is
//! saved; the members page offers the result as the agreed shares.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};
use crate::money::{self, split};
use crate::partnerships::model::MemberView;

crate::vocab::vocabulary!(
    /// How a cost is split among the active members.
    Method {
        Equal = "equal": "equally",
        Population = "population": "by population",
        Shares = "shares": "by agreed shares",
    }
);

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct CalculationRow {
    pub member_id: i64,
    pub organisation_code: String,
    pub organisation_name: String,
    /// What the split was weighted by, for people to check.
    pub basis: String,
    pub share_bp: i32,
    pub amount_pence: i64,
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Calculation {
    pub amount_pence: i64,
    pub method: Method,
    pub rows: Vec<CalculationRow>,
}

impl Calculation {
    pub fn amount_label(&self) -> String {
        money::pounds(self.amount_pence)
    }
    pub fn method_label(&self) -> &'static str {
        self.method.label()
    }
}

/// One organisation a cost is split among, as plain values: a partnership's
/// member, or an organisation joining in a need.
#[derive(Clone, Debug)]
pub struct Party {
    /// The member's id in a partnership; the organisation's id elsewhere.
    pub id: i64,
    pub code: String,
    pub name: String,
    pub population: Option<i64>,
    /// Its weight when splitting by agreed shares (basis points, pence
    /// pledged, ...), and that weight in words; `None` when not agreed.
    pub share: Option<(i64, String)>,
}

/// Splits `amount_pence` among the active members. Shares and amounts both
/// add up exactly (largest remainder), so nothing is lost to rounding.
pub fn calculate_split(
    members: &[MemberView],
    amount_pence: i64,
    method: Method,
) -> Result<Calculation, FieldError> {
    let parties: Vec<Party> = members
        .iter()
        .filter(|m| m.is_active())
        .map(|m| Party {
            id: m.id,
            code: m.organisation_code.clone(),
            name: m.organisation_name.clone(),
            population: m.population,
            share: m
                .cost_share_bp
                .map(|bp| (bp as i64, format!("Agreed share {}", m.share_label()))),
        })
        .collect();
    if parties.is_empty() {
        return Err(FieldError::new(
            "method",
            "The partnership has no active members to share the cost",
        ));
    }
    split_among(&parties, amount_pence, method)
}

/// Splits `amount_pence` among `parties` (at least one), in their order.
pub fn split_among(
    parties: &[Party],
    amount_pence: i64,
    method: Method,
) -> Result<Calculation, FieldError> {
    if parties.is_empty() {
        return Err(FieldError::new(
            "method",
            "There is nobody to share the cost",
        ));
    }
    let (weights, bases): (Vec<i64>, Vec<String>) = match method {
        Method::Equal => (
            vec![1; parties.len()],
            vec!["Equal share".to_string(); parties.len()],
        ),
        Method::Population => {
            if let Some(p) = parties.iter().find(|p| p.population.is_none()) {
                return Err(FieldError::new(
                    "method",
                    format!(
                        "{} has no population recorded; split equally or by agreed shares instead",
                        p.name
                    ),
                ));
            }
            parties
                .iter()
                .map(|p| {
                    let population = p.population.unwrap_or(0);
                    (
                        population,
                        format!("Population {}", crate::money::thousands(population)),
                    )
                })
                .unzip()
        }
        Method::Shares => {
            if let Some(p) = parties.iter().find(|p| p.share.is_none()) {
                return Err(FieldError::new(
                    "method",
                    format!(
                        "{} has no agreed share yet; agree shares first, or split another way",
                        p.name
                    ),
                ));
            }
            let weighed: (Vec<i64>, Vec<String>) =
                parties.iter().filter_map(|p| p.share.clone()).unzip();
            if weighed.0.iter().all(|w| *w <= 0) {
                return Err(FieldError::new(
                    "method",
                    "Nobody has a share yet; split equally or by population instead",
                ));
            }
            weighed
        }
    };
    let shares = split(10_000, &weights);
    let amounts = split(amount_pence, &weights);
    Ok(Calculation {
        amount_pence,
        method,
        rows: parties
            .iter()
            .zip(bases)
            .zip(shares.iter().zip(amounts.iter()))
            .map(|((p, basis), (share, amount))| CalculationRow {
                member_id: p.id,
                organisation_code: p.code.clone(),
                organisation_name: p.name.clone(),
                basis,
                share_bp: *share as i32,
                amount_pence: *amount,
            })
            .collect(),
    })
}

/// Splits a shared cost for the API and pages alike: a negative amount is refused.
pub fn calculate(
    members: &[MemberView],
    amount_pence: i64,
    method: Method,
) -> Result<Calculation, AppError> {
    if amount_pence < 0 {
        return Err(AppError::invalid(
            "amount_pence",
            "The amount cannot be negative",
        ));
    }
    calculate_split(members, amount_pence, method).map_err(|e| AppError::Invalid(vec![e]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnerships::model::{MemberRole, MemberStatus};

    fn member(
        id: i64,
        population: Option<i64>,
        share: Option<i32>,
        status: MemberStatus,
    ) -> MemberView {
        MemberView {
            id,
            organisation_code: format!("O{id}"),
            organisation_name: format!("Org {id}"),
            role: MemberRole::Partner,
            status,
            contact_name: String::new(),
            contact_email: String::new(),
            cost_share_bp: share,
            population,
        }
    }

    #[test]
    fn splits_equally_by_population_and_by_shares() {
        let ms = vec![
            member(1, Some(1_140_525), Some(6000), MemberStatus::Active),
            member(2, Some(793_139), Some(4000), MemberStatus::Active),
            member(3, Some(1), None, MemberStatus::Declined),
        ];
        let eq = calculate_split(&ms, 10_000_00, Method::Equal).unwrap();
        assert_eq!(eq.rows.len(), 2, "only active members pay");
        assert_eq!(
            eq.rows.iter().map(|r| r.amount_pence).collect::<Vec<_>>(),
            vec![500_000, 500_000]
        );
        let pop = calculate_split(&ms, 10_000_00, Method::Population).unwrap();
        assert_eq!(pop.rows.iter().map(|r| r.share_bp).sum::<i32>(), 10_000);
        assert_eq!(
            pop.rows.iter().map(|r| r.amount_pence).sum::<i64>(),
            10_000_00
        );
        assert_eq!(pop.rows[0].share_bp, 5898, "1,140,525 of 1,933,664");
        let sh = calculate_split(&ms, 10_000_00, Method::Shares).unwrap();
        assert_eq!(
            sh.rows.iter().map(|r| r.amount_pence).collect::<Vec<_>>(),
            vec![600_000, 400_000]
        );
    }

    #[test]
    fn refuses_what_cannot_be_split() {
        let ms = vec![
            member(1, None, None, MemberStatus::Active),
            member(2, Some(5), None, MemberStatus::Active),
        ];
        assert!(calculate_split(&ms, 100, Method::Population)
            .unwrap_err()
            .message
            .contains("Org 1 has no population"));
        assert!(calculate_split(&ms, 100, Method::Shares)
            .unwrap_err()
            .message
            .contains("no agreed share"));
        assert!(calculate_split(&[], 100, Method::Equal).is_err());
    }
}
