//! The register as a CSV file, for the corporate risk register or a board
//! paper. Anyone who may see the partnership may download it.

use super::model::RiskView;
use crate::error::AppResult;
use crate::web::csv::CsvWriter;

pub const HEADERS: [&str; 15] = [
    "id",
    "title",
    "category",
    "category_label",
    "description",
    "likelihood",
    "impact",
    "score",
    "rating",
    "owner_code",
    "owner_name",
    "status",
    "mitigation",
    "shares",
    "updated_at",
];

pub fn to_csv(risks: &[RiskView]) -> AppResult<Vec<u8>> {
    let mut w = CsvWriter::new(&HEADERS)?;
    for r in risks {
        w.row([
            r.id.to_string(),
            r.title.clone(),
            r.category.code().to_string(),
            r.category.label().to_string(),
            r.description.clone(),
            r.likelihood.to_string(),
            r.impact.to_string(),
            r.score.to_string(),
            r.rag_label().to_string(),
            r.owner.code.clone(),
            r.owner.name.clone(),
            r.status.label().to_string(),
            r.mitigation.clone(),
            r.shares_codes(),
            r.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ])?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_register_has_just_the_header() {
        let bytes = to_csv(&[]).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap().trim_end(),
            HEADERS.join(",")
        );
    }
}
