//! Status of a MILP solve that returned a solution.

use serde::{Deserialize, Serialize};

/// How good a returned MILP solution is.
///
/// good_lp reports three statuses for a solve that produced a point; each maps to its own variant,
/// so a caller can never mistake a time-limited incumbent for a proven optimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SolveStatus {
    /// Proven optimal within the solver's default tolerances.
    Optimal,
    /// Feasible; the time limit stopped the search before optimality was proven.
    TimeLimit,
    /// Feasible and within the requested relative MIP gap of the best bound.
    GapLimit,
}

impl SolveStatus {
    /// Whether optimality was proven (only [`SolveStatus::Optimal`]).
    pub fn is_optimal(self) -> bool {
        matches!(self, SolveStatus::Optimal)
    }
}

impl From<good_lp::SolutionStatus> for SolveStatus {
    fn from(status: good_lp::SolutionStatus) -> Self {
        match status {
            good_lp::SolutionStatus::Optimal => SolveStatus::Optimal,
            good_lp::SolutionStatus::TimeLimit => SolveStatus::TimeLimit,
            good_lp::SolutionStatus::GapLimit => SolveStatus::GapLimit,
        }
    }
}
