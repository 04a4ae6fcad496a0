//! What the determinism tests share: a command's JSON without its measured times.

use serde_json::Value;

/// Removes every key holding `seconds` (`solve_seconds`, `seconds_per_arrival`, ...) at any depth.
pub fn without_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.contains("seconds"));
            map.values_mut().for_each(without_times);
        }
        Value::Array(items) => items.iter_mut().for_each(without_times),
        _ => {}
    }
}
