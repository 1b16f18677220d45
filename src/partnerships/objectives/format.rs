//! Numbers on the objectives pages, written for people.

/// 45.6 -> "46%".
pub fn percent_label(p: impl std::borrow::Borrow<f64>) -> String {
    format!("{}%", p.borrow().round() as i64)
}

/// "1,250.5" for people: thousands separators, no needless decimals.
pub fn number_label(v: f64) -> String {
    let text = format!("{v}");
    let (sign, rest) = text
        .strip_prefix('-')
        .map(|r| ("-", r))
        .unwrap_or(("", text.as_str()));
    let (whole, frac) = rest
        .split_once('.')
        .map(|(w, f)| (w, Some(f)))
        .unwrap_or((rest, None));
    let whole = crate::money::thousands(whole.parse::<i64>().unwrap_or(0));
    match frac {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{sign}{whole}"),
    }
}

/// A value with its unit: "45%", "12 days".
pub fn with_unit(v: impl std::borrow::Borrow<f64>, unit: &str) -> String {
    let v = *v.borrow();
    match unit {
        "" => number_label(v),
        "%" => format!("{}%", number_label(v)),
        u => format!("{} {u}", number_label(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(number_label(1250.5), "1,250.5");
        assert_eq!(number_label(-1234567.0), "-1,234,567");
        assert_eq!(number_label(0.25), "0.25");
        assert_eq!(with_unit(45.0, "%"), "45%");
        assert_eq!(with_unit(12.0, "days"), "12 days");
        assert_eq!(with_unit(3.5, ""), "3.5");
    }
}
