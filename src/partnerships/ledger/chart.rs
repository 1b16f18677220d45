//! A bar chart of realised costs and savings by financial year, drawn on the
//! server as SVG so it needs no JavaScript. The Content Security Policy
//! forbids inline styles, so it uses presentation attributes only; the
//! `.concord-chart` class sizes it and sets the font. The page gives the same
//! figures in a table, as the chart's text alternative.

use std::fmt::Write;

use crate::money;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 620.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 250.0;
/// GOV.UK red and blue: told apart by most colour-blind people, and both at
/// least 3:1 against white.
const COST_COLOUR: &str = "#d4351c";
const SAVING_COLOUR: &str = "#1d70b8";

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

/// The chart for (financial year, realised costs, realised savings) rows, or
/// None when there is nothing to draw.
pub fn svg(rows: &[(i32, i64, i64)]) -> Option<String> {
    let max = rows.iter().map(|(_, c, s)| (*c).max(*s)).max().unwrap_or(0);
    if rows.is_empty() || max <= 0 {
        return None;
    }
    let step = nice_step(max);
    let steps = max.saturating_add(step - 1) / step;
    let top_value = (step * steps) as f64;
    let y_of = |v: i64| BOTTOM - (v as f64 / top_value) * (BOTTOM - TOP);
    let (first, last) = (
        money::financial_year_label(rows[0].0),
        money::financial_year_label(rows[rows.len() - 1].0),
    );
    let span = if first == last {
        first.clone()
    } else {
        format!("{first} to {last}")
    };

    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="concord-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="ledger-chart-title" aria-describedby="ledger-chart-desc" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><title id="ledger-chart-title">Realised costs and cashable savings by financial year</title><desc id="ledger-chart-desc">Bar chart of realised costs (red) and realised cashable savings (blue) for each financial year, {}. The table after the chart gives the same figures.</desc>"##,
        escape(&span)
    );
    // Legend.
    let _ = write!(
        s,
        r##"<rect x="{LEFT}" y="12" width="14" height="14" fill="{COST_COLOUR}"/><text x="{}" y="24">Realised costs</text><rect x="{}" y="12" width="14" height="14" fill="{SAVING_COLOUR}"/><text x="{}" y="24">Realised cashable savings</text>"##,
        LEFT + 20.0,
        LEFT + 150.0,
        LEFT + 170.0
    );
    // Value axis: gridlines and labels.
    for i in 0..=steps {
        let y = y_of(step * i);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT - 8.0,
            y + 5.0,
            escape(&short_pounds(step * i))
        );
    }
    let mid = (TOP + BOTTOM) / 2.0;
    let _ = write!(
        s,
        r##"<text x="18" y="{mid:.1}" text-anchor="middle" transform="rotate(-90 18 {mid:.1})">Amount (£)</text>"##
    );
    // Bars, two to a year.
    let group = (RIGHT - LEFT) / rows.len() as f64;
    let bar = (group * 0.35).min(60.0);
    for (i, (fy, costs, savings)) in rows.iter().enumerate() {
        let centre = LEFT + group * (i as f64 + 0.5);
        let label = money::financial_year_label(*fy);
        for (x, value, colour, what) in [
            (centre - bar - 2.0, *costs, COST_COLOUR, "realised costs"),
            (
                centre + 2.0,
                *savings,
                SAVING_COLOUR,
                "realised cashable savings",
            ),
        ] {
            let y = y_of(value);
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{:.1}" fill="{colour}"><title>{}: {what} {}</title></rect>"##,
                BOTTOM - y,
                escape(&label),
                escape(&money::pounds(value))
            );
        }
        let _ = write!(
            s,
            r##"<text x="{centre:.1}" y="{}" text-anchor="middle">{}</text>"##,
            BOTTOM + 22.0,
            escape(&label)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}" stroke="#0b0c0c" stroke-width="2"/>"##
    );
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{}" text-anchor="middle">Financial year</text></svg>"##,
        (LEFT + RIGHT) / 2.0,
        HEIGHT - 20.0
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

    #[test]
    fn draws_two_bars_a_year_with_accessible_names_and_no_inline_styles() {
        assert_eq!(svg(&[]), None);
        assert_eq!(
            svg(&[(2025, 0, 0)]),
            None,
            "nothing realised, nothing to draw"
        );
        let chart = svg(&[
            (2024, 10_000_00, 4_000_00),
            (2025, 0, 0),
            (2026, 100, 7_500_50),
        ])
        .unwrap();
        assert!(chart.starts_with("<svg class=\"concord-chart\"") && chart.ends_with("</svg>"));
        assert!(
            chart.contains("role=\"img\"")
                && chart.contains("<title id=\"ledger-chart-title\">")
                && chart.contains("2024/25 to 2026/27")
        );
        assert!(!chart.contains("style"), "the CSP forbids inline styles");
        assert_eq!(
            chart.matches("<rect").count(),
            2 + 6,
            "legend and two bars a year"
        );
        assert!(chart.contains("<title>2026/27: realised cashable savings £7,500.50</title>"));
        assert!(
            chart.contains(">£10k</text>"),
            "the axis reaches the largest bar"
        );
        assert!(chart.contains(">Financial year</text>") && chart.contains(">Amount (£)</text>"));
    }
}
