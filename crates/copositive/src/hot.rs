//! The LP regions of one branching solved in one kept HiGHS model ([`KeptLp`]): a region is the
//! component's model (with its implied rows) with the fixed columns' bounds set, re-solved from
//! the last optimal basis, which stays dual feasible when only bounds change. The row duals are
//! then proven on the region's own (substituted) model exactly as a parent's multipliers are
//! ([`crate::linear::reuse`]), so the certificate does not depend on how the duals were found.
//!
//! A region whose bounds leave no feasible point (two EVs fixed to one plug in one slot) has no
//! duals to read here: it gets the floored LP of its substituted model
//! ([`crate::linear::solve_linear`]), which certifies it at its floor.

use crate::branch::{fixed_value, Choice, Fixings, Solved, Split};
use crate::lift::Lift;
use crate::{Result, SolveStatus};
use evmech_milp_model::{
    Error as ModelError, KeptLp, LinearModel, LpBackend, RowName, SolverSettings, VarName,
};

/// One component's LP, kept loaded between its regions' solves.
pub(crate) struct HotRegions {
    kept: KeptLp,
    /// The component's model with its implied rows (the rows the duals belong to).
    model: LinearModel,
    /// What strong branching has learnt of each split, for the regions still to come.
    pseudo: PseudoCosts,
}

impl HotRegions {
    /// Loads `model` (a component's model with its implied rows) into HiGHS; `None` where the
    /// build has no HiGHS (every region is then solved afresh).
    pub(crate) fn new(model: &LinearModel) -> Result<Option<HotRegions>> {
        if !LpBackend::Highs.is_available() {
            return Ok(None);
        }
        let lp = crate::linear::relaxed_lp(model, None);
        let kept = KeptLp::new(lp, LpBackend::Highs, SolverSettings::default())?;
        Ok(Some(HotRegions {
            kept,
            model: model.clone(),
            pseudo: PseudoCosts::default(),
        }))
    }

    /// The region `at` with its LP certificate over `lift`, the linear lift of `tight` (the
    /// region's substituted model with its implied rows; `constant` the welfare of its fixed
    /// columns), the bound held at or above `floor` where it has no point; where to split it
    /// is chosen by strong branching against `target` ([`HotRegions::strong_split`]).
    pub(crate) fn solve(
        &mut self,
        at: &Fixings,
        (tight, lift): (LinearModel, Lift),
        constant: f64,
        (floor, target): (f64, f64),
    ) -> Result<Solved> {
        self.set_bounds(at)?;
        let solution = match self.kept.solve() {
            Ok(s) => s,
            Err(ModelError::Infeasible { .. }) | Err(ModelError::InfeasibleOrUnbounded) => {
                return crate::component::solve_lp_region(tight, lift, floor);
            }
            Err(e) => return Err(e.into()),
        };
        let duals = solution.row_duals.as_deref().unwrap_or(&[]);
        let named: Vec<(RowName, f64)> = self
            .model
            .rows
            .iter()
            .zip(duals)
            .map(|(r, d)| (r.name, -d))
            .filter(|(_, v)| *v != 0.0)
            .collect();
        let mut dual = crate::linear::reuse(&lift, &tight, &named);
        dual.status = match solution.status {
            SolveStatus::Optimal => SolveStatus::Optimal,
            _ => SolveStatus::Inaccurate,
        };
        dual.raw_bound = -solution.objective - constant;
        dual.repair = dual.bound - dual.raw_bound;
        dual.solve_seconds = solution.seconds;
        let split = self.strong_split(at, &solution.x, (-solution.objective, target))?;
        Ok(Solved {
            lift,
            dual,
            split,
            named,
        })
    }

    /// Sets every column's bounds to those of the region `at`.
    fn set_bounds(&mut self, at: &Fixings) -> Result<()> {
        for (j, c) in self.model.columns.iter().enumerate() {
            let (lo, hi) = bounds(c.name, at);
            self.kept.set_col_bounds(j, lo, hi)?;
        }
        Ok(())
    }

    /// Where to split the region `at` (LP point `x`, LP value `parent`), by reliability
    /// branching: each fractional EV (at most [`SCORED_CANDIDATES`], most fractional first) is
    /// scored by how much LP value the two regions a split on its largest choice would make (the
    /// EV there, the EV elsewhere) leave above `target` (the MILP welfare plus tolerance: a
    /// region at or below it is closed). A split whose pseudo-costs are reliable
    /// ([`PseudoCosts`]) is scored from them; the others are solved (hot), at most
    /// [`STRONG_CANDIDATES`] per region, most fractional first, and teach the pseudo-costs. The
    /// split that leaves the least is chosen, the most fractional on ties; a solved split that
    /// leaves nothing ends the search. These solves only steer the tree: no bound is taken from
    /// them.
    fn strong_split(
        &mut self,
        at: &Fixings,
        x: &[f64],
        (parent, target): (f64, f64),
    ) -> Result<Option<Split>> {
        let candidates = fractional_values(&self.model, x);
        if candidates.len() <= 1 || STRONG_CANDIDATES <= 1 {
            return Ok(candidates.first().map(|&(c, _)| Split::Choice(c)));
        }
        let mut best: Option<(Choice, f64)> = None;
        let mut solves_left = STRONG_CANDIDATES;
        for &(choice, v) in candidates.iter().take(SCORED_CANDIDATES) {
            let (left, solved) = match self.pseudo.estimate(choice, v, parent, target) {
                Some(left) => (left, false),
                None if solves_left > 0 => {
                    solves_left -= 1;
                    (self.solve_split(at, (choice, v), (parent, target))?, true)
                }
                None => continue,
            };
            if best.is_none_or(|(_, b)| left < b) {
                best = Some((choice, left));
            }
            if solved && left <= 0.0 {
                break;
            }
        }
        Ok(best.map(|(c, _)| Split::Choice(c)))
    }

    /// Solves the two regions a split of `at` on `choice` (its column at `v`) makes, records
    /// their loss against `parent` in the pseudo-costs and returns the LP value they leave above
    /// `target`. A region with no point leaves nothing (it is closed) and is recorded as losing
    /// what it takes to close it.
    fn solve_split(
        &mut self,
        at: &Fixings,
        ((ev, choice), v): (Choice, f64),
        (parent, target): (f64, f64),
    ) -> Result<f64> {
        let mut there = at.clone();
        there.excluded.retain(|c| c.0 != ev);
        there.choices.push((ev, choice));
        let mut elsewhere = at.clone();
        elsewhere.excluded.push((ev, choice));
        let mut values = [0.0; 2];
        for (value, child) in values.iter_mut().zip([there, elsewhere]) {
            self.set_bounds(&child)?;
            *value = match self.kept.solve() {
                Ok(s) => -s.objective,
                Err(ModelError::Infeasible { .. }) | Err(ModelError::InfeasibleOrUnbounded) => {
                    target.min(parent)
                }
                Err(e) => return Err(e.into()),
            };
        }
        self.pseudo.record((ev, choice), v, parent, values);
        Ok(values.iter().map(|w| (w - target).max(0.0)).sum())
    }
}

/// How many of a region's most fractional EVs strong branching may solve.
const STRONG_CANDIDATES: usize = 8;

/// How many of a region's most fractional EVs are scored at all (by pseudo-costs where
/// reliable).
const SCORED_CANDIDATES: usize = 32;

/// After how many solved splits of one choice its pseudo-costs are trusted.
const RELIABLE: u32 = 2;

/// Pseudo-costs: per (EV, choice), the mean LP value lost per unit of change of its column
/// when the EV is put there (`1 - v`) and when it is ruled out (`v`), over the splits solved so
/// far in this branching. They estimate a split's two regions without solving them
/// (reliability branching, Achterberg, Koch and Martin 2005), once [`RELIABLE`] splits of
/// that choice have been solved. Learnt in the order the regions are solved, one component at
/// a time, so the tree is the same on any thread count.
#[derive(Default)]
struct PseudoCosts {
    seen: std::collections::BTreeMap<Choice, PseudoCost>,
}

/// The sums behind one choice's pseudo-costs.
#[derive(Default, Clone, Copy)]
struct PseudoCost {
    there: f64,
    elsewhere: f64,
    solved: u32,
}

impl PseudoCosts {
    /// The LP value the split on `choice` (its column at `v`) would leave above `target`,
    /// estimated from its pseudo-costs; `None` until they are reliable.
    fn estimate(&self, choice: Choice, v: f64, parent: f64, target: f64) -> Option<f64> {
        let p = self.seen.get(&choice).filter(|p| p.solved >= RELIABLE)?;
        let n = f64::from(p.solved);
        let there = parent - p.there / n * (1.0 - v);
        let elsewhere = parent - p.elsewhere / n * v;
        Some((there - target).max(0.0) + (elsewhere - target).max(0.0))
    }

    /// Records one solved split on `choice` (its column at `v`, the region at `parent`, the
    /// two regions at `values`: there, elsewhere).
    fn record(&mut self, choice: Choice, v: f64, parent: f64, values: [f64; 2]) {
        let p = self.seen.entry(choice).or_default();
        p.there += (parent - values[0]).max(0.0) / (1.0 - v).max(1e-6);
        p.elsewhere += (parent - values[1]).max(0.0) / v.max(1e-6);
        p.solved += 1;
    }
}

/// The EVs of `model` whose LP assignment at `x` is fractional, most fractional first (`1 - `
/// its largest opt-out or station column; the first EV on ties), each with the choice of that
/// largest column.
pub(crate) fn fractional_choices(model: &LinearModel, x: &[f64]) -> Vec<Choice> {
    fractional_values(model, x)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// [`fractional_choices`] with the value of each choice's column.
fn fractional_values(model: &LinearModel, x: &[f64]) -> Vec<(Choice, f64)> {
    let mut largest: Vec<(Choice, f64)> = Vec::new();
    for (c, &v) in model.columns.iter().zip(x) {
        let (ev, choice) = match c.name {
            VarName::Serve { ev, station } => (ev, Some(station)),
            VarName::OptOut { ev } => (ev, None),
            VarName::Energy { .. } => continue,
        };
        match largest.iter_mut().find(|(n, _)| n.0 == ev) {
            Some(entry) if v > entry.1 => *entry = ((ev, choice), v),
            Some(_) => {}
            None => largest.push(((ev, choice), v)),
        }
    }
    largest.retain(|(_, top)| 1.0 - top > 1e-6);
    // Stable: equal fractions keep the model's EV order.
    largest.sort_by(|a, b| a.1.total_cmp(&b.1));
    largest
}

/// A column's bounds in the region `at`: the value it fixes the column to, `[0, inf)` where
/// it leaves the column free.
fn bounds(name: VarName, at: &Fixings) -> (f64, f64) {
    match fixed_value(name, at) {
        Some(v) => (v, v),
        None => (0.0, f64::INFINITY),
    }
}

#[cfg(test)]
mod tests {
    use super::{bounds, PseudoCosts, RELIABLE};
    use crate::branch::Fixings;
    use evmech_milp_model::VarName;

    /// A fixed EV's chosen plug is at 1 with its energies free; its other plugs, its opt-out and
    /// their energies are at 0; an EV not fixed keeps `[0, inf)` everywhere.
    #[test]
    fn fixed_choices_become_bounds() {
        let at = Fixings {
            choices: vec![(0, Some(1)), (2, None)],
            excluded: vec![(3, Some(0)), (3, None)],
        };
        let inf = f64::INFINITY;
        let energy = |ev, station| VarName::Energy {
            ev,
            station,
            slot: 3,
        };
        let cases = [
            (VarName::Serve { ev: 0, station: 1 }, (1.0, 1.0)),
            (VarName::Serve { ev: 0, station: 0 }, (0.0, 0.0)),
            (VarName::OptOut { ev: 0 }, (0.0, 0.0)),
            (energy(0, 1), (0.0, inf)),
            (energy(0, 0), (0.0, 0.0)),
            (VarName::OptOut { ev: 2 }, (1.0, 1.0)),
            (VarName::Serve { ev: 2, station: 1 }, (0.0, 0.0)),
            (energy(2, 1), (0.0, 0.0)),
            (VarName::Serve { ev: 1, station: 1 }, (0.0, inf)),
            (energy(1, 0), (0.0, inf)),
            (VarName::Serve { ev: 3, station: 0 }, (0.0, 0.0)),
            (energy(3, 0), (0.0, 0.0)),
            (VarName::OptOut { ev: 3 }, (0.0, 0.0)),
            (VarName::Serve { ev: 3, station: 1 }, (0.0, inf)),
            (energy(3, 1), (0.0, inf)),
        ];
        for (name, want) in cases {
            assert_eq!(bounds(name, &at), want, "{name:?}");
        }
    }

    /// A choice is estimated only once it has been solved `RELIABLE` times, then from the mean
    /// loss per unit of change in each direction.
    #[test]
    fn pseudo_costs_estimate_only_when_reliable() {
        let mut p = PseudoCosts::default();
        let c = (3, Some(1));
        assert_eq!(p.estimate(c, 0.5, 10.0, 9.0), None);
        // Parent 10 at v = 0.5: there 9 (loss 1 over 0.5 -> 2), elsewhere 6 (4 over 0.5 -> 8).
        p.record(c, 0.5, 10.0, [9.0, 6.0]);
        assert!(RELIABLE > 1 && p.estimate(c, 0.5, 10.0, 9.0).is_none());
        // Parent 10 at v = 0.75: there 9.5 (0.5 over 0.25 -> 2), elsewhere 7 (3 over 0.75 -> 4).
        for _ in 1..RELIABLE {
            p.record(c, 0.75, 10.0, [9.5, 7.0]);
        }
        let n = f64::from(RELIABLE);
        let (there, elsewhere): (f64, f64) = (2.0, (8.0 + 4.0 * (n - 1.0)) / n);
        // At v = 0.2, parent 12, target 10: there 12 - 0.8 there, elsewhere 12 - 0.2 elsewhere.
        let want = (2.0 - 0.8 * there).max(0.0) + (2.0 - 0.2 * elsewhere).max(0.0);
        let got = p.estimate(c, 0.2, 12.0, 10.0).unwrap();
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        assert!(got > 0.0);
        // Another choice of the same EV learnt nothing.
        assert_eq!(p.estimate((3, None), 0.2, 12.0, 10.0), None);
    }
}
