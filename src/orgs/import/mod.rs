//! Importers for the mySociety council register and the files that hang off it.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::store::search_text;
use crate::audit::Actor;
use crate::db::schema::organisations;
use crate::db::{Db, DbConn};
use crate::imports::{parse_count, parse_date, ImportError, ImportReport, SeenKeys, Table};

mod linked;
pub use linked::*;

/// One council from `uk_local_authorities.csv`, checked.
#[derive(Debug, Clone, PartialEq)]
struct Council {
    code: String,
    name: String,
    short_name: String,
    type_code: String,
    type_name: String,
    gss_code: Option<String>,
    former_gss_codes: String,
    nation: Option<String>,
    region: Option<String>,
    tier: Option<String>,
    county_code: Option<String>,
    combined_authority_code: Option<String>,
    population: Option<i64>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    replaced_by: Option<String>,
    is_current: bool,
    search_text: String,
}

const COUNCIL_COLUMNS: &[&str] = &[
    "local-authority-code",
    "official-name",
    "nice-name",
    "gss-code",
    "start-date",
    "end-date",
    "replaced-by",
    "nation",
    "region",
    "local-authority-type",
    "local-authority-type-name",
    "county-la",
    "combined-authority",
    "alt-names",
    "former-gss-codes",
    "current-authority",
    "pop-2020",
    "powers",
];

fn valid_register_code(code: &str) -> bool {
    // Three or four capitals (BIR, WMCA), or Northern Ireland's old "NIR-X" codes.
    let plain = (3..=4).contains(&code.len()) && code.chars().all(|c| c.is_ascii_uppercase());
    let ni = code.len() == 5
        && code.starts_with("NIR-")
        && code.chars().last().is_some_and(|c| c.is_ascii_uppercase());
    plain || ni
}

fn valid_gss(code: &str) -> bool {
    code.len() == 9
        && matches!(code.as_bytes()[0], b'E' | b'W' | b'S' | b'N' | b'K')
        && code[1..].chars().all(|c| c.is_ascii_digit())
}

fn tier_for_powers(powers: &str) -> Option<&'static str> {
    match powers {
        "unitary" => Some("unitary"),
        "upper tier" => Some("county"),
        // Northern Ireland's districts provide district-level services.
        "lower tier" | "ni district" => Some("district"),
        _ => None,
    }
}

fn parse_councils(text: &str) -> Result<Vec<Council>, ImportError> {
    let mut table = Table::parse(text, COUNCIL_COLUMNS)?;
    let mut codes = SeenKeys::default();
    let mut gss_codes = SeenKeys::default();
    let mut out = Vec::new();
    for row in table.rows() {
        let row = row?;
        let code = row.required("local-authority-code")?.to_string();
        if !valid_register_code(&code) {
            return Err(row.error(format!(
                "'local-authority-code' is '{code}'; it must be 3 or 4 capital letters, like BIR"
            )));
        }
        codes.check(&row, "local-authority-code", &code)?;
        let gss_code = row.optional("gss-code");
        if let Some(g) = &gss_code {
            if !valid_gss(g) {
                return Err(row.error(format!(
                    "'gss-code' is '{g}'; a GSS code is a letter and 8 digits, like E08000025"
                )));
            }
            gss_codes.check(&row, "gss-code", g)?;
        }
        let former: Vec<&str> = row
            .get("former-gss-codes")
            .split([',', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if let Some(bad) = former.iter().find(|g| !valid_gss(g)) {
            return Err(row.error(format!(
                "'former-gss-codes' has '{bad}', which is not a GSS code"
            )));
        }
        let is_current = match row.get("current-authority") {
            "True" | "true" | "TRUE" | "1" => true,
            "False" | "false" | "FALSE" | "0" => false,
            other => {
                return Err(row.error(format!(
                    "'current-authority' is '{other}'; it must be True or False"
                )))
            }
        };
        let powers = row.get("powers");
        let tier = tier_for_powers(powers);
        if tier.is_none() && powers != "combined" {
            return Err(row.error(format!("'powers' is '{powers}'; expected unitary, upper tier, lower tier, ni district or combined")));
        }
        let start_date = parse_date(&row, "start-date")?;
        let end_date = parse_date(&row, "end-date")?;
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                return Err(row.error(format!("'end-date' {e} is before 'start-date' {s}")));
            }
        }
        let name = row.required("official-name")?.to_string();
        let short_name = row.optional("nice-name").unwrap_or_else(|| name.clone());
        let alt_names = row.get("alt-names").to_string();
        let mut search_parts = vec![
            name.as_str(),
            short_name.as_str(),
            code.as_str(),
            alt_names.as_str(),
        ];
        if let Some(g) = &gss_code {
            search_parts.push(g);
        }
        let search = search_text(&search_parts);
        out.push(Council {
            search_text: search,
            type_code: row.required("local-authority-type")?.to_string(),
            type_name: row.required("local-authority-type-name")?.to_string(),
            former_gss_codes: former.join(","),
            nation: row.optional("nation"),
            region: row.optional("region"),
            tier: tier.map(str::to_string),
            county_code: row.optional("county-la"),
            combined_authority_code: row.optional("combined-authority"),
            population: parse_count(&row, "pop-2020")?,
            replaced_by: row.optional("replaced-by"),
            start_date,
            end_date,
            is_current,
            gss_code,
            name,
            short_name,
            code,
        });
    }
    Ok(out)
}

type CouncilRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
    bool,
    String,
);

fn existing_councils(conn: &mut DbConn) -> QueryResult<HashMap<String, Council>> {
    use organisations::*;
    let rows: Vec<CouncilRow> = organisations::table
        .select((
            code,
            name,
            short_name,
            type_name,
            gss_code,
            former_gss_codes,
            nation,
            region,
            tier,
            county_code,
            combined_authority_code,
            population,
            start_date,
            end_date,
            replaced_by,
            is_current,
            search_text,
        ))
        .load(conn)?;
    let types: Vec<(String, String)> = organisations::table.select((code, type_code)).load(conn)?;
    let types: HashMap<String, String> = types.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let c = Council {
                type_code: types.get(&r.0).cloned().unwrap_or_default(),
                code: r.0,
                name: r.1,
                short_name: r.2,
                type_name: r.3,
                gss_code: r.4,
                former_gss_codes: r.5,
                nation: r.6,
                region: r.7,
                tier: r.8,
                county_code: r.9,
                combined_authority_code: r.10,
                population: r.11,
                start_date: r.12,
                end_date: r.13,
                replaced_by: r.14,
                is_current: r.15,
                search_text: r.16,
            };
            (c.code.clone(), c)
        })
        .collect())
}

pub fn councils(db: &Db, text: &str, actor: &Actor) -> Result<ImportReport, ImportError> {
    let parsed = parse_councils(text)?;
    let report = db.write_blocking(|conn| {
        let existing = existing_councils(conn)?;
        let mut report = ImportReport::default();
        let now = crate::db::now();
        for c in &parsed {
            let values = (
                organisations::name.eq(&c.name),
                organisations::short_name.eq(&c.short_name),
                organisations::type_code.eq(&c.type_code),
                organisations::type_name.eq(&c.type_name),
                organisations::gss_code.eq(&c.gss_code),
                organisations::former_gss_codes.eq(&c.former_gss_codes),
                organisations::nation.eq(&c.nation),
                organisations::region.eq(&c.region),
                organisations::tier.eq(&c.tier),
                organisations::county_code.eq(&c.county_code),
                organisations::combined_authority_code.eq(&c.combined_authority_code),
                organisations::population.eq(c.population),
                organisations::start_date.eq(c.start_date),
                organisations::end_date.eq(c.end_date),
                organisations::replaced_by.eq(&c.replaced_by),
                organisations::is_current.eq(c.is_current),
                organisations::search_text.eq(&c.search_text),
            );
            match existing.get(&c.code) {
                Some(old) if old == c => report.unchanged += 1,
                Some(_) => {
                    diesel::update(organisations::table.filter(organisations::code.eq(&c.code)))
                        .set((values, organisations::updated_at.eq(now)))
                        .execute(conn)?;
                    report.updated += 1;
                }
                None => {
                    diesel::insert_into(organisations::table)
                        .values((
                            values,
                            organisations::code.eq(&c.code),
                            organisations::created_at.eq(now),
                            organisations::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    report.created += 1;
                }
            }
        }
        crate::imports::record(conn, actor, "councils", &report)?;
        Ok(report)
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,local-authority-type-name,county-la,combined-authority,alt-names,former-gss-codes,current-authority,pop-2020,powers\n";

    #[test]
    fn parses_the_real_register() {
        let councils =
            parse_councils(include_str!("../../../data/uk_local_authorities.csv")).unwrap();
        assert_eq!(councils.len(), 470);
        assert_eq!(councils.iter().filter(|c| c.is_current).count(), 397);
        let bir = councils.iter().find(|c| c.code == "BIR").unwrap();
        assert_eq!(bir.gss_code.as_deref(), Some("E08000025"));
        assert_eq!(bir.tier.as_deref(), Some("unitary"));
        assert_eq!(bir.population, Some(1140525));
        assert_eq!(bir.combined_authority_code.as_deref(), Some("WMCA"));
    }

    #[test]
    fn refuses_a_missing_column_with_line_one() {
        let err =
            parse_councils("local-authority-code,official-name\nBIR,Birmingham\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("missing column(s)"), "{}", err.message);
        assert!(err.message.contains("gss-code"));
    }

    #[test]
    fn refuses_bad_codes_and_duplicates_with_their_line() {
        let good = "BIR,Birmingham City Council,Birmingham,E08000025,1996-07-01,,,England,West Midlands,MD,Metropolitan district,,WMCA,,,True,1140525.0,unitary\n";
        let bad_code = format!("{HEADER}{good}bir,Bad,Bad,E08000026,,,,England,,MD,Metropolitan district,,,,,True,,unitary\n");
        let err = parse_councils(&bad_code).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("'bir'"), "{}", err.message);

        let dup = format!("{HEADER}{good}{good}");
        let err = parse_councils(&dup).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(
            err.message
                .contains("duplicate local-authority-code 'BIR' (first seen on line 2)"),
            "{}",
            err.message
        );

        let bad_gss = format!("{HEADER}{}", good.replace("E08000025", "X123"));
        assert!(parse_councils(&bad_gss)
            .unwrap_err()
            .message
            .contains("GSS code"));

        let bad_date = format!("{HEADER}{}", good.replace("1996-07-01", "01/07/1996"));
        let err = parse_councils(&bad_date).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("YYYY-MM-DD"));

        let bad_pop = format!("{HEADER}{}", good.replace("1140525.0", "lots"));
        assert!(parse_councils(&bad_pop)
            .unwrap_err()
            .message
            .contains("whole number"));

        let ragged = format!("{HEADER}BIR,Birmingham\n");
        let err = parse_councils(&ragged).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("fields"), "{}", err.message);
    }
}
