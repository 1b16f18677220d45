//! Small server-drawn SVG charts. Each has a title and description for
//! screen readers, and pages show the same numbers in a table as well. No
//! inline styles (the Content Security Policy forbids them): colours are
//! presentation attributes.

/// One bar: its label, its value, and the value as people read it.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub value_label: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a bar chart says besides its bars: its title (shown at the top and
/// read by screen readers), a description for screen readers, what the bars
/// measure and in which unit ("Number of partnerships", "Savings (£)"),
/// and what to say when there is nothing to draw.
pub struct BarChart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub measure: &'a str,
    pub empty: &'a str,
}

/// Width of a bar chart's drawing: narrow enough that a 390 px phone shows
/// its text at least 14 px high (text is 19 px, `.concord-chart--bars`).
const BARS_WIDTH: i64 = 480;

/// A horizontal bar chart: a title at the top, each bar's label above it and
/// its value after it, and what the bars measure along the bottom. Empty, it
/// says so (`empty`) in large text. `id` must be unique on the page.
pub fn bar_chart(chart: &BarChart<'_>, bars: &[Bar]) -> String {
    const LEFT: i64 = 8;
    const BAR_AREA: i64 = 250;
    const TOP: i64 = 40;
    const ROW: i64 = 58;
    const FOOT: i64 = 44;
    let width = BARS_WIDTH;
    let rows = if bars.is_empty() {
        1
    } else {
        bars.len() as i64
    };
    let height = TOP + rows * ROW + FOOT;
    let max = i128::from(bars.iter().map(|b| b.value).max().unwrap_or(0).max(1));
    let id = chart.id;
    let mut svg = format!(
        r##"<svg class="concord-chart concord-chart--bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><text class="concord-chart__title" x="{LEFT}" y="24">{}</text>"##,
        escape(chart.title),
        escape(chart.description),
        escape(chart.title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + i as i64 * ROW;
        // In 128 bits: a bar's value times the drawing width must not overflow.
        let length = if bar.value <= 0 {
            0
        } else {
            i64::try_from(i128::from(bar.value) * i128::from(BAR_AREA) / max)
                .unwrap_or(BAR_AREA)
                .max(2)
        };
        svg.push_str(&format!(
            r##"<text x="{LEFT}" y="{}">{}</text><rect x="{LEFT}" y="{}" width="{length}" height="24" fill="#1d70b8"></rect><text x="{}" y="{}">{}</text>"##,
            y + 20,
            escape(&bar.label),
            y + 28,
            LEFT + length + 8,
            y + 47,
            escape(&bar.value_label)
        ));
    }
    let base = TOP + rows * ROW;
    if bars.is_empty() {
        svg.push_str(&format!(
            r##"<text class="concord-chart__empty" x="{LEFT}" y="{}">{}</text>"##,
            TOP + 34,
            escape(chart.empty)
        ));
    } else {
        // The scale's baseline, and what the bars measure.
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" stroke="#0b0c0c" stroke-width="2"></line><text x="{LEFT}" y="{}">{}</text>"##,
            LEFT + BAR_AREA,
            base + 30,
            escape(&format!("{} →", chart.measure))
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A grid of counts, shaded by size: rows down the side, columns along the
/// top with their labels slanted. `id` must be unique on the page; `cells`
/// holds one row of counts per row label, one count per column.
pub fn heat_grid(
    id: &str,
    title: &str,
    description: &str,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<i64>],
) -> String {
    const LABEL_WIDTH: i64 = 200;
    const CELL: i64 = 40;
    const HEAD: i64 = 150;
    let width = LABEL_WIDTH + CELL * (columns.len() as i64).max(1) + HEAD;
    let height = HEAD + CELL * (rows.len() as i64).max(1) + 10;
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut svg = format!(
        r##"<svg class="concord-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(title),
        escape(description)
    );
    for (c, label) in columns.iter().enumerate() {
        let x = LABEL_WIDTH + c as i64 * CELL + CELL / 2;
        let short: String = label.chars().take(30).collect();
        svg.push_str(&format!(
            r##"<text x="{x}" y="{}" transform="rotate(-45 {x} {})">{}</text>"##,
            HEAD - 8,
            HEAD - 8,
            escape(&short)
        ));
    }
    for (r, label) in rows.iter().enumerate() {
        let y = HEAD + r as i64 * CELL;
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end">{}</text>"##,
            LABEL_WIDTH - 8,
            y + CELL / 2 + 5,
            escape(label)
        ));
        for (c, count) in cells.get(r).into_iter().flatten().enumerate() {
            // Shades of blue no darker than black text can be read on.
            let shade = if *count == 0 {
                0
            } else {
                1 + (count * 3 / max)
            };
            let fill = match shade {
                0 => "#f3f2f1",
                1 => "#d2e2f1",
                2 => "#a5c5e3",
                3 => "#79a8d5",
                _ => "#5694ca",
            };
            let x = LABEL_WIDTH + c as i64 * CELL;
            svg.push_str(&format!(
                r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="{fill}" stroke="#ffffff"></rect><text x="{}" y="{}" text-anchor="middle">{count}</text>"##,
                CELL - 2,
                CELL - 2,
                x + CELL / 2 - 1,
                y + CELL / 2 + 5,
            ));
        }
    }
    if rows.is_empty() {
        svg.push_str(&format!(
            r##"<text x="8" y="{}">No data yet</text>"##,
            HEAD + 20
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One line of a [`profile`]: a label and one value per category (`None`
/// where there is none: the line breaks there).
pub struct Series {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// Colours and dash patterns told apart without colour as well.
const LINE_STYLES: [(&str, &str); 8] = [
    ("#1d70b8", ""),
    ("#d4351c", "8 4"),
    ("#00703c", "2 3"),
    ("#4c2c92", "10 3 2 3"),
    ("#b58840", "4 4"),
    ("#28a197", "12 2"),
    ("#912b88", "2 6"),
    ("#0b0c0c", "6 2 2 2"),
];

/// A profile: categories along the bottom, a scale from `min` to `max` up
/// the side, one line per series with a legend. `id` must be unique on the page.
pub fn profile(
    id: &str,
    title: &str,
    description: &str,
    categories: &[String],
    series: &[Series],
    (min, max): (f64, f64),
) -> String {
    const LEFT: i64 = 50;
    const STEP: i64 = 64;
    const TOP: i64 = 20;
    const PLOT: i64 = 220;
    const BOTTOM: i64 = 150;
    const LEGEND_ROW: i64 = 22;
    let plot_width = STEP * (categories.len() as i64).max(1);
    let width = LEFT + plot_width + 40;
    let legend_top = TOP + PLOT + BOTTOM;
    let height = legend_top + LEGEND_ROW * (series.len() as i64).max(1) + 10;
    let span = if max > min { max - min } else { 1.0 };
    let y_of = |v: f64| TOP + ((max - v.clamp(min, max)) / span * PLOT as f64).round() as i64;
    let x_of = |i: usize| LEFT + i as i64 * STEP + STEP / 2;
    let mut svg = format!(
        r##"<svg class="concord-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(title),
        escape(description)
    );
    // Gridlines at each whole value of the scale.
    let mut v = min.ceil();
    while v <= max {
        let y = y_of(v);
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="#b1b4b6" stroke-width="1"></line><text x="{}" y="{}" text-anchor="end">{v}</text>"##,
            LEFT + plot_width,
            LEFT - 8,
            y + 5
        ));
        v += 1.0;
    }
    for (i, label) in categories.iter().enumerate() {
        let x = x_of(i);
        let y = TOP + PLOT + 16;
        let short: String = label.chars().take(28).collect();
        svg.push_str(&format!(
            r##"<text x="{x}" y="{y}" text-anchor="end" transform="rotate(-45 {x} {y})">{}</text>"##,
            escape(&short)
        ));
    }
    for (n, line) in series.iter().enumerate() {
        let (colour, dash) = LINE_STYLES[n % LINE_STYLES.len()];
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        // Each unbroken run of values is one polyline.
        let mut runs: Vec<Vec<(i64, i64)>> = vec![Vec::new()];
        for (i, value) in line.values.iter().enumerate() {
            match value {
                Some(v) => runs.last_mut().map_or((), |r| r.push((x_of(i), y_of(*v)))),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let points: Vec<String> = run.iter().map(|(x, y)| format!("{x},{y}")).collect();
            svg.push_str(&format!(
                r##"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="3"{dash}></polyline>"##,
                points.join(" ")
            ));
            for (x, y) in run {
                svg.push_str(&format!(
                    r##"<circle cx="{x}" cy="{y}" r="4" fill="{colour}"></circle>"##
                ));
            }
        }
        let y = legend_top + n as i64 * LEGEND_ROW;
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="3"{dash}></line><text x="{}" y="{}">{}</text>"##,
            y + 10,
            LEFT + 40,
            y + 10,
            LEFT + 48,
            y + 15,
            escape(&line.label)
        ));
    }
    if series.is_empty() || categories.is_empty() {
        svg.push_str(&format!(
            r##"<text x="{LEFT}" y="{}">No data yet</text>"##,
            TOP + 20
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A grid of scores on a 1–5 scale, shaded from orange (low) through grey
/// (middle) to blue (high), each cell showing its score to two decimals or
/// "–" when there is none. `id` must be unique on the page.
pub fn score_grid(
    id: &str,
    title: &str,
    description: &str,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Option<f64>>],
) -> String {
    const LABEL_WIDTH: i64 = 200;
    const CELL: i64 = 52;
    const HEAD: i64 = 150;
    let width = LABEL_WIDTH + CELL * (columns.len() as i64).max(1) + HEAD;
    let height = HEAD + CELL * (rows.len() as i64).max(1) + 10;
    let mut svg = format!(
        r##"<svg class="concord-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(title),
        escape(description)
    );
    for (c, label) in columns.iter().enumerate() {
        let x = LABEL_WIDTH + c as i64 * CELL + CELL / 2;
        let short: String = label.chars().take(30).collect();
        svg.push_str(&format!(
            r##"<text x="{x}" y="{}" transform="rotate(-45 {x} {})">{}</text>"##,
            HEAD - 8,
            HEAD - 8,
            escape(&short)
        ));
    }
    for (r, label) in rows.iter().enumerate() {
        let y = HEAD + r as i64 * CELL;
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end">{}</text>"##,
            LABEL_WIDTH - 8,
            y + CELL / 2 + 5,
            escape(label)
        ));
        for (c, score) in cells.get(r).into_iter().flatten().enumerate() {
            // Light shades only, so black text stays readable on each.
            let fill = match score {
                None => "#ffffff",
                Some(s) if *s < 2.0 => "#f9c1a7",
                Some(s) if *s < 2.75 => "#fbdccd",
                Some(s) if *s < 3.5 => "#f3f2f1",
                Some(s) if *s < 4.25 => "#d2e2f1",
                Some(_) => "#a5c5e3",
            };
            let text = score.map_or_else(|| "–".to_string(), |s| format!("{s:.2}"));
            let x = LABEL_WIDTH + c as i64 * CELL;
            svg.push_str(&format!(
                r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="{fill}" stroke="#505a5f" stroke-width="1"></rect><text x="{}" y="{}" text-anchor="middle">{text}</text>"##,
                CELL - 2,
                CELL - 2,
                x + CELL / 2 - 1,
                y + CELL / 2 + 5,
            ));
        }
    }
    if rows.is_empty() {
        svg.push_str(&format!(
            r##"<text x="8" y="{}">No data yet</text>"##,
            HEAD + 20
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_text_is_escaped() {
        let bars = vec![
            Bar {
                label: "Shared <service>".into(),
                value: 10,
                value_label: "10".into(),
            },
            Bar {
                label: "Network".into(),
                value: 5,
                value_label: "5".into(),
            },
        ];
        let chart = |id| BarChart {
            id,
            title: "Partnerships by type",
            description: "How many of each type",
            measure: "Number of partnerships",
            empty: "No partnerships yet",
        };
        let svg = bar_chart(&chart("c1"), &bars);
        assert!(svg.contains(r#"role="img" aria-labelledby="c1-title" aria-describedby="c1-desc""#));
        assert!(svg.contains("Shared &lt;service&gt;"));
        assert!(
            svg.contains(r#"width="250" height="24""#),
            "largest bar fills the area"
        );
        assert!(
            svg.contains(r#"width="125" height="24""#),
            "half value, half length"
        );
        assert!(!svg.contains("style="));
        let huge = vec![
            Bar {
                label: "a".into(),
                value: i64::MAX,
                value_label: "max".into(),
            },
            Bar {
                label: "b".into(),
                value: i64::MAX / 2,
                value_label: "half".into(),
            },
        ];
        let svg = bar_chart(&chart("c3"), &huge);
        assert!(
            svg.contains(r#"width="250" height="24""#)
                && svg.contains(r#"width="124" height="24""#)
        );
    }

    #[test]
    fn a_bar_chart_has_a_title_a_measure_and_says_when_it_is_empty() {
        let chart = BarChart {
            id: "s",
            title: "Realised cashable savings by financial year",
            description: "d",
            measure: "Savings (£)",
            empty: "No realised savings recorded yet",
        };
        let bars = [Bar {
            label: "2025/26".into(),
            value: 1,
            value_label: "£1".into(),
        }];
        let svg = bar_chart(&chart, &bars);
        assert!(svg.contains(
            r#"<text class="concord-chart__title" x="8" y="24">Realised cashable savings by financial year</text>"#
        ));
        assert!(
            svg.contains(">Savings (£) →</text>"),
            "what the bars measure, with its unit"
        );
        let empty = bar_chart(&chart, &[]);
        assert!(empty.contains(
            r#"<text class="concord-chart__empty" x="8" y="74">No realised savings recorded yet</text>"#
        ));
        assert!(!empty.contains("<rect"));
        // Its text is 19 px in a 480-wide drawing: at 390 px wide (360 px
        // of content) it is still over 14 px; at 1280 px it is drawn full size.
        assert!(svg.contains(r#"class="concord-chart concord-chart--bars""#));
        assert!(svg.contains(r#"viewBox="0 0 480 "#));
        let css = include_str!("../../assets/src/concord.scss");
        let rule = css
            .split(".concord-chart--bars text {")
            .nth(1)
            .expect("a rule for bar charts' text")
            .split('}')
            .next()
            .unwrap();
        let px: f64 = rule
            .split("font-size:")
            .nth(1)
            .and_then(|v| v.trim().split("px").next())
            .and_then(|v| v.trim().parse().ok())
            .expect("a font size in px");
        assert!(
            px * 360.0 / BARS_WIDTH as f64 >= 14.0,
            "{px}px scaled to a phone"
        );
    }

    #[test]
    fn heat_grid_shades_by_count_and_escapes_labels() {
        let svg = heat_grid(
            "g",
            "Needs",
            "By region",
            &["North <East>".into(), "Wales".into()],
            &["Bins".into(), "Lights".into()],
            &[vec![0, 8], vec![2, 1]],
        );
        assert!(svg.contains("North &lt;East&gt;"));
        assert!(svg.contains(r##"fill="#f3f2f1""##), "an empty cell is grey");
        assert!(
            svg.contains(r##"fill="#5694ca""##),
            "the largest is darkest"
        );
        assert_eq!(svg.matches("<rect").count(), 4);
    }

    #[test]
    fn profile_draws_a_line_per_series_and_breaks_at_gaps() {
        let svg = profile(
            "p",
            "Profile",
            "Scores by factor",
            &["Trust".into(), "Delivery".into(), "Risk".into()],
            &[
                Series {
                    label: "Birmingham <BIR>".into(),
                    values: vec![Some(5.0), Some(1.0), Some(3.0)],
                },
                Series {
                    label: "Leeds".into(),
                    values: vec![Some(2.0), None, Some(4.0)],
                },
            ],
            (1.0, 5.0),
        );
        assert!(svg.contains("Birmingham &lt;BIR&gt;"));
        // Birmingham: one polyline; Leeds: broken into two single points.
        assert_eq!(svg.matches("<polyline").count(), 3);
        // 5.0 is the top of the plot (y 20), 1.0 its bottom (y 240).
        assert!(svg.contains(r#"points="82,20 146,240 210,130""#));
        assert!(!svg.contains("style="));
        assert!(profile("q", "t", "d", &[], &[], (1.0, 5.0)).contains("No data yet"));
    }

    #[test]
    fn score_grid_shows_scores_and_dashes() {
        let svg = score_grid(
            "s",
            "Heat map",
            "Partner by factor",
            &["Leeds".into()],
            &["Trust".into(), "Risk".into()],
            &[vec![Some(4.6), None]],
        );
        assert!(svg.contains(">4.60</text>"));
        assert!(svg.contains(">–</text>"));
        assert!(svg.contains(r##"fill="#a5c5e3""##));
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
