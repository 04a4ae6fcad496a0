//! The CBC backend of [`SparseLp`]: Clp's simplex for LPs, branch and bound for integer columns,
//! through coin_cbc's raw interface (no per-row expression objects, so a 40,000-row model loads
//! in one call).

use crate::{Error, LpBackend, Result, Solution, SolveStatus, SolverSettings, SparseLp};
use coin_cbc::raw::{Model, SecondaryStatus, Status};
use std::time::Instant;

/// Solves `lp` with CBC under `settings`.
pub(crate) fn solve(lp: &SparseLp, settings: &SolverSettings) -> Result<Solution> {
    let start = Instant::now();
    let mut model = load(lp)?;
    configure(&mut model, settings)?;
    model.solve();
    let status = map_status(&model, lp.integer.iter().any(|&b| b))?;
    let x = model.col_solution().to_vec();
    Ok(Solution {
        status,
        backend: LpBackend::Cbc,
        objective: lp.objective_at(&x),
        x,
        row_duals: None,
        reduced_costs: None,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Loads `lp` into a CBC model (column-major, repeated entries summed, infinite bounds as CBC's
/// largest finite ones). CBC indexes rows and non-zeros with C `int`s: a model beyond
/// `i32::MAX` of either is refused, never wrapped.
fn load(lp: &SparseLp) -> Result<Model> {
    let n = lp.cost.len();
    let too_large = || Error::InvalidSetting {
        field: "backend",
        reason: format!(
            "the model ({} rows, {} non-zeros) is beyond CBC's 32-bit indices",
            lp.row_lower.len(),
            lp.entries.len()
        ),
    };
    let (mut starts, mut index, mut value) = (vec![0i32], Vec::new(), Vec::new());
    for col in lp.columns() {
        for (i, a) in col {
            index.push(i32::try_from(i).map_err(|_| too_large())?);
            value.push(a);
        }
        starts.push(i32::try_from(index.len()).map_err(|_| too_large())?);
    }
    let finite =
        |v: &[f64]| -> Vec<f64> { v.iter().map(|&x| x.clamp(-f64::MAX, f64::MAX)).collect() };
    let mut model = Model::new();
    model.load_problem(
        n,
        lp.row_lower.len(),
        &starts,
        &index,
        &value,
        Some(&finite(&lp.col_lower)),
        Some(&finite(&lp.col_upper)),
        Some(&lp.cost),
        Some(&finite(&lp.row_lower)),
        Some(&finite(&lp.row_upper)),
    );
    for (j, &is_int) in lp.integer.iter().enumerate() {
        if is_int {
            model.set_integer(j);
        }
    }
    model.set_obj_sense(coin_cbc::Sense::Minimize);
    Ok(model)
}

/// Applies `settings` (and silences CBC's log).
fn configure(model: &mut Model, settings: &SolverSettings) -> Result<()> {
    let mut param = |k: &str, v: String| -> Result<()> {
        let bad = |e: std::ffi::NulError| Error::SolverFailed {
            backend: "cbc",
            message: e.to_string(),
        };
        let k = std::ffi::CString::new(k).map_err(bad)?;
        let v = std::ffi::CString::new(v).map_err(bad)?;
        model.set_parameter(&k, &v);
        Ok(())
    };
    param("log", "0".into())?;
    param("slog", "0".into())?;
    param("threads", settings.threads.to_string())?;
    let gap = settings.relative_gap.unwrap_or(0.0);
    param("ratioGap", gap.to_string())?;
    if settings.relative_gap.is_none() {
        param("allowableGap", "0".into())?;
    }
    if let Some(limit) = settings.time_limit_s {
        param("seconds", limit.to_string())?;
    }
    model.set_log_level(0);
    Ok(())
}

/// Maps CBC's primary and secondary status to a [`SolveStatus`]; infeasibility (possibly
/// unboundedness), unboundedness and failures are errors.
fn map_status(model: &Model, has_integers: bool) -> Result<SolveStatus> {
    if model.is_proven_optimal() {
        return Ok(SolveStatus::Optimal);
    }
    // CBC also says "proven infeasible" of an unbounded LP: its infeasibility is only
    // "infeasible or unbounded", which `SparseLp` resolves.
    if model.is_continuous_unbounded() {
        return Err(Error::Unbounded);
    }
    if model.is_proven_infeasible() || model.is_initial_solve_proven_primal_infeasible() {
        return Err(Error::InfeasibleOrUnbounded);
    }
    let status = match (model.status(), model.secondary_status()) {
        (_, SecondaryStatus::StoppedOnTime) => SolveStatus::TimeLimit,
        (_, SecondaryStatus::StoppedOnGap) => SolveStatus::GapLimit,
        (_, SecondaryStatus::StoppedOnIterationLimit) => SolveStatus::IterationLimit,
        (_, SecondaryStatus::LinearRelaxationInfeasible) => {
            return Err(Error::InfeasibleOrUnbounded)
        }
        (_, SecondaryStatus::LinearRelaxationUnbounded) => return Err(Error::Unbounded),
        (Status::UserEvent, _) | (_, SecondaryStatus::StoppedOnUserEvent) => {
            SolveStatus::Interrupted
        }
        (Status::Abandoned, _) => SolveStatus::NumericalError,
        // A MILP that finished with a solution CBC does not call optimal has met the gap
        // (CBC stops there when the gap setting allows it).
        (Status::Finished, SecondaryStatus::HasSolution) if has_integers => SolveStatus::GapLimit,
        _ => SolveStatus::NotSolved,
    };
    if status.has_point() {
        Ok(status)
    } else {
        Err(Error::SolverStopped {
            backend: "cbc",
            status,
        })
    }
}
