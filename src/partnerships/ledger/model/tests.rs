use super::*;
use crate::partnerships::model::ActiveMember;

fn members() -> ActiveMembers {
    ActiveMembers(vec![
        ActiveMember {
            organisation_id: 1,
            code: "BIR".into(),
            name: "Birmingham City Council".into(),
        },
        ActiveMember {
            organisation_id: 2,
            code: "LDS".into(),
            name: "Leeds City Council".into(),
        },
    ])
}

fn draft(entry_type: &str, amount_pence: i64, description: &str) -> LedgerDraft {
    LedgerDraft {
        organisation: "bir".into(),
        entry_type: entry_type.into(),
        basis: "realised".into(),
        financial_year: Some(2025),
        amount_pence,
        description: description.into(),
    }
}

fn entry(code: &str, entry_type: EntryType, basis: Basis, fy: i32, amount_pence: i64) -> EntryView {
    EntryView {
        id: 0,
        organisation_id: 0,
        organisation_code: code.into(),
        organisation_name: format!("{code} council"),
        entry_type,
        basis,
        financial_year: fy,
        financial_year_label: money::financial_year_label(fy),
        amount_pence,
        description: String::new(),
        created_at: crate::time::Timestamp::default(),
    }
}

fn parse(d: &LedgerDraft, members: &ActiveMembers) -> Result<LedgerInput, Vec<FieldError>> {
    LedgerInput::parse(d, members)
}

fn fields(r: Result<LedgerInput, Vec<FieldError>>) -> Vec<String> {
    r.unwrap_err().into_iter().map(|e| e.field).collect()
}

#[test]
fn realised_amounts_are_not_in_a_future_financial_year_but_expected_ones_may_be() {
    let in_year = |basis: &str, fy: i32| {
        let mut d = draft("cost", 100, "");
        d.basis = basis.into();
        d.financial_year = Some(fy);
        LedgerInput::parse_in(&d, &members(), 2026)
    };
    assert!(in_year("realised", 2026).is_ok(), "this year has begun");
    assert!(in_year("realised", 2019).is_ok());
    let e = in_year("realised", 2027).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "financial_year");
    assert_eq!(
        e[0].message,
        "A realised amount cannot be in a future financial year: choose 2026/27 or earlier, or record it as expected"
    );
    assert!(
        in_year("expected", 2030).is_ok(),
        "a forecast may be for any year"
    );
}

#[test]
fn costs_and_savings_need_an_amount_but_benefits_need_a_description() {
    let ok = parse(&draft("cost", 100, ""), &members()).unwrap();
    assert_eq!(ok.organisation, 1, "codes match whatever their case");
    assert_eq!(
        (ok.entry_type, ok.basis, ok.financial_year),
        (EntryType::Cost, Basis::Realised, 2025)
    );
    assert_eq!(
        fields(parse(&draft("cost", 0, ""), &members())),
        ["amount_pence"]
    );
    assert_eq!(
        fields(parse(&draft("cashable_saving", 0, ""), &members())),
        ["amount_pence"]
    );
    let benefit = parse(
        &draft("non_cashable_benefit", 0, "  Fewer missed bin complaints "),
        &members(),
    )
    .unwrap();
    assert_eq!(benefit.description, "Fewer missed bin complaints");
    let e = parse(&draft("non_cashable_benefit", 0, "  "), &members()).unwrap_err();
    assert_eq!(
        e[0].message,
        "Describe the benefit, like Fewer missed bin complaints"
    );
    assert_eq!(
        fields(parse(&draft("cost", -1, ""), &members())),
        ["amount_pence"]
    );
    assert_eq!(
        fields(parse(&draft("cost", MAX_PENCE + 1, ""), &members())),
        ["amount_pence"]
    );
    assert_eq!(
        fields(parse(
            &draft("cost", 5, &"x".repeat(MAX_DESCRIPTION + 1)),
            &members()
        )),
        ["description"]
    );
    assert_eq!(
        fields(parse(&draft("cost", 5, "two\nlines"), &members())),
        ["description"]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let bad = LedgerDraft {
        organisation: "CON".into(),
        entry_type: "gift".into(),
        basis: "hoped".into(),
        financial_year: Some(2036),
        amount_pence: -5,
        description: String::new(),
    };
    assert_eq!(
        fields(parse(&bad, &members())),
        [
            "organisation",
            "entry_type",
            "basis",
            "financial_year",
            "amount_pence"
        ]
    );
    let e = parse(&bad, &members()).unwrap_err();
    assert_eq!(
        e[0].message,
        "CON is not an active member of this partnership"
    );
    assert_eq!(
        e[3].message,
        "Select a financial year from 2015/16 to 2035/36"
    );
    let blank = LedgerDraft {
        financial_year: Some(2015),
        ..bad
    };
    assert_eq!(
        parse(&blank, &ActiveMembers::default()).unwrap_err()[0].message,
        "CON is not an active member of this partnership"
    );
    let nothing = parse(&LedgerDraft::default(), &members()).unwrap_err();
    assert_eq!(nothing[0].message, "Select the partner organisation");
    assert_eq!(
        nothing[3].message, "Select a financial year from 2015/16 to 2035/36",
        "no year given"
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
        EntryTotals {
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
