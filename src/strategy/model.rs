//! The collaboration strategy's vocabulary, what an admin may write (as
//! given and once checked: every rule worded here) and the pure judgement
//! of one partnership's facts against the strategy's criteria.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::text;

crate::vocab::vocabulary!(
    /// What a partnership must show to be entered or renewed.
    CriterionKind {
        MinHealthScore = "min_health_score": "Minimum latest health score",
        ExitPlan = "exit_plan": "A named exit plan",
        SavingsCoverCosts = "savings_cover_costs": "Realised savings at least the realised costs",
        MaxRiskExposure = "max_risk_exposure": "Risk exposure at most",
        RecentReview = "recent_review": "A review within a number of months",
        AgreementInForce = "agreement_in_force": "An agreement in force",
    }
);

crate::vocab::vocabulary!(
    /// How a partnership stands against one criterion.
    Standing {
        Met = "met": "Met",
        NotMet = "not_met": "Not met",
        NotKnown = "not_known": "Not known",
    }
);

impl CriterionKind {
    /// Whether the criterion needs a number, and what the form asks for.
    pub fn threshold_label(self) -> Option<&'static str> {
        match self {
            CriterionKind::MinHealthScore => Some("Lowest latest health score, from 1 to 5"),
            CriterionKind::MaxRiskExposure => {
                Some("Highest risk exposure for your organisation, like 12.5")
            }
            CriterionKind::RecentReview => Some("Months since the last review, at most"),
            _ => None,
        }
    }

    /// What the criterion asks, in a sentence for the form.
    pub fn hint(self) -> &'static str {
        match self {
            CriterionKind::MinHealthScore => "The overall score of the partnership's latest health check.",
            CriterionKind::ExitPlan => "The partnership has written down how it would end.",
            CriterionKind::SavingsCoverCosts => "In the costs and benefits ledger, realised cashable savings are at least the realised costs.",
            CriterionKind::MaxRiskExposure => "Your organisation's exposure in the shared risk register: the sum over open risks of likelihood × impact × your share.",
            CriterionKind::RecentReview => "The partnership held a review within this many months.",
            CriterionKind::AgreementInForce => "A signed agreement has started and not ended.",
        }
    }
}

impl Standing {
    pub fn tag_class(self) -> &'static str {
        match self {
            Standing::Met => "govuk-tag--green",
            Standing::NotMet => "govuk-tag--red",
            Standing::NotKnown => "govuk-tag--grey",
        }
    }
}

/// The most an outcomes statement may hold.
pub const MAX_OUTCOMES: usize = 10_000;
/// The highest exposure ceiling accepted (far above any real register).
pub const MAX_EXPOSURE: f64 = 100_000.0;

/// One criterion, as written.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, ToSchema)]
pub struct Criterion {
    #[schema(value_type = CriterionKind)]
    pub kind: CriterionKind,
    /// The number the criterion needs: the lowest health score (1–5), the
    /// highest risk exposure, or the months within which a review must have
    /// been held; absent for the others.
    pub threshold: Option<f64>,
}

impl Criterion {
    /// The criterion in words: "Latest health score at least 3.5".
    pub fn describe(&self) -> String {
        let t = self.threshold.unwrap_or_default();
        match self.kind {
            CriterionKind::MinHealthScore => format!("Latest health score at least {}", number(t)),
            CriterionKind::ExitPlan => "A named exit plan".into(),
            CriterionKind::SavingsCoverCosts => {
                "Realised savings at least the realised costs".into()
            }
            CriterionKind::MaxRiskExposure => {
                format!("Our risk exposure at most {}", number(t))
            }
            CriterionKind::RecentReview => format!(
                "A review within the last {} month{}",
                number(t),
                if t == 1.0 { "" } else { "s" }
            ),
            CriterionKind::AgreementInForce => "An agreement in force".into(),
        }
    }
}

/// 3 → "3", 3.5 → "3.5", 12.25 → "12.25".
pub fn number(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A strategy as given (the JSON body; the form converts into it).
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyDraft {
    /// The outcomes the organisation seeks from collaboration.
    #[serde(default)]
    pub outcomes: String,
    /// The criteria, each kind at most once.
    #[serde(default)]
    pub criteria: Vec<CriterionDraft>,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDraft {
    /// One of the criterion kinds.
    #[schema(value_type = CriterionKind)]
    pub kind: String,
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// A strategy once checked.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyInput {
    pub outcomes: String,
    /// In the vocabulary's order.
    pub criteria: Vec<Criterion>,
}

/// The form's fields in order, for the error summary.
pub const FIELD_ORDER: [&str; 8] = [
    "outcomes",
    "criteria",
    "min_health_score",
    "exit_plan",
    "savings_cover_costs",
    "max_risk_exposure",
    "recent_review",
    "agreement_in_force",
];

impl StrategyInput {
    /// Every rule of a strategy, every problem at once, in the form's order.
    pub fn parse(draft: &StrategyDraft) -> Result<StrategyInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let outcomes = crate::web::forms::keep(
            &mut errors,
            text::paragraph(
                "outcomes",
                "The outcomes you seek",
                &draft.outcomes,
                MAX_OUTCOMES,
            ),
        );
        if outcomes.as_deref().is_some_and(str::is_empty) {
            errors.push(FieldError::new(
                "outcomes",
                "Enter the outcomes your organisation seeks from collaboration",
            ));
        }
        let mut criteria: Vec<Criterion> = Vec::new();
        let mut seen: Vec<CriterionKind> = Vec::new();
        for c in &draft.criteria {
            let Some(kind) = CriterionKind::parse(c.kind.trim()) else {
                errors.push(FieldError::new(
                    "criteria",
                    format!(
                        "'{}' is not a kind of criterion: use one of {}",
                        text::truncate(&c.kind, 40),
                        CriterionKind::ALL
                            .iter()
                            .map(|k| k.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                continue;
            };
            if seen.contains(&kind) {
                errors.push(FieldError::new(
                    "criteria",
                    format!("{} is given twice: give each criterion once", kind.label()),
                ));
                continue;
            }
            seen.push(kind);
            match threshold(kind, c.threshold) {
                Ok(threshold) => criteria.push(Criterion { kind, threshold }),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            criteria.sort_by_key(|c| c.kind);
            Ok(StrategyInput {
                outcomes: outcomes.unwrap_or_default(),
                criteria,
            })
        } else {
            crate::web::forms::in_field_order(&mut errors, &FIELD_ORDER);
            Err(errors)
        }
    }
}

/// The criterion's number, checked against its kind's range.
fn threshold(kind: CriterionKind, given: Option<f64>) -> Result<Option<f64>, FieldError> {
    let field = kind.code();
    let given = given.filter(|n| n.is_finite());
    match kind {
        CriterionKind::MinHealthScore => match given {
            Some(n) if (1.0..=5.0).contains(&n) => Ok(Some(round2(n))),
            _ => Err(FieldError::new(
                field,
                "Enter a minimum health score from 1 to 5, like 3.5",
            )),
        },
        CriterionKind::MaxRiskExposure => match given {
            Some(n) if (0.0..=MAX_EXPOSURE).contains(&n) => Ok(Some(round2(n))),
            _ => Err(FieldError::new(
                field,
                "Enter a risk exposure ceiling of 0 or more, like 12.5",
            )),
        },
        CriterionKind::RecentReview => match given {
            Some(n) if n.fract() == 0.0 && (1.0..=120.0).contains(&n) => Ok(Some(n)),
            _ => Err(FieldError::new(
                field,
                "Enter the months within which a review must have been held, a whole number from 1 to 120",
            )),
        },
        _ if given.is_some() => Err(FieldError::new(
            field,
            format!("{} takes no number: leave the threshold out", kind.label()),
        )),
        _ => Ok(None),
    }
}

fn round2(n: f64) -> f64 {
    (n * 100.0).round() / 100.0
}

/// One agreement's dates, as far as "in force" needs them.
#[derive(Clone, Copy, Debug, Default)]
pub struct AgreementDates {
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

impl AgreementDates {
    /// Signed, started (or with no start date) and not ended.
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.signed_on.is_some_and(|d| d <= today)
            && self.starts_on.is_none_or(|d| d <= today)
            && self.ends_on.is_none_or(|d| d >= today)
    }
}

/// What the register says about one partnership, for one organisation.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub today: NaiveDate,
    /// The latest health check's overall score, if there has been one.
    pub health_score: Option<f64>,
    pub exit_plan: bool,
    pub realised_costs_pence: i64,
    pub realised_savings_pence: i64,
    /// Realised costs and savings recorded, however many.
    pub realised_entries: i64,
    /// The organisation's own exposure, in score × basis points (60% of a
    /// 4 × 5 risk is 120,000, shown as 12.00).
    pub exposure_exact: i64,
    pub open_risks: i64,
    pub last_review: Option<NaiveDate>,
    pub agreements: Vec<AgreementDates>,
}

/// How a partnership stands against one criterion, and why.
#[derive(Serialize, Clone, Debug, PartialEq, ToSchema)]
pub struct Judgement {
    #[schema(value_type = CriterionKind)]
    pub kind: CriterionKind,
    pub threshold: Option<f64>,
    /// The criterion in words.
    pub criterion: String,
    #[schema(value_type = Standing)]
    pub standing: Standing,
    /// What the register shows, e.g. "Realised savings £1,000.00, costs £4,000.00".
    pub evidence: String,
}

impl Judgement {
    pub fn is_gap(&self) -> bool {
        self.standing != Standing::Met
    }
}

/// Each criterion judged against the facts, in the strategy's order.
pub fn evaluate(criteria: &[Criterion], facts: &Facts) -> Vec<Judgement> {
    criteria
        .iter()
        .map(|c| {
            let (standing, evidence) = judge(c, facts);
            Judgement {
                kind: c.kind,
                threshold: c.threshold,
                criterion: c.describe(),
                standing,
                evidence,
            }
        })
        .collect()
}

fn met(yes: bool) -> Standing {
    if yes {
        Standing::Met
    } else {
        Standing::NotMet
    }
}

fn judge(c: &Criterion, f: &Facts) -> (Standing, String) {
    let t = c.threshold.unwrap_or_default();
    match c.kind {
        CriterionKind::MinHealthScore => match f.health_score {
            None => (Standing::NotKnown, "No health check yet".into()),
            Some(score) => (
                // Compared in hundredths, as both are shown.
                met((score * 100.0).round() >= (t * 100.0).round()),
                format!("Latest health score {score:.2}"),
            ),
        },
        CriterionKind::ExitPlan => {
            if f.exit_plan {
                (Standing::Met, "An exit plan is recorded".into())
            } else {
                (Standing::NotMet, "No exit plan is recorded".into())
            }
        }
        CriterionKind::SavingsCoverCosts => {
            if f.realised_entries == 0 {
                (
                    Standing::NotKnown,
                    "No realised costs or savings recorded".into(),
                )
            } else {
                (
                    met(f.realised_savings_pence >= f.realised_costs_pence),
                    format!(
                        "Realised savings {}, realised costs {}",
                        crate::money::pounds(f.realised_savings_pence),
                        crate::money::pounds(f.realised_costs_pence)
                    ),
                )
            }
        }
        CriterionKind::MaxRiskExposure => {
            let ceiling = (t * 100.0).round() as i64 * 100;
            let label = crate::partnerships::risks::exposure::exposure_label(f.exposure_exact);
            (
                met(f.exposure_exact <= ceiling),
                if f.open_risks == 0 {
                    "No open risks in the register: exposure 0.00".into()
                } else {
                    format!(
                        "Our exposure {label} across {} open risk{}",
                        f.open_risks,
                        if f.open_risks == 1 { "" } else { "s" }
                    )
                },
            )
        }
        CriterionKind::RecentReview => {
            let months = t as u32;
            let since = f
                .today
                .checked_sub_months(chrono::Months::new(months))
                .unwrap_or(NaiveDate::MIN);
            match f.last_review {
                None => (Standing::NotMet, "No review recorded".into()),
                Some(held) => (
                    met(held >= since),
                    format!("Last review held on {}", held.format("%-d %B %Y")),
                ),
            }
        }
        CriterionKind::AgreementInForce => {
            let n = f.agreements.iter().filter(|a| a.in_force(f.today)).count();
            match (n, f.agreements.len()) {
                (0, 0) => (Standing::NotMet, "No agreement recorded".into()),
                (0, _) => (
                    Standing::NotMet,
                    "No recorded agreement is signed and in force today".into(),
                ),
                (1, _) => (Standing::Met, "1 agreement in force".into()),
                (n, _) => (Standing::Met, format!("{n} agreements in force")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn all() -> Vec<Criterion> {
        StrategyInput::parse(&StrategyDraft {
            outcomes: "Better services for less".into(),
            criteria: vec![
                CriterionDraft {
                    kind: "agreement_in_force".into(),
                    threshold: None,
                },
                CriterionDraft {
                    kind: "min_health_score".into(),
                    threshold: Some(3.5),
                },
                CriterionDraft {
                    kind: "exit_plan".into(),
                    threshold: None,
                },
                CriterionDraft {
                    kind: "savings_cover_costs".into(),
                    threshold: None,
                },
                CriterionDraft {
                    kind: "max_risk_exposure".into(),
                    threshold: Some(12.0),
                },
                CriterionDraft {
                    kind: "recent_review".into(),
                    threshold: Some(12.0),
                },
            ],
        })
        .unwrap()
        .criteria
    }

    fn standings(j: &[Judgement]) -> Vec<Standing> {
        j.iter().map(|j| j.standing).collect()
    }

    #[test]
    fn criteria_are_kept_in_the_vocabulary_order() {
        let kinds: Vec<CriterionKind> = all().iter().map(|c| c.kind).collect();
        assert_eq!(kinds, CriterionKind::ALL.to_vec());
    }

    #[test]
    fn an_empty_register_meets_little_and_knows_less() {
        let facts = Facts {
            today: d(2026, 11, 30),
            ..Default::default()
        };
        use Standing::*;
        assert_eq!(
            standings(&evaluate(&all(), &facts)),
            // health, exit plan, savings, exposure (nothing open), review, agreement
            vec![NotKnown, NotMet, NotKnown, Met, NotMet, NotMet]
        );
    }

    #[test]
    fn a_well_run_partnership_meets_everything() {
        let facts = Facts {
            today: d(2026, 11, 30),
            health_score: Some(3.5),
            exit_plan: true,
            realised_costs_pence: 1_000_00,
            realised_savings_pence: 1_000_00,
            realised_entries: 2,
            exposure_exact: 120_000,
            open_risks: 1,
            last_review: Some(d(2025, 11, 30)),
            agreements: vec![AgreementDates {
                signed_on: Some(d(2025, 1, 1)),
                starts_on: Some(d(2025, 4, 1)),
                ends_on: None,
            }],
        };
        let j = evaluate(&all(), &facts);
        assert!(j.iter().all(|j| j.standing == Standing::Met), "{j:?}");
        assert_eq!(
            j[2].evidence,
            "Realised savings £1,000, realised costs £1,000"
        );
        assert_eq!(j[3].evidence, "Our exposure 12.00 across 1 open risk");
    }

    #[test]
    fn each_threshold_is_a_boundary() {
        let base = Facts {
            today: d(2026, 11, 30),
            health_score: Some(3.49),
            exit_plan: true,
            realised_costs_pence: 1_000_01,
            realised_savings_pence: 1_000_00,
            realised_entries: 2,
            exposure_exact: 120_001,
            open_risks: 2,
            last_review: Some(d(2025, 11, 29)),
            agreements: vec![
                AgreementDates {
                    signed_on: None,
                    starts_on: None,
                    ends_on: None,
                },
                AgreementDates {
                    signed_on: Some(d(2024, 1, 1)),
                    starts_on: None,
                    ends_on: Some(d(2026, 11, 29)),
                },
            ],
        };
        use Standing::*;
        assert_eq!(
            standings(&evaluate(&all(), &base)),
            vec![NotMet, Met, NotMet, NotMet, NotMet, NotMet]
        );
    }

    #[test]
    fn thresholds_are_checked_with_one_message_each() {
        let draft = StrategyDraft {
            outcomes: " ".into(),
            criteria: vec![
                CriterionDraft {
                    kind: "recent_review".into(),
                    threshold: Some(1.5),
                },
                CriterionDraft {
                    kind: "min_health_score".into(),
                    threshold: Some(6.0),
                },
                CriterionDraft {
                    kind: "exit_plan".into(),
                    threshold: Some(1.0),
                },
                CriterionDraft {
                    kind: "max_risk_exposure".into(),
                    threshold: None,
                },
                CriterionDraft {
                    kind: "min_health_score".into(),
                    threshold: Some(3.0),
                },
                CriterionDraft {
                    kind: "luck".into(),
                    threshold: None,
                },
            ],
        };
        let fields: Vec<String> = StrategyInput::parse(&draft)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "outcomes",
                "criteria",
                "criteria",
                "min_health_score",
                "exit_plan",
                "max_risk_exposure",
                "recent_review"
            ]
        );
    }

    #[test]
    fn criteria_read_as_sentences() {
        let words: Vec<String> = all().iter().map(Criterion::describe).collect();
        assert_eq!(words[0], "Latest health score at least 3.5");
        assert_eq!(words[3], "Our risk exposure at most 12");
        assert_eq!(words[4], "A review within the last 12 months");
    }
}
