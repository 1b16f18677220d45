//! Every entry as a CSV file, for spreadsheets and reports to the management
//! team. Anyone who may see the partnership may download it.

use super::model::EntryView;
use crate::error::AppResult;
use crate::web::csv::CsvWriter;

pub const HEADERS: [&str; 7] = [
    "Financial year",
    "Organisation code",
    "Organisation",
    "Type",
    "Basis",
    "Amount (GBP)",
    "Description",
];

/// 123450 -> "1234.50": plain numbers a spreadsheet reads as numbers.
pub fn csv_amount(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        pence.unsigned_abs() / 100,
        pence.unsigned_abs() % 100
    )
}

pub fn to_csv(entries: &[EntryView]) -> AppResult<Vec<u8>> {
    let mut w = CsvWriter::new(&HEADERS)?;
    for e in entries {
        w.row([
            e.financial_year_label.as_str(),
            e.organisation_code.as_str(),
            e.organisation_name.as_str(),
            e.entry_type.label(),
            e.basis.label(),
            &csv_amount(e.amount_pence),
            e.description.as_str(),
        ])?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnerships::ledger::model::{Basis, EntryType};

    #[test]
    fn csv_amounts_have_two_decimals_and_formulas_are_defused() {
        assert_eq!(csv_amount(123450), "1234.50");
        assert_eq!(csv_amount(5), "0.05");
        assert_eq!(csv_amount(0), "0.00");
        let e = EntryView {
            id: 0,
            organisation_id: 0,
            organisation_code: "BIR".into(),
            organisation_name: "BIR council".into(),
            entry_type: EntryType::NonCashableBenefit,
            basis: Basis::Expected,
            financial_year: 2025,
            financial_year_label: "2025/26".into(),
            amount_pence: 12_500_00,
            description: "=HYPERLINK(\"x\")".into(),
            created_at: crate::time::Timestamp::default(),
        };
        let text = String::from_utf8(to_csv(&[e]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(HEADERS.join(",").as_str()));
        assert_eq!(
            HEADERS.join(","),
            "Financial year,Organisation code,Organisation,Type,Basis,Amount (GBP),Description"
        );
        assert_eq!(lines.next(), Some("2025/26,BIR,BIR council,Non-cashable benefit,Expected,12500.00,\"'=HYPERLINK(\"\"x\"\")\""));
    }
}
