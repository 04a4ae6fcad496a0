//! One tolerance type for every floating-point comparison in evmech.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Absolute plus relative tolerance: `a` and `b` agree when `|a - b| <= abs + rel * max(|a|, |b|)`.
///
/// Property checkers and tests take a `Tolerance` instead of scattered epsilons. On integer data
/// the mechanisms of this crate are exact, so [`Tolerance::EXACT`] is the right choice there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    /// Absolute part, `>= 0`.
    pub abs: f64,
    /// Relative part, `>= 0`.
    pub rel: f64,
}

impl Tolerance {
    /// No slack at all: for integer (or otherwise exactly representable) data.
    pub const EXACT: Tolerance = Tolerance { abs: 0.0, rel: 0.0 };

    /// A validated tolerance; both parts must be finite and non-negative.
    pub fn new(abs: f64, rel: f64) -> Result<Self> {
        for (field, value) in [("abs", abs), ("rel", rel)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::InvalidTolerance { field, value });
            }
        }
        Ok(Tolerance { abs, rel })
    }

    /// `1e-9` absolute and relative: suits sums of a few thousand values of order one.
    pub fn solver_default() -> Self {
        Tolerance {
            abs: 1e-9,
            rel: 1e-9,
        }
    }

    /// The same tolerance widened for a sum of `n` terms (the absolute part grows linearly).
    pub fn scaled(self, n: usize) -> Self {
        Tolerance {
            abs: self.abs * n.max(1) as f64,
            rel: self.rel,
        }
    }

    /// The allowed difference between `a` and `b`.
    pub fn bound(&self, a: f64, b: f64) -> f64 {
        self.abs + self.rel * a.abs().max(b.abs())
    }

    /// Whether `a` and `b` agree.
    pub fn approx_eq(&self, a: f64, b: f64) -> bool {
        (a - b).abs() <= self.bound(a, b)
    }

    /// Whether `a <= b` up to the tolerance.
    pub fn leq(&self, a: f64, b: f64) -> bool {
        a <= b + self.bound(a, b)
    }
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance::solver_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_tolerance_compares_exactly() {
        assert!(Tolerance::EXACT.approx_eq(3.0, 3.0));
        assert!(!Tolerance::EXACT.approx_eq(3.0, 3.0 + 1e-15));
        assert!(Tolerance::EXACT.leq(2.0, 3.0));
    }

    #[test]
    fn relative_part_scales_with_magnitude() {
        let tol = Tolerance::new(0.0, 1e-6).unwrap();
        assert!(tol.approx_eq(1e6, 1e6 + 0.5));
        assert!(!tol.approx_eq(1.0, 1.5));
        assert_eq!(tol.scaled(10).rel.to_bits(), 1e-6f64.to_bits());
    }

    #[test]
    fn invalid_parts_are_refused() {
        assert!(matches!(
            Tolerance::new(-1.0, 0.0),
            Err(Error::InvalidTolerance { field: "abs", .. })
        ));
        assert!(Tolerance::new(0.0, f64::NAN).is_err());
    }
}
