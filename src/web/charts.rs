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

/// A horizontal bar chart. `id` must be unique on the page.
pub fn bar_chart(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    const LABEL_WIDTH: i64 = 220;
    const BAR_AREA: i64 = 360;
    const ROW: i64 = 28;
    let height = (bars.len() as i64).max(1) * ROW + 10;
    let width = LABEL_WIDTH + BAR_AREA + 120;
    let max = i128::from(bars.iter().map(|b| b.value).max().unwrap_or(0).max(1));
    let mut svg = format!(
        r##"<svg class="concord-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = i as i64 * ROW + 5;
        // In 128 bits: a bar's value times the drawing width must not overflow.
        let length = if bar.value <= 0 {
            0
        } else {
            i64::try_from(i128::from(bar.value) * i128::from(BAR_AREA) / max)
                .unwrap_or(BAR_AREA)
                .max(2)
        };
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{}" fill="#1d70b8"></rect><text x="{}" y="{}">{}</text>"##,
            LABEL_WIDTH - 8,
            y + 16,
            escape(&bar.label),
            ROW - 8,
            LABEL_WIDTH + length + 6,
            y + 16,
            escape(&bar.value_label)
        ));
    }
    if bars.is_empty() {
        svg.push_str(r##"<text x="8" y="20">No data yet</text>"##);
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
        let svg = bar_chart("c1", "By type", "Partnerships by type", &bars);
        assert!(svg.contains(r#"role="img" aria-labelledby="c1-title" aria-describedby="c1-desc""#));
        assert!(svg.contains("Shared &lt;service&gt;"));
        assert!(
            svg.contains(r#"width="360" height="20""#),
            "largest bar fills the area"
        );
        assert!(
            svg.contains(r#"width="180" height="20""#),
            "half value, half length"
        );
        assert!(!svg.contains("style="));
        assert!(bar_chart("c2", "t", "d", &[]).contains("No data yet"));
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
        let svg = bar_chart("c3", "t", "d", &huge);
        assert!(
            svg.contains(r#"width="360" height="20""#)
                && svg.contains(r#"width="179" height="20""#)
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
}
