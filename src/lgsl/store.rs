use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{lgsl_functions, lgsl_services, organisations};
use crate::db::{like_pattern, lower, DbConn};
use crate::error::{AppResult, FieldError};
use crate::orgs::model::OrgRef;

#[derive(Queryable, Selectable, Serialize, Clone, Debug, ToSchema)]
#[diesel(table_name = lgsl_services)]
pub struct Service {
    /// LGSL identifier, e.g. 524.
    pub id: i64,
    pub label: String,
    pub description: String,
    /// `county` (county and unitary councils), `district` (district and unitary) or `all`;
    /// none when GOV.UK does not list the service.
    pub providing_tier: Option<String>,
    /// The service's title on GOV.UK, when it is listed there.
    pub govuk_title: Option<String>,
}

impl Service {
    pub fn tier_label(&self) -> &'static str {
        tier_label(self.providing_tier.as_deref())
    }
}

pub fn tier_label(tier: Option<&str>) -> &'static str {
    match tier {
        Some("county") => "County and unitary councils",
        Some("district") => "District and unitary councils",
        Some("all") => "All councils",
        _ => "Not assigned to a tier",
    }
}

#[derive(Queryable, Serialize, Clone, Debug, ToSchema)]
pub struct Function {
    pub id: i64,
    pub label: String,
    pub parent_id: Option<i64>,
}

/// A top-level function with its sub-functions.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct FunctionGroup {
    pub id: i64,
    pub label: String,
    pub children: Vec<Function>,
}

/// The service tiers a council of `tier` provides.
fn tiers_provided(tier: Option<&str>) -> Vec<&'static str> {
    match tier {
        Some("unitary") => vec!["county", "district", "all"],
        Some("county") => vec!["county", "all"],
        Some("district") => vec!["district", "all"],
        _ => vec![],
    }
}

/// Council tiers that provide a service of `providing_tier`.
fn council_tiers_for(providing_tier: Option<&str>) -> Vec<&'static str> {
    match providing_tier {
        Some("county") => vec!["county", "unitary"],
        Some("district") => vec!["district", "unitary"],
        Some("all") => vec!["county", "district", "unitary"],
        _ => vec![],
    }
}

pub fn count_for_tier(conn: &mut DbConn, tier: Option<&str>) -> AppResult<i64> {
    Ok(lgsl_services::table
        .filter(lgsl_services::providing_tier.eq_any(tiers_provided(tier)))
        .count()
        .get_result(conn)?)
}

/// The services a council of this tier delivers, by label.
pub fn for_tier(conn: &mut DbConn, tier: Option<&str>) -> AppResult<Vec<Service>> {
    Ok(lgsl_services::table
        .filter(lgsl_services::providing_tier.eq_any(tiers_provided(tier)))
        .order(lgsl_services::label.asc())
        .select(Service::as_select())
        .load(conn)?)
}

/// Services matching `q` (label, description, GOV.UK title or LGSL id); `govuk_only` keeps those with a tier.
pub fn search(
    conn: &mut DbConn,
    q: Option<&str>,
    govuk_only: bool,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Service>, i64)> {
    let build = || {
        let mut query = lgsl_services::table.into_boxed::<crate::db::DbBackend>();
        if let Some(q) = q {
            let pattern = like_pattern(q);
            // Labels and descriptions are mixed case; compare lower-cased on both backends.
            let text_match = lower(lgsl_services::label)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(lgsl_services::description)
                    .like(pattern.clone())
                    .escape('\\'))
                .or(lower(coalesce_text(lgsl_services::govuk_title, ""))
                    .like(pattern)
                    .escape('\\'));
            query = match q.trim().parse::<i64>() {
                Ok(id) => query.filter(lgsl_services::id.eq(id).or(text_match)),
                Err(_) => query.filter(text_match),
            };
        }
        if govuk_only {
            query = query.filter(lgsl_services::providing_tier.is_not_null());
        }
        query
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order(lgsl_services::label.asc())
        .offset(offset)
        .limit(limit)
        .select(Service::as_select())
        .load(conn)?;
    Ok((rows, total))
}

diesel::define_sql_function!(#[sql_name = "coalesce"] fn coalesce_text(x: diesel::sql_types::Nullable<diesel::sql_types::Text>, y: diesel::sql_types::Text) -> diesel::sql_types::Text);

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<Service> {
    Ok(lgsl_services::table
        .find(id)
        .select(Service::as_select())
        .first(conn)?)
}

/// Current councils that deliver a service, by name.
pub fn councils_delivering(
    conn: &mut DbConn,
    service: &Service,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<OrgRef>, i64)> {
    let tiers = council_tiers_for(service.providing_tier.as_deref());
    let build = || {
        organisations::table
            .filter(organisations::tier.eq_any(tiers.clone()))
            .filter(organisations::is_current.eq(true))
            .into_boxed::<crate::db::DbBackend>()
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order(organisations::short_name.asc())
        .offset(offset)
        .limit(limit)
        .select((
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .load(conn)?;
    Ok((rows, total))
}

pub fn function_groups(conn: &mut DbConn) -> AppResult<Vec<FunctionGroup>> {
    let all: Vec<Function> = lgsl_functions::table
        .select((
            lgsl_functions::id,
            lgsl_functions::label,
            lgsl_functions::parent_id,
        ))
        .order(lgsl_functions::label.asc())
        .load(conn)?;
    Ok(all
        .iter()
        .filter(|f| f.parent_id.is_none())
        .map(|top| FunctionGroup {
            id: top.id,
            label: top.label.clone(),
            children: all
                .iter()
                .filter(|f| f.parent_id == Some(top.id))
                .cloned()
                .collect(),
        })
        .collect())
}

/// Refuses service ids that are not in the LGSL, naming the first one.
/// LGSL services named in a form field called `services`: one per line or
/// separated by ";", each a service's exact name (any case) or its number;
/// numbers may also be separated by commas or spaces, like "524, 1788".
/// Needs and partnerships both read service areas this way.
pub fn by_name(conn: &mut DbConn, typed: &str) -> Result<Vec<i64>, FieldError> {
    let fail = |e: diesel::result::Error| FieldError::new("services", e.to_string());
    let mut ids = Vec::new();
    for name in typed
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let numbers = name
            .split([',', ' ', '\t', '\r'])
            .filter(|s| !s.is_empty())
            .map(str::parse::<i64>)
            .collect::<Result<Vec<i64>, _>>();
        if let Ok(numbers) = numbers {
            for id in numbers {
                let found: Option<i64> = lgsl_services::table
                    .find(id)
                    .select(lgsl_services::id)
                    .first(conn)
                    .optional()
                    .map_err(fail)?;
                match found {
                    Some(id) => ids.push(id),
                    None => {
                        return Err(FieldError::new(
                            "services",
                            format!("There is no LGSL service {id}. Give service areas by name, like Household waste collection, or by their number on the services page"),
                        ))
                    }
                }
            }
            continue;
        }
        let found: Option<i64> = lgsl_services::table
            .filter(lower(lgsl_services::label).eq(name.to_lowercase()))
            .select(lgsl_services::id)
            .first(conn)
            .optional()
            .map_err(fail)?;
        match found {
            Some(id) => ids.push(id),
            None => {
                let close: Vec<String> = lgsl_services::table
                    .filter(lower(lgsl_services::label).like(like_pattern(name)))
                    .order(lgsl_services::label)
                    .limit(3)
                    .select(lgsl_services::label)
                    .load(conn)
                    .unwrap_or_default();
                let hint = if close.is_empty() {
                    "See the services list for their names".to_string()
                } else {
                    format!("Did you mean: {}?", close.join("; "))
                };
                return Err(FieldError::new(
                    "services",
                    format!("There is no LGSL service called '{name}'. {hint}"),
                ));
            }
        }
    }
    ids.dedup();
    Ok(ids)
}

pub fn check_exist(conn: &mut DbConn, services: &[i64]) -> AppResult<()> {
    if services.is_empty() {
        return Ok(());
    }
    let known: Vec<i64> = lgsl_services::table
        .filter(lgsl_services::id.eq_any(services))
        .select(lgsl_services::id)
        .load(conn)?;
    if let Some(missing) = services.iter().find(|s| !known.contains(s)) {
        return Err(crate::error::AppError::invalid(
            "services",
            format!("There is no LGSL service {missing}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_line_up_both_ways() {
        for council in ["county", "district", "unitary"] {
            for service in ["county", "district", "all"] {
                let provides = tiers_provided(Some(council)).contains(&service);
                let delivered_by = council_tiers_for(Some(service)).contains(&council);
                assert_eq!(provides, delivered_by, "{council} / {service}");
            }
        }
        assert!(tiers_provided(None).is_empty());
        assert!(council_tiers_for(None).is_empty());
    }
}
