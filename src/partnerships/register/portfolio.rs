//! The portfolio: every partnership a user may see, filtered, sorted and
//! totalled, for pages, the API and exports alike.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{ledger_entries, organisations, partnership_members, partnerships};
use crate::db::{like_pattern, DbBackend, DbConn};
use crate::error::AppResult;
use crate::partnerships::model::*;
use crate::policy::Actor;

const SORTS: [&str; 4] = ["name", "next_review", "updated", "stage"];

/// Filters and sort order, as query parameters.
#[derive(Deserialize, Clone, Debug, Default)]
pub struct PortfolioFilter {
    /// `mine` (my organisation's, the default when signed in) or `all` (all I may see).
    pub scope: Option<String>,
    pub q: Option<String>,
    pub kind: Option<String>,
    pub degree: Option<String>,
    pub stage: Option<String>,
    pub status: Option<String>,
    /// Only partnerships with this organisation as an active member (register code).
    pub organisation: Option<String>,
    /// Only partnerships covering this LGSL service (its number).
    pub service: Option<String>,
    /// `name` (default), `next_review`, `updated` or `stage`.
    pub sort: Option<String>,
}

impl PortfolioFilter {
    pub fn clean(mut self, signed_in: bool) -> Self {
        let tidy = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.scope = Some(match tidy(self.scope).as_deref() {
            Some("all") => "all".to_string(),
            Some("mine") if signed_in => "mine".to_string(),
            _ if signed_in && self.organisation.is_none() => "mine".to_string(),
            _ => "all".to_string(),
        });
        self.q = tidy(self.q).map(|q| q.chars().take(100).collect());
        self.kind = tidy(self.kind).filter(|k| Kind::parse(k).is_some());
        self.degree = tidy(self.degree).filter(|d| Degree::parse(d).is_some());
        self.stage =
            tidy(self.stage).filter(|s| s.parse::<i32>().is_ok_and(|n| (1..=8).contains(&n)));
        self.status = tidy(self.status).filter(|s| Status::parse(s).is_some());
        self.organisation = tidy(self.organisation).map(|o| o.to_uppercase());
        self.service = tidy(self.service).filter(|s| service_number(s).is_some());
        self.sort = tidy(self.sort).filter(|s| SORTS.contains(&s.as_str()));
        self
    }

    /// The API refuses a filter it does not understand rather than quietly
    /// showing everything; pages are lenient because their filters come from links.
    pub fn refuse_unknown(&self) -> crate::error::AppResult<()> {
        type Known = fn(&str) -> bool;
        let rules: [(&str, &Option<String>, Known, &str); 7] = [
            (
                "kind",
                &self.kind,
                |v| Kind::parse(v).is_some(),
                "a partnership kind",
            ),
            (
                "degree",
                &self.degree,
                |v| Degree::parse(v).is_some(),
                "a degree of collaboration",
            ),
            (
                "stage",
                &self.stage,
                |v| v.parse::<i32>().is_ok_and(|n| (1..=8).contains(&n)),
                "a number from 1 to 8",
            ),
            (
                "status",
                &self.status,
                |v| Status::parse(v).is_some(),
                "a partnership status",
            ),
            (
                "service",
                &self.service,
                |v| service_number(v).is_some(),
                "an LGSL service number",
            ),
            (
                "scope",
                &self.scope,
                |v| ["mine", "all"].contains(&v),
                "mine or all",
            ),
            (
                "sort",
                &self.sort,
                |v| SORTS.contains(&v),
                "name, next_review, updated or stage",
            ),
        ];
        let errors: Vec<_> = rules
            .into_iter()
            .filter_map(|(field, value, known, expected)| {
                let v = value.as_deref().filter(|v| !known(v))?;
                Some(crate::error::FieldError::new(
                    field,
                    format!("{field} \"{v}\" is not known: use {expected}"),
                ))
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::error::AppError::Invalid(errors))
        }
    }

    pub fn mine(&self) -> bool {
        self.scope.as_deref() == Some("mine")
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("scope", self.scope.clone().unwrap_or_default()),
            ("q", self.q.clone().unwrap_or_default()),
            ("kind", self.kind.clone().unwrap_or_default()),
            ("degree", self.degree.clone().unwrap_or_default()),
            ("stage", self.stage.clone().unwrap_or_default()),
            ("status", self.status.clone().unwrap_or_default()),
            (
                "organisation",
                self.organisation.clone().unwrap_or_default(),
            ),
            ("service", self.service.clone().unwrap_or_default()),
            ("sort", self.sort.clone().unwrap_or_default()),
        ]
    }
}

/// An LGSL service number as typed: a whole number above 0.
fn service_number(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|n| *n > 0)
}

/// The visibility rule and every filter as one SQL condition, usable on any
/// query that includes `partnerships` (alone, joined, boxed or grouped).
/// Absent filters become `OR TRUE` on a bound flag.
macro_rules! portfolio_condition {
    ($filter:expr, $actor:expr, $org_filter:expr) => {{
        #[allow(unused_imports)]
        use diesel::dsl::IntoSql as _;
        use diesel::sql_types::Bool;
        let filter: &PortfolioFilter = $filter;
        let actor: Option<&Actor> = $actor;
        let org_filter: Option<i64> = $org_filter;
        let my_org = actor.filter(|_| filter.mine()).map(|a| a.organisation_id);
        let stage = filter.stage.as_ref().and_then(|s| s.parse::<i32>().ok());
        let service = filter.service.as_deref().and_then(service_number);
        crate::partnerships::access::partnership_visible_to!(actor)
            // The flag comes first, so the database can skip the subquery when it is set.
            .and(my_org.is_none().into_sql::<Bool>().or(
                crate::partnerships::access::partnership_has_member!(
                    my_org.unwrap_or(-1),
                    ["active", "invited"]
                ),
            ))
            .and(org_filter.is_none().into_sql::<Bool>().or(
                crate::partnerships::access::partnership_has_member!(
                    org_filter.unwrap_or(-1),
                    ["active"]
                ),
            ))
            .and(
                filter
                    .q
                    .is_none()
                    .into_sql::<Bool>()
                    .or(crate::db::lower(partnerships::name)
                        .like(like_pattern(filter.q.as_deref().unwrap_or("")))
                        .escape('\\')),
            )
            .and(
                filter
                    .kind
                    .is_none()
                    .into_sql::<Bool>()
                    .or(partnerships::kind.eq(filter.kind.clone().unwrap_or_default())),
            )
            .and(
                filter
                    .degree
                    .is_none()
                    .into_sql::<Bool>()
                    .or(partnerships::degree.eq(filter.degree.clone().unwrap_or_default())),
            )
            .and(
                stage
                    .is_none()
                    .into_sql::<Bool>()
                    .or(partnerships::stage.eq(stage.unwrap_or(0))),
            )
            .and(
                filter
                    .status
                    .is_none()
                    .into_sql::<Bool>()
                    .or(partnerships::status.eq(filter.status.clone().unwrap_or_default())),
            )
            .and(
                service
                    .is_none()
                    .into_sql::<Bool>()
                    .or(partnerships::id.eq_any(
                        crate::db::schema::partnership_services::table
                            .filter(
                                crate::db::schema::partnership_services::service_id
                                    .eq(service.unwrap_or(-1)),
                            )
                            .select(crate::db::schema::partnership_services::partnership_id),
                    )),
            )
    }};
}

/// The LGSL services that partnerships the actor may see cover, by name,
/// for the portfolio's service filter.
pub fn covered_services(conn: &mut DbConn, actor: Option<&Actor>) -> AppResult<Vec<(i64, String)>> {
    use crate::db::schema::{lgsl_services, partnership_services};
    let visible = partnerships::table
        .filter(crate::partnerships::access::partnership_visible_to!(actor))
        .select(partnerships::id);
    Ok(lgsl_services::table
        .filter(
            lgsl_services::id.eq_any(
                partnership_services::table
                    .filter(partnership_services::partnership_id.eq_any(visible))
                    .select(partnership_services::service_id),
            ),
        )
        .order(lgsl_services::label.asc())
        .select((lgsl_services::id, lgsl_services::label))
        .load(conn)?)
}

/// The organisation an `organisation` filter names; -1 (nobody) if unknown.
fn organisation_filter(conn: &mut DbConn, filter: &PortfolioFilter) -> AppResult<Option<i64>> {
    match &filter.organisation {
        None => Ok(None),
        Some(code) => Ok(Some(
            organisations::table
                .filter(organisations::code.eq(code))
                .select(organisations::id)
                .first(conn)
                .optional()?
                .unwrap_or(-1),
        )),
    }
}

/// One row of the portfolio.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PortfolioRow {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    pub degree: Degree,
    pub stage: i32,
    pub status: Status,
    pub visibility: Visibility,
    pub lead: Option<String>,
    pub lead_code: Option<String>,
    pub partners: i64,
    pub next_review_due: Option<NaiveDate>,
    pub review_overdue: bool,
    /// Worst latest RAG of its objectives: red, amber, green or none.
    pub rag: String,
    /// Realised cashable savings recorded by all its partners.
    pub realised_savings_pence: i64,
    /// Of those, what is recorded for the viewer's own organisation (none
    /// when signed out).
    pub own_realised_savings_pence: Option<i64>,
}

impl PortfolioRow {
    pub fn savings_label(&self) -> String {
        crate::money::pounds(self.realised_savings_pence)
    }
}

/// Headline figures across the filtered portfolio.
#[derive(Serialize, Clone, Debug, Default, ToSchema)]
pub struct Totals {
    pub arrangements: i64,
    /// Distinct organisations that are active members of at least one.
    pub partners: i64,
    /// Realised cashable savings recorded by every partner of these
    /// partnerships, together.
    pub realised_savings_pence: i64,
    /// Realised costs recorded by every partner, together.
    pub realised_costs_pence: i64,
    /// The viewer's own organisation's part: the realised savings and
    /// costs recorded for it (none when signed out).
    pub own_realised_savings_pence: Option<i64>,
    pub own_realised_costs_pence: Option<i64>,
    pub reviews_overdue: i64,
}

#[derive(Serialize, Clone, Debug, Default, ToSchema)]
pub struct Breakdown {
    /// (code, label, count)
    pub by_kind: Vec<(String, String, i64)>,
    pub by_degree: Vec<(String, String, i64)>,
    /// (financial year start, realised cashable savings in pence)
    pub savings_by_year: Vec<(i32, i64)>,
    /// (financial year start, expected cashable savings in pence)
    pub expected_savings_by_year: Vec<(i32, i64)>,
}

pub struct Portfolio {
    pub rows: Vec<PortfolioRow>,
    pub total: i64,
    pub totals: Totals,
    pub breakdown: Breakdown,
}

/// The rows for these partnerships; `own` is the viewer's organisation,
/// whose part of the savings each row also gives.
pub fn rows_for(
    conn: &mut DbConn,
    ps: Vec<Partnership>,
    today: NaiveDate,
    own: Option<i64>,
) -> AppResult<Vec<PortfolioRow>> {
    let ids: Vec<i64> = ps.iter().map(|p| p.id).collect();
    let members: Vec<(i64, String, String, String)> = partnership_members::table
        .inner_join(organisations::table)
        .filter(partnership_members::partnership_id.eq_any(&ids))
        .filter(partnership_members::status.eq(MemberStatus::Active.code()))
        .select((
            partnership_members::partnership_id,
            partnership_members::role,
            organisations::name,
            organisations::code,
        ))
        .load(conn)?;
    let savings: Vec<(i64, i64, i64)> = ledger_entries::table
        .filter(ledger_entries::partnership_id.eq_any(&ids))
        .filter(ledger_entries::entry_type.eq("cashable_saving"))
        .filter(ledger_entries::basis.eq("realised"))
        .select((
            ledger_entries::partnership_id,
            ledger_entries::organisation_id,
            ledger_entries::amount_pence,
        ))
        .load(conn)?;
    let mut rags: HashMap<i64, &'static str> = HashMap::new();
    for (pid, _, rag) in crate::partnerships::summary::latest_rags(conn, &ids)? {
        let worst = match (rags.get(&pid).copied(), rag.as_str()) {
            (Some("red"), _) | (_, "red") => "red",
            (Some("amber"), _) | (_, "amber") => "amber",
            _ => "green",
        };
        rags.insert(pid, worst);
    }
    Ok(ps
        .into_iter()
        .map(|p| {
            let mine: Vec<&(i64, String, String, String)> =
                members.iter().filter(|m| m.0 == p.id).collect();
            let lead = mine.iter().find(|m| m.1 == MemberRole::Lead.code());
            PortfolioRow {
                review_overdue: p.review_overdue(today),
                rag: rags.get(&p.id).copied().unwrap_or("none").to_string(),
                realised_savings_pence: savings.iter().filter(|s| s.0 == p.id).map(|s| s.2).sum(),
                own_realised_savings_pence: own.map(|org| {
                    savings
                        .iter()
                        .filter(|s| s.0 == p.id && s.1 == org)
                        .map(|s| s.2)
                        .sum()
                }),
                lead: lead.map(|m| m.2.clone()),
                lead_code: lead.map(|m| m.3.clone()),
                partners: mine.len() as i64,
                kind: p.kind,
                degree: p.degree,
                status: p.status,
                visibility: p.visibility(),
                id: p.id,
                name: p.name,
                stage: p.stage,
                next_review_due: p.next_review_due,
            }
        })
        .collect())
}

/// One page of the portfolio with totals and breakdowns over all of it.
pub fn load(
    conn: &mut DbConn,
    filter: &PortfolioFilter,
    actor: Option<&Actor>,
    offset: i64,
    limit: i64,
) -> AppResult<Portfolio> {
    let today = chrono::Utc::now().date_naive();
    let org = organisation_filter(conn, filter)?;
    let base = || {
        partnerships::table
            .filter(portfolio_condition!(filter, actor, org))
            .into_boxed::<DbBackend>()
    };
    // One pass gives the total, the breakdowns and the overdue count.
    let groups: Vec<(String, String, i64, i64)> = partnerships::table
        .filter(portfolio_condition!(filter, actor, org))
        .group_by((partnerships::kind, partnerships::degree))
        .select((
            partnerships::kind,
            partnerships::degree,
            diesel::dsl::count_star(),
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "COALESCE(SUM(CASE WHEN partnerships.next_review_due < ",
            )
            .bind::<diesel::sql_types::Date, _>(today)
            .sql(" AND partnerships.status <> 'ended' THEN 1 ELSE 0 END), 0)"),
        ))
        .load(conn)?;
    let total: i64 = groups.iter().map(|g| g.2).sum();
    let sorted = match filter.sort.as_deref() {
        Some("next_review") => base().order((
            partnerships::next_review_due.is_null(),
            partnerships::next_review_due.asc(),
            partnerships::id.asc(),
        )),
        Some("updated") => base().order((partnerships::updated_at.desc(), partnerships::id.desc())),
        Some("stage") => base().order((
            partnerships::stage.asc(),
            partnerships::name.asc(),
            partnerships::id.asc(),
        )),
        _ => base().order((partnerships::name.asc(), partnerships::id.asc())),
    };
    let page: Vec<Partnership> = sorted
        .offset(offset)
        .limit(limit)
        .select(Partnership::as_select())
        .load(conn)?;
    let own = actor.map(|a| a.organisation_id);
    let rows = rows_for(conn, page, today, own)?;

    // IN (subquery) evaluates the condition once per partnership, not once per member row.
    let matching = || {
        partnerships::table
            .filter(portfolio_condition!(filter, actor, org))
            .select(partnerships::id)
    };
    // An alias, because the visibility rule looks at partnership_members too.
    let member = diesel::alias!(partnership_members as counted_members);
    let partners: i64 = member
        .filter(
            member
                .field(partnership_members::partnership_id)
                .eq_any(matching()),
        )
        .filter(
            member
                .field(partnership_members::status)
                .eq(MemberStatus::Active.code()),
        )
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "COUNT(DISTINCT counted_members.organisation_id)",
        ))
        .first(conn)?;
    // The viewer's own organisation's part of the same money.
    let own_money: Vec<(String, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::partnership_id.eq_any(matching()))
        .filter(ledger_entries::organisation_id.eq(own.unwrap_or(-1)))
        .filter(ledger_entries::basis.eq("realised"))
        .filter(ledger_entries::entry_type.eq_any(["cost", "cashable_saving"]))
        .group_by(ledger_entries::entry_type)
        .select((
            ledger_entries::entry_type,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                "CAST(SUM(ledger_entries.amount_pence) AS BIGINT)",
            ),
        ))
        .load(conn)?;
    let own_sum = |kind: &str| {
        own.map(|_| {
            own_money
                .iter()
                .filter(|m| m.0 == kind)
                .filter_map(|m| m.1)
                .sum::<i64>()
        })
    };
    // SUM of a BIGINT is NUMERIC on PostgreSQL; cast back so both backends agree.
    let money: Vec<(String, i32, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::partnership_id.eq_any(matching()))
        .filter(ledger_entries::basis.eq("realised"))
        .filter(ledger_entries::entry_type.eq_any(["cost", "cashable_saving"]))
        .group_by((ledger_entries::entry_type, ledger_entries::financial_year))
        .select((
            ledger_entries::entry_type,
            ledger_entries::financial_year,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                "CAST(SUM(ledger_entries.amount_pence) AS BIGINT)",
            ),
        ))
        .load(conn)?;
    let expected: Vec<(i32, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::partnership_id.eq_any(matching()))
        .filter(ledger_entries::basis.eq("expected"))
        .filter(ledger_entries::entry_type.eq("cashable_saving"))
        .group_by(ledger_entries::financial_year)
        .select((
            ledger_entries::financial_year,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                "CAST(SUM(ledger_entries.amount_pence) AS BIGINT)",
            ),
        ))
        .order(ledger_entries::financial_year)
        .load(conn)?;
    let expected_savings_by_year = expected
        .into_iter()
        .map(|(year, pence)| (year, pence.unwrap_or(0)))
        .collect();
    let reviews_overdue: i64 = groups.iter().map(|g| g.3).sum();
    let count_by = |pick: fn(&(String, String, i64, i64)) -> &String, code: &str| {
        groups
            .iter()
            .filter(|g| pick(g) == code)
            .map(|g| g.2)
            .sum::<i64>()
    };
    let mut savings_by_year: Vec<(i32, i64)> = money
        .iter()
        .filter(|m| m.0 == "cashable_saving")
        .map(|m| (m.1, m.2.unwrap_or(0)))
        .collect();
    savings_by_year.sort();
    let totals = Totals {
        arrangements: total,
        partners,
        realised_savings_pence: money
            .iter()
            .filter(|m| m.0 == "cashable_saving")
            .filter_map(|m| m.2)
            .sum(),
        realised_costs_pence: money
            .iter()
            .filter(|m| m.0 == "cost")
            .filter_map(|m| m.2)
            .sum(),
        own_realised_savings_pence: own_sum("cashable_saving"),
        own_realised_costs_pence: own_sum("cost"),
        reviews_overdue,
    };
    // Keep the vocabulary's order, so charts read along the spectrum.
    let breakdown = Breakdown {
        by_kind: Kind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_string(),
                    k.label().to_string(),
                    count_by(|g| &g.0, k.code()),
                )
            })
            .filter(|(_, _, n)| *n > 0)
            .collect(),
        by_degree: Degree::ALL
            .iter()
            .map(|d| {
                (
                    d.code().to_string(),
                    d.label().to_string(),
                    count_by(|g| &g.1, d.code()),
                )
            })
            .collect(),
        savings_by_year,
        expected_savings_by_year,
    };
    Ok(Portfolio {
        rows,
        total,
        totals,
        breakdown,
    })
}

/// Every matching partnership, for exports (no paging).
pub fn all(
    conn: &mut DbConn,
    filter: &PortfolioFilter,
    actor: Option<&Actor>,
) -> AppResult<Vec<PortfolioRow>> {
    let org = organisation_filter(conn, filter)?;
    let ps: Vec<Partnership> = partnerships::table
        .filter(portfolio_condition!(filter, actor, org))
        .order((partnerships::name.asc(), partnerships::id.asc()))
        .select(Partnership::as_select())
        .load(conn)?;
    let today = chrono::Utc::now().date_naive();
    let mut rows = Vec::with_capacity(ps.len());
    // In chunks, so `IN (...)` lists stay a sensible size.
    for chunk in ps.chunks(500) {
        rows.extend(rows_for(
            conn,
            chunk.to_vec(),
            today,
            actor.map(|a| a.organisation_id),
        )?);
    }
    Ok(rows)
}
