//! Reading the CSV files evmech loads, with the `csv` crate: columns found by header name (order
//! free, extra columns ignored), RFC 4180 quoting, a UTF-8 byte-order mark and CRLF line ends
//! handled, cells trimmed. Errors keep naming the file, the line and the column.

use crate::{Error, Result};
use std::io::Read;

/// An error at `line` (1-based) and column `field` of `file`.
pub(crate) fn csv_error(file: &str, line: usize, field: &str, reason: String) -> Error {
    Error::Csv {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason,
    }
}

/// A CSV file's rows with the cells of the named columns.
pub(crate) struct Table {
    /// The file's name, for errors.
    pub file: String,
    /// For each asked-for column, its position in the file (`None`: optional and absent).
    index: Vec<Option<usize>>,
    /// `(line, record)` of every non-blank row.
    rows: Vec<(usize, csv::StringRecord)>,
}

/// One row of a [`Table`].
pub(crate) struct Row<'a> {
    /// 1-based line of the row in the file.
    pub line: usize,
    table: &'a Table,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The cell of the `i`-th asked-for column (`None` when that column is absent or the cell
    /// empty).
    pub fn get(&self, i: usize) -> Option<&str> {
        let k = (*self.table.index.get(i)?)?;
        self.record.get(k).filter(|c| !c.is_empty())
    }

    /// Whether the `i`-th asked-for column is in the file.
    pub fn present(&self, i: usize) -> bool {
        self.table.index.get(i).is_some_and(Option::is_some)
    }

    /// An error at this row's line in column `field`.
    pub fn error(&self, field: &str, reason: String) -> Error {
        csv_error(&self.table.file, self.line, field, reason)
    }
}

impl Table {
    /// The rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, record)| Row {
            line: *line,
            table: self,
            record,
        })
    }
}

fn map_csv_error(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map_or(1, |p| p.line() as usize);
    let field = match e.kind() {
        csv::ErrorKind::UnequalLengths { .. } => "row",
        csv::ErrorKind::Utf8 { .. } => "encoding",
        _ => "file",
    };
    csv_error(file, line, field, e.to_string())
}

/// Reads a CSV with a header row. `required` columns must be present (the error names the
/// missing one), `optional` ones may be absent; both are looked up by name, so the column
/// order is free and other columns are ignored. Rows whose cells are all empty are skipped; a
/// row with a different number of fields than the header is an error naming its line.
pub(crate) fn read_table<R: Read>(
    reader: R,
    file: &str,
    required: &[&str],
    optional: &[&str],
) -> Result<Table> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = csv.headers().map_err(|e| map_csv_error(file, &e))?.clone();
    if header.is_empty() || header.iter().all(str::is_empty) {
        return Err(csv_error(file, 1, "header", "the file is empty".into()));
    }
    let find = |name: &str| header.iter().position(|h| h == name);
    let mut index = Vec::with_capacity(required.len() + optional.len());
    for &name in required {
        let Some(k) = find(name) else {
            return Err(csv_error(
                file,
                1,
                name,
                format!("missing column (required: {})", required.join(", ")),
            ));
        };
        index.push(Some(k));
    }
    index.extend(optional.iter().map(|name| find(name)));
    let mut rows = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| map_csv_error(file, &e))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        rows.push((line, record));
    }
    Ok(Table {
        file: file.to_string(),
        index,
        rows,
    })
}

/// Opens `path` for buffered reading; the error names the file.
pub(crate) fn open(path: &std::path::Path) -> Result<std::io::BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|e| Error::Read {
            file: path.display().to_string(),
            reason: e.to_string(),
        })
}
