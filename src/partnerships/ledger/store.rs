//! Ledger entries: checks, reads, totals, the CSV export and changes. Every
//! change is audited in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Basis, EntryType, FIRST_YEAR, LAST_YEAR};
use crate::audit::Actor as AuditActor;
use crate::db::schema::{ledger_entries, organisations};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::money;
use crate::partnerships::legacy::{active_member_orgs, record};
use crate::partnerships::model::Partnership;

pub const MAX_DESCRIPTION: usize = 500;
/// The same ceiling as `money::parse_pounds`, so the API and the form agree.
pub const MAX_PENCE: i64 = 1_000_000_000_000_00;

/// A new ledger entry, as the API takes it (the page's form is turned into this).
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct LedgerInput {
    /// Code of an active member organisation, e.g. BIR.
    pub organisation: String,
    /// `cost`, `cashable_saving` or `non_cashable_benefit`.
    pub entry_type: String,
    /// `expected` or `realised`.
    pub basis: String,
    /// The financial year's start year: 2025 means 2025/26 (April 2025 to March 2026).
    pub financial_year: i32,
    /// Amount in pence. Required and more than 0 for costs and cashable
    /// savings; may be 0 for a non-cashable benefit.
    #[serde(default)]
    pub amount_pence: i64,
    /// Required for a non-cashable benefit, e.g. "Fewer missed bin complaints".
    #[serde(default)]
    pub description: String,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ledger_entries)]
pub struct Entry {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub entry_type: String,
    pub basis: String,
    pub financial_year: i32,
    pub amount_pence: i64,
    pub description: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A ledger entry with its organisation's names, for pages and the API.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct EntryView {
    pub id: i64,
    pub organisation_code: String,
    pub organisation_name: String,
    pub entry_type: EntryType,
    pub basis: Basis,
    pub financial_year: i32,
    /// e.g. "2025/26".
    pub financial_year_label: String,
    pub amount_pence: i64,
    pub description: String,
    pub created_at: NaiveDateTime,
}

impl EntryView {
    pub fn amount_label(&self) -> String {
        money::pounds(self.amount_pence)
    }
}

/// Checks everything about an entry against the partnership's active members
/// (organisation id, code, name); the organisation's id when all is well.
/// Field names are the JSON properties.
pub fn check(
    input: &LedgerInput,
    members: &[(i64, String, String)],
) -> Result<i64, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = input.organisation.trim();
    let org = members
        .iter()
        .find(|(_, c, _)| c.eq_ignore_ascii_case(code))
        .map(|(id, _, _)| *id);
    if code.is_empty() {
        errors.push(FieldError::new(
            "organisation",
            "Select the partner organisation",
        ));
    } else if org.is_none() {
        errors.push(FieldError::new(
            "organisation",
            format!("{code} is not an active member of this partnership"),
        ));
    }
    let kind = EntryType::parse(&input.entry_type);
    if kind.is_none() {
        errors.push(FieldError::new(
            "entry_type",
            "Select the type of entry: cost, cashable saving or non-cashable benefit",
        ));
    }
    if Basis::parse(&input.basis).is_none() {
        errors.push(FieldError::new(
            "basis",
            "Select whether the amount is expected or realised",
        ));
    }
    if !(FIRST_YEAR..=LAST_YEAR).contains(&input.financial_year) {
        errors.push(FieldError::new(
            "financial_year",
            format!(
                "Select a financial year from {} to {}",
                money::financial_year_label(FIRST_YEAR),
                money::financial_year_label(LAST_YEAR)
            ),
        ));
    }
    if input.amount_pence < 0 {
        errors.push(FieldError::new(
            "amount_pence",
            "The amount cannot be negative; record savings as a cashable saving",
        ));
    } else if input.amount_pence > MAX_PENCE {
        errors.push(FieldError::new("amount_pence", "The amount is too large"));
    } else if input.amount_pence == 0 {
        // A non-cashable benefit need not have a value in money.
        match kind {
            Some(EntryType::Cost) => errors.push(FieldError::new(
                "amount_pence",
                "Enter the cost, more than £0",
            )),
            Some(EntryType::CashableSaving) => errors.push(FieldError::new(
                "amount_pence",
                "Enter the saving, more than £0",
            )),
            _ => {}
        }
    }
    let description = input.description.trim();
    if kind == Some(EntryType::NonCashableBenefit) && description.is_empty() {
        errors.push(FieldError::new(
            "description",
            "Describe the benefit, like Fewer missed bin complaints",
        ));
    } else if description.chars().count() > MAX_DESCRIPTION {
        errors.push(FieldError::new(
            "description",
            format!("Description must be {MAX_DESCRIPTION} characters or fewer"),
        ));
    }
    match org {
        Some(id) if errors.is_empty() => Ok(id),
        _ => Err(errors),
    }
}

fn view(e: Entry, code: String, name: String) -> EntryView {
    EntryView {
        id: e.id,
        organisation_code: code,
        organisation_name: name,
        // Only checked codes are written; an unknown one would be a bug, and
        // counting it as a benefit keeps it out of the money totals.
        entry_type: EntryType::parse(&e.entry_type).unwrap_or(EntryType::NonCashableBenefit),
        basis: Basis::parse(&e.basis).unwrap_or(Basis::Expected),
        financial_year: e.financial_year,
        financial_year_label: money::financial_year_label(e.financial_year),
        amount_pence: e.amount_pence,
        description: e.description,
        created_at: e.created_at,
    }
}

/// A partnership's entries, by financial year, then partner.
pub fn list(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<EntryView>> {
    let rows: Vec<(Entry, String, String)> = ledger_entries::table
        .inner_join(organisations::table)
        .filter(ledger_entries::partnership_id.eq(partnership_id))
        .order((
            ledger_entries::financial_year.asc(),
            organisations::name.asc(),
            ledger_entries::id.asc(),
        ))
        .select((Entry::as_select(), organisations::code, organisations::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(e, code, name)| view(e, code, name))
        .collect())
}

fn find(conn: &mut DbConn, partnership_id: i64, entry_id: i64) -> AppResult<EntryView> {
    let (e, code, name): (Entry, String, String) = ledger_entries::table
        .inner_join(organisations::table)
        .filter(ledger_entries::id.eq(entry_id))
        .filter(ledger_entries::partnership_id.eq(partnership_id))
        .select((Entry::as_select(), organisations::code, organisations::name))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(view(e, code, name))
}

pub fn create(
    conn: &mut DbConn,
    p: &Partnership,
    input: &LedgerInput,
    created_by: Option<i64>,
    actor: &AuditActor,
) -> AppResult<EntryView> {
    let members = active_member_orgs(conn, p.id)?;
    let org = check(input, &members).map_err(AppError::Invalid)?;
    let id: i64 = diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::partnership_id.eq(p.id),
            ledger_entries::organisation_id.eq(org),
            ledger_entries::entry_type.eq(input.entry_type.as_str()),
            ledger_entries::basis.eq(input.basis.as_str()),
            ledger_entries::financial_year.eq(input.financial_year),
            ledger_entries::amount_pence.eq(input.amount_pence),
            ledger_entries::description.eq(input.description.trim()),
            ledger_entries::created_by.eq(created_by),
            ledger_entries::created_at.eq(crate::db::now()),
        ))
        .returning(ledger_entries::id)
        .get_result(conn)?;
    let entry = find(conn, p.id, id)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.ledger.create",
        None,
        crate::audit::to_json(&entry),
    )?;
    Ok(entry)
}

/// Deletes an entry; the history keeps what it said.
pub fn delete(
    conn: &mut DbConn,
    p: &Partnership,
    entry_id: i64,
    actor: &AuditActor,
) -> AppResult<()> {
    let entry = find(conn, p.id, entry_id)?;
    diesel::delete(ledger_entries::table.find(entry.id)).execute(conn)?;
    record(
        conn,
        actor,
        p.id,
        "partnership.ledger.delete",
        crate::audit::to_json(&entry),
        None,
    )
}

/// Money totals for some entries. Non-cashable benefits are counted, not summed.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq, ToSchema)]
pub struct Totals {
    pub expected_costs_pence: i64,
    pub realised_costs_pence: i64,
    pub expected_savings_pence: i64,
    pub realised_savings_pence: i64,
    /// Realised cashable savings less realised costs; negative while the
    /// partnership has cost more than it has saved.
    pub net_realised_pence: i64,
    pub non_cashable_benefits: i64,
}

impl Totals {
    fn add(&mut self, e: &EntryView) {
        // Saturating, so absurd totals cannot wrap round to plausible ones.
        let slot = match (e.entry_type, e.basis) {
            (EntryType::Cost, Basis::Expected) => &mut self.expected_costs_pence,
            (EntryType::Cost, Basis::Realised) => &mut self.realised_costs_pence,
            (EntryType::CashableSaving, Basis::Expected) => &mut self.expected_savings_pence,
            (EntryType::CashableSaving, Basis::Realised) => &mut self.realised_savings_pence,
            (EntryType::NonCashableBenefit, _) => {
                self.non_cashable_benefits += 1;
                return;
            }
        };
        *slot = slot.saturating_add(e.amount_pence);
        self.net_realised_pence = self
            .realised_savings_pence
            .saturating_sub(self.realised_costs_pence);
    }

    pub fn net_label(&self) -> String {
        money::pounds(self.net_realised_pence)
    }
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct PartnerTotals {
    pub organisation_code: String,
    pub organisation_name: String,
    pub totals: Totals,
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct YearTotals {
    pub financial_year: i32,
    pub financial_year_label: String,
    pub totals: Totals,
}

/// Totals for the whole partnership, for each partner and for each financial year.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct LedgerTotals {
    pub partnership: Totals,
    /// Every active member, and any former member with entries, by name.
    pub partners: Vec<PartnerTotals>,
    /// Financial years with entries, oldest first.
    pub years: Vec<YearTotals>,
}

pub fn totals(entries: &[EntryView], members: &[(i64, String, String)]) -> LedgerTotals {
    let mut partnership = Totals::default();
    let mut partners: Vec<PartnerTotals> = members
        .iter()
        .map(|(_, code, name)| PartnerTotals {
            organisation_code: code.clone(),
            organisation_name: name.clone(),
            totals: Totals::default(),
        })
        .collect();
    let mut years: Vec<YearTotals> = Vec::new();
    for e in entries {
        partnership.add(e);
        match partners
            .iter_mut()
            .find(|p| p.organisation_code == e.organisation_code)
        {
            Some(p) => p.totals.add(e),
            None => {
                let mut t = Totals::default();
                t.add(e);
                partners.push(PartnerTotals {
                    organisation_code: e.organisation_code.clone(),
                    organisation_name: e.organisation_name.clone(),
                    totals: t,
                });
            }
        }
        match years
            .iter_mut()
            .find(|y| y.financial_year == e.financial_year)
        {
            Some(y) => y.totals.add(e),
            None => {
                let mut t = Totals::default();
                t.add(e);
                years.push(YearTotals {
                    financial_year: e.financial_year,
                    financial_year_label: e.financial_year_label.clone(),
                    totals: t,
                });
            }
        }
    }
    partners.sort_by(|a, b| a.organisation_name.cmp(&b.organisation_name));
    years.sort_by_key(|y| y.financial_year);
    LedgerTotals {
        partnership,
        partners,
        years,
    }
}

/// Realised costs and savings for every year from the first to the last with
/// either, gaps included, so the chart's time axis is even.
pub fn realised_by_year(t: &LedgerTotals) -> Vec<(i32, i64, i64)> {
    let with_money: Vec<&YearTotals> = t
        .years
        .iter()
        .filter(|y| y.totals.realised_costs_pence > 0 || y.totals.realised_savings_pence > 0)
        .collect();
    let (Some(first), Some(last)) = (with_money.first(), with_money.last()) else {
        return Vec::new();
    };
    (first.financial_year..=last.financial_year)
        .map(|fy| match t.years.iter().find(|y| y.financial_year == fy) {
            Some(y) => (
                fy,
                y.totals.realised_costs_pence,
                y.totals.realised_savings_pence,
            ),
            None => (fy, 0, 0),
        })
        .collect()
}

/// 123450 -> "1234.50": plain numbers a spreadsheet reads as numbers.
pub fn csv_amount(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        pence.unsigned_abs() / 100,
        pence.unsigned_abs() % 100
    )
}

/// Text a spreadsheet would run as a formula gets a leading apostrophe
/// (CSV injection), since descriptions are typed by people.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub fn csv(entries: &[EntryView]) -> AppResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Financial year",
        "Organisation code",
        "Organisation",
        "Type",
        "Basis",
        "Amount (GBP)",
        "Description",
    ])
    .map_err(AppError::internal)?;
    for e in entries {
        w.write_record([
            e.financial_year_label.as_str(),
            e.organisation_code.as_str(),
            &csv_text(&e.organisation_name),
            e.entry_type.label(),
            e.basis.label(),
            &csv_amount(e.amount_pence),
            &csv_text(&e.description),
        ])
        .map_err(AppError::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Vec<(i64, String, String)> {
        vec![
            (1, "BIR".into(), "Birmingham City Council".into()),
            (2, "LDS".into(), "Leeds City Council".into()),
        ]
    }

    fn input(entry_type: &str, amount_pence: i64, description: &str) -> LedgerInput {
        LedgerInput {
            organisation: "bir".into(),
            entry_type: entry_type.into(),
            basis: "realised".into(),
            financial_year: 2025,
            amount_pence,
            description: description.into(),
        }
    }

    fn entry(
        code: &str,
        entry_type: EntryType,
        basis: Basis,
        fy: i32,
        amount_pence: i64,
    ) -> EntryView {
        EntryView {
            id: 0,
            organisation_code: code.into(),
            organisation_name: format!("{code} council"),
            entry_type,
            basis,
            financial_year: fy,
            financial_year_label: money::financial_year_label(fy),
            amount_pence,
            description: String::new(),
            created_at: NaiveDateTime::default(),
        }
    }

    fn fields(r: Result<i64, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn costs_and_savings_need_an_amount_but_benefits_need_a_description() {
        assert_eq!(
            check(&input("cost", 100, ""), &members()),
            Ok(1),
            "codes match whatever their case"
        );
        assert_eq!(
            fields(check(&input("cost", 0, ""), &members())),
            ["amount_pence"]
        );
        assert_eq!(
            fields(check(&input("cashable_saving", 0, ""), &members())),
            ["amount_pence"]
        );
        assert_eq!(
            check(
                &input("non_cashable_benefit", 0, "Fewer missed bin complaints"),
                &members()
            ),
            Ok(1)
        );
        let e = check(&input("non_cashable_benefit", 0, "  "), &members()).unwrap_err();
        assert_eq!(
            e[0].message,
            "Describe the benefit, like Fewer missed bin complaints"
        );
        assert_eq!(
            fields(check(&input("cost", -1, ""), &members())),
            ["amount_pence"]
        );
        assert_eq!(
            fields(check(&input("cost", MAX_PENCE + 1, ""), &members())),
            ["amount_pence"]
        );
        assert_eq!(
            fields(check(
                &input("cost", 5, &"x".repeat(MAX_DESCRIPTION + 1)),
                &members()
            )),
            ["description"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = LedgerInput {
            organisation: "CON".into(),
            entry_type: "gift".into(),
            basis: "hoped".into(),
            financial_year: 2036,
            amount_pence: -5,
            description: String::new(),
        };
        assert_eq!(
            fields(check(&bad, &members())),
            [
                "organisation",
                "entry_type",
                "basis",
                "financial_year",
                "amount_pence"
            ]
        );
        let e = check(&bad, &members()).unwrap_err();
        assert_eq!(
            e[0].message,
            "CON is not an active member of this partnership"
        );
        assert_eq!(
            e[3].message,
            "Select a financial year from 2015/16 to 2035/36"
        );
        let blank = LedgerInput {
            financial_year: 2015,
            ..bad
        };
        assert_eq!(
            check(&blank, &[]).unwrap_err()[0].message,
            "CON is not an active member of this partnership"
        );
        assert_eq!(
            check(&LedgerInput::default(), &members()).unwrap_err()[0].message,
            "Select the partner organisation"
        );
    }

    #[test]
    fn totals_split_expected_from_realised_per_partner_and_year() {
        let entries = vec![
            entry("BIR", EntryType::Cost, Basis::Realised, 2024, 10_000_00),
            entry(
                "BIR",
                EntryType::CashableSaving,
                Basis::Realised,
                2024,
                4_000_00,
            ),
            entry(
                "BIR",
                EntryType::CashableSaving,
                Basis::Expected,
                2025,
                20_000_00,
            ),
            entry(
                "LDS",
                EntryType::CashableSaving,
                Basis::Realised,
                2026,
                7_500_50,
            ),
            entry("LDS", EntryType::Cost, Basis::Expected, 2026, 1_000_00),
            entry(
                "LDS",
                EntryType::NonCashableBenefit,
                Basis::Realised,
                2026,
                0,
            ),
            entry("OLD", EntryType::Cost, Basis::Realised, 2026, 1_00),
        ];
        let t = totals(&entries, &members());
        assert_eq!(
            t.partnership,
            Totals {
                expected_costs_pence: 1_000_00,
                realised_costs_pence: 10_001_00,
                expected_savings_pence: 20_000_00,
                realised_savings_pence: 11_500_50,
                net_realised_pence: 1_499_50,
                non_cashable_benefits: 1
            }
        );
        let names: Vec<&str> = t
            .partners
            .iter()
            .map(|p| p.organisation_code.as_str())
            .collect();
        assert_eq!(
            names,
            ["BIR", "LDS", "OLD"],
            "members with no entries are shown too; former members with entries are kept"
        );
        assert_eq!(t.partners[0].totals.net_realised_pence, -6_000_00);
        assert_eq!(t.partners[1].totals.realised_savings_pence, 7_500_50);
        assert_eq!(t.partners[1].totals.expected_costs_pence, 1_000_00);
        assert_eq!(
            t.years.iter().map(|y| y.financial_year).collect::<Vec<_>>(),
            [2024, 2025, 2026]
        );
        // 2025 has only an expected saving: zero realised, but kept so the axis is even.
        assert_eq!(
            realised_by_year(&t),
            [
                (2024, 10_000_00, 4_000_00),
                (2025, 0, 0),
                (2026, 1_00, 7_500_50)
            ]
        );
        assert!(realised_by_year(&totals(&entries[2..3], &members())).is_empty());
        let sum: i64 = t.partners.iter().map(|p| p.totals.net_realised_pence).sum();
        assert_eq!(
            sum, t.partnership.net_realised_pence,
            "partners add up to the partnership"
        );
    }

    #[test]
    fn csv_amounts_have_two_decimals_and_formulas_are_defused() {
        assert_eq!(csv_amount(123450), "1234.50");
        assert_eq!(csv_amount(5), "0.05");
        assert_eq!(csv_amount(0), "0.00");
        let mut e = entry(
            "BIR",
            EntryType::NonCashableBenefit,
            Basis::Expected,
            2025,
            12_500_00,
        );
        e.description = "=HYPERLINK(\"x\")".into();
        let text = csv(&[e]).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "Financial year,Organisation code,Organisation,Type,Basis,Amount (GBP),Description"
            )
        );
        assert_eq!(lines.next(), Some("2025/26,BIR,BIR council,Non-cashable benefit,Expected,12500.00,\"'=HYPERLINK(\"\"x\"\")\""));
    }
}
