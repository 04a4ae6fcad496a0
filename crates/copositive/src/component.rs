//! Pricing one component: the first certificate, then the tightening, within the time budget.

use crate::branch::{branch, BranchStop, RegionSolve};
use crate::k1::solve_k1;
use crate::lift::{Lift, LiftedKind};
use crate::polyhedral::solve_c1;
use crate::reduce::Component;
use crate::sdp::{solve_psd_nn, solve_sparse_psd_nn};
use crate::{
    CouplingRows, DualSolution, Error, InnerCone, Method, PricingOptions, Regularization, Result,
    SolveStatus, StoppedBy, Tightening,
};
use evmech_milp_model::LinearModel;
use std::time::{Duration, Instant};

/// The time budget of a pricing run: the deadline, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    deadline: Option<Instant>,
}

impl Clock {
    /// A clock started at `start` with `limit_s` seconds (`None` or `+inf`: no deadline).
    /// Negative or NaN limits are an error.
    pub(crate) fn new(start: Instant, limit_s: Option<f64>) -> Result<Self> {
        let deadline = match limit_s {
            None => None,
            Some(s) if s == f64::INFINITY => None,
            Some(s) => {
                let budget = Duration::try_from_secs_f64(s).map_err(|_| Error::InvalidOption {
                    field: "time_limit_s",
                    reason: format!("{s} is not a non-negative number of seconds"),
                })?;
                // A budget beyond what the clock can represent is no budget.
                start.checked_add(budget)
            }
        };
        Ok(Clock { deadline })
    }

    /// Seconds left (`None`: no deadline).
    pub(crate) fn remaining(&self) -> Option<f64> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64())
    }

    /// Whether the deadline has passed.
    pub(crate) fn expired(&self) -> bool {
        self.remaining().is_some_and(|r| r <= 0.0)
    }

    /// `limit` capped by the time left.
    pub(crate) fn cap(&self, limit: f64) -> f64 {
        self.remaining().map_or(limit, |r| r.min(limit))
    }
}

/// A component's final certificate(s).
pub(crate) struct ComponentSolve {
    /// The (sub)component that was lifted.
    pub(crate) comp: Component,
    /// One lift and dual, or one per region.
    pub(crate) parts: Vec<RegionSolve>,
    pub(crate) attempts: usize,
    pub(crate) seconds: f64,
    pub(crate) method: Method,
    pub(crate) stopped_by: StoppedBy,
}

impl ComponentSolve {
    /// Whether some part's bound exceeds `welfare + tol`.
    fn is_loose(&self, welfare: f64, tol: f64) -> bool {
        self.parts.iter().any(|p| p.bound - welfare > tol)
    }
}

/// What a solve attempt gave: a certificate, or nothing because the time budget ran out.
enum Attempt {
    Solved(Box<(Lift, DualSolution)>),
    OutOfTime,
}

/// Runs `solve`, reading a time-limit stop after the deadline as [`Attempt::OutOfTime`]; a time
/// limit reached before the deadline (the per-solve cap) stays an error, like every other failure.
fn attempt(clock: &Clock, solve: impl FnOnce() -> Result<(Lift, DualSolution)>) -> Result<Attempt> {
    if clock.expired() {
        return Ok(Attempt::OutOfTime);
    }
    match solve() {
        Ok(solved) => Ok(Attempt::Solved(Box::new(solved))),
        Err(Error::Solver {
            status: SolveStatus::TimeLimit,
        }) if clock.expired() => Ok(Attempt::OutOfTime),
        Err(e) => Err(e),
    }
}

/// A component's first certificate: binding rows first (if asked), then every row while the gap
/// is open, keeping the best certificate found before the deadline. `index` names the component
/// in the error when not even one certificate was found in time. `stopped_by` is `Closed` when
/// the gap is closed, `TimeLimit` when the deadline cut the attempts short, and `TighteningOff`
/// otherwise (until [`tighten_component`] runs).
pub(crate) fn first_certificate(
    full_comp: Component,
    index: usize,
    binding: &[bool],
    options: &PricingOptions,
    welfare: f64,
    tol: f64,
    clock: &Clock,
) -> Result<ComponentSolve> {
    let mut candidates = Vec::new();
    if options.coupling_rows == CouplingRows::BindingFirst {
        let lean = full_comp.without_coupling_rows(|i| !binding[i]);
        if lean.rows.len() < full_comp.rows.len() {
            candidates.push(lean);
        }
    }
    candidates.push(full_comp);
    let (mut attempts, mut seconds) = (0, 0.0);
    let mut best = None;
    let mut out_of_time = false;
    for comp in candidates {
        let run = attempt(clock, || {
            solve_model(
                &comp.model,
                options,
                options.cone_kind,
                welfare,
                None,
                clock,
            )
        })?;
        let Attempt::Solved(solved) = run else {
            out_of_time = true;
            break;
        };
        let (lift, dual) = *solved;
        attempts += 1;
        seconds += dual.solve_seconds;
        let tight = dual.bound - welfare <= tol;
        best = Some((comp, lift, dual));
        if tight {
            break;
        }
    }
    let Some((comp, lift, dual)) = best else {
        return Err(Error::TimeLimit {
            component: index,
            seconds: options.time_limit_s.unwrap_or(f64::INFINITY),
        });
    };
    let mut solved = ComponentSolve {
        parts: vec![RegionSolve::whole(&comp, lift, dual)],
        comp,
        attempts,
        seconds,
        method: options.cone_kind.into(),
        stopped_by: StoppedBy::Closed,
    };
    if solved.parts[0].bound - welfare > tol {
        solved.stopped_by = match out_of_time {
            true => StoppedBy::TimeLimit,
            false => StoppedBy::TighteningOff,
        };
    }
    Ok(solved)
}

/// Tightens a component whose first certificate left the gap open, as `options.tightening`
/// says and while the deadline allows, and says in `stopped_by` why it stopped.
pub(crate) fn tighten_component(
    solved: &mut ComponentSolve,
    options: &PricingOptions,
    welfare: f64,
    tol: f64,
    clock: &Clock,
) -> Result<()> {
    let loose = |s: &ComponentSolve| s.is_loose(welfare, tol);
    if !loose(solved) || solved.stopped_by == StoppedBy::TimeLimit {
        return Ok(());
    }
    if options.tightening == Tightening::Off {
        solved.stopped_by = StoppedBy::TighteningOff;
        return Ok(());
    }
    if clock.expired() {
        solved.stopped_by = StoppedBy::TimeLimit;
        return Ok(());
    }
    tighten(solved, options, welfare, tol, clock)?;
    if !loose(solved) {
        solved.stopped_by = StoppedBy::Closed;
    }
    Ok(())
}

/// `K^1` and branching on a loose component, as `options.tightening` says; sets `stopped_by`
/// to why the gap stayed open if it does.
fn tighten(
    solved: &mut ComponentSolve,
    options: &PricingOptions,
    welfare: f64,
    tol: f64,
    clock: &Clock,
) -> Result<()> {
    let loose = |s: &ComponentSolve| s.is_loose(welfare, tol);
    solved.stopped_by = StoppedBy::TighteningExhausted;
    let full = solved.comp.clone();
    let try_k1 = match options.tightening {
        Tightening::K1 => true,
        Tightening::Auto => solved.parts[0].lift.n1() <= options.k1_max_n1,
        _ => false,
    };
    if try_k1 && options.cone_kind != InnerCone::K1 {
        let run = attempt(clock, || {
            solve_model(&full.model, options, InnerCone::K1, welfare, None, clock)
        })?;
        let Attempt::Solved(k1) = run else {
            solved.stopped_by = StoppedBy::TimeLimit;
            return Ok(());
        };
        let (lift, dual) = *k1;
        solved.attempts += 1;
        solved.seconds += dual.solve_seconds;
        if dual.bound < solved.parts[0].bound {
            solved.parts = vec![RegionSolve::whole(&full, lift, dual)];
            solved.method = Method::K1;
        }
    }
    let try_branch = matches!(options.tightening, Tightening::Branch | Tightening::Auto);
    if !(loose(solved) && try_branch && !full.evs.is_empty()) {
        return Ok(());
    }
    let cone = match options.cone_kind {
        InnerCone::Polyhedral | InnerCone::SparsePsdNn => options.cone_kind,
        InnerCone::PsdNn | InnerCone::K1 => InnerCone::PsdNn,
    };
    let root = solved.parts[0].clone();
    let tree = branch(
        &full,
        &root,
        welfare,
        tol,
        &options.branch_budget,
        |model, floor| {
            let run = attempt(clock, || {
                solve_model(model, options, cone, welfare, Some(floor), clock)
            })?;
            Ok(match run {
                Attempt::Solved(s) => Some(*s),
                Attempt::OutOfTime => None,
            })
        },
    )?;
    let Some(tree) = tree else {
        solved.stopped_by = StoppedBy::BranchBudget;
        return Ok(());
    };
    solved.attempts += tree.nodes;
    solved.seconds += tree.seconds;
    solved.parts = tree.leaves;
    solved.method = Method::Branch;
    solved.stopped_by = match tree.stop {
        BranchStop::Finished => StoppedBy::TighteningExhausted,
        BranchStop::Budget => StoppedBy::BranchBudget,
        BranchStop::OutOfTime => StoppedBy::TimeLimit,
    };
    Ok(())
}

/// Lifts `sub` and solves its dual over `cone` with price regularisation (and the bound held at
/// or above `floor`), within the time left on `clock`.
fn solve_model(
    sub: &LinearModel,
    options: &PricingOptions,
    cone: InnerCone,
    welfare: f64,
    floor: Option<f64>,
    clock: &Clock,
) -> Result<(Lift, DualSolution)> {
    let lift = Lift::build(sub, options.lift, |i| sub.rows[i].name.is_coupling());
    // The size that costs: the one PSD block of a dense cone, the largest clique of the sparse one.
    let order = match cone {
        InnerCone::SparsePsdNn => crate::sdp::largest_clique(&lift),
        _ => lift.n1(),
    };
    if order > options.max_n1 {
        return Err(Error::TooLarge {
            n1: order,
            limit: options.max_n1,
        });
    }
    let priced: Vec<usize> = lift
        .constraints
        .iter()
        .enumerate()
        .filter(|(_, c)| match c.kind {
            LiftedKind::Linear { row } | LiftedKind::Squared { row } => {
                sub.rows[row].name.is_coupling()
            }
            _ => false,
        })
        .map(|(k, _)| k)
        .collect();
    let reg = Regularization {
        weight: options.price_regularization / welfare.abs().max(1.0),
        priced,
        floor,
    };
    let mut settings = options.cone;
    settings.time_limit_s = clock.cap(settings.time_limit_s);
    let dual = match cone {
        InnerCone::PsdNn => solve_psd_nn(&lift, &settings, Some(&reg))?,
        InnerCone::SparsePsdNn => solve_sparse_psd_nn(&lift, &settings, Some(&reg))?,
        InnerCone::Polyhedral => solve_c1(&lift, &settings, Some(&reg))?,
        InnerCone::K1 => solve_k1(&lift, &settings, Some(&reg))?,
    };
    Ok((lift, dual))
}
