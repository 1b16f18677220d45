//! Strict, atomic CSV imports: the reading and checking every importer
//! shares. Files are read a line at a time; the first bad line refuses the
//! whole file with its line number, and since every import runs in one
//! transaction nothing it wrote before that line is kept. Imports update in
//! place, so running the same import twice changes nothing the second time.

use std::collections::HashMap;
use std::fmt;

use crate::audit::Actor;

/// Why a file was refused. `line` is the file's line number (header = line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: Option<u64>,
    pub message: String,
}

impl ImportError {
    pub fn at(line: u64, message: impl Into<String>) -> Self {
        ImportError {
            line: Some(line),
            message: message.into(),
        }
    }
    pub fn file(message: impl Into<String>) -> Self {
        ImportError {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for ImportError {}

// A database's own words are for the log, never for the person importing.
impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::from(crate::error::AppError::from(e))
    }
}

impl From<crate::error::AppError> for ImportError {
    fn from(e: crate::error::AppError) -> Self {
        tracing::warn!(error = %e, "import failed");
        ImportError::file(format!("nothing was imported: {}", e.detail()))
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

/// One data line of a CSV file, with its column lookup.
pub struct Row<'a> {
    pub line: u64,
    record: csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Row<'_> {
    /// The trimmed value of a column the file is known to have.
    pub fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    pub fn optional(&self, column: &str) -> Option<String> {
        let v = self.get(column);
        (!v.is_empty()).then(|| v.to_string())
    }

    pub fn required(&self, column: &str) -> Result<&str, ImportError> {
        let v = self.get(column);
        if v.is_empty() {
            Err(self.error(format!("'{column}' is empty; it is required")))
        } else {
            Ok(v)
        }
    }

    pub fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::at(self.line, message)
    }
}

/// A CSV file being read: its column index, and the data lines read one at a
/// time, so an import holds one line in memory however large the file is.
pub struct Table<R> {
    columns: HashMap<String, usize>,
    reader: csv::Reader<R>,
}

impl<'a> Table<&'a [u8]> {
    /// A file already in memory.
    pub fn parse(text: &'a str, required: &[&str]) -> Result<Self, ImportError> {
        Table::read(text.as_bytes(), required)
    }
}

impl<R: std::io::Read> Table<R> {
    /// Reads the header (after any byte order mark), refusing the file if a
    /// required column is missing. Each data line is checked as
    /// [`Table::rows`] reaches it.
    pub fn read(source: R, required: &[&str]) -> Result<Self, ImportError> {
        // csv skips a UTF-8 byte order mark before the header itself.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(source);
        let headers = reader
            .headers()
            .map_err(|e| ImportError::at(1, format!("cannot read the header line: {e}")))?;
        let columns: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !columns.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::at(
                1,
                format!(
                    "missing column(s): {}; the header must include {}",
                    missing.join(", "),
                    required.join(", ")
                ),
            ));
        }
        Ok(Table { columns, reader })
    }

    /// The data lines in order. A line with the wrong number of fields, bytes
    /// that are not UTF-8 or a NUL character is an error with its number, as
    /// is a file with a header and nothing else.
    pub fn rows(&mut self) -> impl Iterator<Item = Result<Row<'_>, ImportError>> + use<'_, R> {
        let Table { columns, reader } = self;
        let columns = &*columns;
        let mut records = reader.records();
        let mut read_any = false;
        std::iter::from_fn(move || match records.next() {
            Some(result) => {
                read_any = true;
                Some(checked(result).map(|(line, record)| Row {
                    line,
                    record,
                    columns,
                }))
            }
            None if !read_any => {
                read_any = true;
                Some(Err(ImportError::file(
                    "the file has a header but no data lines",
                )))
            }
            None => None,
        })
    }
}

fn checked(
    result: Result<csv::StringRecord, csv::Error>,
) -> Result<(u64, csv::StringRecord), ImportError> {
    let record = result.map_err(|e| {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("has {len} fields but the header has {expected_len}"),
            csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".to_string(),
            _ => format!("cannot be read: {e}"),
        };
        ImportError::at(line, message)
    })?;
    let line = record.position().map(|p| p.line()).unwrap_or(0);
    if record.iter().any(|field| field.contains('\0')) {
        return Err(ImportError::at(
            line,
            "contains a NUL character; save the file as plain text",
        ));
    }
    Ok((line, record))
}

/// Refuses a second line with the same key, naming both lines.
#[derive(Default)]
pub struct SeenKeys(HashMap<String, u64>);

impl SeenKeys {
    pub fn check(&mut self, row: &Row<'_>, what: &str, key: &str) -> Result<(), ImportError> {
        if let Some(first) = self.0.insert(key.to_string(), row.line) {
            return Err(row.error(format!(
                "duplicate {what} '{key}' (first seen on line {first})"
            )));
        }
        Ok(())
    }
}

/// Dates in the files are ISO 8601 (YYYY-MM-DD) or empty.
pub fn parse_date(row: &Row<'_>, column: &str) -> Result<Option<chrono::NaiveDate>, ImportError> {
    match row.get(column) {
        "" => Ok(None),
        v => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                row.error(format!(
                    "'{column}' is '{v}', which is not a date in the form YYYY-MM-DD"
                ))
            }),
    }
}

/// Whole numbers that may be written with a decimal point ("217232.0").
pub fn parse_count(row: &Row<'_>, column: &str) -> Result<Option<i64>, ImportError> {
    match row.get(column) {
        "" => Ok(None),
        v => match v.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n < 1e15 => {
                Ok(Some(n as i64))
            }
            _ => Err(row.error(format!("'{column}' is '{v}', which is not a whole number"))),
        },
    }
}

pub fn parse_id(row: &Row<'_>, column: &str) -> Result<i64, ImportError> {
    let v = row.required(column)?;
    v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        row.error(format!(
            "'{column}' is '{v}', which is not a positive whole number"
        ))
    })
}

/// One audit row per import that changed something.
pub fn record(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    what: &str,
    report: &ImportReport,
) -> crate::error::AppResult<()> {
    if report.created + report.updated == 0 {
        return Ok(());
    }
    crate::audit::record(
        conn,
        actor,
        crate::audit::Change::new("import", "dataset", what).after(
                serde_json::json!({ "created": report.created, "updated": report.updated, "unchanged": report.unchanged }),
            ),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Result<Vec<String>, ImportError> {
        let mut table = Table::parse(text, &["name"])?;
        let names = table
            .rows()
            .map(|row| row.map(|r| r.get("name").to_string()))
            .collect();
        names
    }

    #[test]
    fn reads_lines_in_order_after_a_byte_order_mark() {
        assert_eq!(names("\u{feff}name,n\nA,1\n B ,2\n").unwrap(), ["A", "B"]);
    }

    #[test]
    fn names_the_line_of_each_problem() {
        let e = names("name,n\nA,1\nB\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (Some(3), "has 1 fields but the header has 2")
        );
        let e = names("name\nA\nB\0\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("NUL"));
        let e = Table::read(&b"name\nA\n\xff\n"[..], &["name"])
            .unwrap()
            .rows()
            .find_map(Result::err)
            .unwrap();
        assert_eq!(
            (e.line, e.message.as_str()),
            (Some(3), "is not valid UTF-8 text")
        );
        let e = names("name,n\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (None, "the file has a header but no data lines")
        );
        let e = names("title\nA\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.starts_with("missing column(s): name"), "{e}");
    }
}
