//! Turning what people type into values, with GOV.UK-style error messages.

use chrono::NaiveDate;

use crate::error::FieldError;

/// A GOV.UK date input (day, month, year boxes). All blank means no date.
pub fn date(
    field: &str,
    label: &str,
    day: &str,
    month: &str,
    year: &str,
) -> Result<Option<NaiveDate>, FieldError> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Ok(None);
    }
    let missing: Vec<&str> = [("day", d), ("month", m), ("year", y)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(FieldError::new(
            field,
            format!("{label} must include a {}", missing.join(" and ")),
        ));
    }
    let parse = |v: &str| v.parse::<u32>().ok();
    match (parse(d), parse(m), y.parse::<i32>().ok()) {
        (Some(d), Some(m), Some(y)) if y.to_string().len() == 4 => NaiveDate::from_ymd_opt(y, m, d)
            .map(Some)
            .ok_or_else(|| FieldError::new(field, format!("{label} must be a real date"))),
        (_, _, Some(y)) if y.to_string().len() != 4 => Err(FieldError::new(
            field,
            format!("{label}: the year must include 4 numbers"),
        )),
        _ => Err(FieldError::new(
            field,
            format!("{label} must be a real date, in numbers"),
        )),
    }
}

/// Like [`date`], but the date is required.
pub fn required_date(
    field: &str,
    label: &str,
    day: &str,
    month: &str,
    year: &str,
) -> Result<NaiveDate, FieldError> {
    date(field, label, day, month, year)?
        .ok_or_else(|| FieldError::new(field, format!("Enter {}", label.to_lowercase())))
}

/// Dates before 1900 or after 2200 are typing mistakes in this domain.
pub fn plausible_date(field: &str, label: &str, date: Option<NaiveDate>) -> Result<(), FieldError> {
    use chrono::Datelike;
    match date {
        Some(d) if !(1900..=2200).contains(&d.year()) => Err(FieldError::new(
            field,
            format!("{label} must be between 1900 and 2200"),
        )),
        _ => Ok(()),
    }
}

/// The value if it could be read; otherwise notes why and gives `None`.
pub fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// Sorts errors into the order their fields appear on a form (`order`);
/// `share-BIR` sorts with `share`. Fields not listed go last.
pub fn in_field_order(errors: &mut [FieldError], order: &[&str]) {
    errors.sort_by_key(|e| {
        order
            .iter()
            .position(|f| e.field == *f || e.field.starts_with(&format!("{f}-")))
            .unwrap_or(order.len())
    });
}

/// Joins what went wrong reading a form (a date that is not a date) with the
/// result of the rules on what could be read. A field's reading error wins
/// over a rule's error about the same field. All in the form's `order`.
pub fn checked<T>(
    reading: Vec<FieldError>,
    rules: Result<T, Vec<FieldError>>,
    order: &[&str],
) -> Result<T, Vec<FieldError>> {
    let mut errors = reading;
    match rules {
        Ok(value) if errors.is_empty() => return Ok(value),
        Ok(_) => {}
        Err(more) => {
            for e in more {
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(e);
                }
            }
        }
    }
    in_field_order(&mut errors, order);
    Err(errors)
}

/// The (day, month, year) strings for showing a date back in a form.
pub fn date_parts(date: Option<NaiveDate>) -> (String, String, String) {
    use chrono::Datelike;
    match date {
        Some(d) => (
            d.day().to_string(),
            d.month().to_string(),
            d.year().to_string(),
        ),
        None => Default::default(),
    }
}

/// An optional whole number within a range.
pub fn optional_int(
    field: &str,
    label: &str,
    value: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new(
            field,
            format!("{label} must be a whole number from {min} to {max}"),
        )),
    }
}

/// A required number that may have decimals, like a measure's baseline.
pub fn number(field: &str, label: &str, value: &str) -> Result<f64, FieldError> {
    let v = value.trim().replace(',', "");
    if v.is_empty() {
        return Err(FieldError::new(
            field,
            format!("Enter {}", label.to_lowercase()),
        ));
    }
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && n.abs() < 1e15)
        .ok_or_else(|| {
            FieldError::new(field, format!("{label} must be a number, like 250 or 12.5"))
        })
}

/// "524, 1788" -> [524, 1788].
pub fn id_list(field: &str, value: &str) -> Result<Vec<i64>, FieldError> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| FieldError::new(field, format!("'{s}' is not an LGSL service number; use numbers separated by commas, like 524, 1788")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date("d", "Start date", "", "", ""), Ok(None));
        assert_eq!(
            date("d", "Start date", "1", "4", "2025"),
            Ok(NaiveDate::from_ymd_opt(2025, 4, 1))
        );
        assert_eq!(
            date("d", "Start date", "31", "2", "2025")
                .unwrap_err()
                .message,
            "Start date must be a real date"
        );
        assert_eq!(
            date("d", "Start date", "1", "", "").unwrap_err().message,
            "Start date must include a month and year"
        );
        assert_eq!(
            date("d", "Start date", "1", "4", "25").unwrap_err().message,
            "Start date: the year must include 4 numbers"
        );
        assert_eq!(
            date("d", "Start date", "x", "4", "2025")
                .unwrap_err()
                .message,
            "Start date must be a real date, in numbers"
        );
        assert_eq!(
            required_date("d", "Due date", "", "", "")
                .unwrap_err()
                .message,
            "Enter due date"
        );
    }

    #[test]
    fn numbers_and_lists() {
        assert_eq!(number("b", "Baseline", "1,250.5"), Ok(1250.5));
        assert!(number("b", "Baseline", "lots").is_err());
        assert_eq!(optional_int("c", "Cadence", "12", 1, 60), Ok(Some(12)));
        assert!(optional_int("c", "Cadence", "0", 1, 60).is_err());
        assert_eq!(id_list("s", "524, 1788 3"), Ok(vec![524, 1788, 3]));
        assert!(id_list("s", "524, bins").is_err());
    }
}
