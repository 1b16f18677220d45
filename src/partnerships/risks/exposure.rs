//! Each partner's exposure across the register, and the heat map's counts.

use serde::Serialize;
use utoipa::ToSchema;

use super::model::*;

/// One partner's exposure: Σ over open risks of likelihood × impact × share.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PartnerRiskExposure {
    /// Organisation code, e.g. BIR.
    pub organisation: String,
    pub organisation_name: String,
    /// Open risks this organisation has a share of.
    pub open_risks: i64,
    /// Exposure to 2 decimal places: 60% of a 4 × 5 risk is 12.00.
    pub exposure: f64,
    /// The same, as a string with exactly 2 decimal places.
    pub exposure_label: String,
    /// In score × basis points, exact; for sorting and summing.
    #[serde(skip)]
    pub exact: i64,
}

/// Open risks by likelihood and impact, and each partner's exposure.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RiskExposure {
    pub partners: Vec<PartnerRiskExposure>,
    /// Counts of open risks: `heat_map[l - 1][i - 1]` for likelihood l and impact i.
    pub heat_map: Vec<Vec<i64>>,
}

/// score × basis points -> "12.00" (rounded half up to 2 decimal places).
pub fn exposure_label(exact: i64) -> String {
    let hundredths = (exact + 50) / 100;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Each organisation's exposure across the open risks. `members` (code, name)
/// are listed even with nothing at stake; organisations that have
/// since left but still hold shares are listed too. Highest exposure first.
pub fn exposure(risks: &[RiskView], members: &[(String, String)]) -> Vec<PartnerRiskExposure> {
    let mut out: Vec<PartnerRiskExposure> = members
        .iter()
        .map(|(code, name)| PartnerRiskExposure {
            organisation: code.clone(),
            organisation_name: name.clone(),
            open_risks: 0,
            exposure: 0.0,
            exposure_label: String::new(),
            exact: 0,
        })
        .collect();
    for r in risks.iter().filter(|r| r.is_open()) {
        for s in r.shares.iter().filter(|s| s.share_bp > 0) {
            let i = match out.iter().position(|e| e.organisation == s.organisation) {
                Some(i) => i,
                None => {
                    out.push(PartnerRiskExposure {
                        organisation: s.organisation.clone(),
                        organisation_name: s.organisation_name.clone(),
                        open_risks: 0,
                        exposure: 0.0,
                        exposure_label: String::new(),
                        exact: 0,
                    });
                    out.len() - 1
                }
            };
            out[i].open_risks += 1;
            out[i].exact += i64::from(r.score) * i64::from(s.share_bp);
        }
    }
    for e in &mut out {
        e.exposure_label = exposure_label(e.exact);
        e.exposure = ((e.exact + 50) / 100) as f64 / 100.0;
    }
    out.sort_by(|a, b| {
        b.exact
            .cmp(&a.exact)
            .then(a.organisation_name.cmp(&b.organisation_name))
    });
    out
}

/// Counts of open risks, `[likelihood - 1][impact - 1]`.
pub fn heat_map(risks: &[RiskView]) -> [[i64; 5]; 5] {
    let mut grid = [[0i64; 5]; 5];
    for r in risks.iter().filter(|r| r.is_open()) {
        if let (Ok(l @ 1..=5), Ok(i @ 1..=5)) =
            (usize::try_from(r.likelihood), usize::try_from(r.impact))
        {
            grid[l - 1][i - 1] += 1;
        }
    }
    grid
}
