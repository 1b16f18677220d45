//! Organisation queries and changes. Pages and the API both call these.

use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Actor, Change};
use crate::db::schema::{organisation_neighbours, organisations, similarity_groups};
use crate::db::{like_pattern, DbConn};
use crate::error::{AppError, AppResult, FieldError};

type Boxed<'a> = organisations::BoxedQuery<'a, crate::db::DbBackend>;

fn filtered(filter: &OrgFilter) -> Boxed<'static> {
    let mut query = organisations::table.into_boxed();
    if let Some(q) = &filter.q {
        query = query.filter(
            organisations::search_text
                .like(like_pattern(q))
                .escape('\\'),
        );
    }
    if let Some(n) = &filter.nation {
        query = query.filter(organisations::nation.eq(n.clone()));
    }
    if let Some(r) = &filter.region {
        query = query.filter(organisations::region.eq(r.clone()));
    }
    if let Some(t) = &filter.type_code {
        query = query.filter(organisations::type_code.eq(t.clone()));
    }
    match filter.status.as_deref() {
        Some("all") => query,
        Some("former") => query.filter(organisations::is_current.eq(false)),
        _ => query.filter(organisations::is_current.eq(true)),
    }
}

/// One page of the directory, ordered by name, and the total matching.
pub fn search(
    conn: &mut DbConn,
    filter: &OrgFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Organisation>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((organisations::short_name.asc(), organisations::code.asc()))
        .offset(offset)
        .limit(limit)
        .select(Organisation::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn facets(conn: &mut DbConn) -> AppResult<Facets> {
    let nations = organisations::table
        .filter(organisations::nation.is_not_null())
        .select(organisations::nation.assume_not_null())
        .distinct()
        .order(organisations::nation.asc())
        .load(conn)?;
    let regions = organisations::table
        .filter(organisations::region.is_not_null())
        .select(organisations::region.assume_not_null())
        .distinct()
        .order(organisations::region.asc())
        .load(conn)?;
    let types = organisations::table
        .select((organisations::type_code, organisations::type_name))
        .distinct()
        .order(organisations::type_name.asc())
        .load(conn)?;
    Ok(Facets {
        nations,
        regions,
        types,
    })
}

/// Finds by register code (any case) or by GSS code.
pub fn find(conn: &mut DbConn, code: &str) -> AppResult<Organisation> {
    let code = code.trim().to_uppercase();
    organisations::table
        .filter(
            organisations::code
                .eq(&code)
                .or(organisations::gss_code.eq(&code)),
        )
        .select(Organisation::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// What someone typed to name an organisation — a register code, a GSS code
/// or (part of) its name — turned out to be.
pub enum Named {
    One(Organisation),
    /// A code of an organisation that no longer exists.
    Former(Organisation),
    /// Current organisations that match, by name, at most [`NAMED_MAX`];
    /// `true` when there were more.
    Several(Vec<Organisation>, bool),
    Unknown,
}

/// How many organisations a name that matches several offers to choose from.
pub const NAMED_MAX: i64 = 20;

/// Finds an organisation by what was typed: its register or GSS code
/// (exactly), then a current organisation whose name or short name is the
/// text (any case), then current organisations whose name contains it.
pub fn by_code_or_name(conn: &mut DbConn, typed: &str) -> AppResult<Named> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Named::Unknown);
    }
    match find(conn, typed) {
        Ok(o) if o.is_current => return Ok(Named::One(o)),
        Ok(o) => return Ok(Named::Former(o)),
        Err(AppError::NotFound) => {}
        Err(e) => return Err(e),
    }
    let lower = typed.to_lowercase();
    let mut exact: Vec<Organisation> = organisations::table
        .filter(organisations::is_current.eq(true))
        .filter(
            crate::db::lower(organisations::name)
                .eq(&lower)
                .or(crate::db::lower(organisations::short_name).eq(&lower)),
        )
        .order((organisations::name.asc(), organisations::code.asc()))
        .select(Organisation::as_select())
        .load(conn)?;
    if exact.len() == 1 {
        return Ok(Named::One(exact.remove(0)));
    }
    if !exact.is_empty() {
        return Ok(Named::Several(exact, false));
    }
    let mut close: Vec<Organisation> = organisations::table
        .filter(organisations::is_current.eq(true))
        .filter(
            organisations::search_text
                .like(like_pattern(typed))
                .escape('\\'),
        )
        .order((organisations::name.asc(), organisations::code.asc()))
        .limit(NAMED_MAX + 1)
        .select(Organisation::as_select())
        .load(conn)?;
    Ok(match close.len() {
        0 => Named::Unknown,
        1 => Named::One(close.remove(0)),
        n => {
            let more = n as i64 > NAMED_MAX;
            close.truncate(NAMED_MAX as usize);
            Named::Several(close, more)
        }
    })
}

pub fn find_by_id(conn: &mut DbConn, id: i64) -> AppResult<Organisation> {
    Ok(organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)?)
}

fn org_ref(conn: &mut DbConn, code: Option<&str>) -> AppResult<Option<OrgRef>> {
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    Ok(organisations::table
        .filter(organisations::code.eq(code))
        .select((
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .first(conn)
        .optional()?)
}

pub fn detail(conn: &mut DbConn, org: &Organisation) -> AppResult<OrganisationDetail> {
    let neighbours = organisation_neighbours::table
        .inner_join(
            organisations::table.on(organisations::id.eq(organisation_neighbours::neighbour_id)),
        )
        .filter(organisation_neighbours::organisation_id.eq(org.id))
        .order(organisations::short_name.asc())
        .select((
            organisations::code,
            organisations::name,
            organisations::short_name,
            organisations::type_code,
            organisations::type_name,
        ))
        .load::<super::model::Neighbour>(conn)?;
    let similar = match &org.similarity_label {
        Some(label) => {
            let description: String = similarity_groups::table
                .find(label)
                .select(similarity_groups::description)
                .first(conn)?;
            // Labels read "Region; emissions; deprivation; rurality". Councils with
            // the same profile in any region are the useful peers: most groups
            // within one region hold a single council.
            let profile = label
                .split_once("; ")
                .map(|(_, p)| p.to_string())
                .unwrap_or_else(|| label.clone());
            let members = organisations::table
                .filter(
                    organisations::similarity_label
                        .like(format!("%; {}", crate::db::escape_like(&profile)))
                        .escape('\\')
                        .or(organisations::similarity_label.eq(label)),
                )
                .filter(organisations::id.ne(org.id))
                .filter(organisations::is_current.eq(true))
                .order(organisations::short_name.asc())
                .select((
                    organisations::code,
                    organisations::name,
                    organisations::short_name,
                ))
                .load(conn)?;
            Some(SimilarityGroup {
                label: label.clone(),
                profile,
                description,
                members,
            })
        }
        None => None,
    };
    Ok(OrganisationDetail {
        summary: org.summary(),
        website: org.website.clone(),
        tier: org.tier.clone(),
        county: org_ref(conn, org.county_code.as_deref())?,
        combined_authority: org_ref(conn, org.combined_authority_code.as_deref())?,
        start_date: org.start_date,
        end_date: org.end_date,
        replaced_by: org_ref(conn, org.replaced_by.as_deref())?,
        neighbours,
        similar,
        service_count: crate::lgsl::store::count_for_tier(conn, org.tier.as_deref())?,
    })
}

/// Lower-cased text the directory search looks in.
pub fn search_text(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join(" | ")
}

pub fn valid_code(code: &str) -> bool {
    (2..=12).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && code.starts_with(|c: char| c.is_ascii_uppercase())
}

pub fn valid_website(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 300
        && !url.contains(char::is_whitespace)
        && url
            .split("://")
            .nth(1)
            .is_some_and(|rest| rest.len() > 3 && rest.contains('.'))
}

/// Checks a new organisation; the field names match the form and the JSON.
pub fn validate_new(input: &NewOrganisation) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let code = input.code.trim();
    if code.is_empty() {
        errors.push(FieldError::new("code", "Enter a code for the organisation"));
    } else if !valid_code(code) {
        errors.push(FieldError::new("code", "Code must be 2 to 12 characters: capital letters, digits and hyphens, starting with a letter, like WMP or NHS-BSOL"));
    }
    if let Err(e) = crate::text::required_line(
        "name",
        "Name",
        &input.name,
        200,
        "Enter the organisation's name",
    ) {
        errors.push(e);
    }
    if !PARTNER_TYPES.iter().any(|(c, _)| *c == input.type_code) {
        errors.push(FieldError::new(
            "type_code",
            "Select the type of organisation",
        ));
    }
    if let Some(w) = input
        .website
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        if !valid_website(w) {
            errors.push(FieldError::new("website", "Enter the website as a full address starting with https://, like https://www.example.org.uk"));
        }
    }
    errors
}

pub fn create(
    conn: &mut DbConn,
    input: &NewOrganisation,
    actor: &Actor,
) -> AppResult<Organisation> {
    let errors = validate_new(input);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let code = input.code.trim().to_string();
    let exists: i64 = organisations::table
        .filter(organisations::code.eq(&code))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Err(AppError::invalid(
            "code",
            format!("An organisation with code {code} already exists; choose another code"),
        ));
    }
    let type_name = PARTNER_TYPES
        .iter()
        .find(|(c, _)| *c == input.type_code)
        .map(|(_, n)| *n)
        .unwrap_or_default();
    let name = input.name.trim();
    let tidy = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let now = crate::db::now();
    diesel::insert_into(organisations::table)
        .values((
            organisations::code.eq(&code),
            organisations::name.eq(name),
            organisations::short_name.eq(name),
            organisations::type_code.eq(&input.type_code),
            organisations::type_name.eq(type_name),
            organisations::nation.eq(tidy(&input.nation)),
            organisations::region.eq(tidy(&input.region)),
            organisations::website.eq(tidy(&input.website)),
            organisations::is_current.eq(true),
            organisations::search_text.eq(search_text(&[name, &code])),
            organisations::created_at.eq(now),
            organisations::updated_at.eq(now),
        ))
        .execute(conn)?;
    let org = find(conn, &code)?;
    audit::record(
        conn,
        actor,
        Change::new("organisation.create", "organisation", org.code.clone())
            .in_organisation(org.id)
            .after(org.summary()),
    )?;
    Ok(org)
}

/// Changes an organisation's website (the one detail admins keep up to date here).
pub fn update_website(
    conn: &mut DbConn,
    org: &Organisation,
    website: Option<&str>,
    actor: &Actor,
) -> AppResult<Organisation> {
    let website = website.map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = website {
        if !valid_website(w) {
            return Err(AppError::invalid("website", "Enter the website as a full address starting with https://, like https://www.example.org.uk"));
        }
    }
    diesel::update(organisations::table.find(org.id))
        .set((
            organisations::website.eq(website),
            organisations::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        Change::new("organisation.update", "organisation", org.code.clone())
            .in_organisation(org.id)
            .before(serde_json::json!({ "website": org.website }))
            .after(serde_json::json!({ "website": website })),
    )?;
    find_by_id(conn, org.id)
}
