//! Settings every backend honours: time limit, relative MIP gap, threads.

use crate::{Error, Result};

/// Solver settings, the same for every backend.
///
/// The default is: no time limit, the backend's default MIP gap, one thread, logs off. A backend
/// applies each setting that means something to it: CBC all three; Clarabel the time limit and
/// the threads of its sparse factorisation (a relative gap is a MILP notion and ignored by an
/// LP-only backend). A solve stopped by the time or gap limit says so in its
/// [`crate::SolveStatus`].
#[derive(Debug, Clone, PartialEq)]
pub struct SolverSettings {
    /// Wall-clock limit in whole seconds (CBC's own granularity); `None` = no limit.
    pub time_limit_s: Option<u32>,
    /// Relative MIP gap at which a MILP search may stop (`0 <= gap < 1`); `None` = prove
    /// optimality (gap 0).
    pub relative_gap: Option<f64>,
    /// Number of solver threads (at least 1).
    pub threads: u32,
}

/// The settings' former name, kept for the station-access MILP's callers.
pub type CbcSettings = SolverSettings;

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            time_limit_s: None,
            relative_gap: None,
            threads: 1,
        }
    }
}

impl SolverSettings {
    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<()> {
        if let Some(gap) = self.relative_gap {
            if !(gap.is_finite() && (0.0..1.0).contains(&gap)) {
                return Err(Error::InvalidSetting {
                    field: "relative_gap",
                    reason: format!("must be finite and in [0, 1), got {gap}"),
                });
            }
        }
        if self.threads == 0 {
            return Err(Error::InvalidSetting {
                field: "threads",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}
