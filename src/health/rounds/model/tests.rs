use super::*;

#[test]
fn close_after_open_and_not_in_the_past() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let ctx = RoundContext {
        today,
        questionnaires: &[1],
    };
    let d = |o: i64, c: i64| RoundDraft {
        title: "Autumn".into(),
        questionnaire_id: None,
        opens_on: Some(today + chrono::Duration::days(o)),
        closes_on: Some(today + chrono::Duration::days(c)),
        ..Default::default()
    };
    assert!(RoundInput::parse(&d(0, 14), &ctx).is_ok());
    assert_eq!(
        RoundInput::parse(&d(3, 3), &ctx).unwrap_err()[0].field,
        "closes_on"
    );
    assert_eq!(
        RoundInput::parse(&d(-1, 3), &ctx).unwrap_err()[0].field,
        "opens_on"
    );
    let mut other = d(0, 3);
    other.questionnaire_id = Some(9);
    assert_eq!(
        RoundInput::parse(&other, &ctx).unwrap_err()[0].field,
        "questionnaire_id"
    );
}

#[test]
fn thresholds_default_and_are_bounded() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let ctx = RoundContext {
        today,
        questionnaires: &[1],
    };
    let d = |min: Option<i64>, gap: Option<f64>| RoundDraft {
        title: "Autumn".into(),
        opens_on: Some(today),
        closes_on: Some(today + chrono::Duration::days(7)),
        min_group: min,
        divergence_gap: gap,
        ..Default::default()
    };
    let plain = RoundInput::parse(&d(None, None), &ctx).unwrap();
    assert_eq!((plain.min_group, plain.divergence_gap), (3, 100));
    let set = RoundInput::parse(&d(Some(5), Some(0.75)), &ctx).unwrap();
    assert_eq!((set.min_group, set.divergence_gap), (5, 75));
    assert_eq!(
        RoundInput::parse(&d(Some(4), Some(0.1)), &ctx)
            .unwrap()
            .divergence_gap,
        10
    );
    assert_eq!(
        RoundInput::parse(&d(Some(3), Some(4.0)), &ctx)
            .unwrap()
            .divergence_gap,
        400
    );
    for (min, gap, field) in [
        (Some(2), None, "min_group"),
        (Some(-1), None, "min_group"),
        (Some(101), None, "min_group"),
        (None, Some(0.0), "divergence_gap"),
        (None, Some(-1.0), "divergence_gap"),
        (None, Some(4.01), "divergence_gap"),
        (None, Some(0.125), "divergence_gap"),
        (None, Some(f64::MAX), "divergence_gap"),
    ] {
        let errors = RoundInput::parse(&d(min, gap), &ctx).unwrap_err();
        assert_eq!(errors.len(), 1, "{min:?} {gap:?}");
        assert_eq!(errors[0].field, field, "{min:?} {gap:?}");
    }
    assert_eq!(points(100), "1.0");
    assert_eq!(points(75), "0.75");
    assert_eq!(points(150), "1.5");
    assert_eq!(points(5), "0.05");
}

#[test]
fn emails_must_look_like_emails() {
    assert!(plausible_email("a.b@example.gov.uk"));
    assert!(!plausible_email("a b@example.gov.uk"));
    assert!(!plausible_email("nobody"));
    assert!(!plausible_email("x@localhost"));
}
