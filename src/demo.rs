//! `concord demo`: loads the real public data shipped in `data/` and a few
//! demo accounts, so a new user sees a living Concord. Safe to run again.

use crate::audit::Actor;
use crate::datasets::{run_import, ImportKind};
use crate::db::Db;
use crate::policy::Role;

pub const DEMO_PASSWORD: &str = "concord-demo-password";

/// (email, name, organisation code, role)
pub const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    (
        "admin@concord.example",
        "Ada Admin",
        "LGA",
        Role::PlatformAdmin,
    ),
    (
        "lead@birmingham.example",
        "Bola Lead",
        "BIR",
        Role::OrgAdmin,
    ),
    (
        "officer@birmingham.example",
        "Olu Officer",
        "BIR",
        Role::Member,
    ),
    ("lead@leeds.example", "Lee Lead", "LDS", Role::OrgAdmin),
    (
        "officer@cornwall.example",
        "Kerra Officer",
        "CON",
        Role::Member,
    ),
];

/// The shipped data files, in the order they must be imported.
pub const DATASETS: &[(ImportKind, &str, &str)] = &[
    (
        ImportKind::Councils,
        "uk_local_authorities.csv",
        include_str!("../data/uk_local_authorities.csv"),
    ),
    (
        ImportKind::Websites,
        "local-authorities.csv",
        include_str!("../data/local-authorities.csv"),
    ),
    (
        ImportKind::Neighbours,
        "touching_las.csv",
        include_str!("../data/touching_las.csv"),
    ),
    (
        ImportKind::SimilarityGroups,
        "composite_label_desc.csv",
        include_str!("../data/composite_label_desc.csv"),
    ),
    (
        ImportKind::Similarity,
        "composite_la_labels.csv",
        include_str!("../data/composite_la_labels.csv"),
    ),
    (
        ImportKind::Functions,
        "lgsl_functions.csv",
        include_str!("../data/lgsl_functions.csv"),
    ),
    (
        ImportKind::Services,
        "lgsl_services.csv",
        include_str!("../data/lgsl_services.csv"),
    ),
    (
        ImportKind::ServiceTiers,
        "local_services.csv",
        include_str!("../data/local_services.csv"),
    ),
];

/// Imports the reference data only (used by tests too).
pub fn load_reference_data(db: &Db) -> anyhow::Result<Vec<String>> {
    let actor = Actor::system("demo data");
    let mut lines = Vec::new();
    for (kind, name, text) in DATASETS {
        let report =
            run_import(db, *kind, text, &actor).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        lines.push(format!("  {name}: {report}"));
    }
    Ok(lines)
}

/// Reference data, demo accounts and demo partnerships.
pub fn load(db: &Db) -> anyhow::Result<String> {
    load_with(db, true)
}

/// `with_partnerships: false` gives tests a clean register to work in.
pub fn load_with(db: &Db, with_partnerships: bool) -> anyhow::Result<String> {
    let mut lines = vec!["Demo data loaded:".to_string()];
    lines.extend(load_reference_data(db)?);
    let actor = Actor::system("demo data");
    // The platform's own team sits in a broker body, not in a council.
    let broker = crate::orgs::model::NewOrganisation {
        code: "LGA".into(),
        name: "Local Government Association".into(),
        type_code: "PUBLIC".into(),
        nation: Some("England".into()),
        region: None,
        website: Some("https://www.local.gov.uk/".into()),
    };
    db.write_blocking(|c| match crate::orgs::store::find(c, "LGA") {
        Ok(_) => Ok(()),
        Err(crate::error::AppError::NotFound) => {
            crate::orgs::store::create(c, &broker, &actor).map(|_| ())
        }
        Err(e) => Err(e),
    })?;
    // The LGA brokers introductions between councils.
    db.write_blocking(|c| {
        let lga = crate::orgs::store::find(c, "LGA")?;
        crate::introductions::store::grant(c, &lga, None, &actor).map(|_| ())
    })?;
    let mut created = 0;
    for (email, name, org, role) in DEMO_USERS {
        let exists = db.read_blocking(|c| {
            use diesel::prelude::*;
            let n: i64 = crate::db::schema::users::table
                .filter(crate::db::schema::users::email.eq(*email))
                .count()
                .get_result(c)?;
            Ok(n > 0)
        })?;
        if !exists {
            crate::users::store::create_with_password(
                db,
                email,
                Some(name),
                org,
                *role,
                DEMO_PASSWORD,
                &actor,
            )
            .map_err(|e| anyhow::anyhow!("demo user {email}: {}", e.describe()))?;
            created += 1;
        }
    }
    lines.push(format!(
        "  demo accounts: {created} created, {} already there",
        DEMO_USERS.len() - created
    ));
    if with_partnerships {
        let partnerships = crate::partnerships::demo::load(db, &actor)?;
        lines.push(format!("  demo partnerships: {partnerships} created"));
        let needs = crate::needs::demo::load(db, &actor)?;
        lines.push(format!("  demo needs: {needs} created"));
        let rounds = crate::health::demo::load(db, &actor)?;
        lines.push(format!("  demo health checks: {rounds} created"));
    }
    lines.push(String::new());
    lines.push(format!(
        "Demo accounts (password for all: {DEMO_PASSWORD}):"
    ));
    for (email, _, org, role) in DEMO_USERS {
        lines.push(format!("  {email:<30} {:<28} {org}", role.label()));
    }
    Ok(lines.join("\n"))
}
