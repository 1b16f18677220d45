//! Storing a person's self-assessments (each taking kept, dated) and
//! reading their own profile, or their organisation's aggregate.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::*;
use crate::auth::SessionUser;
use crate::db::schema::{skills_answers as sa, skills_assessments as s, users};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::time::Timestamp;

/// One taking of the questionnaire, as its taker sees it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SkillsProfile {
    pub taken_at: Timestamp,
    pub competencies: Vec<CompetencyScore>,
    /// The lowest two competencies, with what to try next.
    pub suggestions: Vec<SkillsSuggestion>,
    /// The answers given, by statement code.
    pub answers: std::collections::BTreeMap<String, i32>,
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SkillsSuggestion {
    #[schema(value_type = Competency)]
    pub competency: Competency,
    pub suggestion: String,
}

/// A person's own results: the latest, and every taking newest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct OwnSkills {
    pub latest: Option<SkillsProfile>,
    pub history: Vec<SkillsProfile>,
}

fn profile(taken_at: Timestamp, answers: Vec<(String, i32)>) -> SkillsProfile {
    let competencies = means(&answers);
    let suggestions = lowest(&competencies)
        .into_iter()
        .map(|c| SkillsSuggestion {
            competency: c,
            suggestion: c.suggestion().to_string(),
        })
        .collect();
    SkillsProfile {
        taken_at,
        competencies,
        suggestions,
        answers: answers.into_iter().collect(),
    }
}

/// Stores a new dated result for the person (earlier ones are kept).
/// Not written to the audit trail: the trail is read by organisation admins,
/// who must never see one person's answers.
pub fn save(
    conn: &mut DbConn,
    user: &SessionUser,
    input: &SkillsInput,
) -> AppResult<SkillsProfile> {
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(s::table)
        .values((
            s::user_id.eq(user.id),
            s::organisation_id.eq(user.organisation_id),
            s::taken_at.eq(now),
        ))
        .returning(s::id)
        .get_result(conn)?;
    for (code, score) in &input.scores {
        diesel::insert_into(sa::table)
            .values((
                sa::assessment_id.eq(id),
                sa::statement.eq(*code),
                sa::score.eq(*score),
            ))
            .execute(conn)?;
    }
    let answers = input
        .scores
        .iter()
        .map(|(c, s)| (c.to_string(), *s))
        .collect();
    Ok(profile(Timestamp(now), answers))
}

/// The person's own results.
pub fn own(conn: &mut DbConn, user_id: i64) -> AppResult<OwnSkills> {
    let takings: Vec<(i64, chrono::NaiveDateTime)> = s::table
        .filter(s::user_id.eq(user_id))
        .order((s::taken_at.desc(), s::id.desc()))
        .select((s::id, s::taken_at))
        .load(conn)?;
    let ids: Vec<i64> = takings.iter().map(|t| t.0).collect();
    let rows: Vec<(i64, String, i32)> = sa::table
        .filter(sa::assessment_id.eq_any(&ids))
        .select((sa::assessment_id, sa::statement, sa::score))
        .load(conn)?;
    let history: Vec<SkillsProfile> = takings
        .into_iter()
        .map(|(id, at)| {
            let answers = rows
                .iter()
                .filter(|r| r.0 == id)
                .map(|r| (r.1.clone(), r.2))
                .collect();
            profile(Timestamp(at), answers)
        })
        .collect();
    Ok(OwnSkills {
        latest: history.first().cloned(),
        history,
    })
}

/// An organisation's aggregate: means per competency over each of its
/// people's latest results, only once enough people have taken it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct OrgSkills {
    /// Organisation code, e.g. BIR.
    pub organisation: String,
    pub organisation_name: String,
    /// Different people of the organisation who have taken it.
    pub people: i64,
    /// How many must have, before any aggregate is shown (5).
    pub required: i64,
    /// Means per competency; `null` while fewer than `required` people have taken it.
    pub competencies: Option<Vec<CompetencyScore>>,
}

pub fn aggregate(conn: &mut DbConn, org: &(i64, String, String)) -> AppResult<OrgSkills> {
    // Each current member's takings while in the organisation, newest first.
    let takings: Vec<(i64, i64)> = s::table
        .inner_join(users::table)
        .filter(users::organisation_id.eq(org.0))
        .filter(s::organisation_id.eq(org.0))
        .order((s::user_id.asc(), s::taken_at.desc(), s::id.desc()))
        .select((s::user_id, s::id))
        .load(conn)?;
    let mut latest: Vec<i64> = Vec::new();
    let mut last_user = None;
    for (user, id) in takings {
        if last_user != Some(user) {
            latest.push(id);
            last_user = Some(user);
        }
    }
    let people = latest.len() as i64;
    let competencies = if people >= MIN_PEOPLE {
        let answers: Vec<(String, i32)> = sa::table
            .filter(sa::assessment_id.eq_any(&latest))
            .select((sa::statement, sa::score))
            .load(conn)?;
        Some(means(&answers))
    } else {
        None
    };
    Ok(OrgSkills {
        organisation: org.1.clone(),
        organisation_name: org.2.clone(),
        people,
        required: MIN_PEOPLE,
        competencies,
    })
}

/// The profile as an SVG bar chart (means in hundredths, labelled to 2 places).
pub fn chart(id: &str, title: &str, scores: &[CompetencyScore]) -> String {
    let bars: Vec<crate::web::charts::Bar> = scores
        .iter()
        .map(|s| crate::web::charts::Bar {
            label: s.competency.label().to_string(),
            value: (s.mean * 100.0).round() as i64,
            value_label: s.mean_label.clone(),
        })
        .collect();
    crate::web::charts::bar_chart(
        &crate::web::charts::BarChart {
            id,
            title,
            description: "Mean score for each collaboration competency, from 1 (strongly disagree) to 5 (strongly agree). The same figures are in the table below.",
            measure: "Mean score, 1 (strongly disagree) to 5 (strongly agree)",
            empty: "No scores to show yet",
        },
        &bars,
    )
}
