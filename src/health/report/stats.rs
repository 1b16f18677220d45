//! The triangulation report's arithmetic, on plain rows and without a
//! database, so every figure can be checked against one worked by hand.
//!
//! - A **mean** is the mean of every score (1–5) given to a factor's
//!   statements by the group; "don't know" is left out of the mean but
//!   counted. Means are kept as exact fractions (`Mean { sum, count }`), so
//!   the thresholds below are compared exactly, never in floating point.
//! - **Anonymity**: a group (a partner, a role, a partner within a role)
//!   with fewer than `min_group` respondents is never shown; such groups are
//!   merged into "Other". If "Other" is still too small, the smallest named
//!   groups join it until it is not (so no hidden group can be worked out
//!   by subtracting the shown ones from the whole); if everyone ends up in
//!   "Other" and that is too small, nothing is broken down. A round with
//!   fewer respondents than `min_group` shows no figures at all.
//! - **Divergence**: a factor whose named partners' means differ by at
//!   least `divergence_gap` (highest minus lowest).
//! - **Placement** on the collaboration spectrum: [`place`] (rule in words).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::partnerships::model::Degree;

/// The smallest group shown: never configurable below this.
pub const MIN_GROUP: usize = 3;
/// Divergence: a gap between partners' means of at least 1.00 (hundredths).
pub const DIVERGENCE_GAP: i64 = 100;
/// A factor is a strength with a mean of at least 4.00 (hundredths).
pub const STRENGTH_AT: i64 = 400;
/// A factor is a concern with a mean of at most 2.50 (hundredths).
pub const CONCERN_AT: i64 = 250;
/// A change between rounds smaller than 0.10 (hundredths) reads as "no change".
pub const TREND_STEADY: i64 = 10;
/// The label of the merged group.
pub const OTHER: &str = "Other";

/// The report's settings; `Settings::default()` uses the constants above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    min_group: usize,
    /// In hundredths of a point.
    divergence_gap: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_group: MIN_GROUP,
            divergence_gap: DIVERGENCE_GAP,
        }
    }
}

impl Settings {
    /// `min_group` is raised to [`MIN_GROUP`] if lower; a gap is at least 0.01.
    pub fn new(min_group: usize, divergence_gap_hundredths: i64) -> Settings {
        Settings {
            min_group: min_group.max(MIN_GROUP),
            divergence_gap: divergence_gap_hundredths.max(1),
        }
    }
    pub fn min_group(&self) -> usize {
        self.min_group
    }
    pub fn divergence_gap(&self) -> i64 {
        self.divergence_gap
    }
}

/// One answer to one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The invitation that answered (never shown).
    pub respondent: i64,
    pub organisation: i64,
    /// The stakeholder role's code.
    pub role: String,
    pub factor: i64,
    pub statement: i64,
    /// 1–5, or `None` for "don't know".
    pub score: Option<i32>,
}

/// A factor of the questionnaire, in the questionnaire's order.
#[derive(Clone, Debug)]
pub struct FactorInfo {
    pub id: i64,
    pub name: String,
}

/// A free-text comment (who wrote it fixes its place in the shuffled order,
/// and is never shown).
#[derive(Clone, Debug)]
pub struct CommentRow {
    pub respondent: i64,
    pub factor: Option<i64>,
    pub text: String,
}

/// What the arithmetic needs: the rows and the names to show.
pub struct Input<'a> {
    /// Mixed into the comments' order so each round shuffles differently.
    pub round: i64,
    pub factors: &'a [FactorInfo],
    /// Organisation id → name.
    pub organisations: &'a BTreeMap<i64, String>,
    /// Role code → label, in the order roles are listed.
    pub roles: &'a [(String, String)],
    pub rows: &'a [Row],
    pub comments: &'a [CommentRow],
    /// Earlier closed rounds of the same partnership, oldest first.
    pub earlier: &'a [Earlier],
    pub settings: Settings,
}

/// An earlier round's whole-partnership figures, for the trend.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Earlier {
    pub round_id: i64,
    pub label: String,
    /// `None` when it had too few respondents to show.
    pub overall: Option<f64>,
    #[serde(skip)]
    pub overall_exact: Option<Mean>,
    #[serde(skip)]
    pub factors: BTreeMap<i64, Mean>,
}

/// An exact mean: `sum / count`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mean {
    pub sum: i64,
    pub count: i64,
}

impl Mean {
    fn add(&mut self, score: i32) {
        self.sum += i64::from(score);
        self.count += 1;
    }
    pub fn value(&self) -> Option<f64> {
        (self.count > 0).then(|| round2(self.sum as f64 / self.count as f64))
    }
    /// mean ≥ hundredths / 100, exactly.
    pub fn at_least(&self, hundredths: i64) -> bool {
        self.count > 0 && self.sum * 100 >= hundredths * self.count
    }
    /// mean ≤ hundredths / 100, exactly.
    pub fn at_most(&self, hundredths: i64) -> bool {
        self.count > 0 && self.sum * 100 <= hundredths * self.count
    }
    /// `self - other` ≥ hundredths / 100, exactly (both non-empty).
    fn exceeds_by(&self, other: &Mean, hundredths: i64) -> bool {
        let (a, b, c, d) = (
            i128::from(self.sum),
            i128::from(self.count),
            i128::from(other.sum),
            i128::from(other.count),
        );
        b > 0 && d > 0 && 100 * (a * d - c * b) >= i128::from(hundredths) * b * d
    }
    fn cmp_value(&self, other: &Mean) -> std::cmp::Ordering {
        (i128::from(self.sum) * i128::from(other.count))
            .cmp(&(i128::from(other.sum) * i128::from(self.count)))
    }
}

/// Rounded to two decimal places, as every figure is shown.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Shown with two decimals, or "–" when nobody scored it.
pub fn show(mean: Option<f64>) -> String {
    mean.map_or_else(|| "–".to_string(), |m| format!("{m:.2}"))
}

/// One factor's figures for one group (or for everyone).
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Cell {
    pub factor_id: i64,
    /// Mean of the scores (two decimals); `null` when nobody scored it.
    pub mean: Option<f64>,
    /// Scores given (1–5).
    pub scores: i64,
    /// "Don't know" answers (counted, not in the mean).
    pub dont_know: i64,
}

/// A factor across the whole partnership.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FactorResult {
    pub factor_id: i64,
    pub name: String,
    pub mean: Option<f64>,
    pub scores: i64,
    pub dont_know: i64,
    /// How many scores were 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
    pub lowest: Option<i32>,
    pub highest: Option<i32>,
    /// Population standard deviation of the scores (two decimals).
    pub std_dev: Option<f64>,
    pub strength: bool,
    pub concern: bool,
    pub divergent: bool,
}

/// A shown group: a partner, a role, or "Other".
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupResult {
    /// The organisation's id or the role's code; "other" for the merged group.
    pub key: String,
    pub label: String,
    pub respondents: usize,
    pub overall: Option<f64>,
    pub factors: Vec<Cell>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Divergence {
    pub factor_id: i64,
    pub name: String,
    pub highest: String,
    pub highest_mean: f64,
    pub lowest: String,
    pub lowest_mean: f64,
    /// Highest minus lowest mean, from the exact means (two decimals).
    pub gap: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Placement {
    #[schema(value_type = Degree)]
    pub level: String,
    pub label: String,
    /// The rule that placed it, in words.
    pub rule: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Steady,
}

impl Direction {
    fn of(now: &Mean, before: &Mean) -> Direction {
        if now.exceeds_by(before, TREND_STEADY) {
            Direction::Up
        } else if before.exceeds_by(now, TREND_STEADY) {
            Direction::Down
        } else {
            Direction::Steady
        }
    }
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Steady => "→",
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Steady => "no change",
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FactorTrend {
    pub factor_id: i64,
    pub name: String,
    pub before: Option<f64>,
    pub now: Option<f64>,
    pub change: Option<f64>,
    pub direction: Option<Direction>,
}

/// This round against the latest earlier closed round.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Trend {
    pub previous_round_id: i64,
    pub previous_label: String,
    pub before: Option<f64>,
    pub now: Option<f64>,
    pub change: Option<f64>,
    pub direction: Option<Direction>,
    pub factors: Vec<FactorTrend>,
    /// Every earlier closed round's overall mean, oldest first.
    pub history: Vec<Earlier>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FactorComments {
    /// `null` for comments on the questionnaire as a whole.
    pub factor_id: Option<i64>,
    pub name: String,
    pub comments: Vec<String>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Report {
    /// People who answered at least one statement.
    pub respondents: usize,
    pub scores: i64,
    pub dont_know: i64,
    /// The smallest group shown.
    pub min_group: usize,
    /// Divergence threshold (points).
    pub divergence_gap: f64,
    /// False when fewer than `min_group` people answered: no figures then.
    pub enough: bool,
    pub overall: Option<f64>,
    pub factors: Vec<FactorResult>,
    pub by_partner: Vec<GroupResult>,
    pub by_role: Vec<GroupResult>,
    pub divergences: Vec<Divergence>,
    /// Factor names with a mean of at least 4.00.
    pub strengths: Vec<String>,
    /// Factor names with a mean of at most 2.50.
    pub concerns: Vec<String>,
    pub placement: Option<Placement>,
    pub trend: Option<Trend>,
    pub comments: Vec<FactorComments>,
    #[serde(skip)]
    pub overall_exact: Mean,
    #[serde(skip)]
    pub factor_exact: BTreeMap<i64, Mean>,
}

/// Which shown group each respondent falls in, for one dimension.
#[derive(Clone, Debug, Default)]
pub struct Grouping {
    /// Respondent → group key ("other" when merged).
    pub of: BTreeMap<i64, String>,
    /// Shown groups in order: (key, label, respondents); "Other" last.
    pub shown: Vec<(String, String, usize)>,
}

impl Grouping {
    /// The label shown for a respondent, or `None` when their group is not shown.
    pub fn label_of(&self, respondent: i64) -> Option<&str> {
        let key = self.of.get(&respondent)?;
        self.shown
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, l, _)| l.as_str())
    }
}

/// Groups respondents by `key`, merging small groups into "Other" (see the
/// module's notes). `names` lists every possible key with its label, in order.
pub fn group(
    respondents: &BTreeMap<i64, String>,
    names: &[(String, String)],
    min_group: usize,
) -> Grouping {
    let min_group = min_group.max(MIN_GROUP);
    let mut members: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (r, key) in respondents {
        members.entry(key.as_str()).or_default().push(*r);
    }
    // Named groups big enough, in the names' order; the rest go to Other.
    let mut named: Vec<(String, String, Vec<i64>)> = Vec::new();
    let mut other: Vec<i64> = Vec::new();
    let mut seen = BTreeSet::new();
    for (key, label) in names {
        seen.insert(key.as_str());
        if let Some(people) = members.get(key.as_str()) {
            if people.len() >= min_group {
                named.push((key.clone(), label.clone(), people.clone()));
            } else {
                other.extend(people);
            }
        }
    }
    for (key, people) in &members {
        if !seen.contains(key) {
            other.extend(people);
        }
    }
    // Other too small but not empty: the smallest named groups join it
    // (ties: the later in order), so no group can be found by subtraction.
    while !other.is_empty() && other.len() < min_group && !named.is_empty() {
        let smallest = named
            .iter()
            .enumerate()
            .min_by_key(|(i, (_, _, p))| (p.len(), std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let (_, _, people) = named.remove(smallest);
        other.extend(people);
    }
    let mut g = Grouping::default();
    for (key, label, people) in &named {
        for r in people {
            g.of.insert(*r, key.clone());
        }
        g.shown.push((key.clone(), label.clone(), people.len()));
    }
    if other.len() >= min_group {
        for r in &other {
            g.of.insert(*r, "other".to_string());
        }
        g.shown
            .push(("other".to_string(), OTHER.to_string(), other.len()));
    }
    g
}

#[derive(Default, Clone)]
struct Acc {
    mean: Mean,
    dont_know: i64,
    distribution: [i64; 5],
    squares: i64,
}

impl Acc {
    fn add(&mut self, score: Option<i32>) {
        match score {
            Some(s) if (1..=5).contains(&s) => {
                self.mean.add(s);
                self.squares += i64::from(s) * i64::from(s);
                self.distribution[(s - 1) as usize] += 1;
            }
            _ => self.dont_know += 1,
        }
    }
    fn cell(&self, factor_id: i64) -> Cell {
        Cell {
            factor_id,
            mean: self.mean.value(),
            scores: self.mean.count,
            dont_know: self.dont_know,
        }
    }
}

/// Figures per factor (and overall) for the rows `keep` accepts.
fn accumulate<'r>(rows: impl Iterator<Item = &'r Row>) -> (BTreeMap<i64, Acc>, Acc) {
    let mut by_factor: BTreeMap<i64, Acc> = BTreeMap::new();
    let mut overall = Acc::default();
    for row in rows {
        by_factor.entry(row.factor).or_default().add(row.score);
        overall.add(row.score);
    }
    (by_factor, overall)
}

fn group_results(
    rows: &[Row],
    grouping: &Grouping,
    factors: &[FactorInfo],
) -> (Vec<GroupResult>, BTreeMap<String, BTreeMap<i64, Mean>>) {
    let mut exact = BTreeMap::new();
    let results = grouping
        .shown
        .iter()
        .map(|(key, label, respondents)| {
            let (by_factor, overall) = accumulate(
                rows.iter()
                    .filter(|r| grouping.of.get(&r.respondent) == Some(key)),
            );
            exact.insert(
                key.clone(),
                by_factor.iter().map(|(f, a)| (*f, a.mean)).collect(),
            );
            GroupResult {
                key: key.clone(),
                label: label.clone(),
                respondents: *respondents,
                overall: overall.mean.value(),
                factors: factors
                    .iter()
                    .map(|f| by_factor.get(&f.id).cloned().unwrap_or_default().cell(f.id))
                    .collect(),
            }
        })
        .collect();
    (results, exact)
}

/// Respondent → organisation id (as text) and → role code.
pub fn respondents(rows: &[Row]) -> (BTreeMap<i64, String>, BTreeMap<i64, String>) {
    let mut orgs = BTreeMap::new();
    let mut roles = BTreeMap::new();
    for r in rows {
        orgs.insert(r.respondent, r.organisation.to_string());
        roles.insert(r.respondent, r.role.clone());
    }
    (orgs, roles)
}

/// The partner and role groupings a report (and its CSV) shows.
pub fn groupings(input: &Input<'_>) -> (Grouping, Grouping) {
    let (orgs, roles) = respondents(input.rows);
    let org_names: Vec<(String, String)> = {
        let mut names: Vec<(String, String)> = input
            .organisations
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect();
        names.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        names
    };
    let min = input.settings.min_group;
    (
        group(&orgs, &org_names, min),
        group(&roles, input.roles, min),
    )
}

/// Works out the report.
pub fn report(input: &Input<'_>) -> Report {
    let settings = input.settings;
    let (orgs, _) = respondents(input.rows);
    let respondents = orgs.len();
    let enough = respondents >= settings.min_group;
    let (by_factor, overall) = accumulate(input.rows.iter());
    let factor_exact: BTreeMap<i64, Mean> = by_factor.iter().map(|(f, a)| (*f, a.mean)).collect();

    let mut report = Report {
        respondents,
        scores: overall.mean.count,
        dont_know: overall.dont_know,
        min_group: settings.min_group,
        divergence_gap: settings.divergence_gap as f64 / 100.0,
        enough,
        overall: None,
        factors: Vec::new(),
        by_partner: Vec::new(),
        by_role: Vec::new(),
        divergences: Vec::new(),
        strengths: Vec::new(),
        concerns: Vec::new(),
        placement: None,
        trend: None,
        comments: Vec::new(),
        overall_exact: overall.mean,
        factor_exact: factor_exact.clone(),
    };
    if !enough {
        return report;
    }
    report.overall = overall.mean.value();

    let (partners, roles) = groupings(input);
    let (by_partner, partner_exact) = group_results(input.rows, &partners, input.factors);
    let (by_role, _) = group_results(input.rows, &roles, input.factors);

    // Divergences: between named partners only ("Other" is no partner).
    for f in input.factors {
        let means: Vec<(&str, Mean)> = partners
            .shown
            .iter()
            .filter(|(k, _, _)| k != "other")
            .filter_map(|(k, label, _)| {
                let m = partner_exact.get(k)?.get(&f.id)?;
                (m.count > 0).then_some((label.as_str(), *m))
            })
            .collect();
        if means.len() < 2 {
            continue;
        }
        // Highest and lowest exactly; ties keep the first in order.
        let mut hi = means[0];
        let mut lo = means[0];
        for m in &means[1..] {
            if m.1.cmp_value(&hi.1).is_gt() {
                hi = *m;
            }
            if m.1.cmp_value(&lo.1).is_lt() {
                lo = *m;
            }
        }
        if hi.1.exceeds_by(&lo.1, settings.divergence_gap) {
            let gap = hi.1.sum as f64 / hi.1.count as f64 - lo.1.sum as f64 / lo.1.count as f64;
            report.divergences.push(Divergence {
                factor_id: f.id,
                name: f.name.clone(),
                highest: hi.0.to_string(),
                highest_mean: hi.1.value().unwrap_or(0.0),
                lowest: lo.0.to_string(),
                lowest_mean: lo.1.value().unwrap_or(0.0),
                gap: round2(gap),
            });
        }
    }

    for f in input.factors {
        let acc = by_factor.get(&f.id).cloned().unwrap_or_default();
        let m = acc.mean;
        let strength = m.at_least(STRENGTH_AT);
        let concern = m.at_most(CONCERN_AT);
        if strength {
            report.strengths.push(f.name.clone());
        }
        if concern {
            report.concerns.push(f.name.clone());
        }
        let std_dev = (m.count > 0).then(|| {
            let n = m.count as f64;
            let mean = m.sum as f64 / n;
            round2((acc.squares as f64 / n - mean * mean).max(0.0).sqrt())
        });
        let given: Vec<i32> = (1..=5)
            .filter(|s| acc.distribution[(*s - 1) as usize] > 0)
            .collect();
        report.factors.push(FactorResult {
            factor_id: f.id,
            name: f.name.clone(),
            mean: m.value(),
            scores: m.count,
            dont_know: acc.dont_know,
            distribution: acc.distribution,
            lowest: given.first().copied(),
            highest: given.last().copied(),
            std_dev,
            strength,
            concern,
            divergent: report.divergences.iter().any(|d| d.factor_id == f.id),
        });
    }
    report.placement = place(
        &overall.mean,
        report.concerns.len(),
        report.divergences.len(),
    );
    report.trend = trend(&overall.mean, &factor_exact, input.factors, input.earlier);
    report.comments = comments(input);
    report.by_partner = by_partner;
    report.by_role = by_role;
    report
}

/// The placement rule, highest level first; the first that holds places it.
pub const PLACEMENT_RULES: [(Degree, i64, &str); 5] = [
    (
        Degree::Integrating,
        420,
        "overall mean at least 4.20, no factor a concern and no divergence between partners",
    ),
    (
        Degree::Collaborating,
        360,
        "overall mean at least 3.60 and no factor a concern",
    ),
    (
        Degree::Cooperating,
        300,
        "overall mean at least 3.00 and at most one factor a concern",
    ),
    (Degree::Coordinating, 230, "overall mean at least 2.30"),
    (Degree::Networking, 0, "overall mean below 2.30"),
];

/// Places the partnership on the collaboration spectrum (`None` without scores).
pub fn place(overall: &Mean, concerns: usize, divergences: usize) -> Option<Placement> {
    if overall.count == 0 {
        return None;
    }
    let (level, _, rule) = PLACEMENT_RULES
        .iter()
        .find(|(level, at, _)| {
            overall.at_least(*at)
                && match level {
                    Degree::Integrating => concerns == 0 && divergences == 0,
                    Degree::Collaborating => concerns == 0,
                    Degree::Cooperating => concerns <= 1,
                    _ => true,
                }
        })
        .copied()
        .unwrap_or(PLACEMENT_RULES[4]);
    let label = level.label().to_string();
    Some(Placement {
        level: level.code().to_string(),
        rule: format!(
            "{label}: {rule} (here {} overall, {concerns} {}, {divergences} {}).",
            show(overall.value()),
            if concerns == 1 { "concern" } else { "concerns" },
            if divergences == 1 {
                "divergence"
            } else {
                "divergences"
            },
        ),
        label,
    })
}

fn change(now: &Mean, before: &Mean) -> (Option<f64>, Option<Direction>) {
    if now.count == 0 || before.count == 0 {
        return (None, None);
    }
    let diff = now.sum as f64 / now.count as f64 - before.sum as f64 / before.count as f64;
    (Some(round2(diff)), Some(Direction::of(now, before)))
}

fn trend(
    overall: &Mean,
    factors_now: &BTreeMap<i64, Mean>,
    factors: &[FactorInfo],
    earlier: &[Earlier],
) -> Option<Trend> {
    let last = earlier.iter().rev().find(|e| e.overall_exact.is_some())?;
    let before = last.overall_exact.unwrap_or_default();
    let (delta, direction) = change(overall, &before);
    Some(Trend {
        previous_round_id: last.round_id,
        previous_label: last.label.clone(),
        before: before.value(),
        now: overall.value(),
        change: delta,
        direction,
        factors: factors
            .iter()
            .map(|f| {
                let now = factors_now.get(&f.id).copied().unwrap_or_default();
                let was = last.factors.get(&f.id).copied().unwrap_or_default();
                let (change, direction) = change(&now, &was);
                FactorTrend {
                    factor_id: f.id,
                    name: f.name.clone(),
                    before: was.value(),
                    now: now.value(),
                    change,
                    direction,
                }
            })
            .collect(),
        history: earlier.to_vec(),
    })
}

/// A round's figures for a later round's trend (`None` overall when too few answered).
pub fn earlier(round_id: i64, label: String, rows: &[Row], min_group: usize) -> Earlier {
    let (orgs, _) = respondents(rows);
    let (by_factor, overall) = accumulate(rows.iter());
    let enough = orgs.len() >= min_group.max(MIN_GROUP) && overall.mean.count > 0;
    Earlier {
        round_id,
        label,
        overall: if enough { overall.mean.value() } else { None },
        overall_exact: enough.then_some(overall.mean),
        factors: if enough {
            by_factor.iter().map(|(f, a)| (*f, a.mean)).collect()
        } else {
            BTreeMap::new()
        },
    }
}

/// FNV-1a: a hash that stays the same across Rust versions and machines.
pub fn stable_hash(parts: &[i64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Comments by factor (questionnaire order, general comments last), without
/// names, each factor's in an order shuffled by a hash of round and comment.
fn comments(input: &Input<'_>) -> Vec<FactorComments> {
    let mut sorted: Vec<&CommentRow> = input
        .comments
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .collect();
    sorted.sort_by_key(|c| {
        let key = [input.round, c.respondent, c.factor.unwrap_or(-1)];
        (stable_hash(&key), key)
    });
    let mut out = Vec::new();
    for f in input.factors {
        let texts: Vec<String> = sorted
            .iter()
            .filter(|c| c.factor == Some(f.id))
            .map(|c| c.text.trim().to_string())
            .collect();
        if !texts.is_empty() {
            out.push(FactorComments {
                factor_id: Some(f.id),
                name: f.name.clone(),
                comments: texts,
            });
        }
    }
    let known: BTreeSet<i64> = input.factors.iter().map(|f| f.id).collect();
    let general: Vec<String> = sorted
        .iter()
        .filter(|c| c.factor.is_none_or(|f| !known.contains(&f)))
        .map(|c| c.text.trim().to_string())
        .collect();
    if !general.is_empty() {
        out.push(FactorComments {
            factor_id: None,
            name: "General".to_string(),
            comments: general,
        });
    }
    out
}

#[cfg(test)]
mod tests;
