//! Money (integer pence), shares (basis points) and whole numbers: parsing
//! what people type and showing it back. No floating point touches an amount.

/// The largest amount one entry may hold: £10 billion. Bounding each amount
/// keeps every total Concord adds up far inside 64 bits.
pub const MAX_PENCE: i64 = 10_000_000_000_00;

/// What is said when an amount is over [`MAX_PENCE`].
pub const TOO_LARGE: &str = "The amount must be £10,000,000,000 or less";

/// "£1,234.50", "1234.5", "1234" -> 123450 pence. Negative amounts are refused.
pub fn parse_pounds(input: &str) -> Result<i64, String> {
    let cleaned: String = input
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Err("Enter an amount in pounds, like 12500 or 12,500.50".into());
    }
    let (whole, frac) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let digits_ok = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit());
    if !digits_ok || frac.len() > 2 {
        return Err(format!(
            "'{}' is not an amount in pounds; use numbers like 12500 or 12,500.50",
            input.trim()
        ));
    }
    let pounds: i64 = whole.parse().map_err(|_| TOO_LARGE.to_string())?;
    let pence: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    pounds
        .checked_mul(100)
        .and_then(|p| p.checked_add(pence))
        .filter(|p| *p <= MAX_PENCE)
        .ok_or_else(|| TOO_LARGE.to_string())
}

/// 123450 -> "£1,234.50"; whole pounds drop the pence: "£1,234".
pub fn pounds(pence: impl std::borrow::Borrow<i64>) -> String {
    let pence = *pence.borrow();
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    let whole = thousands((abs / 100) as i64);
    match abs % 100 {
        0 => format!("{sign}£{whole}"),
        p => format!("{sign}£{whole}.{p:02}"),
    }
}

/// 123450 -> "1234.50": pounds with two decimal places, for files.
pub fn decimal(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// "60", "60.5", "33.33%" -> basis points (6000, 6050, 3333).
pub fn parse_percent(input: &str) -> Result<i32, String> {
    let cleaned = input.trim().trim_end_matches('%').trim();
    if cleaned.is_empty() {
        return Err("Enter a percentage, like 60 or 33.33".into());
    }
    let (whole, frac) = cleaned.split_once('.').unwrap_or((cleaned, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 3
    {
        return Err(format!(
            "'{}' is not a percentage; use a number from 0 to 100 with at most 2 decimal places",
            input.trim()
        ));
    }
    let bp =
        whole.parse::<i32>().unwrap_or(0) * 100 + format!("{frac:0<2}").parse::<i32>().unwrap_or(0);
    if bp > 10_000 {
        return Err("A percentage cannot be more than 100".into());
    }
    Ok(bp)
}

/// 6050 -> "60.5%", 6000 -> "60%".
pub fn percent(bp: impl std::borrow::Borrow<i32>) -> String {
    let bp = *bp.borrow();
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole}%"),
        f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

/// Splits `total` pence by `weights`, largest remainder first, so the parts
/// always add up to the total exactly.
pub fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| *w as i128).sum();
    if weights.is_empty() || sum <= 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<(usize, i64, i128)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = total as i128 * *w as i128;
            (i, (exact / sum) as i64, exact % sum)
        })
        .collect();
    let mut left = total - parts.iter().map(|p| p.1).sum::<i64>();
    parts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for p in parts.iter_mut() {
        if left <= 0 {
            break;
        }
        p.1 += 1;
        left -= 1;
    }
    parts.sort_by_key(|p| p.0);
    parts.into_iter().map(|p| p.1).collect()
}

/// Financial years run April to March: 2025 -> "2025/26".
pub fn financial_year_label(start_year: impl std::borrow::Borrow<i32>) -> String {
    let start_year = *start_year.borrow();
    format!("{start_year}/{:02}", (start_year + 1) % 100)
}

/// The financial year a date falls in, as its start year.
pub fn financial_year_of(date: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// Formats integers with thousands separators, as GOV.UK style asks.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal(123450), "1234.50");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(-101), "-1.01");
        assert_eq!(decimal(1_000_000_000_000_01), "1000000000000.01");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1140525), "1,140,525");
        assert_eq!(thousands(-1000), "-1,000");
    }

    #[test]
    fn pounds_round_trip() {
        assert_eq!(parse_pounds("£1,234.50"), Ok(123450));
        assert_eq!(parse_pounds("1234.5"), Ok(123450));
        assert_eq!(parse_pounds(" 12500 "), Ok(1250000));
        assert!(parse_pounds("-5").is_err());
        assert!(parse_pounds("12.345").is_err());
        assert!(parse_pounds("abc").is_err());
        assert!(parse_pounds("").is_err());
        assert_eq!(pounds(123450), "£1,234.50");
        assert_eq!(pounds(1250000), "£12,500");
        assert_eq!(pounds(-5), "-£0.05");
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("60"), Ok(6000));
        assert_eq!(parse_percent("33.33%"), Ok(3333));
        assert_eq!(parse_percent("60.5"), Ok(6050));
        assert!(parse_percent("101").is_err());
        assert!(parse_percent("1.234").is_err());
        assert!(parse_percent("-1").is_err());
        assert_eq!(percent(6050), "60.5%");
        assert_eq!(percent(3333), "33.33%");
        assert_eq!(percent(10000), "100%");
    }

    #[test]
    fn splits_add_up_exactly() {
        assert_eq!(split(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split(1_000_000, &[6000, 4000]), vec![600_000, 400_000]);
        let parts = split(999_999, &[1_140_525, 793_139, 569_578]);
        assert_eq!(parts.iter().sum::<i64>(), 999_999);
        assert!(parts[0] > parts[1] && parts[1] > parts[2]);
        assert_eq!(split(100, &[0, 0]), vec![0, 0]);
    }

    #[test]
    fn financial_years() {
        assert_eq!(financial_year_label(2025), "2025/26");
        assert_eq!(financial_year_label(1999), "1999/00");
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(financial_year_of(d(2026, 3, 31)), 2025);
        assert_eq!(financial_year_of(d(2026, 4, 1)), 2026);
    }
}
