//! The datasets Concord imports from CSV, and which capability reads each.
//! Shared by the command line (`concord import`) and the demo loader.

use crate::audit::Actor;
use crate::db::Db;
use crate::imports::{ImportError, ImportReport};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// mySociety uk_local_authorities.csv: the council register.
    Councils,
    /// GOV.UK local-links-manager local-authorities.csv: council websites.
    Websites,
    /// mySociety touching_las.csv: councils that border or overlap.
    Neighbours,
    /// mySociety composite_label_desc.csv: similar-council group descriptions.
    SimilarityGroups,
    /// mySociety composite_la_labels.csv: each council's similar-council group.
    Similarity,
    /// LGSL functions.csv.
    Functions,
    /// LGSL services.csv.
    Services,
    /// GOV.UK publisher local_services.csv: which tier provides each service.
    ServiceTiers,
    /// Partnerships by organisation codes (see README for the columns).
    Partnerships,
    /// Needs and projects by organisation code (see README for the columns).
    Needs,
}

/// Runs one CSV import as the platform (the command line has no user).
pub fn run_import(
    db: &Db,
    kind: ImportKind,
    text: &str,
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    use ImportKind::*;
    match kind {
        Councils => crate::orgs::import::councils(db, text, actor),
        Websites => crate::orgs::import::websites(db, text, actor),
        Neighbours => crate::orgs::import::neighbours(db, text, actor),
        SimilarityGroups => crate::orgs::import::similarity_groups(db, text, actor),
        Similarity => crate::orgs::import::similarity(db, text, actor),
        Functions => crate::lgsl::import::functions(db, text, actor),
        Services => crate::lgsl::import::services(db, text, actor),
        ServiceTiers => crate::lgsl::import::service_tiers(db, text, actor),
        Partnerships => import_partnerships(db, text.as_bytes(), actor),
        Needs => db.write_blocking_as(|c| {
            crate::needs::import::import(c, text, &crate::needs::import::Importer::Platform, actor)
        }),
    }
}

/// The register, read from `file` as it is imported (it can be large).
pub fn import_partnerships(
    db: &Db,
    file: impl std::io::Read + Send,
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    use crate::partnerships::register::import::{import, Importer};
    db.write_blocking_as(|c| import(c, file, &Importer::Platform, actor))
}
