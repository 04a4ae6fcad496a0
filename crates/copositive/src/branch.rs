//! Branching on the users' station choices, with a certificate (and prices) per region.
//!
//! A component whose PSD + NN bound stays above its MILP welfare `W*` is split on one EV's
//! choice (opt out, or one of its stations) into one region per choice; each region fixes the
//! choice, substitutes the fixed columns out of the model and is priced on its own. Regions whose
//! bound still exceeds `W* + tol` are split on the next EV, until every region is closed or the
//! budget is spent. With every EV fixed a region is a linear program, whose lifted bound equals
//! its LP optimum, so the tree always closes given the budget.
//!
//! Why the per-region prices keep the guarantees is derived in `docs/copositive.md`
//! ("Branching"): a deviation of one user, the others at `x*`, lies in exactly one region, and
//! that region's certificate gives the IR inequality with epsilon `bound_region - W*`.

use crate::reduce::Component;
use crate::{Lift, SolveStatus};
use evmech_milp_model::{LinearModel, Row, Sense, VarName};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Limits of the branching in one component.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BranchBudget {
    /// Largest number of region solves per component.
    pub max_nodes: usize,
    /// No region is split after this many seconds in the component (regions already split are
    /// still solved, so the regions always cover every choice).
    pub time_limit_s: f64,
}

impl Default for BranchBudget {
    fn default() -> Self {
        BranchBudget {
            max_nodes: 200,
            time_limit_s: 60.0,
        }
    }
}

/// One EV's station choice (`None` = opt out).
pub type Choice = (usize, Option<usize>);

/// A component with some EVs' choices fixed and the fixed columns substituted out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FixedComponent {
    /// The remaining model (own rows that the fixing satisfies are dropped; coupling rows stay,
    /// even without terms, because they carry prices).
    pub(crate) model: LinearModel,
    /// Position of each remaining column in the component's model.
    pub(crate) columns: Vec<usize>,
    /// Position of each remaining row in the component's model.
    pub(crate) rows: Vec<usize>,
    /// Welfare of the fixed columns.
    pub(crate) constant: f64,
}

/// The value a choice fixes column `name` to (`None`: still free).
fn fixed_value(name: VarName, choices: &[Choice]) -> Option<f64> {
    let choice = choices.iter().find(|c| c.0 == name.ev())?.1;
    match name {
        VarName::Serve { station, .. } => Some(f64::from(u8::from(choice == Some(station)))),
        VarName::OptOut { .. } => Some(f64::from(u8::from(choice.is_none()))),
        VarName::Energy { station, .. } => (choice != Some(station)).then_some(0.0),
    }
}

/// `comp` with `choices` fixed.
pub(crate) fn fix_choices(comp: &Component, choices: &[Choice]) -> FixedComponent {
    let lm = &comp.model;
    let value: Vec<Option<f64>> = lm
        .columns
        .iter()
        .map(|c| fixed_value(c.name, choices))
        .collect();
    let columns: Vec<usize> = (0..lm.columns.len())
        .filter(|&j| value[j].is_none())
        .collect();
    let mut new_col = vec![usize::MAX; lm.columns.len()];
    for (k, &j) in columns.iter().enumerate() {
        new_col[j] = k;
    }
    let constant = (0..lm.columns.len())
        .map(|j| value[j].map_or(0.0, |v| v * lm.objective[j]))
        .sum();
    let mut rows = Vec::new();
    let mut kept = Vec::new();
    for (i, row) in lm.rows.iter().enumerate() {
        let fixed: f64 = row
            .terms
            .iter()
            .map(|&(j, a)| value[j].map_or(0.0, |v| a * v))
            .sum();
        let terms: Vec<(usize, f64)> = row
            .terms
            .iter()
            .filter(|&&(j, _)| value[j].is_none())
            .map(|&(j, a)| (new_col[j], a))
            .collect();
        let rhs = row.rhs - fixed;
        let trivially_met = terms.is_empty()
            && match row.sense {
                Sense::Eq => rhs.abs() <= 1e-12,
                Sense::Le => rhs >= 0.0,
            };
        if trivially_met && !row.name.is_coupling() {
            continue;
        }
        rows.push(i);
        kept.push(Row {
            name: row.name,
            terms,
            sense: row.sense,
            rhs,
        });
    }
    FixedComponent {
        model: LinearModel {
            columns: columns.iter().map(|&j| lm.columns[j]).collect(),
            rows: kept,
            objective: columns.iter().map(|&j| lm.objective[j]).collect(),
        },
        columns,
        rows,
        constant,
    }
}

/// The choices an EV of the component has: opt out and every station it has a column for.
pub(crate) fn choices_of(comp: &Component, ev: usize) -> Vec<Option<usize>> {
    let mut out = vec![None];
    for c in &comp.model.columns {
        if let VarName::Serve { ev: n, station } = c.name {
            if n == ev {
                out.push(Some(station));
            }
        }
    }
    out
}

/// A solved region.
#[derive(Debug, Clone)]
pub(crate) struct RegionSolve {
    pub(crate) choices: Vec<Choice>,
    pub(crate) fixed: FixedComponent,
    pub(crate) lift: Lift,
    pub(crate) dual: crate::DualSolution,
    /// `dual.bound + fixed.constant`.
    pub(crate) bound: f64,
}

impl RegionSolve {
    /// The whole component as one region (no choice fixed).
    pub(crate) fn whole(comp: &Component, lift: Lift, dual: crate::DualSolution) -> Self {
        RegionSolve {
            choices: Vec::new(),
            fixed: FixedComponent {
                model: comp.model.clone(),
                columns: (0..comp.columns.len()).collect(),
                rows: (0..comp.rows.len()).collect(),
                constant: 0.0,
            },
            bound: dual.bound,
            lift,
            dual,
        }
    }
}

/// Why a branching stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BranchStop {
    /// Every region was solved and split while loose.
    Finished,
    /// A loose region was not split: the node or time budget of [`BranchBudget`] was spent.
    Budget,
    /// The pricing run's deadline passed: some regions kept the certificate of the region they
    /// were split from.
    OutOfTime,
}

/// The leaves of a branching tree.
#[derive(Debug, Clone)]
pub(crate) struct BranchOutcome {
    pub(crate) leaves: Vec<RegionSolve>,
    /// Region solves made.
    pub(crate) nodes: usize,
    /// Their conic solve time, seconds.
    pub(crate) seconds: f64,
    pub(crate) stop: BranchStop,
}

/// Splits `comp` (certified as a whole by `root`) on its EVs' choices, in the order of
/// `comp.evs`, until every region's bound is at most `welfare + tol` or `budget` is spent.
/// `solve(model, floor)` prices one region with the bound held at or above `floor`, or gives
/// `None` when the time budget has run out; a region left unsolved then keeps the certificate
/// of the region it was split from (valid there, since it covers a superset), so the leaves
/// always cover every choice. `None` when the budget does not allow even the first split.
pub(crate) fn branch(
    comp: &Component,
    root: &RegionSolve,
    welfare: f64,
    tol: f64,
    budget: &BranchBudget,
    mut solve: impl FnMut(&LinearModel, f64) -> crate::Result<Option<(Lift, crate::DualSolution)>>,
) -> crate::Result<Option<BranchOutcome>> {
    let start = std::time::Instant::now();
    let first = comp.evs[0];
    let root = Rc::new(root.clone());
    let mut stack: Vec<(Vec<Choice>, Rc<RegionSolve>)> = choices_of(comp, first)
        .into_iter()
        .rev()
        .map(|c| (vec![(first, c)], Rc::clone(&root)))
        .collect();
    if stack.len() > budget.max_nodes || budget.time_limit_s <= 0.0 {
        return Ok(None);
    }
    let mut reserved = stack.len();
    let mut out = BranchOutcome {
        leaves: Vec::new(),
        nodes: 0,
        seconds: 0.0,
        stop: BranchStop::Finished,
    };
    while let Some((choices, parent)) = stack.pop() {
        let fixed = fix_choices(comp, &choices);
        let Some((lift, dual)) = solve(&fixed.model, welfare - fixed.constant)? else {
            out.stop = BranchStop::OutOfTime;
            out.leaves.push(RegionSolve {
                choices,
                ..(*parent).clone()
            });
            continue;
        };
        out.nodes += 1;
        out.seconds += dual.solve_seconds;
        let region = RegionSolve {
            bound: dual.bound + fixed.constant,
            choices,
            fixed,
            lift,
            dual,
        };
        let next = comp
            .evs
            .iter()
            .copied()
            .find(|n| region.choices.iter().all(|c| c.0 != *n));
        let loose = region.bound > welfare + tol;
        if let (true, Some(ev)) = (loose, next) {
            let children = choices_of(comp, ev);
            let in_budget = reserved + children.len() <= budget.max_nodes
                && start.elapsed().as_secs_f64() < budget.time_limit_s;
            if in_budget {
                reserved += children.len();
                let region = Rc::new(region);
                for c in children.into_iter().rev() {
                    let mut more = region.choices.clone();
                    more.push((ev, c));
                    stack.push((more, Rc::clone(&region)));
                }
                continue;
            }
            if out.stop == BranchStop::Finished {
                out.stop = BranchStop::Budget;
            }
        }
        out.leaves.push(region);
    }
    Ok(Some(out))
}

/// Whether a region with `choices` holds the point where every EV makes its choice in
/// `assignment`, except that `deviation = Some((ev, choice))` moves EV `ev` to `choice`.
pub(crate) fn region_contains(
    choices: &[Choice],
    assignment: &[Option<usize>],
    deviation: Option<Choice>,
) -> bool {
    choices.iter().all(|&(n, c)| {
        let actual = match deviation {
            Some((ev, choice)) if ev == n => choice,
            _ => assignment[n],
        };
        actual == c
    })
}

/// Worst of two conic statuses (`Inaccurate` beats `Solved`).
pub(crate) fn worse(a: SolveStatus, b: SolveStatus) -> SolveStatus {
    if a == SolveStatus::Optimal {
        b
    } else {
        a
    }
}
