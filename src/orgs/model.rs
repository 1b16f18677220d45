use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::organisations;

#[derive(Queryable, Selectable, Serialize, Clone, Debug)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub type_code: String,
    pub type_name: String,
    pub gss_code: Option<String>,
    pub former_gss_codes: String,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub tier: Option<String>,
    pub county_code: Option<String>,
    pub combined_authority_code: Option<String>,
    pub population: Option<i64>,
    pub website: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub replaced_by: Option<String>,
    pub is_current: bool,
    pub similarity_label: Option<String>,
    pub created_at: crate::time::Timestamp,
    pub updated_at: crate::time::Timestamp,
}

/// Kinds of organisation that are not in the council register.
pub const PARTNER_TYPES: &[(&str, &str)] = &[
    ("POLICE", "Police force or police and crime commissioner"),
    ("FIRE", "Fire and rescue authority"),
    ("NHS", "NHS body"),
    ("PUBLIC", "Other public body"),
    ("VCS", "Voluntary or community organisation"),
    ("PRIVATE", "Private company"),
];

impl Organisation {
    pub fn is_council(&self) -> bool {
        !PARTNER_TYPES
            .iter()
            .any(|(code, _)| *code == self.type_code)
            && self.tier.is_some()
    }

    /// Which services this organisation provides, as a tier (see `services`).
    pub fn tier_label(&self) -> &'static str {
        match self.tier.as_deref() {
            Some("unitary") => "Unitary (all council services)",
            Some("county") => "Upper tier (county services)",
            Some("district") => "Lower tier (district services)",
            _ => "Does not provide council services",
        }
    }

    pub fn summary(&self) -> OrganisationSummary {
        OrganisationSummary {
            code: self.code.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            type_code: self.type_code.clone(),
            type_name: self.type_name.clone(),
            gss_code: self.gss_code.clone(),
            nation: self.nation.clone(),
            region: self.region.clone(),
            population: self.population,
            is_current: self.is_current,
        }
    }
}

/// A row in the directory.
#[derive(Serialize, Deserialize, Clone, Debug, ToSchema)]
pub struct OrganisationSummary {
    /// Register code, e.g. `BIR` for Birmingham; admin-chosen for other organisations.
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// e.g. `MD` (metropolitan district), `NMD`, `UA`, `CTY`, `POLICE`.
    pub type_code: String,
    pub type_name: String,
    /// ONS GSS code, e.g. `E08000025`.
    pub gss_code: Option<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub population: Option<i64>,
    pub is_current: bool,
}

/// Another organisation, named by code.
#[derive(Serialize, Deserialize, Clone, Debug, ToSchema, Queryable)]
pub struct OrgRef {
    pub code: String,
    pub name: String,
    pub short_name: String,
}

/// A council that borders or overlaps another, with what kind of body it is.
#[derive(Serialize, Deserialize, Clone, Debug, ToSchema, Queryable)]
pub struct Neighbour {
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// The register's type code: `CTY` a county council, `COMB` a
    /// combined authority, and so on.
    pub type_code: String,
    pub type_name: String,
}

impl Neighbour {
    /// How the neighbour is named in a list: a county council or a combined
    /// authority by its full name, since "Staffordshire" or "West Midlands"
    /// alone reads as a place or a region, not a council.
    pub fn label(&self) -> &str {
        match self.type_code.as_str() {
            "CTY" | "COMB" => &self.name,
            _ => &self.short_name,
        }
    }
}

/// The "similar councils" group an organisation belongs to (mySociety composite labels).
#[derive(Serialize, Deserialize, Clone, Debug, ToSchema)]
pub struct SimilarityGroup {
    /// mySociety's full label, including the region.
    pub label: String,
    /// The label without the region: what similar councils share.
    pub profile: String,
    pub description: String,
    pub members: Vec<OrgRef>,
}

impl SimilarityGroup {
    /// The profile in plain words: "Emissions: Public sector; 1st IMD
    /// quintile; Urban" reads "Public sector emissions, 1st deprivation
    /// quintile, urban".
    pub fn plain_profile(&self) -> String {
        self.profile
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
            .map(|(i, part)| {
                let part = match part.strip_prefix("Emissions: ") {
                    Some(source) => format!("{source} emissions"),
                    None => part.replace("IMD quintile", "deprivation quintile"),
                };
                if i == 0 {
                    part
                } else {
                    part.to_lowercase()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The description's parts as (what, words), without the source's
    /// stray ".;" between them. mySociety writes emissions, deprivation and
    /// rurality in that order; any other shape is one part.
    pub fn facets(&self) -> Vec<(&'static str, String)> {
        let tidy = |part: &str| {
            let part = part.trim().trim_end_matches('.').trim();
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        };
        let parts: Vec<String> = self
            .description
            .split(';')
            .map(tidy)
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [emissions, deprivation, rurality] => vec![
                ("Emissions", emissions.clone()),
                ("Deprivation", deprivation.clone()),
                ("Rurality", rurality.clone()),
            ],
            _ if parts.is_empty() => Vec::new(),
            _ => vec![("Profile", parts.join("; "))],
        }
    }
}

/// Everything shown on an organisation's page.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct OrganisationDetail {
    #[serde(flatten)]
    pub summary: OrganisationSummary,
    pub website: Option<String>,
    /// `county`, `district`, `unitary`, or none for non-councils.
    pub tier: Option<String>,
    pub county: Option<OrgRef>,
    pub combined_authority: Option<OrgRef>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub replaced_by: Option<OrgRef>,
    /// Councils that border or overlap this one.
    pub neighbours: Vec<Neighbour>,
    /// Councils in the same similar-councils group.
    pub similar: Option<SimilarityGroup>,
    /// Number of LGSL services this organisation delivers.
    pub service_count: i64,
}

/// Directory search and filters.
#[derive(Deserialize, Clone, Debug, Default)]
pub struct OrgFilter {
    pub q: Option<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    #[serde(rename = "type")]
    pub type_code: Option<String>,
    /// `current` (default), `former` or `all`.
    pub status: Option<String>,
}

impl OrgFilter {
    pub fn clean(mut self) -> Self {
        let tidy = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.q = tidy(self.q).map(|q| q.chars().take(100).collect());
        self.nation = tidy(self.nation);
        self.region = tidy(self.region);
        self.type_code = tidy(self.type_code);
        self.status = tidy(self.status).filter(|s| s == "former" || s == "all");
        self
    }

    /// The filters as query parameters, for pagination links.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone().unwrap_or_default()),
            ("nation", self.nation.clone().unwrap_or_default()),
            ("region", self.region.clone().unwrap_or_default()),
            ("type", self.type_code.clone().unwrap_or_default()),
            ("status", self.status.clone().unwrap_or_default()),
        ]
    }
}

/// The values offered in the directory's filters.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Facets {
    pub nations: Vec<String>,
    pub regions: Vec<String>,
    pub types: Vec<(String, String)>,
}

/// Input for creating an organisation outside the council register.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
pub struct NewOrganisation {
    /// 2 to 12 capital letters, digits or hyphens, e.g. `WMP` or `NHS-BSOL`.
    pub code: String,
    pub name: String,
    /// One of POLICE, FIRE, NHS, PUBLIC, VCS, PRIVATE.
    pub type_code: String,
    #[serde(default)]
    pub nation: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(profile: &str, description: &str) -> SimilarityGroup {
        SimilarityGroup {
            label: format!("North West; {profile}"),
            profile: profile.into(),
            description: description.into(),
            members: Vec::new(),
        }
    }

    #[test]
    fn a_similarity_label_reads_in_plain_words_without_stray_punctuation() {
        let g = group(
            "Emissions: Public sector; 1st IMD quintile; Urban",
            "Well above average public sector (government, education, health), below average in other areas.; in most deprived quintile (20%); Local authority predominately made up of urban neighbourhoods",
        );
        assert_eq!(
            g.plain_profile(),
            "Public sector emissions, 1st deprivation quintile, urban"
        );
        let facets = g.facets();
        assert_eq!(facets.len(), 3);
        assert_eq!(
            facets[0],
            (
                "Emissions",
                "Well above average public sector (government, education, health), below average in other areas".to_string()
            )
        );
        assert_eq!(
            facets[1],
            ("Deprivation", "In most deprived quintile (20%)".to_string())
        );
        assert!(facets.iter().all(|(_, words)| !words.contains(".;")));
        assert!(group("Other", "").facets().is_empty());
        assert_eq!(group("Other", "One thing.").facets()[0].1, "One thing");
    }

    #[test]
    fn county_and_combined_authority_neighbours_go_by_their_full_names() {
        let n = |code: &str, name: &str, short: &str| Neighbour {
            code: "X".into(),
            name: name.into(),
            short_name: short.into(),
            type_code: code.into(),
            type_name: String::new(),
        };
        assert_eq!(
            n("COMB", "West Midlands Combined Authority", "West Midlands").label(),
            "West Midlands Combined Authority"
        );
        assert_eq!(
            n("CTY", "Staffordshire County Council", "Staffordshire").label(),
            "Staffordshire County Council"
        );
        assert_eq!(
            n("MD", "Dudley Metropolitan Borough Council", "Dudley").label(),
            "Dudley"
        );
    }
}
