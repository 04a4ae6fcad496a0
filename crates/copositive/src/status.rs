//! evmech's status of a conic (Clarabel) solve.

use clarabel::solver::SolverStatus;
use serde::{Deserialize, Serialize};

/// Outcome of a Clarabel solve, mapped without loss.
///
/// Every Clarabel status has exactly one image here; the reduced-accuracy statuses stay distinct
/// from the full-accuracy ones so that callers can refuse or flag them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SolveStatus {
    /// Solved to Clarabel's full tolerances.
    Solved,
    /// Clarabel's `AlmostSolved`: a point at reduced accuracy. Usable only with the accuracy shown.
    Inaccurate,
    /// A certificate of primal infeasibility (full accuracy).
    PrimalInfeasible,
    /// A certificate of dual infeasibility (full accuracy).
    DualInfeasible,
    /// A primal-infeasibility certificate at reduced accuracy.
    InaccuratePrimalInfeasible,
    /// A dual-infeasibility certificate at reduced accuracy.
    InaccurateDualInfeasible,
    /// The iteration limit stopped the solver.
    IterationLimit,
    /// The time limit stopped the solver.
    TimeLimit,
    /// A numerical error stopped the solver.
    NumericalError,
    /// The solver stopped for lack of progress.
    InsufficientProgress,
    /// A user callback stopped the solver.
    CallbackTerminated,
    /// The solver has not run.
    Unsolved,
}

impl SolveStatus {
    /// Whether the solve reached full accuracy (only [`SolveStatus::Solved`]).
    pub fn is_solved(self) -> bool {
        matches!(self, SolveStatus::Solved)
    }
}

impl From<SolverStatus> for SolveStatus {
    fn from(status: SolverStatus) -> Self {
        match status {
            SolverStatus::Unsolved => SolveStatus::Unsolved,
            SolverStatus::Solved => SolveStatus::Solved,
            SolverStatus::PrimalInfeasible => SolveStatus::PrimalInfeasible,
            SolverStatus::DualInfeasible => SolveStatus::DualInfeasible,
            SolverStatus::AlmostSolved => SolveStatus::Inaccurate,
            SolverStatus::AlmostPrimalInfeasible => SolveStatus::InaccuratePrimalInfeasible,
            SolverStatus::AlmostDualInfeasible => SolveStatus::InaccurateDualInfeasible,
            SolverStatus::MaxIterations => SolveStatus::IterationLimit,
            SolverStatus::MaxTime => SolveStatus::TimeLimit,
            SolverStatus::NumericalError => SolveStatus::NumericalError,
            SolverStatus::InsufficientProgress => SolveStatus::InsufficientProgress,
            SolverStatus::CallbackTerminated => SolveStatus::CallbackTerminated,
        }
    }
}
