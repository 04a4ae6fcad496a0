//! Numbers in output JSON: integral values print as integers (`6`, not `6.0`).

use serde_json::Value;

/// Largest integer below which every integer is exactly representable in `f64`.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// A JSON number for `x`; integral values become JSON integers, `-0` becomes `0`.
pub fn num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < EXACT_INT {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn integral_values_print_as_integers() {
        assert_eq!(num(6.0).to_string(), "6");
        assert_eq!(num(-0.0).to_string(), "0");
        assert_eq!(num(2.5).to_string(), "2.5");
        assert_eq!(num(-3.0).to_string(), "-3");
    }
}
