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
    /// Words from the title or the problem.
    pub q: Option<String>,
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

/// The needs `viewer` may see that pass the filter, newest change first.
pub fn list(
    conn: &mut DbConn,
    filter: &NeedFilter,
    viewer: Option<&Actor>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<NeedSummary>, i64)> {
    let query = || {
        let mut q = needs::table
            .inner_join(organisations::table)
            .filter(need_visible_to!(viewer))
            .into_boxed();
        if filter.include_closed != Some(true) {
            q = q.filter(needs::status.eq(NeedStatus::Open));
        }
        if let Some(words) = &filter.q {
            for word in words.split_whitespace().take(8) {
                let like = crate::db::like_pattern(word);
                q = q.filter(
                    crate::db::lower(needs::title)
                        .like(like.clone())
                        .or(crate::db::lower(needs::problem).like(like)),
                );
            }
        }
        if let Some(service) = filter.service {
            q = q.filter(diesel::dsl::exists(
                need_services::table
                    .filter(need_services::need_id.eq(needs::id))
                    .filter(need_services::service_id.eq(service)),
            ));
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
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<SummaryRow> = query()
        .order((needs::updated_at.desc(), needs::id.desc()))
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
