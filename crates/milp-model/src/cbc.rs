//! Solving a model written with good_lp by CBC under explicit settings: for users who build
//! their own models in good_lp. evmech's own models go through [`crate::SparseLp`].

use crate::{CbcSettings, Error, Result, SolveStatus};
use good_lp::solvers::coin_cbc::{CoinCbcProblem, CoinCbcSolution};
use good_lp::solvers::{WithMipGap, WithTimeLimit};
use good_lp::variable::UnsolvedProblem;
use good_lp::{coin_cbc, Solution, SolverModel};

/// Solves `problem` with CBC after `constrain` has added its constraints.
///
/// Returns the solution with its [`SolveStatus`]; infeasible, unbounded and failed solves are
/// [`Error`]s, never a default point.
pub fn solve_cbc<F>(
    problem: UnsolvedProblem,
    settings: &CbcSettings,
    constrain: F,
) -> Result<(CoinCbcSolution, SolveStatus)>
where
    F: FnOnce(CoinCbcProblem) -> CoinCbcProblem,
{
    settings.validate()?;
    let mut model = problem.using(coin_cbc);
    model.set_parameter("log", "0");
    model.set_parameter("threads", &settings.threads.to_string());
    if let Some(limit) = settings.time_limit_s {
        model = model.with_time_limit(f64::from(limit));
    }
    if let Some(gap) = settings.relative_gap {
        model = model
            .with_mip_gap(gap as f32)
            .map_err(|e| Error::SolverFailed {
                backend: "cbc",
                message: e.to_string(),
            })?;
    }
    let model = constrain(model);
    let solution = model
        .solve()
        .map_err(|e| Error::from_resolution("cbc", e))?;
    let status = SolveStatus::from(solution.status());
    Ok((solution, status))
}
