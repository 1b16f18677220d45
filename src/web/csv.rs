//! The one CSV writer every download uses. Spreadsheets run a cell that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula,
//! so such text is written with a leading apostrophe and stays text; plain
//! numbers (like -5 or 12.50) are left as numbers.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult};

pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// A file that starts with this header line.
    pub fn new(headers: &[&str]) -> AppResult<CsvWriter> {
        let mut inner = csv::Writer::from_writer(Vec::new());
        inner.write_record(headers).map_err(AppError::internal)?;
        Ok(CsvWriter { inner })
    }

    /// One line; every cell is made safe to open in a spreadsheet.
    pub fn row<I, S>(&mut self, cells: I) -> AppResult<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| safe_cell(c.as_ref())).collect();
        self.inner.write_record(&cells).map_err(AppError::internal)
    }

    pub fn finish(self) -> AppResult<Vec<u8>> {
        self.inner.into_inner().map_err(AppError::internal)
    }
}

/// What a spreadsheet will show as typed, never run.
pub fn safe_cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(value) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// A CSV file as a download named `filename`.
pub fn download(filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The CSV text uploaded in the form field `file`, or what was wrong with
/// the upload in words for the field's error message. Every import page
/// reads its file this way.
pub async fn uploaded(
    mut multipart: axum::extract::Multipart,
) -> AppResult<Result<String, crate::error::FieldError>> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("The upload could not be read: {e}"))
    };
    let refuse = |message: &str| Ok(Err(crate::error::FieldError::new("file", message)));
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(unreadable)?);
        }
    }
    let Some(bytes) = bytes else {
        return refuse("Choose a CSV file to import");
    };
    match String::from_utf8(bytes.to_vec()) {
        Err(_) => refuse("The file must be CSV text in UTF-8"),
        Ok(text) if text.trim().is_empty() => refuse("The file is empty"),
        Ok(text) => Ok(Ok(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_kept_as_text_and_numbers_as_numbers() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("-5 budget"), "'-5 budget");
        assert_eq!(safe_cell("+44 121"), "'+44 121");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\tcmd"), "'\tcmd");
        assert_eq!(safe_cell("-1+2"), "'-1+2");
        assert_eq!(safe_cell("-5"), "-5");
        assert_eq!(safe_cell("-12.50"), "-12.50");
        assert_eq!(safe_cell("Supplier failure"), "Supplier failure");
    }

    #[test]
    fn a_file_is_its_header_then_safe_rows() {
        let mut w = CsvWriter::new(&["name", "amount"]).unwrap();
        w.row(["=cmd|' /C calc'!A0", "-250"]).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(text, "name,amount\n'=cmd|' /C calc'!A0,-250\n");
    }
}
