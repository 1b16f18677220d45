use super::*;

fn row(
    respondent: i64,
    org: i64,
    role: &str,
    factor: i64,
    statement: i64,
    score: Option<i32>,
) -> Row {
    Row {
        respondent,
        organisation: org,
        role: role.to_string(),
        factor,
        statement,
        score,
    }
}

fn factors() -> Vec<FactorInfo> {
    vec![
        FactorInfo {
            id: 1,
            name: "Trust".into(),
        },
        FactorInfo {
            id: 2,
            name: "Delivery".into(),
        },
    ]
}

fn orgs() -> BTreeMap<i64, String> {
    [
        (10, "Birmingham".to_string()),
        (20, "Leeds".to_string()),
        (30, "Cornwall".to_string()),
    ]
    .into_iter()
    .collect()
}

fn roles() -> Vec<(String, String)> {
    vec![
        ("leadership".into(), "Leadership".into()),
        ("operational".into(), "Operational".into()),
    ]
}

/// Two statements per factor (11, 12 in Trust; 21, 22 in Delivery).
/// Birmingham (1, 2, 3) scores Trust high; Leeds (4, 5, 6) low.
fn six() -> Vec<Row> {
    let mut rows = Vec::new();
    let answers: [(i64, i64, &str, [Option<i32>; 4]); 6] = [
        (1, 10, "leadership", [Some(5), Some(4), Some(4), Some(4)]),
        (2, 10, "leadership", [Some(5), Some(5), Some(3), None]),
        (3, 10, "operational", [Some(4), None, Some(4), Some(3)]),
        (4, 20, "operational", [Some(2), Some(3), Some(4), Some(4)]),
        (5, 20, "operational", [Some(3), Some(2), None, None]),
        (6, 20, "leadership", [Some(2), Some(2), Some(3), Some(4)]),
    ];
    for (r, org, role, s) in answers {
        rows.push(row(r, org, role, 1, 11, s[0]));
        rows.push(row(r, org, role, 1, 12, s[1]));
        rows.push(row(r, org, role, 2, 21, s[2]));
        rows.push(row(r, org, role, 2, 22, s[3]));
    }
    rows
}

fn run(rows: &[Row], earlier: &[Earlier], comments: &[CommentRow]) -> Report {
    let f = factors();
    let o = orgs();
    let r = roles();
    report(&Input {
        round: 7,
        factors: &f,
        organisations: &o,
        roles: &r,
        rows,
        comments,
        earlier,
        settings: Settings::default(),
    })
}

#[test]
fn means_and_counts_by_hand() {
    let rows = six();
    let r = run(&rows, &[], &[]);
    assert_eq!(r.respondents, 6);
    // Trust: 5,4,5,5,4,2,3,3,2,2,2 (one don't know) = 37 / 11 = 3.3636…
    let trust = &r.factors[0];
    assert_eq!((trust.scores, trust.dont_know), (11, 1));
    assert_eq!(trust.mean, Some(3.36));
    assert_eq!(trust.distribution, [0, 4, 2, 2, 3]);
    assert_eq!((trust.lowest, trust.highest), (Some(2), Some(5)));
    // Delivery: 4,4,3,4,3,4,4,3,4 (three don't know) = 33 / 9 = 3.6666…
    let delivery = &r.factors[1];
    assert_eq!((delivery.scores, delivery.dont_know), (9, 3));
    assert_eq!(delivery.mean, Some(3.67));
    // Overall: 70 / 20 = 3.5; 4 don't know counted.
    assert_eq!(r.overall, Some(3.5));
    assert_eq!((r.scores, r.dont_know), (20, 4));
    // Birmingham's Trust: 5,4,5,5,4 = 23/5 = 4.6; Leeds's: 2,3,3,2,2,2 = 14/6 = 2.33.
    let bir = r
        .by_partner
        .iter()
        .find(|g| g.label == "Birmingham")
        .unwrap();
    let lee = r.by_partner.iter().find(|g| g.label == "Leeds").unwrap();
    assert_eq!(bir.factors[0].mean, Some(4.6));
    assert_eq!(lee.factors[0].mean, Some(2.33));
    assert_eq!((bir.respondents, lee.respondents), (3, 3));
    // Order: by name (Birmingham, Leeds); Cornwall answered nothing.
    assert_eq!(r.by_partner.len(), 2);
    assert_eq!(r.by_partner[0].label, "Birmingham");
    // Roles: leadership 1, 2, 6; operational 3, 4, 5.
    // Leadership Trust: 5,4,5,5,2,2 = 23/6 = 3.83.
    assert_eq!(r.by_role[0].label, "Leadership");
    assert_eq!(r.by_role[0].factors[0].mean, Some(3.83));
    // Standard deviation of Delivery: squares 16*6+9*3 = 123; 123/9 - (33/9)^2 = 0.2222 → 0.47.
    assert_eq!(delivery.std_dev, Some(0.47));
}

#[test]
fn divergence_at_the_gap_and_not_below() {
    let rows = six();
    let r = run(&rows, &[], &[]);
    // Trust: 4.6 - 2.333 = 2.27 ≥ 1.0; Delivery: Birmingham 4,4,3,4,3 = 18/5 = 3.6,
    // Leeds 4,4,3,4 = 15/4 = 3.75: gap 0.15.
    assert_eq!(r.divergences.len(), 1);
    let d = &r.divergences[0];
    assert_eq!(
        (d.highest.as_str(), d.lowest.as_str()),
        ("Birmingham", "Leeds")
    );
    assert_eq!((d.highest_mean, d.lowest_mean, d.gap), (4.6, 2.33, 2.27));
    assert!(r.factors[0].divergent && !r.factors[1].divergent);
    // Exactly 1.0 is a divergence; 0.99 is not (exact fractions: 10/3 vs 7/3).
    let a = Mean { sum: 10, count: 3 };
    let b = Mean { sum: 7, count: 3 };
    assert!(a.exceeds_by(&b, 100));
    assert!(!a.exceeds_by(&b, 101));
    assert!(!Mean {
        sum: 299,
        count: 100
    }
    .exceeds_by(&Mean { sum: 2, count: 1 }, 100));
}

#[test]
fn strengths_and_concerns_at_their_edges() {
    assert!(Mean { sum: 4, count: 1 }.at_least(STRENGTH_AT));
    assert!(!Mean {
        sum: 399,
        count: 100
    }
    .at_least(STRENGTH_AT));
    assert!(Mean { sum: 5, count: 2 }.at_most(CONCERN_AT));
    assert!(!Mean {
        sum: 251,
        count: 100
    }
    .at_most(CONCERN_AT));
    let r = run(&six(), &[], &[]);
    assert!(r.strengths.is_empty() && r.concerns.is_empty());
}

#[test]
fn small_groups_merge_into_other_and_other_never_shows_under_three() {
    let mut rows = six();
    // Cornwall: two respondents — merged into Other, which is then too
    // small, so the smallest named group joins it (Leeds: tie, later in order).
    rows.push(row(7, 30, "leadership", 1, 11, Some(1)));
    rows.push(row(8, 30, "leadership", 1, 11, Some(1)));
    let r = run(&rows, &[], &[]);
    let labels: Vec<&str> = r.by_partner.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["Birmingham", "Other"]);
    assert_eq!(r.by_partner[1].respondents, 5);
    // Other's Trust: Leeds's 14/6 and Cornwall's 1+1: 16 / 8 = 2.0.
    assert_eq!(r.by_partner[1].factors[0].mean, Some(2.0));
    // No divergence against "Other".
    assert!(r.divergences.is_empty());

    // Three groups of 3, 3 and 2 plus 1 more small: Other = 2 + 1 = 3, shown.
    let names = vec![
        ("a".to_string(), "A".to_string()),
        ("b".to_string(), "B".to_string()),
        ("c".to_string(), "C".to_string()),
        ("d".to_string(), "D".to_string()),
    ];
    let people: BTreeMap<i64, String> = [
        (1, "a"),
        (2, "a"),
        (3, "a"),
        (4, "b"),
        (5, "b"),
        (6, "b"),
        (7, "c"),
        (8, "c"),
        (9, "d"),
    ]
    .into_iter()
    .map(|(r, k)| (r, k.to_string()))
    .collect();
    let g = group(&people, &names, 3);
    let shown: Vec<(&str, usize)> = g.shown.iter().map(|(_, l, n)| (l.as_str(), *n)).collect();
    assert_eq!(shown, [("A", 3), ("B", 3), ("Other", 3)]);
    assert_eq!(g.label_of(9), Some("Other"));
    // Everyone small and Other under the threshold: nothing shown.
    let two: BTreeMap<i64, String> = [(1, "a".to_string()), (2, "b".to_string())]
        .into_iter()
        .collect();
    let g = group(&two, &names, 3);
    assert!(g.shown.is_empty());
    assert_eq!(g.label_of(1), None);
    // The threshold is never below 3.
    assert_eq!(Settings::new(1, 100).min_group(), 3);
    assert_eq!(group(&two, &names, 1).shown.len(), 0);
    // And can be higher: with 4, A and B (3 each) merge into Other (6).
    let g = group(&people, &names, 4);
    let shown: Vec<(&str, usize)> = g.shown.iter().map(|(_, l, n)| (l.as_str(), *n)).collect();
    assert_eq!(shown, [("Other", 9)]);
}

#[test]
fn too_few_respondents_show_no_figures() {
    let rows: Vec<Row> = six().into_iter().filter(|r| r.respondent <= 2).collect();
    let r = run(&rows, &[], &[]);
    assert!(!r.enough);
    assert_eq!(r.respondents, 2);
    assert!(r.overall.is_none() && r.factors.is_empty() && r.by_partner.is_empty());
    assert!(r.placement.is_none());
}

#[test]
fn placement_rule_edges() {
    let m = |sum, count| Mean { sum, count };
    let level = |p: Option<Placement>| p.unwrap().level;
    assert_eq!(level(place(&m(42, 10), 0, 0)), "integrating");
    assert_eq!(level(place(&m(42, 10), 0, 1)), "collaborating");
    assert_eq!(level(place(&m(419, 100), 0, 0)), "collaborating");
    assert_eq!(level(place(&m(36, 10), 0, 0)), "collaborating");
    assert_eq!(level(place(&m(42, 10), 1, 0)), "cooperating");
    assert_eq!(level(place(&m(359, 100), 0, 0)), "cooperating");
    assert_eq!(level(place(&m(3, 1), 1, 0)), "cooperating");
    assert_eq!(level(place(&m(3, 1), 2, 0)), "coordinating");
    assert_eq!(level(place(&m(23, 10), 5, 5)), "coordinating");
    assert_eq!(level(place(&m(229, 100), 0, 0)), "networking");
    assert!(place(&m(0, 0), 0, 0).is_none());
    let p = place(&m(35, 10), 0, 1).unwrap();
    assert_eq!(
        p.rule,
        "Cooperating: overall mean at least 3.00 and at most one factor a concern (here 3.50 overall, 0 concerns, 1 divergence)."
    );
    // Six: 3.5 overall, no concern, one divergence → cooperating.
    assert_eq!(
        run(&six(), &[], &[]).placement.unwrap().level,
        "cooperating"
    );
}

#[test]
fn trend_against_the_latest_earlier_round() {
    // Earlier: respondents 1-3 only, Trust 5,4,5,5,4 = 4.6, Delivery 18/5; overall 41/10 = 4.1.
    let before: Vec<Row> = six().into_iter().filter(|r| r.respondent <= 3).collect();
    let e1 = earlier(1, "Spring 2026".into(), &before, 3);
    assert_eq!(e1.overall, Some(4.1));
    let tiny = earlier(2, "Summer 2026".into(), &before[..4], 3);
    assert_eq!(
        tiny.overall, None,
        "one respondent: not shown, not compared"
    );
    let r = run(&six(), &[e1, tiny], &[]);
    let t = r.trend.unwrap();
    assert_eq!(t.previous_round_id, 1);
    // 3.5 - 4.1 = -0.6.
    assert_eq!(
        (t.before, t.now, t.change),
        (Some(4.1), Some(3.5), Some(-0.6))
    );
    assert_eq!(t.direction, Some(Direction::Down));
    // Delivery: 33/9 - 18/5 = 0.0667: under 0.10, steady.
    assert_eq!(t.factors[1].change, Some(0.07));
    assert_eq!(t.factors[1].direction, Some(Direction::Steady));
    assert_eq!(t.history.len(), 2);
    assert!(run(&six(), &[], &[]).trend.is_none());
}

#[test]
fn comments_by_factor_in_a_fixed_shuffled_order() {
    let comments: Vec<CommentRow> = (1..=6)
        .map(|id| CommentRow {
            respondent: id,
            factor: if id == 6 { None } else { Some(1 + id % 2) },
            text: format!("comment {id}"),
        })
        .collect();
    let a = run(&six(), &[], &comments);
    let b = run(
        &six(),
        &[],
        &comments.iter().rev().cloned().collect::<Vec<_>>(),
    );
    let texts = |r: &Report| -> Vec<Vec<String>> {
        r.comments.iter().map(|c| c.comments.clone()).collect()
    };
    assert_eq!(
        texts(&a),
        texts(&b),
        "the order does not depend on the input's"
    );
    assert_eq!(a.comments.len(), 3);
    assert_eq!(a.comments[0].name, "Trust");
    let mut trust = a.comments[0].comments.clone();
    trust.sort();
    assert_eq!(trust, ["comment 2", "comment 4"]);
    assert_eq!(a.comments[2].name, "General");
    assert_eq!(stable_hash(&[1]), stable_hash(&[1]));
    assert_ne!(stable_hash(&[7, 1]), stable_hash(&[8, 1]));
}
