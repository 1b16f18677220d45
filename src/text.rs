//! Text people type: one place that decides what a name or a paragraph may
//! hold. Control characters are refused everywhere (paragraphs keep line
//! breaks and tabs), and so are the invisible characters that reverse the
//! direction text is shown in, which can make a file name or a figure read
//! differently from what is stored.

use crate::error::FieldError;

/// Names, titles, codes: one line.
pub fn line(field: &str, label: &str, value: &str, max: usize) -> Result<String, FieldError> {
    check(field, label, value, max, false)
}

/// Descriptions, notes, plans: may run over several lines.
pub fn paragraph(field: &str, label: &str, value: &str, max: usize) -> Result<String, FieldError> {
    check(field, label, value, max, true)
}

/// Like [`line`], but it must not be blank; `missing` says what to do.
pub fn required_line(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
    missing: &str,
) -> Result<String, FieldError> {
    let text = line(field, label, value, max)?;
    if text.is_empty() {
        Err(FieldError::new(field, missing))
    } else {
        Ok(text)
    }
}

/// The text with its first letter a capital, as a message starts.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
    multi_line: bool,
) -> Result<String, FieldError> {
    let text = value.trim();
    if let Some(c) = text.chars().find(|c| !allowed(*c, multi_line)) {
        let what = if c.is_control() {
            if multi_line {
                "control characters".to_string()
            } else {
                "line breaks or control characters".to_string()
            }
        } else {
            format!("the invisible character U+{:04X}", u32::from(c))
        };
        return Err(FieldError::new(
            field,
            format!("{label} must not contain {what}"),
        ));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("{label} must be {max} characters or fewer"),
        ));
    }
    Ok(if multi_line {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    })
}

fn allowed(c: char, multi_line: bool) -> bool {
    let bidi_control = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if bidi_control {
        return false;
    }
    if c.is_control() {
        return multi_line && matches!(c, '\n' | '\r' | '\t');
    }
    true
}

/// At most `max` characters, with "…" when cut (for titles in sentences).
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_bounded() {
        assert_eq!(
            line("name", "Name", "  Shared waste  ", 20),
            Ok("Shared waste".into())
        );
        assert_eq!(
            line("name", "Name", "abcdef", 5).unwrap_err().message,
            "Name must be 5 characters or fewer"
        );
        assert_eq!(
            required_line("name", "Name", "  ", 5, "Enter a name")
                .unwrap_err()
                .message,
            "Enter a name"
        );
    }

    #[test]
    fn messages_start_with_a_capital_and_nothing_else_changes() {
        assert_eq!(
            sentence("line 3: 'kind' is wrong"),
            "Line 3: 'kind' is wrong"
        );
        assert_eq!(
            sentence("the file has a header but no data lines"),
            "The file has a header but no data lines"
        );
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        assert_eq!(
            line("name", "Name", "a\u{0}b", 10).unwrap_err().message,
            "Name must not contain line breaks or control characters"
        );
        assert!(line("name", "Name", "two\nlines", 20).is_err());
        assert_eq!(
            line("name", "Name", "invoice\u{202E}fdp.exe", 30)
                .unwrap_err()
                .message,
            "Name must not contain the invisible character U+202E"
        );
        assert_eq!(
            paragraph("notes", "Notes", "one\r\ntwo\tthree", 30),
            Ok("one\ntwo\tthree".into())
        );
        assert!(paragraph("notes", "Notes", "bell\u{7}", 30).is_err());
    }
}
