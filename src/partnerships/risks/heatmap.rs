//! The 5 × 5 heat map, laid out on the server and drawn as inline SVG by the
//! register template. The Content-Security-Policy forbids inline styles, so
//! colours are SVG presentation attributes. Cell text is the stylesheet's
//! text colour (`.concord-chart text`), so every band colour must keep
//! contrast with it, and with the white page around the grid.

use super::model::{rag, IMPACT_LABELS, LIKELIHOOD_LABELS};

/// Fill for each band: dark text on them passes 4.5:1 and each stands out
/// 3:1 from white (checked by a test below).
pub const GREEN: &str = "#4a9e5c";
pub const AMBER: &str = "#c28500";
pub const RED: &str = "#e0685a";
/// GOV.UK text colour, which `.concord-chart text` uses.
pub const TEXT: &str = "#0b0c0c";

pub fn band_fill(score: i32) -> &'static str {
    match rag(score) {
        "green" => GREEN,
        "amber" => AMBER,
        _ => RED,
    }
}

const LEFT: i32 = 150;
const TOP: i32 = 10;
const CELL_W: i32 = 76;
const CELL_H: i32 = 50;
pub const WIDTH: i32 = LEFT + 5 * CELL_W + 10;
pub const HEIGHT: i32 = TOP + 5 * CELL_H + 70;

pub struct Cell {
    pub likelihood: i32,
    pub impact: i32,
    pub count: i64,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
    pub fill: &'static str,
    pub text_x: i32,
    pub text_y: i32,
}

/// An axis tick: where its number and label sit.
pub struct Tick {
    pub n: i32,
    pub label: &'static str,
    pub x: i32,
    pub y: i32,
}

pub struct HeatMap {
    pub cells: Vec<Cell>,
    /// Likelihood down the left, 5 at the top.
    pub rows: Vec<Tick>,
    /// Impact along the bottom, 1 on the left.
    pub columns: Vec<Tick>,
    /// `counts[l - 1][i - 1]`, for the table version.
    pub counts: [[i64; 5]; 5],
    pub width: i32,
    pub height: i32,
    /// Where the axis titles sit.
    pub impact_title: (i32, i32),
    pub likelihood_title: (i32, i32),
    pub total: i64,
    pub red: i64,
    pub amber: i64,
    pub green: i64,
}

impl HeatMap {
    pub fn new(counts: [[i64; 5]; 5]) -> HeatMap {
        let mut cells = Vec::new();
        let (mut red, mut amber, mut green) = (0, 0, 0);
        for l in (1..=5).rev() {
            for i in 1..=5 {
                let count = counts[(l - 1) as usize][(i - 1) as usize];
                match rag(l * i) {
                    "green" => green += count,
                    "amber" => amber += count,
                    _ => red += count,
                }
                let (x, y) = (LEFT + (i - 1) * CELL_W, TOP + (5 - l) * CELL_H);
                cells.push(Cell {
                    likelihood: l,
                    impact: i,
                    count,
                    x,
                    y,
                    w: CELL_W,
                    h: CELL_H,
                    fill: band_fill(l * i),
                    text_x: x + CELL_W / 2,
                    text_y: y + CELL_H / 2 + 6,
                });
            }
        }
        let rows = (1..=5)
            .rev()
            .map(|l| Tick {
                n: l,
                label: LIKELIHOOD_LABELS[(l - 1) as usize],
                x: LEFT - 8,
                y: TOP + (5 - l) * CELL_H + CELL_H / 2 + 5,
            })
            .collect();
        let columns = (1..=5)
            .map(|i| Tick {
                n: i,
                label: IMPACT_LABELS[(i - 1) as usize],
                x: LEFT + (i - 1) * CELL_W + CELL_W / 2,
                y: TOP + 5 * CELL_H + 20,
            })
            .collect();
        HeatMap {
            cells,
            rows,
            columns,
            counts,
            width: WIDTH,
            height: HEIGHT,
            impact_title: (LEFT + 5 * CELL_W / 2, TOP + 5 * CELL_H + 62),
            likelihood_title: (16, TOP + 5 * CELL_H / 2),
            total: red + amber + green,
            red,
            amber,
            green,
        }
    }

    /// The table version's rows: likelihood 5 down to 1, with counts by impact 1 to 5.
    pub fn table_rows(&self) -> Vec<(String, Vec<i64>)> {
        (1..=5)
            .rev()
            .map(|l: usize| {
                (
                    super::model::likelihood_label(l as i32),
                    self.counts[l - 1].to_vec(),
                )
            })
            .collect()
    }

    pub fn impact_headers(&self) -> Vec<String> {
        (1..=5).map(super::model::impact_label).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn band_colours_keep_contrast() {
        for fill in [GREEN, AMBER, RED] {
            assert!(
                contrast(fill, TEXT) >= 4.5,
                "{fill} with text: {}",
                contrast(fill, TEXT)
            );
            assert!(
                contrast(fill, "#ffffff") >= 3.0,
                "{fill} against the page: {}",
                contrast(fill, "#ffffff")
            );
        }
        assert_eq!(
            (band_fill(4), band_fill(5), band_fill(12), band_fill(15)),
            (GREEN, AMBER, AMBER, RED)
        );
    }

    #[test]
    fn cells_are_laid_out_with_likelihood_up_and_impact_across() {
        let mut counts = [[0; 5]; 5];
        counts[3][4] = 2; // likelihood 4, impact 5
        counts[0][0] = 1;
        let map = HeatMap::new(counts);
        assert_eq!(map.cells.len(), 25);
        let top_left = &map.cells[0];
        assert_eq!(
            (top_left.likelihood, top_left.impact, top_left.x, top_left.y),
            (5, 1, LEFT, TOP)
        );
        let cell = map
            .cells
            .iter()
            .find(|c| c.likelihood == 4 && c.impact == 5)
            .unwrap();
        assert_eq!(
            (cell.count, cell.fill, cell.x, cell.y),
            (2, RED, LEFT + 4 * CELL_W, TOP + CELL_H)
        );
        assert_eq!((map.total, map.red, map.green), (3, 2, 1));
        assert!(map
            .cells
            .iter()
            .all(|c| c.x + c.w <= map.width && c.y + c.h <= map.height));
        assert_eq!(
            map.table_rows()[1],
            ("4 – Likely".to_string(), vec![0, 0, 0, 0, 2])
        );
    }
}
