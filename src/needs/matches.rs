//! Partners for a need: other organisations' open needs that the viewer may
//! see, ranked by the matching engine, each with its reasons in words.
//!
//! Unfinished (issue 10): needs are analysed on every request, which is fine
//! for hundreds of needs but not for the 100,000 the benchmark asks for
//! (stored terms and a candidate prefilter are the next step); council-level
//! reasons (similar profile, distance, existing partnerships) are not added yet.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::access::need_visible_to;
use super::matching::{Corpus, Profile};
use super::model::{Need, NeedStatus};
use crate::db::schema::{need_services, need_tags, needs, organisations};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::orgs::model::OrgRef;
use crate::policy::Actor;

/// A need in a match.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct NeedRef {
    pub id: i64,
    pub title: String,
}

/// Why two needs match, in words: `shared_services`, `inferred_services`,
/// `similar_words` or `related_words`.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct MatchReason {
    pub kind: String,
    pub text: String,
}

/// An organisation, and its need that resembles this one.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct NeedMatch {
    pub organisation: OrgRef,
    /// The matching need (null when the match is an organisation alone).
    pub need: Option<NeedRef>,
    /// Higher is closer; comparable within one list only.
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

/// The best `limit` matches for `need` among what `viewer` may see, other
/// organisations' only.
pub fn for_need(
    conn: &mut DbConn,
    need: &Need,
    viewer: Option<&Actor>,
    limit: usize,
) -> AppResult<Vec<NeedMatch>> {
    let rows: Vec<(i64, i64, String, String, String, String)> = needs::table
        .filter(need_visible_to!(viewer))
        .filter(needs::status.eq(NeedStatus::Open).or(needs::id.eq(need.id)))
        .select((
            needs::id,
            needs::organisation_id,
            needs::title,
            needs::problem,
            needs::users_affected,
            needs::why_now,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut services: HashMap<i64, Vec<i64>> = HashMap::new();
    for (n, s) in need_services::table
        .filter(need_services::need_id.eq_any(&ids))
        .select((need_services::need_id, need_services::service_id))
        .load::<(i64, i64)>(conn)?
    {
        services.entry(n).or_default().push(s);
    }
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (n, t) in need_tags::table
        .filter(need_tags::need_id.eq_any(&ids))
        .select((need_tags::need_id, need_tags::tag))
        .load::<(i64, String)>(conn)?
    {
        tags.entry(n).or_default().push(t);
    }
    let titles: HashMap<i64, String> = rows.iter().map(|r| (r.0, r.2.clone())).collect();
    let analysed: Vec<_> = rows
        .iter()
        .map(|(id, org, title, problem, users, why)| {
            let words = tags.get(id).map(|t| t.join(" ")).unwrap_or_default();
            Profile {
                id: *id,
                organisation_id: *org,
                text: format!("{title}\n{problem}\n{users}\n{why}\n{words}"),
                services: services.get(id).cloned().unwrap_or_default(),
            }
            .analyse()
        })
        .collect();
    let Some(query) = analysed.iter().find(|a| a.id == need.id).cloned() else {
        return Ok(Vec::new());
    };
    let corpus = Corpus::of(&analysed);
    let candidates: Vec<_> = analysed
        .into_iter()
        .filter(|a| a.organisation_id != need.organisation_id)
        .collect();
    let ranked = corpus.rank(&query, &candidates, limit);
    let org_ids: Vec<i64> = ranked.iter().map(|m| m.organisation_id).collect();
    let orgs: HashMap<i64, OrgRef> = organisations::table
        .filter(organisations::id.eq_any(&org_ids))
        .select((
            organisations::id,
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .load::<(i64, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, code, name, short_name)| {
            (
                id,
                OrgRef {
                    code,
                    name,
                    short_name,
                },
            )
        })
        .collect();
    Ok(ranked
        .into_iter()
        .filter_map(|m| {
            Some(NeedMatch {
                organisation: orgs.get(&m.organisation_id)?.clone(),
                need: Some(NeedRef {
                    id: m.id,
                    title: titles.get(&m.id)?.clone(),
                }),
                score: (m.score * 1000.0).round() / 1000.0,
                reasons: m
                    .reasons
                    .into_iter()
                    .map(|r| MatchReason {
                        kind: serde_json::to_value(r.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        text: r.text,
                    })
                    .collect(),
            })
        })
        .collect())
}
