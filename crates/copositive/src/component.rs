//! Pricing one component: the first certificate, then the tightening, within the time budget.

use crate::branch::{
    branch, BranchStop, FixedComponent, Fixings, RegionSolve, Solved, Split, Tree,
};
use crate::hot::HotRegions;
use crate::k1::solve_k1;
use crate::lift::{Lift, LiftKind, LiftedKind};
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
    /// The inner cone of the component's certificates ([`component_cone`]).
    pub(crate) cone: InnerCone,
}

impl ComponentSolve {
    /// Whether some part's bound exceeds `welfare + tol`.
    fn is_loose(&self, welfare: f64, tol: f64) -> bool {
        self.parts.iter().any(|p| p.bound - welfare > tol)
    }
}

/// What a solve attempt gave: a certificate, or nothing because the time budget ran out.
enum Attempt {
    Solved(Box<Solved>),
    OutOfTime,
}

/// Runs `solve`, reading a time-limit stop after the deadline as [`Attempt::OutOfTime`]; a time
/// limit reached before the deadline (the per-solve cap) stays an error, like every other failure.
fn attempt(clock: &Clock, solve: impl FnOnce() -> Result<Solved>) -> Result<Attempt> {
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
    let cone = component_cone(&full_comp.model, options);
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
            solve_model(&comp.model, options, cone, welfare, None, clock)
        })?;
        let Attempt::Solved(solved) = run else {
            out_of_time = true;
            break;
        };
        attempts += 1;
        seconds += solved.dual.solve_seconds;
        let tight = solved.dual.bound - welfare <= tol;
        best = Some((comp, *solved));
        if tight {
            break;
        }
    }
    let Some((comp, solved)) = best else {
        return Err(Error::TimeLimit {
            component: index,
            seconds: options.time_limit_s.unwrap_or(f64::INFINITY),
        });
    };
    let mut solved = ComponentSolve {
        parts: vec![RegionSolve::whole(&comp, solved)],
        comp,
        attempts,
        seconds,
        method: cone.into(),
        stopped_by: StoppedBy::Closed,
        cone,
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
    (welfare, tol): (f64, f64),
    optimum: &[Option<usize>],
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
    tighten(solved, options, (welfare, tol), optimum, clock)?;
    if !loose(solved) {
        solved.stopped_by = StoppedBy::Closed;
    }
    Ok(())
}

/// `K^1` and branching on a loose component, as `options.tightening` says; sets `stopped_by`
/// to why the gap stayed open if it does. `optimum` is the MILP optimum's choice of every EV.
fn tighten(
    solved: &mut ComponentSolve,
    options: &PricingOptions,
    (welfare, tol): (f64, f64),
    optimum: &[Option<usize>],
    clock: &Clock,
) -> Result<()> {
    let loose = |s: &ComponentSolve| s.is_loose(welfare, tol);
    solved.stopped_by = StoppedBy::TighteningExhausted;
    let full = solved.comp.clone();
    let try_k1 = match options.tightening {
        Tightening::K1 => true,
        Tightening::Auto => solved.parts[0].n1 <= options.k1_max_n1,
        _ => false,
    };
    if try_k1 && !matches!(solved.cone, InnerCone::K1 | InnerCone::Linear) {
        let run = attempt(clock, || {
            solve_model(&full.model, options, InnerCone::K1, welfare, None, clock)
        })?;
        let Attempt::Solved(k1) = run else {
            solved.stopped_by = StoppedBy::TimeLimit;
            return Ok(());
        };
        solved.attempts += 1;
        solved.seconds += k1.dual.solve_seconds;
        if k1.dual.bound < solved.parts[0].bound {
            solved.parts = vec![RegionSolve::whole(&full, *k1)];
            solved.method = Method::K1;
        }
    }
    let try_branch = matches!(options.tightening, Tightening::Branch | Tightening::Auto);
    if !(loose(solved) && try_branch && !full.evs.is_empty()) {
        return Ok(());
    }
    let cone = match solved.cone {
        InnerCone::Polyhedral | InnerCone::SparsePsdNn | InnerCone::Linear => solved.cone,
        InnerCone::PsdNn | InnerCone::K1 => InnerCone::PsdNn,
    };
    // LP certificates branch on the model with its implied rows, so that a region keeps the rows
    // of the EVs it fixes and can reuse its parent's multipliers on them.
    let full = match cone {
        InnerCone::Linear => Component {
            model: crate::linear::with_implied_rows(&full.model),
            ..full
        },
        _ => full,
    };
    let budget = &options.branch_budget;
    let tree = Tree {
        comp: &full,
        welfare,
        tol,
        max_nodes: match cone {
            InnerCone::Linear => budget.max_linear_nodes,
            _ => budget.max_nodes,
        },
        time_limit_s: budget.time_limit_s,
        optimum,
    };
    let root = solved.parts[0].clone();
    let mut hot = match cone {
        InnerCone::Linear => HotRegions::new(&full.model)?,
        _ => None,
    };
    let tree = branch(&tree, &root, |at, fixed, floor, parent| {
        let run = attempt(clock, || match cone {
            InnerCone::Linear => lp_region((at, fixed), floor, parent, tol, hot.as_mut()),
            _ => solve_model(&fixed.model, options, cone, welfare, Some(floor), clock),
        })?;
        Ok(match run {
            Attempt::Solved(s) => Some(*s),
            Attempt::OutOfTime => None,
        })
    })?;
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

/// The inner cone a component is certified with: the one `options` ask for, except that under
/// [`Tightening::Auto`] a component whose dense lift is larger than `max_n1` (no PSD + NN, `K^1` or
/// `C^1` solve of it would be allowed) gets LP certificates per region ([`InnerCone::Linear`])
/// instead of the error. The component's report names the cone it got.
fn component_cone(model: &LinearModel, options: &PricingOptions) -> InnerCone {
    let dense = matches!(
        options.cone_kind,
        InnerCone::PsdNn | InnerCone::K1 | InnerCone::Polyhedral
    );
    if options.tightening == Tightening::Auto
        && dense
        && dense_order(model, options.lift) > options.max_n1
    {
        InnerCone::Linear
    } else {
        options.cone_kind
    }
}

/// The order `n1` of `model`'s lift of `kind`, without building it: the constant, the columns,
/// and a slack per coupling `<=` row (per `<=` row in the full lift).
fn dense_order(model: &LinearModel, kind: LiftKind) -> usize {
    let slacks = model
        .rows
        .iter()
        .filter(|r| {
            r.sense == evmech_milp_model::Sense::Le
                && (kind == LiftKind::Full || r.name.is_coupling())
        })
        .count();
    1 + model.columns.len() + slacks
}

/// Lifts `sub` and solves its dual over `cone` with price regularisation (and the bound held at
/// or above `floor`), within the time left on `clock`. Under [`InnerCone::Linear`] the lift is
/// the linear one and the dual an LP's (no regularisation: the simplex ends at a vertex, the same
/// on every run), which also names the EV to split next.
fn solve_model(
    sub: &LinearModel,
    options: &PricingOptions,
    cone: InnerCone,
    welfare: f64,
    floor: Option<f64>,
    clock: &Clock,
) -> Result<Solved> {
    type ConeSolve =
        fn(&Lift, &crate::ConeSettings, Option<&Regularization>) -> Result<DualSolution>;
    let solve: ConeSolve = match cone {
        InnerCone::PsdNn => solve_psd_nn,
        InnerCone::SparsePsdNn => solve_sparse_psd_nn,
        InnerCone::Polyhedral => solve_c1,
        InnerCone::K1 => solve_k1,
        InnerCone::Linear => return linear_region(sub, floor.unwrap_or(welfare)),
    };
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
    let dual = solve(&lift, &settings, Some(&reg))?;
    Ok(Solved {
        lift,
        dual,
        split: None,
        named: Vec::new(),
    })
}

/// The LP certificate of `sub` with its implied rows
/// ([`with_implied_rows`](crate::linear::with_implied_rows)) over their linear lift, with the
/// bound held at or above `floor` where `sub` has a point, and the EV to split next. The lift's
/// rows beyond those of `sub` are the implied rows, which are never coupling rows.
fn linear_region(sub: &LinearModel, floor: f64) -> Result<Solved> {
    let (tight, lift) = crate::linear::implied_lift(sub);
    solve_lp_region(tight, lift, floor)
}

/// The LP certificate of `tight` (a model with its implied rows) over `lift`.
pub(crate) fn solve_lp_region(tight: LinearModel, lift: Lift, floor: f64) -> Result<Solved> {
    let solve = crate::linear::solve_linear(&lift, &tight, floor)?;
    let split = crate::hot::fractional_choices(&tight, &solve.x)
        .first()
        .map(|&c| Split::Choice(c));
    let named = crate::linear::named_multipliers(&lift, &tight, &solve.dual);
    Ok(Solved {
        lift,
        dual: solve.dual,
        split,
        named,
    })
}

/// A region of an LP branching: the multipliers of the region it was split from first, which
/// close it without a solve when their rigorous bound is within `tol` of `floor` (reduced-cost
/// fixing: a choice the parent's LP priced out stays priced out); its own LP otherwise, hot
/// started in the component's kept model where the build has HiGHS.
fn lp_region(
    (at, fixed): (&Fixings, &FixedComponent),
    floor: f64,
    parent: &RegionSolve,
    tol: f64,
    hot: Option<&mut HotRegions>,
) -> Result<Solved> {
    let (tight, lift) = crate::linear::implied_lift(&fixed.model);
    if let Some(named) = &parent.named {
        let dual = crate::linear::reuse(&lift, &tight, named);
        if dual.certified && dual.bound <= floor + tol {
            return Ok(Solved {
                lift,
                dual,
                split: None,
                named: Vec::new(),
            });
        }
    }
    match hot {
        Some(hot) => hot.solve(
            at,
            (tight, lift),
            fixed.constant,
            (floor, floor + fixed.constant + tol),
        ),
        None => solve_lp_region(tight, lift, floor),
    }
}
