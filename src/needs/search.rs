//! The national pipeline's query: the needs a viewer may see that pass the
//! filters, and where they cluster by region and service.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::need_visible_to;
use super::model::*;
use crate::db::schema::{need_collaborations, need_services, needs, organisations};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::Actor;

/// The pipeline's filters, from the page's query string or the API's.
#[derive(Deserialize, Serialize, IntoParams, Clone, Debug, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct NeedFilter {
    /// Words: needs whose text (title, problem, users, why now, tags) uses
    /// each of them, or a close synonym, in any form ("bins" finds "bin").
    pub q: Option<String>,
    /// `relevance` (the default with `q`: needs with the words in their
    /// title first, then the newest change) or `recent` (the default
    /// without `q`: newest change first).
    pub sort: Option<String>,
    /// An LGSL service id.
    pub service: Option<i64>,
    #[param(value_type = Option<Phase>)]
    pub phase: Option<String>,
    #[param(value_type = Option<Collaboration>)]
    pub collaboration: Option<String>,
    #[param(value_type = Option<BudgetBand>)]
    pub budget_band: Option<String>,
    /// England, Scotland, Wales or Northern Ireland.
    pub nation: Option<String>,
    /// e.g. West Midlands.
    pub region: Option<String>,
    /// Organisation type code, e.g. MD, NMD, UA, CTY, LBO.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub type_code: Option<String>,
    /// The owning organisation's register code.
    pub organisation: Option<String>,
    /// Closed needs too.
    pub include_closed: Option<bool>,
}

impl NeedFilter {
    /// Empty strings mean "any".
    pub fn clean(mut self) -> NeedFilter {
        let keep = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.q = keep(self.q);
        self.sort = keep(self.sort);
        self.phase = keep(self.phase);
        self.collaboration = keep(self.collaboration);
        self.budget_band = keep(self.budget_band);
        self.nation = keep(self.nation);
        self.region = keep(self.region);
        self.type_code = keep(self.type_code);
        self.organisation = keep(self.organisation).map(|c| c.to_uppercase());
        self
    }

    /// Vocabulary filters that name no value are refused (the API), rather
    /// than silently matching nothing.
    pub fn refuse_unknown(&self) -> AppResult<()> {
        let mut errors = Vec::new();
        if self
            .phase
            .as_deref()
            .is_some_and(|p| Phase::parse(p).is_none())
        {
            errors.push(FieldError::new(
                "phase",
                "phase must be one of concept, discovery, alpha, beta, live, decommissioned",
            ));
        }
        if self
            .collaboration
            .as_deref()
            .is_some_and(|c| Collaboration::parse(c).is_none())
        {
            errors.push(FieldError::new("collaboration", "collaboration must be one of share_ideas, open_to_conversation, share_funding, co_develop, buy_together"));
        }
        if self
            .budget_band
            .as_deref()
            .is_some_and(|b| BudgetBand::parse(b).is_none())
        {
            errors.push(FieldError::new("budget_band", "budget_band must be one of not_known, under_10k, 10k_to_50k, 50k_to_250k, 250k_to_1m, over_1m"));
        }
        if self
            .sort
            .as_deref()
            .is_some_and(|s| s != "relevance" && s != "recent")
        {
            errors.push(FieldError::new(
                "sort",
                "sort must be one of relevance, recent",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// A need in a list.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct NeedSummary {
    pub id: i64,
    pub title: String,
    pub organisation: crate::orgs::model::OrgRef,
    pub phase: Phase,
    pub budget_band: BudgetBand,
    pub visibility: NeedVisibility,
    pub status: NeedStatus,
    pub updated_at: crate::time::Timestamp,
}

/// (id, title, organisation code, name, short name, phase, budget, visibility, status, updated).
type SummaryRow = (
    i64,
    String,
    String,
    String,
    String,
    Phase,
    BudgetBand,
    NeedVisibility,
    NeedStatus,
    crate::time::Timestamp,
);

type Filtered<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<needs::table, organisations::table>,
    crate::db::DbBackend,
>;

/// Days a need stays listed after its owner is asked "still active?" and
/// does not answer.
pub const DORMANT_AFTER_DAYS: i64 = 30;

fn dormant_since() -> chrono::NaiveDateTime {
    crate::db::now() - chrono::Duration::days(DORMANT_AFTER_DAYS)
}

/// The needs `viewer` may see that pass `filter`, as one query to count,
/// page or group. By default only open needs whose owners have not left
/// "still active?" unanswered for [`DORMANT_AFTER_DAYS`].
/// Applies `filter` and the viewer's visibility to a boxed query over needs
/// joined to their organisations (whatever else it joins or groups), so the
/// list and the cluster counts are the same needs.
macro_rules! apply_filter {
    ($query:expr, $filter:expr, $viewer:expr) => {{
        let filter: &NeedFilter = $filter;
        let mut q = $query.filter(need_visible_to!($viewer));
        if filter.include_closed != Some(true) {
            q = q.filter(needs::status.eq(NeedStatus::Open)).filter(
                needs::asked_active_at
                    .is_null()
                    .or(needs::asked_active_at.gt(dormant_since())),
            );
        }
        if let Some(words) = &filter.q {
            let stems = search_stems(words);
            // Each word through the matching index (`need_terms`), which
            // holds every need's word stems and strong synonyms.
            // (Written as SQL: the schema lets `need_terms` meet only `needs`.)
            for stem in &stems {
                q = q.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "needs.id IN (SELECT need_id FROM need_terms WHERE term = ",
                    )
                    .bind::<diesel::sql_types::Text, _>(format!("w:{stem}"))
                    .sql(")"),
                );
            }
            // Only stopwords or boilerplate ("council"): the text itself.
            if stems.is_empty() {
                for word in words.split_whitespace().take(8) {
                    let like = crate::db::like_pattern(word);
                    q = q.filter(
                        crate::db::lower(needs::title)
                            .like(like.clone())
                            .or(crate::db::lower(needs::problem).like(like)),
                    );
                }
            }
        }
        if let Some(service) = filter.service {
            // An alias: the cluster query joins need_services itself.
            let named = diesel::alias!(need_services as named_service);
            q = q.filter(
                needs::id.eq_any(
                    named
                        .filter(named.field(need_services::service_id).eq(service))
                        .select(named.field(need_services::need_id)),
                ),
            );
        }
        if let Some(phase) = &filter.phase {
            q = q.filter(needs::phase.eq(phase.clone()));
        }
        if let Some(c) = &filter.collaboration {
            q = q.filter(diesel::dsl::exists(
                need_collaborations::table
                    .filter(need_collaborations::need_id.eq(needs::id))
                    .filter(need_collaborations::collaboration.eq(c.clone())),
            ));
        }
        if let Some(b) = &filter.budget_band {
            q = q.filter(needs::budget_band.eq(b.clone()));
        }
        if let Some(n) = &filter.nation {
            q = q.filter(organisations::nation.eq(n.clone()));
        }
        if let Some(r) = &filter.region {
            q = q.filter(organisations::region.eq(r.clone()));
        }
        if let Some(t) = &filter.type_code {
            q = q.filter(organisations::type_code.eq(t.clone()));
        }
        if let Some(o) = &filter.organisation {
            q = q.filter(organisations::code.eq(o.clone()));
        }
        q
    }};
}

/// The stems searched for `q`: those of its first eight words.
fn search_stems(q: &str) -> Vec<String> {
    let words: Vec<&str> = q.split_whitespace().take(8).collect();
    super::matching::search_stems(&words.join(" "))
}

/// Whether `filter` asks for relevance order: `sort=relevance`, or words
/// with no `sort`.
pub fn by_relevance(filter: &NeedFilter) -> bool {
    match filter.sort.as_deref() {
        Some(s) => s == "relevance" && filter.q.is_some(),
        None => filter.q.is_some(),
    }
}

fn filtered<'a>(filter: &'a NeedFilter, viewer: Option<&'a Actor>) -> Filtered<'a> {
    apply_filter!(
        needs::table.inner_join(organisations::table).into_boxed(),
        filter,
        viewer
    )
}

/// The needs `viewer` may see that pass the filter: by relevance (see
/// [`NeedFilter::sort`]), then newest change first.
pub fn list(
    conn: &mut DbConn,
    filter: &NeedFilter,
    viewer: Option<&Actor>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<NeedSummary>, i64)> {
    let query = || filtered(filter, viewer);
    let total: i64 = query().count().get_result(conn)?;
    let mut ordered = query();
    if by_relevance(filter) {
        // How many of the words the title holds, most first. The stems are
        // written into the SQL only when they are plain letters and digits.
        let hits: Vec<String> = search_stems(filter.q.as_deref().unwrap_or_default())
            .iter()
            .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(|s| format!("(CASE WHEN lower(needs.title) LIKE '%{s}%' THEN 1 ELSE 0 END)"))
            .collect();
        if !hits.is_empty() {
            ordered = ordered
                .order(diesel::dsl::sql::<diesel::sql_types::Integer>(&hits.join(" + ")).desc());
        }
    }
    let rows: Vec<SummaryRow> = ordered
        .then_order_by((needs::updated_at.desc(), needs::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((
            needs::id,
            needs::title,
            organisations::code,
            organisations::name,
            organisations::short_name,
            needs::phase,
            needs::budget_band,
            needs::visibility,
            needs::status,
            needs::updated_at,
        ))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(
                |(
                    id,
                    title,
                    code,
                    name,
                    short_name,
                    phase,
                    budget_band,
                    visibility,
                    status,
                    updated_at,
                )| NeedSummary {
                    id,
                    title,
                    organisation: crate::orgs::model::OrgRef {
                        code,
                        name,
                        short_name,
                    },
                    phase,
                    budget_band,
                    visibility,
                    status,
                    updated_at,
                },
            )
            .collect(),
        total,
    ))
}

/// How many services the cluster picture shows: the most needed ones.
const CLUSTER_SERVICES: usize = 8;

/// A service in the cluster picture, with how many listed needs name it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct ServiceCount {
    pub id: i64,
    pub label: String,
    pub needs: i64,
}

/// One region (or nation, where the register records no region).
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct RegionCount {
    pub region: String,
    pub needs: i64,
    /// Needs naming each of `Clusters::services`, in the same order.
    pub by_service: Vec<i64>,
}

/// Where the listed needs cluster: by region, and by region and service.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct Clusters {
    pub total: i64,
    pub services: Vec<ServiceCount>,
    pub regions: Vec<RegionCount>,
}

/// (region, nation, service id, service label, needs).
type ServiceInRegion = (Option<String>, Option<String>, i64, String, i64);

fn region_name(region: Option<String>, nation: Option<String>) -> String {
    region
        .or(nation)
        .unwrap_or_else(|| "Not recorded".to_string())
}

/// Counts what `list` would list, grouped in the database: the busiest
/// regions first, and the [`CLUSTER_SERVICES`] services most needed.
pub fn clusters(
    conn: &mut DbConn,
    filter: &NeedFilter,
    viewer: Option<&Actor>,
) -> AppResult<Clusters> {
    use crate::db::schema::lgsl_services;
    use diesel::dsl::count_star;
    use std::collections::BTreeMap;

    let mut regions: BTreeMap<String, i64> = BTreeMap::new();
    // Grouped before boxing: diesel boxes a grouped query, not the reverse.
    let by_region = needs::table
        .inner_join(organisations::table)
        .group_by((organisations::region, organisations::nation))
        .select((organisations::region, organisations::nation, count_star()))
        .into_boxed();
    for (region, nation, n) in
        apply_filter!(by_region, filter, viewer)
            .load::<(Option<String>, Option<String>, i64)>(conn)?
    {
        *regions.entry(region_name(region, nation)).or_default() += n;
    }
    let by_service = need_services::table
        .inner_join(needs::table.inner_join(organisations::table))
        .inner_join(lgsl_services::table)
        .group_by((
            organisations::region,
            organisations::nation,
            lgsl_services::id,
            lgsl_services::label,
        ))
        .select((
            organisations::region,
            organisations::nation,
            lgsl_services::id,
            lgsl_services::label,
            count_star(),
        ))
        .into_boxed();
    let per_service: Vec<ServiceInRegion> = apply_filter!(by_service, filter, viewer).load(conn)?;
    let mut services: BTreeMap<(i64, String), i64> = BTreeMap::new();
    let mut cells: BTreeMap<(String, i64), i64> = BTreeMap::new();
    for (region, nation, id, label, n) in per_service {
        *services.entry((id, label)).or_default() += n;
        *cells.entry((region_name(region, nation), id)).or_default() += n;
    }
    let mut services: Vec<ServiceCount> = services
        .into_iter()
        .map(|((id, label), needs)| ServiceCount { id, label, needs })
        .collect();
    // Most needed first; ties by name so both databases draw the same picture.
    services.sort_by(|a, b| b.needs.cmp(&a.needs).then(a.label.cmp(&b.label)));
    services.truncate(CLUSTER_SERVICES);
    let mut regions: Vec<RegionCount> = regions
        .into_iter()
        .map(|(region, needs)| RegionCount {
            by_service: services
                .iter()
                .map(|s| cells.get(&(region.clone(), s.id)).copied().unwrap_or(0))
                .collect(),
            region,
            needs,
        })
        .collect();
    regions.sort_by(|a, b| b.needs.cmp(&a.needs).then(a.region.cmp(&b.region)));
    Ok(Clusters {
        total: regions.iter().map(|r| r.needs).sum(),
        services,
        regions,
    })
}
