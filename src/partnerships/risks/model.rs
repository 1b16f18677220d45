//! The shared risk register's vocabulary, records and the pure sums behind
//! it: scores, RAG bands, share checks, each partner's exposure and the heat map.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::money::percent;
use crate::orgs::model::OrgRef;

crate::vocab::vocabulary!(
    /// What kind of risk. The first six are the common risks of collaboration
    /// (seed 001), offered as templates: picking one is enough to add a risk.
    RiskCategory {
        ComplexManagement = "complex_management": "Complex management arrangements that do not focus on outcomes",
        ObjectivesDisagreement = "objectives_disagreement": "Partners unable to agree joint objectives",
        SupplierFailure = "supplier_failure": "Supplier failure leaving the public sector in limbo",
        ResourcesDisconnected = "resources_disconnected": "Resources disconnected from objectives",
        Reputation = "reputation": "Poor performance damaging every partner's reputation",
        QuickWins = "quick_wins": "Quick wins pursued while harder customer requirements go undelivered",
        Financial = "financial": "Financial",
        Legal = "legal": "Legal or governance",
        Data = "data": "Data and information",
        Other = "other": "Other",
    }
);

crate::vocab::vocabulary!(
    /// Where a risk stands. Anything not closed counts as open (the overview relies on this).
    RiskStatus {
        Open = "open": "Open",
        Mitigating = "mitigating": "Being mitigated",
        Closed = "closed": "Closed",
    }
);

pub const LIKELIHOOD_LABELS: [&str; 5] =
    ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
pub const IMPACT_LABELS: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Severe"];

fn scale_label(labels: &[&str; 5], n: i32) -> String {
    match usize::try_from(n)
        .ok()
        .and_then(|i| labels.get(i.wrapping_sub(1)))
    {
        Some(l) => format!("{n} – {l}"),
        None => n.to_string(),
    }
}

pub fn likelihood_label(n: i32) -> String {
    scale_label(&LIKELIHOOD_LABELS, n)
}

pub fn impact_label(n: i32) -> String {
    scale_label(&IMPACT_LABELS, n)
}

/// ("1", "1 – Rare") ... for a form's radios.
pub fn likelihood_options() -> Vec<(String, String)> {
    (1..=5)
        .map(|n| (n.to_string(), likelihood_label(n)))
        .collect()
}

pub fn impact_options() -> Vec<(String, String)> {
    (1..=5).map(|n| (n.to_string(), impact_label(n))).collect()
}

/// The RAG band of a score (likelihood × impact): 1–4 green, 5–12 amber,
/// 15–25 red. 15 is where the overview starts counting "high" risks.
pub fn rag(score: i32) -> &'static str {
    match score {
        ..=4 => "green",
        5..=12 => "amber",
        _ => "red",
    }
}

/// One organisation's share of a risk.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RiskShare {
    #[serde(skip)]
    pub organisation_id: i64,
    /// Organisation code, e.g. BIR.
    pub organisation: String,
    pub organisation_name: String,
    #[serde(skip)]
    pub short_name: String,
    /// Basis points: 6000 = 60%.
    pub share_bp: i32,
}

/// A risk in the register, for pages, the CSV and the API.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RiskView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub category: RiskCategory,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: i32,
    /// 1 (negligible) to 5 (severe).
    pub impact: i32,
    /// Likelihood × impact, 1 to 25.
    pub score: i32,
    /// `green` (1–4), `amber` (5–12) or `red` (15–25).
    pub rating: String,
    pub owner: OrgRef,
    #[serde(skip)]
    pub owner_id: i64,
    pub mitigation: String,
    pub status: RiskStatus,
    /// Who carries the risk; adds up to 10000 basis points.
    pub shares: Vec<RiskShare>,
    pub created_at: crate::time::Timestamp,
    pub updated_at: crate::time::Timestamp,
}

impl RiskView {
    pub fn is_open(&self) -> bool {
        self.status != RiskStatus::Closed
    }
    pub fn rag_label(&self) -> &'static str {
        crate::partnerships::summary::rag_label(&self.rating)
    }
    pub fn rag_class(&self) -> &'static str {
        crate::partnerships::summary::rag_tag_class(&self.rating)
    }
    pub fn likelihood_label(&self) -> String {
        likelihood_label(self.likelihood)
    }
    pub fn impact_label(&self) -> String {
        impact_label(self.impact)
    }
    /// "Birmingham 60%, Leeds 40%".
    pub fn shares_label(&self) -> String {
        self.shares
            .iter()
            .map(|s| format!("{} {}", s.short_name, percent(s.share_bp)))
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// "BIR 60%; LDS 40%", for the CSV.
    pub fn shares_codes(&self) -> String {
        self.shares
            .iter()
            .map(|s| format!("{} {}", s.organisation, percent(s.share_bp)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Register order: open risks first, highest score first, then oldest first.
pub fn sort_register(risks: &mut [RiskView]) {
    risks.sort_by(|a, b| {
        (!a.is_open())
            .cmp(&!b.is_open())
            .then(b.score.cmp(&a.score))
            .then(a.id.cmp(&b.id))
    });
}

/// A dated review of a risk.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RiskReview {
    pub id: i64,
    pub reviewed_on: NaiveDate,
    pub likelihood: i32,
    pub impact: i32,
    pub score: i32,
    pub status: RiskStatus,
    pub note: String,
    /// Who recorded it, if they still have an account.
    pub reviewed_by: Option<String>,
    pub created_at: crate::time::Timestamp,
}

impl RiskReview {
    pub fn rag_label(&self) -> &'static str {
        crate::partnerships::summary::rag_label(rag(self.score))
    }
    pub fn rag_class(&self) -> &'static str {
        crate::partnerships::summary::rag_tag_class(rag(self.score))
    }
}

/// A risk with its review history, newest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RiskDetail {
    #[serde(flatten)]
    pub risk: RiskView,
    pub reviews: Vec<RiskReview>,
}

#[cfg(test)]
mod tests {
    use super::super::exposure::*;
    use super::super::input::*;
    use super::*;
    use crate::error::FieldError;
    use crate::partnerships::model::ActiveMembers;

    fn risk(id: i64, l: i32, i: i32, status: RiskStatus, shares: &[(&str, i32)]) -> RiskView {
        RiskView {
            id,
            title: format!("Risk {id}"),
            description: String::new(),
            category: RiskCategory::Other,
            likelihood: l,
            impact: i,
            score: l * i,
            rating: rag(l * i).into(),
            owner: OrgRef {
                code: "BIR".into(),
                name: "Birmingham City Council".into(),
                short_name: "Birmingham".into(),
            },
            owner_id: 1,
            mitigation: String::new(),
            status,
            shares: shares
                .iter()
                .map(|(c, bp)| RiskShare {
                    organisation_id: 0,
                    organisation: c.to_string(),
                    organisation_name: format!("{c} council"),
                    short_name: c.to_string(),
                    share_bp: *bp,
                })
                .collect(),
            created_at: crate::time::Timestamp::default(),
            updated_at: crate::time::Timestamp::default(),
        }
    }

    #[test]
    fn bands_follow_the_score() {
        assert_eq!(
            [1, 4, 5, 12, 15, 25].map(rag),
            ["green", "green", "amber", "amber", "red", "red"]
        );
        assert_eq!(likelihood_label(5), "5 – Almost certain");
        assert_eq!(impact_label(1), "1 – Negligible");
        assert_eq!(impact_label(9), "9");
    }

    #[test]
    fn exposure_weights_open_risks_by_share() {
        let members: Vec<(String, String)> = ["BIR", "LDS", "CON"]
            .iter()
            .map(|c| (c.to_string(), format!("{c} council")))
            .collect();
        let risks = vec![
            risk(1, 4, 5, RiskStatus::Open, &[("BIR", 6000), ("LDS", 4000)]),
            risk(
                2,
                3,
                3,
                RiskStatus::Mitigating,
                &[("LDS", 3333), ("BIR", 6667)],
            ),
            risk(3, 5, 5, RiskStatus::Closed, &[("BIR", 10000)]),
            risk(4, 1, 1, RiskStatus::Open, &[("OLD", 10000)]),
        ];
        let e = exposure(&risks, &members);
        let by = |code: &str| e.iter().find(|x| x.organisation == code).unwrap();
        // 0.6 × 20 + 0.6667 × 9 = 12 + 6.0003; the closed 25 does not count.
        assert_eq!(
            (by("BIR").exposure_label.as_str(), by("BIR").open_risks),
            ("18.00", 2)
        );
        assert_eq!(by("BIR").exposure, 18.0);
        // 0.4 × 20 + 0.3333 × 9 = 8 + 2.9997 = 10.9997 -> 11.00
        assert_eq!(by("LDS").exposure_label, "11.00");
        assert_eq!(by("CON").exposure_label, "0.00");
        assert_eq!(
            by("OLD").exposure_label,
            "1.00",
            "a former member still holding a share is shown"
        );
        assert_eq!(e[0].organisation, "BIR", "highest first");
        assert_eq!(exposure_label(12_345), "1.23");
        assert_eq!(exposure_label(12_350), "1.24");
    }

    #[test]
    fn heat_map_counts_open_risks_only() {
        let risks = vec![
            risk(1, 4, 5, RiskStatus::Open, &[]),
            risk(2, 4, 5, RiskStatus::Mitigating, &[]),
            risk(3, 4, 5, RiskStatus::Closed, &[]),
            risk(4, 1, 2, RiskStatus::Open, &[]),
        ];
        let grid = heat_map(&risks);
        assert_eq!(grid[3][4], 2);
        assert_eq!(grid[0][1], 1);
        assert_eq!(grid.iter().flatten().sum::<i64>(), 3);
    }

    #[test]
    fn register_puts_closed_risks_last_and_high_scores_first() {
        let mut risks = vec![
            risk(1, 1, 1, RiskStatus::Open, &[]),
            risk(2, 5, 5, RiskStatus::Closed, &[]),
            risk(3, 3, 4, RiskStatus::Mitigating, &[]),
            risk(4, 4, 5, RiskStatus::Open, &[]),
        ];
        sort_register(&mut risks);
        assert_eq!(
            risks.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![4, 3, 1, 2]
        );
    }

    fn members() -> ActiveMembers {
        use crate::partnerships::model::ActiveMember;
        ActiveMembers(vec![
            ActiveMember {
                organisation_id: 1,
                code: "BIR".into(),
                name: "Birmingham City Council".into(),
            },
            ActiveMember {
                organisation_id: 2,
                code: "LDS".into(),
                name: "Leeds City Council".into(),
            },
        ])
    }

    fn draft(shares: &[(&str, i32)]) -> RiskDraft {
        RiskDraft {
            category: "supplier_failure".into(),
            likelihood: Some(3),
            impact: Some(4),
            owner: "BIR".into(),
            status: "open".into(),
            shares: Some(shares.iter().map(|(c, bp)| (c.to_string(), *bp)).collect()),
            ..Default::default()
        }
    }

    fn parse(d: &RiskDraft) -> Result<RiskInput, Vec<FieldError>> {
        let members = members();
        RiskInput::parse(
            d,
            &RiskContext {
                members: &members,
                default_shares: None,
                current: None,
            },
        )
    }

    #[test]
    fn shares_must_add_up_to_exactly_100() {
        assert_eq!(
            parse(&draft(&[("BIR", 6000), ("lds", 4000)]))
                .unwrap()
                .shares,
            vec![(1, 6000), (2, 4000)]
        );
        assert_eq!(
            parse(&draft(&[("BIR", 10000), ("LDS", 0)])).unwrap().shares,
            vec![(1, 10000)],
            "a zero share is not stored"
        );
        let err = |shares: &[(&str, i32)]| {
            parse(&draft(shares))
                .unwrap_err()
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            err(&[("BIR", 6000), ("LDS", 3000)]),
            vec!["Risk shares must add up to 100%; these add up to 90%"]
        );
        assert_eq!(
            err(&[]),
            vec!["Risk shares must add up to 100%; these add up to 0%"]
        );
        assert_eq!(
            err(&[("BIR", 6000), ("CON", 4000)]),
            vec!["CON is not an active member of this partnership"]
        );
        assert_eq!(
            err(&[("BIR", 6000), ("BIR", 4000)]),
            vec!["Birmingham City Council is given a share more than once"]
        );
        assert_eq!(err(&[("BIR", 11000), ("LDS", -1000)]).len(), 2);
    }

    #[test]
    fn a_blank_title_takes_the_category_label() {
        let mut d = draft(&[("BIR", 10000)]);
        assert_eq!(
            parse(&d).unwrap().title,
            "Supplier failure leaving the public sector in limbo"
        );
        d.title = "  Payroll supplier exits  ".into();
        assert_eq!(parse(&d).unwrap().title, "Payroll supplier exits");
        let blank = RiskDraft {
            shares: Some(vec![("BIR".into(), 10000)]),
            ..Default::default()
        };
        let fields: Vec<String> = parse(&blank)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec!["category", "likelihood", "impact", "owner", "status"]
        );
    }

    #[test]
    fn reviews_cannot_be_dated_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let mut d = ReviewDraft {
            reviewed_on: today.succ_opt(),
            likelihood: Some(2),
            impact: Some(2),
            status: "open".into(),
            note: String::new(),
        };
        assert_eq!(
            ReviewInput::parse(&d, today).unwrap_err()[0].message,
            "The date of the review must be today or in the past"
        );
        d.reviewed_on = Some(today);
        assert!(ReviewInput::parse(&d, today).is_ok());
        d.reviewed_on = NaiveDate::from_ymd_opt(1, 1, 1);
        assert_eq!(
            ReviewInput::parse(&d, today).unwrap_err()[0].message,
            "The date of the review must be between 1900 and 2200"
        );
    }
}
