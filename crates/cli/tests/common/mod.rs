//! What the extreme-input tests share: the check that a run either answered with finite JSON or
//! refused naming a field.

use proptest::prelude::*;
use serde_json::Value;

/// The first number in `v` that is not finite, or `null` where `null_ok` does not allow one.
pub fn bad_number(v: &Value, path: &str, null_ok: &dyn Fn(&str) -> bool) -> Option<String> {
    match v {
        Value::Number(n) if n.as_f64().is_none_or(|x| !x.is_finite()) => {
            Some(format!("{path}: {n}"))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| bad_number(x, &format!("{path}[{i}]"), null_ok)),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, x)| bad_number(x, &format!("{path}.{k}"), null_ok)),
        Value::Null if !null_ok(path) => Some(format!("{path}: null")),
        _ => None,
    }
}

/// Exit 0 with JSON whose numbers are all finite, or exit 2 with a message naming a field.
pub fn answered_or_refused(
    code: Option<i32>,
    stdout: &str,
    stderr: &str,
    null_ok: &dyn Fn(&str) -> bool,
) -> Result<(), TestCaseError> {
    match code {
        Some(0) => {
            let v: Value = serde_json::from_str(stdout)
                .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {stdout}")))?;
            if let Some(bad) = bad_number(&v, "", null_ok) {
                return Err(TestCaseError::fail(bad));
            }
        }
        Some(2) => prop_assert!(stderr.contains(": "), "a refusal names its field: {stderr}"),
        other => prop_assert!(false, "exit {other:?}: {stderr}"),
    }
    Ok(())
}
