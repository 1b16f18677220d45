//! The shared risk register's vocabulary, records and the pure sums behind
//! it: scores, RAG bands, share checks, each partner's exposure and the heat map.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::money::percent;
use crate::orgs::model::OrgRef;

crate::vocabulary!(
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

crate::vocabulary!(
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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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
    pub created_at: NaiveDateTime,
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

/// Checks a proposed split of a risk against the active members (id, code,
/// name): every organisation a member, none twice, each 0–100%, and all
/// adding up to exactly 100%. Returns (organisation id, basis points) for
/// the non-zero shares.
pub fn check_shares(
    active: &[(i64, String, String)],
    shares: &[(String, i32)],
) -> Result<Vec<(i64, i32)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out: Vec<(i64, i32)> = Vec::new();
    for (code, bp) in shares {
        let Some((id, _, name)) = active
            .iter()
            .find(|(_, c, _)| c.eq_ignore_ascii_case(code.trim()))
        else {
            errors.push(FieldError::new(
                "shares",
                format!(
                    "{} is not an active member of this partnership",
                    code.trim()
                ),
            ));
            continue;
        };
        if out.iter().any(|(o, _)| o == id) {
            errors.push(FieldError::new(
                "shares",
                format!("{name} is given a share more than once"),
            ));
        } else if !(0..=10_000).contains(bp) {
            errors.push(FieldError::new(
                "shares",
                format!("{name}'s share must be from 0% to 100%"),
            ));
        } else {
            out.push((*id, *bp));
        }
    }
    if errors.is_empty() {
        let total: i32 = out.iter().map(|(_, bp)| bp).sum();
        if total != 10_000 {
            errors.push(FieldError::new(
                "shares",
                format!(
                    "Risk shares must add up to 100%; these add up to {}",
                    percent(total)
                ),
            ));
        }
    }
    if errors.is_empty() {
        out.retain(|(_, bp)| *bp > 0);
        Ok(out)
    } else {
        Err(errors)
    }
}

/// What can be set on a risk, once the form or JSON has been read.
#[derive(Serialize, Clone, Debug, Default)]
pub struct RiskInput {
    pub title: String,
    pub description: String,
    pub category: String,
    /// 0 when not given.
    pub likelihood: i32,
    pub impact: i32,
    /// Organisation code of the owning member.
    pub owner: String,
    pub mitigation: String,
    pub status: String,
    /// (organisation code, basis points).
    pub shares: Vec<(String, i32)>,
}

impl RiskInput {
    /// The title to store: the category's label when the title is left blank,
    /// so picking a template is enough.
    /// (The category is required, so a blank title is never an error on its own.)
    pub fn effective_title(&self) -> String {
        match (self.title.trim(), RiskCategory::parse(&self.category)) {
            ("", Some(c)) => c.label().to_string(),
            (t, _) => t.to_string(),
        }
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = crate::partnerships::store::MAX_TEXT;

/// Checks what a person can type (everything but membership, which needs the database).
pub fn validate(input: &RiskInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if input.effective_title().chars().count() > MAX_TITLE {
        errors.push(FieldError::new(
            "title",
            format!("Title must be {MAX_TITLE} characters or fewer"),
        ));
    }
    if RiskCategory::parse(&input.category).is_none() {
        errors.push(FieldError::new("category", "Select the category of risk"));
    }
    if !(1..=5).contains(&input.likelihood) {
        errors.push(FieldError::new(
            "likelihood",
            "Select how likely the risk is, from 1 (rare) to 5 (almost certain)",
        ));
    }
    if !(1..=5).contains(&input.impact) {
        errors.push(FieldError::new(
            "impact",
            "Select the impact if it happens, from 1 (negligible) to 5 (severe)",
        ));
    }
    if input.owner.trim().is_empty() {
        errors.push(FieldError::new(
            "owner",
            "Select the member organisation that owns the risk",
        ));
    }
    for (field, value) in [
        ("description", &input.description),
        ("mitigation", &input.mitigation),
    ] {
        if value.chars().count() > MAX_TEXT {
            errors.push(FieldError::new(
                field,
                format!("Keep this to {MAX_TEXT} characters or fewer"),
            ));
        }
    }
    if RiskStatus::parse(&input.status).is_none() {
        errors.push(FieldError::new("status", "Select the risk's status"));
    }
    errors
}

/// A review, once the form or JSON has been read.
#[derive(Serialize, Clone, Debug, Default)]
pub struct ReviewInput {
    pub reviewed_on: Option<NaiveDate>,
    pub likelihood: i32,
    pub impact: i32,
    pub status: String,
    pub note: String,
}

pub fn validate_review(input: &ReviewInput, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match input.reviewed_on {
        None => errors.push(FieldError::new(
            "reviewed_on",
            "Enter the date of the review",
        )),
        Some(d) if d > today => errors.push(FieldError::new(
            "reviewed_on",
            "The date of the review must be today or in the past",
        )),
        Some(_) => {}
    }
    if !(1..=5).contains(&input.likelihood) {
        errors.push(FieldError::new(
            "likelihood",
            "Select how likely the risk is now, from 1 (rare) to 5 (almost certain)",
        ));
    }
    if !(1..=5).contains(&input.impact) {
        errors.push(FieldError::new(
            "impact",
            "Select the impact now, from 1 (negligible) to 5 (severe)",
        ));
    }
    if RiskStatus::parse(&input.status).is_none() {
        errors.push(FieldError::new(
            "status",
            "Select the risk's status after the review",
        ));
    }
    if input.note.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            "note",
            format!("Keep the note to {MAX_TEXT} characters or fewer"),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

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
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
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

    #[test]
    fn shares_must_add_up_to_exactly_100() {
        let active = vec![
            (1, "BIR".to_string(), "Birmingham City Council".to_string()),
            (2, "LDS".to_string(), "Leeds City Council".to_string()),
        ];
        assert_eq!(
            check_shares(&active, &[("BIR".into(), 6000), ("lds".into(), 4000)]),
            Ok(vec![(1, 6000), (2, 4000)])
        );
        assert_eq!(
            check_shares(&active, &[("BIR".into(), 10000), ("LDS".into(), 0)]),
            Ok(vec![(1, 10000)]),
            "a zero share is not stored"
        );
        let err = |shares: &[(String, i32)]| {
            check_shares(&active, shares)
                .unwrap_err()
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            err(&[("BIR".into(), 6000), ("LDS".into(), 3000)]),
            vec!["Risk shares must add up to 100%; these add up to 90%"]
        );
        assert_eq!(
            err(&[]),
            vec!["Risk shares must add up to 100%; these add up to 0%"]
        );
        assert_eq!(
            err(&[("BIR".into(), 6000), ("CON".into(), 4000)]),
            vec!["CON is not an active member of this partnership"]
        );
        assert_eq!(
            err(&[("BIR".into(), 6000), ("BIR".into(), 4000)]),
            vec!["Birmingham City Council is given a share more than once"]
        );
        assert_eq!(
            err(&[("BIR".into(), 11000), ("LDS".into(), -1000)]).len(),
            2
        );
    }

    #[test]
    fn a_blank_title_takes_the_category_label() {
        let mut input = RiskInput {
            category: "supplier_failure".into(),
            likelihood: 3,
            impact: 4,
            owner: "BIR".into(),
            status: "open".into(),
            ..Default::default()
        };
        assert_eq!(
            input.effective_title(),
            "Supplier failure leaving the public sector in limbo"
        );
        assert!(validate(&input).is_empty());
        input.title = "  Payroll supplier exits  ".into();
        assert_eq!(input.effective_title(), "Payroll supplier exits");
        let blank = RiskInput::default();
        let fields: Vec<String> = validate(&blank).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["category", "likelihood", "impact", "owner", "status"]
        );
    }

    #[test]
    fn reviews_cannot_be_dated_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let mut input = ReviewInput {
            reviewed_on: today.succ_opt(),
            likelihood: 2,
            impact: 2,
            status: "open".into(),
            note: String::new(),
        };
        assert_eq!(
            validate_review(&input, today)[0].message,
            "The date of the review must be today or in the past"
        );
        input.reviewed_on = Some(today);
        assert!(validate_review(&input, today).is_empty());
    }
}
