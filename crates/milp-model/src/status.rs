//! One status type for every solve: LP, MILP and conic, whichever backend ran it.

use serde::{Deserialize, Serialize};

/// How a solve ended, mapped without loss from every backend's own status.
///
/// Three groups:
///
/// - **A usable point**: [`SolveStatus::Optimal`], [`SolveStatus::Inaccurate`] (an
///   interior-point solve that met only its reduced tolerances), and, for a MILP,
///   [`SolveStatus::TimeLimit`] and [`SolveStatus::GapLimit`] (a feasible incumbent whose
///   optimality was not proven). Only `Optimal` is a proven optimum: callers that need one (the
///   property tests, strategy-proofness) must check [`SolveStatus::is_optimal`].
/// - **A certificate**: [`SolveStatus::Infeasible`] and [`SolveStatus::Unbounded`], and their
///   reduced-accuracy forms [`SolveStatus::InaccurateInfeasible`] and
///   [`SolveStatus::InaccurateUnbounded`], which prove nothing and must never be read as "there
///   is no point".
/// - **A failure**: the limits that stopped an interior-point solve before it had a point
///   ([`SolveStatus::IterationLimit`], and `TimeLimit` there), numerical trouble, an
///   interruption, or a solver that did not run.
///
/// Solves that return no point report these statuses through the crate's [`crate::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SolveStatus {
    /// Proven optimal within the backend's tolerances (Clarabel's `Solved`, CBC's proven
    /// optimum).
    Optimal,
    /// A point at reduced accuracy (Clarabel's `AlmostSolved`). Usable only with the accuracy
    /// shown.
    Inaccurate,
    /// The time limit stopped the solver. A MILP returns its best feasible point with this
    /// status; an interior-point solve has no usable point and reports it as an error.
    TimeLimit,
    /// A MILP incumbent within the requested relative gap of the best bound.
    GapLimit,
    /// The iteration limit stopped the solver before it had a usable point.
    IterationLimit,
    /// A certificate that the model has no feasible point (full accuracy).
    Infeasible,
    /// An infeasibility certificate at reduced accuracy: the model may still be feasible.
    InaccurateInfeasible,
    /// A certificate that the objective is unbounded (full accuracy).
    Unbounded,
    /// An unboundedness certificate at reduced accuracy.
    InaccurateUnbounded,
    /// A numerical error stopped the solver.
    NumericalError,
    /// The solver stopped for lack of progress.
    InsufficientProgress,
    /// A callback or a signal interrupted the solver.
    Interrupted,
    /// The solver did not run, or stopped in a state it does not name.
    NotSolved,
}

impl SolveStatus {
    /// Whether optimality was proven (only [`SolveStatus::Optimal`]).
    pub fn is_optimal(self) -> bool {
        matches!(self, SolveStatus::Optimal)
    }

    /// Whether a point comes with this status from a MILP solve (optimal, inaccurate, or a
    /// feasible incumbent stopped by a time or gap limit).
    pub fn has_point(self) -> bool {
        matches!(
            self,
            SolveStatus::Optimal
                | SolveStatus::Inaccurate
                | SolveStatus::TimeLimit
                | SolveStatus::GapLimit
        )
    }

    /// Whether the status is a certificate at full accuracy (optimality, infeasibility or
    /// unboundedness), as opposed to a reduced-accuracy result, a limit or a failure.
    pub fn is_certified(self) -> bool {
        matches!(
            self,
            SolveStatus::Optimal | SolveStatus::Infeasible | SolveStatus::Unbounded
        )
    }
}

impl From<clarabel::solver::SolverStatus> for SolveStatus {
    fn from(status: clarabel::solver::SolverStatus) -> Self {
        use clarabel::solver::SolverStatus as S;
        match status {
            S::Unsolved => SolveStatus::NotSolved,
            S::Solved => SolveStatus::Optimal,
            S::PrimalInfeasible => SolveStatus::Infeasible,
            S::DualInfeasible => SolveStatus::Unbounded,
            S::AlmostSolved => SolveStatus::Inaccurate,
            S::AlmostPrimalInfeasible => SolveStatus::InaccurateInfeasible,
            S::AlmostDualInfeasible => SolveStatus::InaccurateUnbounded,
            S::MaxIterations => SolveStatus::IterationLimit,
            S::MaxTime => SolveStatus::TimeLimit,
            S::NumericalError => SolveStatus::NumericalError,
            S::InsufficientProgress => SolveStatus::InsufficientProgress,
            S::CallbackTerminated => SolveStatus::Interrupted,
        }
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
