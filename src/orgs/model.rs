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
    pub neighbours: Vec<OrgRef>,
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
