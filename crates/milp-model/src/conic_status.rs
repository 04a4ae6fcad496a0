//! evmech's status of a conic (Clarabel) solve: LPs here, SDPs in `evmech-copositive`.

use clarabel::solver::SolverStatus;
use serde::{Deserialize, Serialize};

/// Outcome of a Clarabel solve, mapped without loss.
///
/// Every Clarabel status has exactly one image here; the reduced-accuracy statuses stay distinct
/// from the full-accuracy ones so that callers can refuse or flag them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ConicStatus {
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

impl ConicStatus {
    /// Whether the solve reached full accuracy (only [`ConicStatus::Solved`]).
    pub fn is_solved(self) -> bool {
        matches!(self, ConicStatus::Solved)
    }
}

impl From<SolverStatus> for ConicStatus {
    fn from(status: SolverStatus) -> Self {
        match status {
            SolverStatus::Unsolved => ConicStatus::Unsolved,
            SolverStatus::Solved => ConicStatus::Solved,
            SolverStatus::PrimalInfeasible => ConicStatus::PrimalInfeasible,
            SolverStatus::DualInfeasible => ConicStatus::DualInfeasible,
            SolverStatus::AlmostSolved => ConicStatus::Inaccurate,
            SolverStatus::AlmostPrimalInfeasible => ConicStatus::InaccuratePrimalInfeasible,
            SolverStatus::AlmostDualInfeasible => ConicStatus::InaccurateDualInfeasible,
            SolverStatus::MaxIterations => ConicStatus::IterationLimit,
            SolverStatus::MaxTime => ConicStatus::TimeLimit,
            SolverStatus::NumericalError => ConicStatus::NumericalError,
            SolverStatus::InsufficientProgress => ConicStatus::InsufficientProgress,
            SolverStatus::CallbackTerminated => ConicStatus::CallbackTerminated,
        }
    }
}
