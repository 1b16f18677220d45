//! The ledger's vocabulary, entries, what can be recorded (as given and once
//! checked: each rule worded here and nowhere else) and the pure sums behind
//! the page: totals for the partnership, each partner and each year.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::money;
use crate::partnerships::model::ActiveMembers;
use crate::text;
use crate::web::forms;

crate::vocab::vocabulary!(
    /// What a ledger entry records.
    EntryType {
        Cost = "cost": "Cost",
        CashableSaving = "cashable_saving": "Cashable saving",
        NonCashableBenefit = "non_cashable_benefit": "Non-cashable benefit",
    }
);

crate::vocab::vocabulary!(
    /// Whether an amount is forecast or has happened.
    Basis {
        Expected = "expected": "Expected",
        Realised = "realised": "Realised",
    }
);

/// Financial years a form offers, by start year (2015/16 to 2035/36).
pub const FIRST_YEAR: i32 = 2015;
pub const LAST_YEAR: i32 = 2035;

pub const MAX_DESCRIPTION: usize = 500;
/// The same ceiling as `money::parse_pounds`, so the API and the form agree.
pub const MAX_PENCE: i64 = crate::money::MAX_PENCE;

/// A ledger entry with its organisation's names, for pages, the CSV and the API.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct EntryView {
    pub id: i64,
    /// Whose entry it is (pages ask the policy with it; the API names the
    /// organisation by its code).
    #[serde(skip)]
    pub organisation_id: i64,
    pub organisation_code: String,
    pub organisation_name: String,
    pub entry_type: EntryType,
    pub basis: Basis,
    pub financial_year: i32,
    /// e.g. "2025/26".
    pub financial_year_label: String,
    pub amount_pence: i64,
    pub description: String,
    pub created_at: crate::time::Timestamp,
}

impl EntryView {
    pub fn amount_label(&self) -> String {
        money::pounds(self.amount_pence)
    }
}

/// An entry as the form or the API gives it, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct LedgerDraft {
    /// Code of an active member organisation, e.g. BIR.
    pub organisation: String,
    pub entry_type: String,
    pub basis: String,
    /// The financial year's start year; `None` when not given or not a number.
    pub financial_year: Option<i32>,
    /// Amount in pence; 0 when not given.
    pub amount_pence: i64,
    pub description: String,
}

/// An entry once checked: the only thing the store accepts.
#[derive(Clone, Debug)]
pub struct LedgerInput {
    /// Organisation id of an active member.
    pub organisation: i64,
    pub entry_type: EntryType,
    pub basis: Basis,
    /// The financial year's start year, `FIRST_YEAR` to `LAST_YEAR`.
    pub financial_year: i32,
    /// 0 to `MAX_PENCE`; more than 0 for costs and cashable savings.
    pub amount_pence: i64,
    /// Trimmed; never blank for a non-cashable benefit.
    pub description: String,
}

/// The fields in the order the form shows them, for listing errors. The
/// rules name the amount as the API does (`amount_pence`); the form's field
/// is `amount`.
pub const FIELD_ORDER: [&str; 7] = [
    "organisation",
    "entry_type",
    "basis",
    "financial_year",
    "amount",
    "amount_pence",
    "description",
];

/// What the rules say when a realised amount is dated in a financial year
/// that has not begun.
pub fn realised_in_future(this_year: i32) -> String {
    format!(
        "A realised amount cannot be in a future financial year: choose {} or earlier, or record it as expected",
        money::financial_year_label(this_year)
    )
}

impl LedgerInput {
    /// Every rule about an entry, checked against the partnership's active
    /// members, today; all problems at once. Field names are the JSON
    /// properties.
    pub fn parse(
        draft: &LedgerDraft,
        members: &ActiveMembers,
    ) -> Result<LedgerInput, Vec<FieldError>> {
        let this_year = money::financial_year_of(crate::db::now().date());
        LedgerInput::parse_in(draft, members, this_year)
    }

    /// The rules in financial year `this_year`: an amount is realised only
    /// once its year has begun; what is still to come is expected (a
    /// forecast), which any year allows.
    pub fn parse_in(
        draft: &LedgerDraft,
        members: &ActiveMembers,
        this_year: i32,
    ) -> Result<LedgerInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = draft.organisation.trim();
        let organisation = if code.is_empty() {
            errors.push(FieldError::new(
                "organisation",
                "Select the partner organisation",
            ));
            None
        } else {
            match members.by_code(code) {
                Some(m) => Some(m.organisation_id),
                None => {
                    errors.push(FieldError::new(
                        "organisation",
                        format!("{code} is not an active member of this partnership"),
                    ));
                    None
                }
            }
        };
        let entry_type = EntryType::parse(&draft.entry_type);
        if entry_type.is_none() {
            errors.push(FieldError::new(
                "entry_type",
                "Select the type of entry: cost, cashable saving or non-cashable benefit",
            ));
        }
        let basis = Basis::parse(&draft.basis);
        if basis.is_none() {
            errors.push(FieldError::new(
                "basis",
                "Select whether the amount is expected or realised",
            ));
        }
        let financial_year = draft
            .financial_year
            .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y));
        if financial_year.is_none() {
            errors.push(FieldError::new(
                "financial_year",
                format!(
                    "Select a financial year from {} to {}",
                    money::financial_year_label(FIRST_YEAR),
                    money::financial_year_label(LAST_YEAR)
                ),
            ));
        } else if basis == Some(Basis::Realised) && financial_year > Some(this_year) {
            errors.push(FieldError::new(
                "financial_year",
                realised_in_future(this_year),
            ));
        }
        let amount_pence = draft.amount_pence;
        if amount_pence < 0 {
            errors.push(FieldError::new(
                "amount_pence",
                "The amount cannot be negative; record savings as a cashable saving",
            ));
        } else if amount_pence > MAX_PENCE {
            errors.push(FieldError::new("amount_pence", crate::money::TOO_LARGE));
        } else if amount_pence == 0 {
            // A non-cashable benefit need not have a value in money.
            match entry_type {
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
        let description = forms::keep(
            &mut errors,
            text::line(
                "description",
                "Description",
                &draft.description,
                MAX_DESCRIPTION,
            ),
        );
        if entry_type == Some(EntryType::NonCashableBenefit) && description.as_deref() == Some("") {
            errors.push(FieldError::new(
                "description",
                "Describe the benefit, like Fewer missed bin complaints",
            ));
        }
        match (organisation, entry_type, basis, financial_year, description) {
            (
                Some(organisation),
                Some(entry_type),
                Some(basis),
                Some(financial_year),
                Some(description),
            ) if errors.is_empty() => Ok(LedgerInput {
                organisation,
                entry_type,
                basis,
                financial_year,
                amount_pence,
                description,
            }),
            _ => {
                forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

/// Money totals for some entries. Non-cashable benefits are counted, not summed.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq, ToSchema)]
pub struct EntryTotals {
    pub expected_costs_pence: i64,
    pub realised_costs_pence: i64,
    pub expected_savings_pence: i64,
    pub realised_savings_pence: i64,
    /// Realised cashable savings less realised costs; negative while the
    /// partnership has cost more than it has saved.
    pub net_realised_pence: i64,
    pub non_cashable_benefits: i64,
}

impl EntryTotals {
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
    pub totals: EntryTotals,
}

#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct YearTotals {
    pub financial_year: i32,
    pub financial_year_label: String,
    pub totals: EntryTotals,
}

/// Totals for the whole partnership, for each partner and for each financial year.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct LedgerTotals {
    pub partnership: EntryTotals,
    /// Every active member, and any former member with entries, by name.
    pub partners: Vec<PartnerTotals>,
    /// Financial years with entries, oldest first.
    pub years: Vec<YearTotals>,
}

pub fn totals(entries: &[EntryView], members: &ActiveMembers) -> LedgerTotals {
    let mut partnership = EntryTotals::default();
    let mut partners: Vec<PartnerTotals> = members
        .iter()
        .map(|m| PartnerTotals {
            organisation_code: m.code.clone(),
            organisation_name: m.name.clone(),
            totals: EntryTotals::default(),
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
                let mut t = EntryTotals::default();
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
                let mut t = EntryTotals::default();
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

#[cfg(test)]
mod tests;
