//! The HiGHS backend of [`SparseLp`] (feature `highs`): dual simplex for LPs (with row duals and
//! reduced costs), branch and cut for integer columns. HiGHS is built from source by cargo
//! (cmake and a C++ compiler, plus libclang for the bindings): no system solver library is
//! linked, and each solve owns its HiGHS instance, so solves in different threads never wait on
//! each other.

use crate::{Error, LpBackend, Result, Solution, SolveStatus, SolverSettings, SparseLp};
use highs::{Col, ColProblem, HighsModelStatus, HighsSolutionStatus, Model, RowProblem, Sense};
use std::time::Instant;

/// Options that differ from HiGHS's defaults, each measured on our models
/// (`docs/benchmarks.md`, "Backends"):
///
/// - `mip_feasibility_tolerance` 1e-9 (default 1e-6): evmech's models break ties with objective
///   terms of 1e-6 USD (the least deviation a user is asked for), which the default treated as
///   equal.
/// - `simplex_dual_edge_weight_strategy` 1, Devex pricing (default: choose, which picked steepest
///   edge): on the MC-MPC decisions it cut the F = 30 slot model from 566 to 353 ms and the F = 10
///   one from 129 to 99 ms.
const OPTIONS: [(&str, f64); 1] = [("mip_feasibility_tolerance", 1e-9)];
const INT_OPTIONS: [(&str, i32); 1] = [("simplex_dual_edge_weight_strategy", 1)];

/// Solves `lp` with HiGHS under `settings`.
pub(crate) fn solve(lp: &SparseLp, settings: &SolverSettings) -> Result<Solution> {
    let start = Instant::now();
    let mut model = load(lp).optimise(Sense::Minimise);
    configure(&mut model, settings)?;
    let solved = model.try_solve().map_err(|e| failed("solve", e))?;
    finish(lp, &solved, start)
}

/// The solution of a finished HiGHS run, with its status mapped.
fn finish(lp: &SparseLp, solved: &highs::SolvedModel, start: Instant) -> Result<Solution> {
    let has_integers = lp.integer.iter().any(|&b| b);
    let mut status = map_status(solved.status(), solved.primal_solution_status())?;
    // HiGHS calls a MILP "optimal" once the gap is within `mip_rel_gap`: a stop at a positive
    // gap is reported as a gap stop.
    if has_integers && status.is_optimal() && solved.mip_gap() > 1e-9 {
        status = SolveStatus::GapLimit;
    }
    let solution = solved.get_solution();
    let x = solution.columns().to_vec();
    let duals = !has_integers && status.is_optimal();
    Ok(Solution {
        status,
        backend: LpBackend::Highs,
        objective: lp.objective_at(&x),
        x,
        row_duals: duals.then(|| solution.dual_rows().to_vec()),
        reduced_costs: duals.then(|| solution.dual_columns().to_vec()),
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn failed(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::SolverFailed {
        backend: "highs",
        message: format!("{what}: {e:?}"),
    }
}

/// Sets `settings` and evmech's options on `model`, quietly and with a fixed random seed (the
/// same model and settings take the same path).
fn configure(model: &mut Model, settings: &SolverSettings) -> Result<()> {
    model.make_quiet();
    // HiGHS's task scheduler is process-wide and sized once (changing its `threads` option
    // between solves is an error), so `threads` is honoured per solve: one thread is a serial
    // solve (`parallel` off), more allow parallel simplex and branch and cut up to that many.
    let parallel: &std::ffi::CStr = if settings.threads > 1 { c"on" } else { c"off" };
    model
        .try_set_option("parallel", parallel)
        .map_err(|e| failed("parallel", e))?;
    let concurrency = i32::try_from(settings.threads).unwrap_or(i32::MAX);
    model
        .try_set_option("simplex_max_concurrency", concurrency)
        .map_err(|e| failed("simplex_max_concurrency", e))?;
    model
        .try_set_option("random_seed", 0)
        .map_err(|e| failed("random_seed", e))?;
    if let Some(limit) = settings.time_limit_s {
        model
            .try_set_option("time_limit", f64::from(limit))
            .map_err(|e| failed("time_limit", e))?;
    }
    model
        .try_set_option("mip_rel_gap", settings.relative_gap.unwrap_or(0.0))
        .map_err(|e| failed("mip_rel_gap", e))?;
    if settings.relative_gap.is_none() {
        model
            .try_set_option("mip_abs_gap", 0.0)
            .map_err(|e| failed("mip_abs_gap", e))?;
    }
    for (option, value) in OPTIONS {
        model
            .try_set_option(option, value)
            .map_err(|e| failed(option, e))?;
    }
    for (option, value) in INT_OPTIONS {
        model
            .try_set_option(option, value)
            .map_err(|e| failed(option, e))?;
    }
    Ok(())
}

/// A model kept loaded in one HiGHS instance between solves: after a change of column bounds,
/// the next solve starts from the last optimal basis (a hot start), which on the menu's models
/// takes a few dozen simplex iterations where a fresh solve takes thousands.
pub(crate) struct Kept {
    /// `None` after a solve that HiGHS itself failed (the instance is gone with it).
    model: Option<Model>,
    cols: Vec<Col>,
    settings: SolverSettings,
}

impl Kept {
    /// Loads `lp` (already validated) into a new HiGHS instance.
    pub(crate) fn new(lp: &SparseLp, settings: &SolverSettings) -> Result<Kept> {
        let (model, cols) = load_rows(lp, settings)?;
        Ok(Kept {
            model: Some(model),
            cols,
            settings: settings.clone(),
        })
    }

    /// Sets column `j`'s bounds in the kept instance. `j` is a column of the model and
    /// `lower <= upper` (the caller checks both), so HiGHS accepts the change.
    pub(crate) fn set_col_bounds(&mut self, j: usize, lower: f64, upper: f64) {
        if let Some(model) = self.model.as_mut() {
            model.change_column_bounds(self.cols[j], lower..=upper);
        }
    }

    /// Solves the kept instance from its last basis. `lp` is the model with the same bounds
    /// (used for the objective and the status); a run that HiGHS failed is an error, and the next
    /// solve loads `lp` afresh.
    pub(crate) fn solve(&mut self, lp: &SparseLp) -> Result<Solution> {
        let start = Instant::now();
        let model = match self.model.take() {
            Some(model) => model,
            None => load_rows(lp, &self.settings)?.0,
        };
        let solved = model.try_solve().map_err(|e| failed("solve", e))?;
        let solution = finish(lp, &solved, start);
        self.model = Some(solved.into());
        solution
    }
}

/// The model loaded row by row, with a handle on every column (for later bound changes).
fn load_rows(lp: &SparseLp, settings: &SolverSettings) -> Result<(Model, Vec<Col>)> {
    let mut pb = RowProblem::default();
    let cols: Vec<Col> = (0..lp.cost.len())
        .map(|j| {
            pb.add_column_with_integrality(
                lp.cost[j],
                lp.col_lower[j]..=lp.col_upper[j],
                lp.integer[j],
            )
        })
        .collect();
    let mut rows = vec![Vec::new(); lp.row_lower.len()];
    for (j, col) in lp.columns().into_iter().enumerate() {
        for (i, a) in col {
            rows[i].push((cols[j], a));
        }
    }
    for (i, row) in rows.into_iter().enumerate() {
        pb.add_row(lp.row_lower[i]..=lp.row_upper[i], row);
    }
    let mut model = pb.optimise(Sense::Minimise);
    configure(&mut model, settings)?;
    Ok((model, cols))
}

/// The model in HiGHS's column-wise form (repeated entries summed).
fn load(lp: &SparseLp) -> ColProblem {
    let mut pb = ColProblem::new();
    let rows: Vec<highs::Row> = lp
        .row_lower
        .iter()
        .zip(&lp.row_upper)
        .map(|(&lo, &up)| pb.add_row(lo..=up))
        .collect();
    for (j, col) in lp.columns().into_iter().enumerate() {
        let factors = col.into_iter().map(|(i, a)| (rows[i], a));
        pb.add_column_with_integrality(
            lp.cost[j],
            lp.col_lower[j]..=lp.col_upper[j],
            factors,
            lp.integer[j],
        );
    }
    pb
}

/// Maps HiGHS's model status (and whether it holds a feasible point) to a [`SolveStatus`];
/// certificates and failures are errors.
fn map_status(status: HighsModelStatus, primal: HighsSolutionStatus) -> Result<SolveStatus> {
    let feasible = matches!(primal, HighsSolutionStatus::Feasible);
    let mapped = match status {
        HighsModelStatus::Optimal | HighsModelStatus::ModelEmpty => SolveStatus::Optimal,
        HighsModelStatus::Infeasible => return Err(Error::infeasible(Vec::new())),
        HighsModelStatus::Unbounded => return Err(Error::Unbounded),
        // HiGHS's presolve may stop at "infeasible or unbounded"; a feasible point then means
        // unbounded, otherwise `SparseLp` tells the two apart.
        HighsModelStatus::UnboundedOrInfeasible if feasible => return Err(Error::Unbounded),
        HighsModelStatus::UnboundedOrInfeasible => return Err(Error::InfeasibleOrUnbounded),
        HighsModelStatus::ReachedTimeLimit => SolveStatus::TimeLimit,
        HighsModelStatus::ReachedIterationLimit => SolveStatus::IterationLimit,
        HighsModelStatus::ReachedInterrupt => SolveStatus::Interrupted,
        HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget
        | HighsModelStatus::ReachedSolutionLimit => SolveStatus::GapLimit,
        HighsModelStatus::SolveError
        | HighsModelStatus::PresolveError
        | HighsModelStatus::PostsolveError
        | HighsModelStatus::ReachedMemoryLimit => SolveStatus::NumericalError,
        HighsModelStatus::NotSet
        | HighsModelStatus::LoadError
        | HighsModelStatus::ModelError
        | HighsModelStatus::Unknown => SolveStatus::NotSolved,
        _ => SolveStatus::NotSolved,
    };
    if mapped.is_optimal() || (mapped.has_point() && feasible) {
        Ok(mapped)
    } else {
        Err(Error::SolverStopped {
            backend: "highs",
            status: mapped,
        })
    }
}
