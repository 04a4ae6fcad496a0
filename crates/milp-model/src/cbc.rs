//! Solving good_lp models with CBC under explicit settings.

use crate::{Error, Result, SolveStatus};
use good_lp::solvers::coin_cbc::{CoinCbcProblem, CoinCbcSolution};
use good_lp::solvers::{WithMipGap, WithTimeLimit};
use good_lp::variable::UnsolvedProblem;
use good_lp::{coin_cbc, Solution, SolverModel};

/// CBC settings. The default is: no time limit, CBC's default gap, one thread, CBC's log off.
#[derive(Debug, Clone, PartialEq)]
pub struct CbcSettings {
    /// Wall-clock limit in whole seconds (CBC's own granularity); `None` = no limit.
    pub time_limit_s: Option<u32>,
    /// Relative MIP gap at which CBC may stop (`0 <= gap < 1`); `None` = CBC's default.
    pub relative_gap: Option<f64>,
    /// Number of CBC threads (at least 1).
    pub threads: u32,
}

impl Default for CbcSettings {
    fn default() -> Self {
        CbcSettings {
            time_limit_s: None,
            relative_gap: None,
            threads: 1,
        }
    }
}

impl CbcSettings {
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
