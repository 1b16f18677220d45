//! The collaboration skills questionnaire, in Concord's own words: seven
//! competencies, two statements each, scored 1 (strongly disagree) to 5
//! (strongly agree); a person's profile, suggestions for their lowest
//! areas, and the organisation's aggregate (pure sums, tested here).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;

crate::vocab::vocabulary!(
    /// A collaboration competency.
    Competency {
        BuildingTrust = "building_trust": "Building trust",
        SharedPurpose = "shared_purpose": "Shared purpose",
        Negotiating = "negotiating": "Negotiating",
        ManagingConflict = "managing_conflict": "Managing conflict",
        SharingRisk = "sharing_risk": "Sharing risk",
        WorkingAcrossCultures = "working_across_cultures": "Working across cultures",
        LearningFromOthers = "learning_from_others": "Learning from others",
    }
);

/// The statements: (code, competency, text).
pub const STATEMENTS: &[(&str, Competency, &str)] = &[
    ("building_trust_1", Competency::BuildingTrust, "I do what I said I would do for partners, and tell them early when I cannot."),
    ("building_trust_2", Competency::BuildingTrust, "I share information with partners before they have to ask for it."),
    ("shared_purpose_1", Competency::SharedPurpose, "I can explain what our partnership is for in a way every partner would recognise."),
    ("shared_purpose_2", Competency::SharedPurpose, "I put the partnership's aims ahead of my own organisation's narrower interests when they pull apart."),
    ("negotiating_1", Competency::Negotiating, "I look for what each side needs, not only what it asks for."),
    ("negotiating_2", Competency::Negotiating, "I can reach agreements on costs and shares that all partners accept as fair."),
    ("managing_conflict_1", Competency::ManagingConflict, "I raise disagreements with partners openly and soon, rather than letting them grow."),
    ("managing_conflict_2", Competency::ManagingConflict, "When partners disagree, I help them find a way forward both can live with."),
    ("sharing_risk_1", Competency::SharingRisk, "I am comfortable agreeing who carries which risk, and writing it down."),
    ("sharing_risk_2", Competency::SharingRisk, "I can accept some risk on behalf of my organisation for a shared gain."),
    ("working_across_cultures_1", Competency::WorkingAcrossCultures, "I adapt how I work to partners whose ways, rules and language differ from mine."),
    ("working_across_cultures_2", Competency::WorkingAcrossCultures, "I understand how decisions are made and approved in each partner organisation."),
    ("learning_from_others_1", Competency::LearningFromOthers, "I look for how other councils and partners have solved the problems we face."),
    ("learning_from_others_2", Competency::LearningFromOthers, "After a piece of joint work, I take time with partners to learn what worked and what did not."),
];

/// Fewest people of an organisation who must have taken it before the
/// organisation sees any aggregate.
pub const MIN_PEOPLE: i64 = 5;

/// The 1–5 scale's words.
pub const SCALE: [(i32, &str); 5] = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
];

impl Competency {
    /// What to try next when this is one of a person's lowest areas.
    pub fn suggestion(self) -> &'static str {
        match self {
            Competency::BuildingTrust => "Agree one small commitment with a partner this month and report back on it when you said you would. Share your team's plans with partners before they are final.",
            Competency::SharedPurpose => "Write the partnership's purpose in one sentence and ask each partner to do the same; talk through where the sentences differ.",
            Competency::Negotiating => "Before the next discussion of costs or shares, list what each partner needs and what they could give; try the cost calculator's splits together.",
            Competency::ManagingConflict => "Name one disagreement you have been avoiding and raise it at the next meeting, with a proposal rather than a complaint.",
            Competency::SharingRisk => "Go through the shared risk register with partners and agree, for each open risk, who carries what share and why.",
            Competency::WorkingAcrossCultures => "Ask a partner to walk you through how a decision is approved in their organisation, and show them yours.",
            Competency::LearningFromOthers => "Find a council with the same need on Concord and ask what they learnt; hold a short review after your next piece of joint work.",
        }
    }

    pub fn statements(self) -> Vec<(&'static str, &'static str)> {
        STATEMENTS
            .iter()
            .filter(|(_, c, _)| *c == self)
            .map(|(code, _, text)| (*code, *text))
            .collect()
    }
}

fn competency_of(statement: &str) -> Option<Competency> {
    STATEMENTS
        .iter()
        .find(|(code, _, _)| *code == statement)
        .map(|(_, c, _)| *c)
}

/// Answers as given: statement code → score.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillsDraft {
    /// Every statement's code with a score from 1 (strongly disagree) to 5
    /// (strongly agree), e.g. `{"building_trust_1": 4, ...}`.
    #[serde(default)]
    pub answers: BTreeMap<String, i64>,
}

/// Every statement answered, 1 to 5, in the questionnaire's order.
#[derive(Clone, Debug, PartialEq)]
pub struct SkillsInput {
    pub scores: Vec<(&'static str, i32)>,
}

impl SkillsInput {
    pub fn parse(draft: &SkillsDraft) -> Result<SkillsInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        for code in draft.answers.keys() {
            if competency_of(code).is_none() {
                errors.push(FieldError::new(
                    "answers",
                    format!(
                        "'{}' is not a statement of the questionnaire",
                        crate::text::truncate(code, 40)
                    ),
                ));
            }
        }
        let mut scores = Vec::new();
        for (code, _, _) in STATEMENTS {
            match draft.answers.get(*code) {
                Some(n) if (1..=5).contains(n) => scores.push((*code, *n as i32)),
                Some(_) => errors.push(FieldError::new(
                    code,
                    "Choose a score from 1 (strongly disagree) to 5 (strongly agree)",
                )),
                None => errors.push(FieldError::new(
                    code,
                    "Choose how far you agree with this statement",
                )),
            }
        }
        if errors.is_empty() {
            Ok(SkillsInput { scores })
        } else {
            Err(errors)
        }
    }
}

/// One competency's mean score.
#[derive(Serialize, Clone, Debug, PartialEq, ToSchema)]
pub struct CompetencyScore {
    #[schema(value_type = Competency)]
    pub competency: Competency,
    /// The mean of the scores given, 1 to 5.
    pub mean: f64,
    /// The same to 2 decimal places, e.g. "3.50".
    pub mean_label: String,
}

/// Means per competency over any number of answers (statement code, score),
/// in the vocabulary's order; competencies with no answers are left out.
pub fn means(answers: &[(String, i32)]) -> Vec<CompetencyScore> {
    Competency::ALL
        .iter()
        .filter_map(|c| {
            let scores: Vec<i64> = answers
                .iter()
                .filter(|(code, _)| competency_of(code) == Some(*c))
                .map(|(_, s)| i64::from(*s))
                .collect();
            if scores.is_empty() {
                return None;
            }
            let mean = scores.iter().sum::<i64>() as f64 / scores.len() as f64;
            Some(CompetencyScore {
                competency: *c,
                mean,
                mean_label: format!("{mean:.2}"),
            })
        })
        .collect()
}

/// The lowest two competencies (ties in the questionnaire's order), for suggestions.
pub fn lowest(scores: &[CompetencyScore]) -> Vec<Competency> {
    let mut sorted: Vec<&CompetencyScore> = scores.iter().collect();
    sorted.sort_by(|a, b| {
        a.mean
            .partial_cmp(&b.mean)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.competency.cmp(&b.competency))
    });
    sorted.iter().take(2).map(|s| s.competency).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(score: i64) -> SkillsDraft {
        SkillsDraft {
            answers: STATEMENTS
                .iter()
                .map(|(c, _, _)| (c.to_string(), score))
                .collect(),
        }
    }

    #[test]
    fn fourteen_statements_two_for_each_competency() {
        assert_eq!(STATEMENTS.len(), 14);
        for c in Competency::ALL {
            assert_eq!(c.statements().len(), 2, "{c:?}");
        }
    }

    #[test]
    fn every_statement_must_be_answered_from_1_to_5() {
        assert!(SkillsInput::parse(&all(3)).is_ok());
        let mut d = all(3);
        d.answers.insert("building_trust_1".into(), 6);
        d.answers.remove("negotiating_2");
        d.answers.insert("charm".into(), 5);
        let fields: Vec<String> = SkillsInput::parse(&d)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["answers", "building_trust_1", "negotiating_2"]);
    }

    #[test]
    fn means_are_exact_and_the_lowest_come_first() {
        let answers: Vec<(String, i32)> = vec![
            ("building_trust_1".into(), 4),
            ("building_trust_2".into(), 5),
            ("negotiating_1".into(), 1),
            ("negotiating_2".into(), 2),
            ("sharing_risk_1".into(), 2),
            ("sharing_risk_2".into(), 1),
            ("sharing_risk_1".into(), 3),
        ];
        let m = means(&answers);
        assert_eq!(
            m.iter()
                .map(|s| (s.competency, s.mean_label.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (Competency::BuildingTrust, "4.50"),
                (Competency::Negotiating, "1.50"),
                (Competency::SharingRisk, "2.00"),
            ]
        );
        assert_eq!(
            lowest(&m),
            vec![Competency::Negotiating, Competency::SharingRisk]
        );
    }
}
