//! Branching on the users' station choices, with a certificate (and prices) per region.
//!
//! A component whose PSD + NN bound stays above its MILP welfare `W*` is split on one EV's
//! choice (opt out, or one of its stations) into one region per choice; each region fixes the
//! choice, substitutes the fixed columns out of the model and is priced on its own. Under
//! [`InnerCone::Linear`](crate::InnerCone::Linear) a region is split in two instead, the EV at
//! one choice and the EV at any other (that choice's columns substituted out at 0), on the split
//! strong branching picks ([`crate::hot`]). Regions whose bound still exceeds `W* + tol` are
//! split again until every region is closed or the budget is spent; the regions with the
//! highest bound are solved first. With every EV fixed a region is a linear program, whose
//! lifted bound equals its LP optimum, so the tree always closes given the budget.
//!
//! Why the per-region prices keep the guarantees is derived in `docs/copositive.md`
//! ("Branching"): a deviation of one user, the others at `x*`, lies in exactly one region, and
//! that region's certificate gives the IR inequality with epsilon `bound_region - W*`.

use crate::lift::LiftedKind;
use crate::reduce::Component;
use crate::{Lift, SolveStatus};
use evmech_milp_model::{LinearModel, Row, RowName, Sense, VarName};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Limits of the branching in one component.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BranchBudget {
    /// Largest number of conic region solves per component.
    pub max_nodes: usize,
    /// Largest number of LP region solves per component, under
    /// [`InnerCone::Linear`](crate::InnerCone::Linear) (a simplex solve of a region costs
    /// milliseconds where a conic one costs seconds).
    #[serde(default = "default_linear_nodes")]
    pub max_linear_nodes: usize,
    /// No region is split after this many seconds in the component (regions already split are
    /// still solved, so the regions always cover every choice).
    pub time_limit_s: f64,
}

/// The default of [`BranchBudget::max_linear_nodes`].
fn default_linear_nodes() -> usize {
    200_000
}

impl Default for BranchBudget {
    fn default() -> Self {
        BranchBudget {
            max_nodes: 200,
            max_linear_nodes: default_linear_nodes(),
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

/// The value the region `at` fixes column `name` to (`None`: still free): a fixed EV's chosen
/// plug at 1 and its other columns at 0 (its energies at the chosen plug stay free), and the
/// columns of a choice the region rules out at 0.
pub(crate) fn fixed_value(name: VarName, at: &Fixings) -> Option<f64> {
    let ev = name.ev();
    let ruled_out = |c: Option<usize>| at.excluded.contains(&(ev, c));
    if let Some(&(_, choice)) = at.choices.iter().find(|c| c.0 == ev) {
        return match name {
            VarName::Serve { station, .. } => Some(f64::from(u8::from(choice == Some(station)))),
            VarName::OptOut { .. } => Some(f64::from(u8::from(choice.is_none()))),
            VarName::Energy { station, .. } => (choice != Some(station)).then_some(0.0),
        };
    }
    match name {
        VarName::Serve { station, .. } | VarName::Energy { station, .. } => {
            ruled_out(Some(station)).then_some(0.0)
        }
        VarName::OptOut { .. } => ruled_out(None).then_some(0.0),
    }
}

/// Where a region lies: the EVs' choices it fixes and the choices it rules out (an EV with a
/// ruled-out choice makes one of its others).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fixings {
    /// Fixed choices `(ev, station)` (`None` = opt out).
    pub(crate) choices: Vec<Choice>,
    /// Choices the region rules out, of EVs whose choice it does not fix.
    pub(crate) excluded: Vec<Choice>,
}

/// Whether the region fixing `choices` and ruling out `excluded` holds the point where every EV
/// makes its choice in `assignment`, except that `deviation = Some((ev, choice))` moves EV `ev`
/// to `choice`.
pub(crate) fn region_contains(
    (choices, excluded): (&[Choice], &[Choice]),
    assignment: &[Option<usize>],
    deviation: Option<Choice>,
) -> bool {
    let actual = |n: usize| match deviation {
        Some((ev, choice)) if ev == n => choice,
        _ => assignment[n],
    };
    choices.iter().all(|&(n, c)| actual(n) == c) && excluded.iter().all(|&(n, c)| actual(n) != c)
}

impl Fixings {
    /// Whether the region holds `assignment` moved by `deviation` ([`region_contains`]).
    pub(crate) fn contains(&self, assignment: &[Option<usize>], deviation: Option<Choice>) -> bool {
        region_contains((&self.choices, &self.excluded), assignment, deviation)
    }

    /// Whether EV `ev`'s choice is fixed.
    fn fixes(&self, ev: usize) -> bool {
        self.choices.iter().any(|c| c.0 == ev)
    }

    /// These fixings with EV `ev` fixed to `choice` (its exclusions dropped).
    fn with_choice(&self, (ev, choice): Choice) -> Fixings {
        let mut out = self.clone();
        out.excluded.retain(|c| c.0 != ev);
        out.choices.push((ev, choice));
        out
    }
}

/// `comp` in the region `at`, the columns it fixes substituted out.
pub(crate) fn fix_choices(comp: &Component, at: &Fixings) -> FixedComponent {
    let lm = &comp.model;
    let value: Vec<Option<f64>> = lm.columns.iter().map(|c| fixed_value(c.name, at)).collect();
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
    model_choices(&comp.model, ev)
}

/// The choices of `ev` in `model`: opt out and every station it has a serve column for.
pub(crate) fn model_choices(model: &LinearModel, ev: usize) -> Vec<Option<usize>> {
    let mut out = vec![None];
    for c in &model.columns {
        if let VarName::Serve { ev: n, station } = c.name {
            if n == ev && !out.contains(&Some(station)) {
                out.push(Some(station));
            }
        }
    }
    out
}

/// Where a loose region is split next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    /// One region per choice of the EV still open to it.
    Ev(usize),
    /// Two regions: the EV at this choice, and the EV at any other (the LP certificates' split,
    /// on the choice an EV's fractional LP assignment leans to most).
    Choice(Choice),
}

/// A solved region: what pricing reads off its certificate, kept for every region, and the
/// certificate itself (the region's model, lift and dual), kept only where it is read again (the
/// region of the optimum, and every region of a conic branching, which has few). A branching
/// with LP certificates may have many thousands of regions; each keeps a few kilobytes.
#[derive(Debug, Clone)]
pub(crate) struct RegionSolve {
    pub(crate) at: Fixings,
    /// `dual.bound + fixed.constant`.
    pub(crate) bound: f64,
    /// Order of the region's lift.
    pub(crate) n1: usize,
    /// The solver's status.
    pub(crate) status: SolveStatus,
    /// Whether the bound is proven ([`crate::DualSolution::certified`]).
    pub(crate) certified: bool,
    pub(crate) min_eig: f64,
    pub(crate) min_linear: f64,
    pub(crate) repair: f64,
    /// `(component row, rho, eta)` of every coupling row of the region, as the solver left them
    /// (not clamped).
    pub(crate) row_prices: Vec<(usize, f64, f64)>,
    /// Where to split next, if the certificate suggests it (from the fractional assignment of
    /// an LP certificate).
    pub(crate) split: Option<Split>,
    pub(crate) detail: Option<Arc<RegionDetail>>,
    /// The non-zero multipliers of an LP certificate by row name, kept while the region's
    /// children wait for their solves: a child tries them before an LP of its own.
    pub(crate) named: Option<Arc<Vec<(RowName, f64)>>>,
}

/// A region's certificate in full.
#[derive(Debug, Clone)]
pub(crate) struct RegionDetail {
    pub(crate) fixed: FixedComponent,
    pub(crate) lift: Lift,
    pub(crate) dual: crate::DualSolution,
}

/// One region's solve: its lift and dual, and where to split next.
pub(crate) struct Solved {
    pub(crate) lift: Lift,
    pub(crate) dual: crate::DualSolution,
    pub(crate) split: Option<Split>,
    /// The non-zero multipliers by row name (LP certificates; empty otherwise).
    pub(crate) named: Vec<(RowName, f64)>,
}

impl RegionSolve {
    /// The region `choices` (model `fixed`) certified by `solved`; the certificate is kept in
    /// full when `keep`.
    pub(crate) fn new(at: Fixings, fixed: FixedComponent, solved: Solved, keep: bool) -> Self {
        let Solved {
            lift,
            dual,
            split,
            named,
        } = solved;
        let mut row_prices: Vec<(usize, f64, f64)> = Vec::new();
        for (k, con) in lift.constraints.iter().enumerate() {
            let (row, is_rho) = match con.kind {
                LiftedKind::Linear { row } => (row, true),
                LiftedKind::Squared { row } => (row, false),
                _ => continue,
            };
            // A lift may carry rows after the region's own (implied rows, never coupling).
            if !fixed
                .model
                .rows
                .get(row)
                .is_some_and(|r| r.name.is_coupling())
            {
                continue;
            }
            let comp_row = fixed.rows[row];
            let entry = match row_prices.iter().position(|p| p.0 == comp_row) {
                Some(e) => e,
                None => {
                    row_prices.push((comp_row, 0.0, 0.0));
                    row_prices.len() - 1
                }
            };
            match is_rho {
                true => row_prices[entry].1 = dual.multipliers[k],
                false => row_prices[entry].2 = dual.multipliers[k],
            }
        }
        RegionSolve {
            at,
            bound: dual.bound + fixed.constant,
            n1: lift.n1(),
            status: dual.status,
            certified: dual.certified,
            min_eig: dual.min_eig,
            min_linear: dual.min_linear,
            repair: dual.repair,
            row_prices,
            split,
            detail: keep.then(|| Arc::new(RegionDetail { fixed, lift, dual })),
            named: (!named.is_empty()).then(|| Arc::new(named)),
        }
    }

    /// The whole component as one region (no choice fixed), kept in full.
    pub(crate) fn whole(comp: &Component, solved: Solved) -> Self {
        let fixed = FixedComponent {
            model: comp.model.clone(),
            columns: (0..comp.columns.len()).collect(),
            rows: (0..comp.rows.len()).collect(),
            constant: 0.0,
        };
        RegionSolve::new(Fixings::default(), fixed, solved, true)
    }

    /// The status of the certificate: `Optimal` when the bound is proven, the solver's otherwise.
    pub(crate) fn certificate_status(&self) -> SolveStatus {
        if self.certified {
            SolveStatus::Optimal
        } else {
            self.status
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
    /// Their solve time, seconds.
    pub(crate) seconds: f64,
    pub(crate) stop: BranchStop,
}

/// A region waiting for its solve, with the certificate of the region it was split from.
struct Open {
    at: Fixings,
    parent: Arc<RegionSolve>,
    /// Order of creation: among regions whose parents have equal bounds, the first created is
    /// solved first, so the tree is the same on every run.
    seq: usize,
}

impl Open {
    fn key(&self) -> (f64, std::cmp::Reverse<usize>) {
        (self.parent.bound, std::cmp::Reverse(self.seq))
    }
}

impl PartialEq for Open {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Open {}
impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Open {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (self.key(), other.key());
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
    }
}

/// The limits and inputs of one branching that do not change while it runs.
pub(crate) struct Tree<'a> {
    pub(crate) comp: &'a Component,
    pub(crate) welfare: f64,
    pub(crate) tol: f64,
    /// Largest number of region solves.
    pub(crate) max_nodes: usize,
    /// No region is split after this many seconds.
    pub(crate) time_limit_s: f64,
    /// The MILP optimum's choice of every EV of the instance: the region holding it keeps its
    /// certificate in full.
    pub(crate) optimum: &'a [Option<usize>],
}

impl Tree<'_> {
    /// Where to split a loose region: the region's suggestion, else on the first EV of the
    /// component not yet fixed.
    fn next_split(&self, region: &RegionSolve) -> Option<Split> {
        let at = &region.at;
        let valid = |s: &Split| match *s {
            Split::Ev(n) => !at.fixes(n),
            Split::Choice((n, c)) => !at.fixes(n) && !at.excluded.contains(&(n, c)),
        };
        region.split.filter(valid).or_else(|| {
            let ev = self.comp.evs.iter().copied().find(|&n| !at.fixes(n))?;
            Some(Split::Ev(ev))
        })
    }

    /// The fixings of the regions `at` splits into: one per choice of the EV still open to it,
    /// or the EV at the choice and the EV elsewhere (fixed when one choice is left).
    fn child_fixings(&self, at: &Fixings, split: Split) -> Vec<Fixings> {
        let open_to = |ev: usize| -> Vec<Option<usize>> {
            choices_of(self.comp, ev)
                .into_iter()
                .filter(|&c| !at.excluded.contains(&(ev, c)))
                .collect()
        };
        match split {
            Split::Ev(ev) => open_to(ev)
                .into_iter()
                .map(|c| at.with_choice((ev, c)))
                .collect(),
            Split::Choice((ev, choice)) => {
                let rest: Vec<Option<usize>> =
                    open_to(ev).into_iter().filter(|&c| c != choice).collect();
                let elsewhere = match rest[..] {
                    [] => None,
                    [only] => Some(at.with_choice((ev, only))),
                    _ => {
                        let mut out = at.clone();
                        out.excluded.push((ev, choice));
                        Some(out)
                    }
                };
                std::iter::once(at.with_choice((ev, choice)))
                    .chain(elsewhere)
                    .collect()
            }
        }
    }

    /// The regions `region` splits into, one per fixings.
    fn children(region: &Arc<RegionSolve>, fixings: Vec<Fixings>, seq: &mut usize) -> Vec<Open> {
        fixings
            .into_iter()
            .map(|at| {
                *seq += 1;
                Open {
                    at,
                    parent: Arc::clone(region),
                    seq: *seq,
                }
            })
            .collect()
    }
}

/// Splits the tree's component (certified as a whole by `root`) on its EVs' choices until every
/// region's bound is at most `welfare + tol` or the budget is spent. `solve(choices, fixed,
/// floor, parent)` gets the region it splits from too (whose multipliers it may reuse). Regions are solved best
/// first (the highest parent bound first), so when a budget stops the tree the largest bound
/// left open is as low as that budget allows. `solve(choices, fixed, floor)` prices one region
/// with the bound held at or above `floor`, or gives `None` when the time budget has run out; a
/// region left unsolved then keeps the certificate of the region it was split from (valid
/// there, since it covers a superset), so the leaves always cover every choice. `None` when the
/// budget does not allow even the first split.
pub(crate) fn branch(
    tree: &Tree,
    root: &RegionSolve,
    mut solve: impl FnMut(&Fixings, &FixedComponent, f64, &RegionSolve) -> crate::Result<Option<Solved>>,
) -> crate::Result<Option<BranchOutcome>> {
    let start = std::time::Instant::now();
    let root = Arc::new(root.clone());
    let Some(first) = tree.next_split(&root) else {
        return Ok(None);
    };
    let mut seq = 0;
    let mut open: std::collections::BinaryHeap<Open> =
        Tree::children(&root, tree.child_fixings(&root.at, first), &mut seq)
            .into_iter()
            .collect();
    if open.len() > tree.max_nodes || tree.time_limit_s <= 0.0 {
        return Ok(None);
    }
    let mut reserved = open.len();
    let mut out = BranchOutcome {
        leaves: Vec::new(),
        nodes: 0,
        seconds: 0.0,
        stop: BranchStop::Finished,
    };
    while let Some(Open { at, parent, .. }) = open.pop() {
        // Past the deadline every region left keeps its parent's certificate; no model is built.
        if out.stop == BranchStop::OutOfTime {
            out.leaves.push(RegionSolve {
                at,
                named: None,
                ..(*parent).clone()
            });
            continue;
        }
        let fixed = fix_choices(tree.comp, &at);
        let floor = tree.welfare - fixed.constant;
        let Some(solved) = solve(&at, &fixed, floor, &parent)? else {
            out.stop = BranchStop::OutOfTime;
            out.leaves.push(RegionSolve {
                at,
                named: None,
                ..(*parent).clone()
            });
            continue;
        };
        out.nodes += 1;
        out.seconds += solved.dual.solve_seconds;
        let keep = solved.lift.kind != crate::LiftKind::Linear || at.contains(tree.optimum, None);
        let mut region = RegionSolve::new(at, fixed, solved, keep);
        let loose = region.bound > tree.welfare + tree.tol;
        if let (true, Some(split)) = (loose, tree.next_split(&region)) {
            let children = tree.child_fixings(&region.at, split);
            let width = children.len();
            let in_budget = reserved + width <= tree.max_nodes
                && start.elapsed().as_secs_f64() < tree.time_limit_s;
            if in_budget {
                reserved += width;
                let region = Arc::new(region);
                open.extend(Tree::children(&region, children, &mut seq));
                continue;
            }
            if out.stop == BranchStop::Finished {
                out.stop = BranchStop::Budget;
            }
        }
        region.named = None;
        out.leaves.push(region);
    }
    Ok(Some(out))
}

/// Worst of two conic statuses (`Inaccurate` beats `Solved`).
pub(crate) fn worse(a: SolveStatus, b: SolveStatus) -> SolveStatus {
    if a == SolveStatus::Optimal {
        b
    } else {
        a
    }
}
