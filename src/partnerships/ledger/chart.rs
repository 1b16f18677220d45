//! A bar chart of realised costs and savings by financial year, drawn on the
//! server as SVG so it needs no JavaScript. The Content Security Policy
//! forbids inline styles, so it uses presentation attributes only; the
//! `.concord-chart` class sizes it and sets the font. The page gives the same
//! figures in a table, as the chart's text alternative.

use std::fmt::Write;

use crate::money;

const WIDTH: f64 = 480.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 470.0;
const TOP: f64 = 130.0;
const BOTTOM: f64 = 330.0;
/// GOV.UK red and blue: told apart by most colour-blind people, and both at
/// least 3:1 against white. Expected savings are an outline of the blue, so
/// they are told from realised ones without colour.
const COST_COLOUR: &str = "#d4351c";
const SAVING_COLOUR: &str = "#1d70b8";

/// One financial year's figures, in pence.
#[derive(Clone, Debug, PartialEq)]
pub struct Year {
    pub financial_year: i32,
    pub realised_costs: i64,
    pub expected_savings: i64,
    pub realised_savings: i64,
}

/// Every financial year from the first to the last with realised costs,
/// expected or realised cashable savings.
pub fn years(t: &crate::partnerships::ledger::model::LedgerTotals) -> Vec<Year> {
    let of = |y: &crate::partnerships::ledger::model::YearTotals| Year {
        financial_year: y.financial_year,
        realised_costs: y.totals.realised_costs_pence,
        expected_savings: y.totals.expected_savings_pence,
        realised_savings: y.totals.realised_savings_pence,
    };
    let with_money: Vec<Year> = t
        .years
        .iter()
        .map(of)
        .filter(|y| y.realised_costs > 0 || y.expected_savings > 0 || y.realised_savings > 0)
        .collect();
    let (Some(first), Some(last)) = (with_money.first(), with_money.last()) else {
        return Vec::new();
    };
    (first.financial_year..=last.financial_year)
        .map(|fy| {
            with_money
                .iter()
                .find(|y| y.financial_year == fy)
                .cloned()
                .unwrap_or(Year {
                    financial_year: fy,
                    realised_costs: 0,
                    expected_savings: 0,
                    realised_savings: 0,
                })
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round step for the value axis, in pence: 1, 2 or 5 times a power of ten
/// pounds, giving at most four steps up to `max`.
pub fn nice_step(max: i64) -> i64 {
    let raw = max.max(1).saturating_add(3) / 4;
    let mut power: i64 = 100;
    loop {
        for m in [1, 2, 5] {
            let step = power.saturating_mul(m);
            if step >= raw {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// Short axis labels: £500, £2.5k, £40k, £1.2m.
pub fn short_pounds(pence: i64) -> String {
    let pounds = pence / 100;
    let trimmed = |whole: i64, tenths: i64, unit: &str| {
        if tenths == 0 {
            format!("£{whole}{unit}")
        } else {
            format!("£{whole}.{tenths}{unit}")
        }
    };
    if pounds >= 1_000_000 {
        trimmed(pounds / 1_000_000, pounds % 1_000_000 / 100_000, "m")
    } else if pounds >= 1_000 {
        trimmed(pounds / 1_000, pounds % 1_000 / 100, "k")
    } else {
        format!("£{pounds}")
    }
}

/// The chart: realised costs, and expected against realised cashable
/// savings, for each year; None when there is nothing to draw. Drawn 480
/// wide with 19 px text (`.concord-chart--bars`), so a phone shows it at
/// least 14 px high.
pub fn svg(rows: &[Year]) -> Option<String> {
    let max = rows
        .iter()
        .map(|y| {
            y.realised_costs
                .max(y.expected_savings)
                .max(y.realised_savings)
        })
        .max()
        .unwrap_or(0);
    if rows.is_empty() || max <= 0 {
        return None;
    }
    let step = nice_step(max);
    let steps = max.saturating_add(step - 1) / step;
    let top_value = (step * steps) as f64;
    let y_of = |v: i64| BOTTOM - (v as f64 / top_value) * (BOTTOM - TOP);
    let (first, last) = (
        money::financial_year_label(rows[0].financial_year),
        money::financial_year_label(rows[rows.len() - 1].financial_year),
    );
    let span = if first == last {
        first.clone()
    } else {
        format!("{first} to {last}")
    };
    // More than three years: year labels slant so they do not overlap.
    let slant = rows.len() > 3;
    let height = BOTTOM + if slant { 110.0 } else { 70.0 };

    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="concord-chart concord-chart--bars" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="ledger-chart-title" aria-describedby="ledger-chart-desc" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}"><title id="ledger-chart-title">Costs and cashable savings by financial year</title><desc id="ledger-chart-desc">Bar chart of realised costs (red), expected cashable savings (blue outline) and realised cashable savings (solid blue) for each financial year, {}, in pounds. The table after the chart gives the same figures.</desc><text class="concord-chart__title" x="8" y="24">Costs and cashable savings by financial year</text>"##,
        escape(&span)
    );
    // Legend, one to a line.
    for (i, (fill, stroke, what)) in [
        (COST_COLOUR, COST_COLOUR, "Realised costs"),
        ("#ffffff", SAVING_COLOUR, "Expected cashable savings"),
        (SAVING_COLOUR, SAVING_COLOUR, "Realised cashable savings"),
    ]
    .iter()
    .enumerate()
    {
        let y = 42.0 + 26.0 * i as f64;
        let _ = write!(
            s,
            r##"<rect x="9" y="{y}" width="16" height="16" fill="{fill}" stroke="{stroke}" stroke-width="2"/><text x="34" y="{}">{what}</text>"##,
            y + 15.0
        );
    }
    // Value axis: gridlines and labels.
    for i in 0..=steps {
        let y = y_of(step * i);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT - 8.0,
            y + 6.0,
            escape(&short_pounds(step * i))
        );
    }
    let mid = (TOP + BOTTOM) / 2.0;
    let _ = write!(
        s,
        r##"<text x="16" y="{mid:.1}" text-anchor="middle" transform="rotate(-90 16 {mid:.1})">Amount (£)</text>"##
    );
    // Bars, three to a year.
    let group = (RIGHT - LEFT) / rows.len() as f64;
    let bar = (group * 0.28).min(36.0);
    for (i, year) in rows.iter().enumerate() {
        let centre = LEFT + group * (i as f64 + 0.5);
        let label = money::financial_year_label(year.financial_year);
        for (n, (value, fill, what)) in [
            (year.realised_costs, COST_COLOUR, "realised costs"),
            (
                year.expected_savings,
                "#ffffff",
                "expected cashable savings",
            ),
            (
                year.realised_savings,
                SAVING_COLOUR,
                "realised cashable savings",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let x = centre + (n as f64 - 1.5) * bar;
            let y = y_of(value);
            let stroke = if n == 0 { COST_COLOUR } else { SAVING_COLOUR };
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="{stroke}" stroke-width="2"><title>{}: {what} {}</title></rect>"##,
                bar - 2.0,
                BOTTOM - y,
                escape(&label),
                escape(&money::pounds(value))
            );
        }
        if slant {
            let y = BOTTOM + 22.0;
            let _ = write!(
                s,
                r##"<text x="{centre:.1}" y="{y}" text-anchor="end" transform="rotate(-40 {centre:.1} {y})">{}</text>"##,
                escape(&label)
            );
        } else {
            let _ = write!(
                s,
                r##"<text x="{centre:.1}" y="{}" text-anchor="middle">{}</text>"##,
                BOTTOM + 26.0,
                escape(&label)
            );
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}" stroke="#0b0c0c" stroke-width="2"/>"##
    );
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{}" text-anchor="middle">Financial year</text></svg>"##,
        (LEFT + RIGHT) / 2.0,
        height - 12.0
    );
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(nice_step(1), 100, "at least £1");
        assert_eq!(nice_step(400_00), 100_00);
        assert_eq!(nice_step(401_00), 200_00);
        assert_eq!(nice_step(10_000_00), 5_000_00);
        assert_eq!(nice_step(3_000_000_00), 1_000_000_00);
        assert_eq!(short_pounds(0), "£0");
        assert_eq!(short_pounds(500_00), "£500");
        assert_eq!(short_pounds(2_500_00), "£2.5k");
        assert_eq!(short_pounds(40_000_00), "£40k");
        assert_eq!(short_pounds(1_200_000_00), "£1.2m");
    }

    fn year(financial_year: i32, costs: i64, expected: i64, realised: i64) -> Year {
        Year {
            financial_year,
            realised_costs: costs,
            expected_savings: expected,
            realised_savings: realised,
        }
    }

    #[test]
    fn draws_expected_against_realised_with_accessible_names_and_no_inline_styles() {
        assert_eq!(svg(&[]), None);
        assert_eq!(
            svg(&[year(2025, 0, 0, 0)]),
            None,
            "nothing recorded, nothing to draw"
        );
        let chart = svg(&[
            year(2024, 10_000_00, 5_000_00, 4_000_00),
            year(2025, 0, 0, 0),
            year(2026, 100, 0, 7_500_50),
        ])
        .unwrap();
        assert!(
            chart.starts_with("<svg class=\"concord-chart concord-chart--bars\"")
                && chart.ends_with("</svg>")
        );
        assert!(
            chart.contains("role=\"img\"")
                && chart.contains("<title id=\"ledger-chart-title\">")
                && chart.contains("2024/25 to 2026/27")
        );
        assert!(
            chart.contains(">Costs and cashable savings by financial year</text>"),
            "a visible title"
        );
        assert!(!chart.contains("style"), "the CSP forbids inline styles");
        assert_eq!(
            chart.matches("<rect").count(),
            3 + 9,
            "legend and three bars a year"
        );
        assert!(chart.contains("<title>2026/27: realised cashable savings £7,500.50</title>"));
        assert!(chart.contains("<title>2024/25: expected cashable savings £5,000</title>"));
        assert!(chart.contains(">Expected cashable savings</text>"));
        assert!(
            chart.contains(">£10k</text>"),
            "the axis reaches the largest bar"
        );
        assert!(chart.contains(">Financial year</text>") && chart.contains(">Amount (£)</text>"));
        assert!(
            chart.contains("viewBox=\"0 0 480 "),
            "drawn narrow enough for a phone"
        );
    }
}
