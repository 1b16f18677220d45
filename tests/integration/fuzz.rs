//! Fuzzing with proptest: every CSV importer, and the parsers for money,
//! shares and dates, are fed mangled input. They must never panic; an
//! import is either taken whole or refused with a line number (nothing
//! half-written); a parsed value shows back as what it parses from.
//!
//! CI runs a few dozen cases each (`PROPTEST_CASES` raises it, e.g.
//! `PROPTEST_CASES=5000 cargo nextest run fuzz`; README has the figures).

use concord::datasets::{run_import, ImportKind};
use concord::imports::ImportError;
use proptest::prelude::*;

use crate::common::{backend, TestDb};

/// The real files, so mangled input is close to what people upload.
const FILES: &[(ImportKind, &str)] = &[
    (ImportKind::Councils, include_str!("../../data/uk_local_authorities.csv")),
    (ImportKind::Websites, include_str!("../../data/local-authorities.csv")),
    (ImportKind::Neighbours, include_str!("../../data/touching_las.csv")),
    (ImportKind::SimilarityGroups, include_str!("../../data/composite_label_desc.csv")),
    (ImportKind::Similarity, include_str!("../../data/composite_la_labels.csv")),
    (ImportKind::Functions, include_str!("../../data/lgsl_functions.csv")),
    (ImportKind::Services, include_str!("../../data/lgsl_services.csv")),
    (ImportKind::ServiceTiers, include_str!("../../data/local_services.csv")),
    (
        ImportKind::Partnerships,
        "name,purpose,kind,degree,stage,status,visibility,start_date,end_date,lead,partners,services,review_cadence_months\n\
         Shared bins,Bins,shared_service,collaborating,5,active,public,2024-04-01,,LDS,BRD|WKF,524,12\n\
         Leeds digital,,digital_platform,cooperating,4,proposed,partners,,,LDS,CON,,\n",
    ),
];

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Characters that break parsers: quotes, separators, line ends, NUL,
/// a byte-order mark, a right-to-left override, multi-byte letters.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(",".to_string()),
        Just("\"".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\0".to_string()),
        Just("\u{feff}".to_string()),
        Just("\u{202e}".to_string()),
        Just("é".to_string()),
        Just("|".to_string()),
        Just("-".to_string()),
        Just("9999999999999999999999".to_string()),
        "[ -~]{0,3}",
    ]
}

/// The first lines of a real file with a few edits: cut, spliced or repeated.
fn mangled(file: &'static str) -> impl Strategy<Value = String> {
    let head: String = file.lines().take(12).collect::<Vec<_>>().join("\n");
    let len = head.len().max(1);
    proptest::collection::vec((0..len, 0..4usize, nasty()), 0..6).prop_map(move |edits| {
        let mut text = head.clone();
        for (at, how, piece) in edits {
            let at = (0..=at.min(text.len()))
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            match how {
                0 => text.insert_str(at, &piece),
                1 => text.truncate(at),
                2 => {
                    let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
                    text.replace_range(at..line_end, &piece);
                }
                _ => {
                    let copy = text[at..].lines().next().unwrap_or("").to_string();
                    text.push('\n');
                    text.push_str(&copy);
                }
            }
        }
        text
    })
}

/// Rows in every table an import writes to.
fn row_counts(test_db: &TestDb) -> Vec<i64> {
    [
        "organisations",
        "organisation_neighbours",
        "similarity_groups",
        "lgsl_functions",
        "lgsl_services",
        "partnerships",
        "partnership_members",
        "partnership_services",
        "audit_log",
    ]
    .iter()
    .map(|table| test_db.count(table))
    .collect()
}

#[test]
fn importers_take_a_file_whole_or_refuse_it_with_a_line_number() {
    let test_db = TestDb::with_reference_data(backend());
    let actor = concord::audit::Actor::system("fuzz");
    for (kind, file) in FILES {
        let config = ProptestConfig {
            cases: cases(24),
            ..ProptestConfig::default()
        };
        proptest!(config, |(text in mangled(file))| {
            let before = row_counts(&test_db);
            match run_import(&test_db.db, *kind, &text, &actor) {
                Ok(_) => {}
                Err(ImportError { line, message }) => {
                    prop_assert!(!message.is_empty());
                    // Only whole-file problems (no data lines, unreadable) lack a line.
                    prop_assert!(line.is_some() || !message.contains("line "), "{message}");
                    // Lines are written as they are read: a refusal must undo them.
                    prop_assert_eq!(row_counts(&test_db), before, "a refused file left rows behind");
                }
            }
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    #[test]
    fn amounts_in_pounds_parse_within_bounds_and_show_back(text in "£?[0-9,]{0,16}(\\.[0-9]{0,3})?|\\PC{0,12}") {
        if let Ok(pence) = concord::money::parse_pounds(&text) {
            prop_assert!((0..=concord::money::MAX_PENCE).contains(&pence));
            prop_assert_eq!(concord::money::parse_pounds(&concord::money::pounds(pence)), Ok(pence));
        }
    }

    #[test]
    fn percentages_parse_to_at_most_100_and_show_back(text in "[0-9]{0,4}(\\.[0-9]{0,3})?%?|\\PC{0,8}") {
        if let Ok(bp) = concord::money::parse_percent(&text) {
            prop_assert!((0..=10_000).contains(&bp));
            prop_assert_eq!(concord::money::parse_percent(&concord::money::percent(bp)), Ok(bp));
        }
    }

    #[test]
    fn dates_typed_in_three_boxes_parse_or_say_why(
        day in "[0-9]{0,3}|\\PC{0,3}",
        month in "[0-9]{0,3}|\\PC{0,3}",
        year in "[0-9]{0,5}|\\PC{0,5}",
    ) {
        match concord::web::forms::date("d", "Date", &day, &month, &year) {
            Ok(Some(d)) => {
                let (dd, mm, yy) = concord::web::forms::date_parts(Some(d));
                prop_assert_eq!(concord::web::forms::date("d", "Date", &dd, &mm, &yy), Ok(Some(d)));
            }
            Ok(None) => prop_assert!(day.trim().is_empty() && month.trim().is_empty() && year.trim().is_empty()),
            Err(e) => prop_assert!(e.message.starts_with("Date")),
        }
    }
}
