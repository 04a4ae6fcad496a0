//! The plain CSV both data files use: one header row, comma-separated, no quoting.

use crate::{Error, Result};
use std::io::BufRead;

/// An error at `line` (1-based) and column `field` of `file`.
pub(crate) fn csv_error(file: &str, line: usize, field: &str, reason: String) -> Error {
    Error::Csv {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason,
    }
}

/// Checks the header against `columns` and returns every non-empty row as `(line, cells)`, each
/// with exactly `columns.len()` trimmed cells.
pub(crate) fn read_rows<R: BufRead>(
    reader: R,
    file: &str,
    columns: &[&str],
) -> Result<Vec<(usize, Vec<String>)>> {
    let mut lines = reader.lines();
    let header = lines
        .next()
        .transpose()
        .map_err(|e| csv_error(file, 1, "header", e.to_string()))?
        .ok_or_else(|| csv_error(file, 1, "header", "the file is empty".into()))?;
    if header
        .trim()
        .split(',')
        .map(str::trim)
        .ne(columns.iter().copied())
    {
        return Err(csv_error(
            file,
            1,
            "header",
            format!("expected {}", columns.join(",")),
        ));
    }
    let mut rows = Vec::new();
    for (k, text) in lines.enumerate() {
        let line = k + 2;
        let text = text.map_err(|e| csv_error(file, line, "row", e.to_string()))?;
        if text.trim().is_empty() {
            continue;
        }
        let cells: Vec<String> = text.split(',').map(|c| c.trim().to_string()).collect();
        if cells.len() != columns.len() {
            return Err(csv_error(
                file,
                line,
                "row",
                format!("expected {} fields, found {}", columns.len(), cells.len()),
            ));
        }
        rows.push((line, cells));
    }
    Ok(rows)
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
