//! How far apart two councils are, for the `distance` reason of a match.
//! Compiled in from two mySociety files in `data/` (reference data that
//! changes with boundary reforms, i.e. with a release):
//!
//! - `geographic_distance_map.csv` (la_distance): each council's nearest
//!   councils, ranked (`position`). Its `distance` column is not in km: it is
//!   the distance between centroids with easting and northing each divided by
//!   its spread across councils (about 113 km and 166 km; fitted against the
//!   centroids below, median error 1.6 %), so it ranks but cannot be said in
//!   miles. We use it for "one of X's nearest councils".
//! - `uk_local_authorities.csv` (the register Concord already ships): each
//!   council's centroid as latitude and longitude, from which the distance in
//!   km is a great-circle distance. Latitude and longitude, not the file's
//!   x/y, because Northern Ireland's x/y are on the Irish grid.
//!
//! Distance is only ever shown: matching never requires nearness.

use std::collections::HashMap;
use std::sync::OnceLock;

const REGISTER: &str = include_str!("../../data/uk_local_authorities.csv");
const NEAREST: &str = include_str!("../../data/geographic_distance_map.csv");

struct Places {
    centroid: HashMap<String, (f64, f64)>,
    /// (a, b) → b's position among a's nearest councils (1 = nearest).
    nearest: HashMap<(String, String), u32>,
}

fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut centroid = HashMap::new();
        let mut reader = csv::Reader::from_reader(REGISTER.as_bytes());
        let headers = reader.headers().cloned().unwrap_or_default();
        let col = |name: &str| headers.iter().position(|h| h == name);
        if let (Some(c), Some(lat), Some(long)) =
            (col("local-authority-code"), col("lat"), col("long"))
        {
            for row in reader.records().flatten() {
                let parsed = (
                    row.get(lat).and_then(|v| v.parse::<f64>().ok()),
                    row.get(long).and_then(|v| v.parse::<f64>().ok()),
                );
                if let (Some(code), (Some(lat), Some(long))) = (row.get(c), parsed) {
                    centroid.insert(code.to_string(), (lat, long));
                }
            }
        }
        let mut nearest = HashMap::new();
        let mut reader = csv::Reader::from_reader(NEAREST.as_bytes());
        for row in reader.records().flatten() {
            let position = row.get(4).and_then(|p| p.parse::<f64>().ok());
            if let (Some(a), Some(b), Some(p)) = (row.get(0), row.get(1), position) {
                nearest.insert((a.to_string(), b.to_string()), p as u32);
            }
        }
        Places { centroid, nearest }
    })
}

/// Great-circle distance between two councils' centroids in km, if both are
/// in the register (partner organisations added by admins are not).
pub fn km_between(a: &str, b: &str) -> Option<f64> {
    let p = places();
    let (&(lat1, lon1), &(lat2, lon2)) = (p.centroid.get(a)?, p.centroid.get(b)?);
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let dphi = (lat2 - lat1).to_radians();
    let dlambda = (lon2 - lon1).to_radians();
    let h = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    Some(2.0 * 6371.0 * h.sqrt().asin())
}

/// `b`'s position among `a`'s nearest councils in mySociety's map, if listed.
pub fn nearest_position(a: &str, b: &str) -> Option<u32> {
    places()
        .nearest
        .get(&(a.to_string(), b.to_string()))
        .copied()
}

/// "About 120 km (75 miles) away", rounded to what a centroid distance can say.
pub fn describe(a: &str, b: &str, b_name: &str, a_name: &str) -> Option<String> {
    let km = km_between(a, b)?;
    let round = |x: f64| -> i64 {
        let step = if x < 20.0 {
            1.0
        } else if x < 100.0 {
            5.0
        } else {
            10.0
        };
        ((x / step).round() * step).max(1.0) as i64
    };
    let mut text = format!(
        "About {} km ({} miles) away",
        round(km),
        round(km / 1.609_344)
    );
    if let Some(p) = nearest_position(a, b).filter(|p| *p <= 10) {
        text.push_str(&format!(
            "; {b_name} is among {a_name}'s {} nearest councils",
            if p <= 5 { "5" } else { "10" }
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_from_the_register() {
        // Birmingham to Solihull are neighbours; Cornwall to Leeds is far.
        let near = km_between("BIR", "SOL").unwrap();
        let far = km_between("CON", "LDS").unwrap();
        assert!(near < 20.0, "{near}");
        assert!((400.0..500.0).contains(&far), "{far}");
        assert_eq!(nearest_position("BIR", "SOL"), Some(4));
        assert!(describe("BIR", "SOL", "Solihull", "Birmingham")
            .unwrap()
            .contains("nearest"));
        assert_eq!(km_between("BIR", "NOPE"), None);
    }
}
