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
        let split = self.strong_split(at, &solution.x, target)?;
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

    /// Where to split the region `at` (LP point `x`), by strong branching: for each of the
    /// [`STRONG_CANDIDATES`] most fractional EVs, the LP values of the two regions a split on
    /// the choice its assignment leans to most makes (the EV there, the EV elsewhere), scored
    /// by how much of them lies above `target` (the MILP welfare plus tolerance: a region at or
    /// below it is closed). The split that leaves the least is chosen, the most fractional EV
    /// on ties. These solves only steer the tree: no bound is taken from them.
    fn strong_split(&mut self, at: &Fixings, x: &[f64], target: f64) -> Result<Option<Split>> {
        let candidates = fractional_choices(&self.model, x);
        if candidates.len() <= 1 || STRONG_CANDIDATES <= 1 {
            return Ok(candidates.first().map(|&c| Split::Choice(c)));
        }
        let mut best: Option<(Choice, f64)> = None;
        for &(ev, choice) in candidates.iter().take(STRONG_CANDIDATES) {
            let mut there = at.clone();
            there.excluded.retain(|c| c.0 != ev);
            there.choices.push((ev, choice));
            let mut elsewhere = at.clone();
            elsewhere.excluded.push((ev, choice));
            let mut left = 0.0;
            for child in [there, elsewhere] {
                self.set_bounds(&child)?;
                left += match self.kept.solve() {
                    Ok(s) => (-s.objective - target).max(0.0),
                    Err(ModelError::Infeasible { .. }) | Err(ModelError::InfeasibleOrUnbounded) => {
                        0.0
                    }
                    Err(e) => return Err(e.into()),
                };
            }
            if best.is_none_or(|(_, b)| left < b) {
                best = Some(((ev, choice), left));
            }
            if left <= 0.0 {
                break;
            }
        }
        Ok(best.map(|(c, _)| Split::Choice(c)))
    }
}

/// How many of a region's most fractional EVs strong branching tries.
const STRONG_CANDIDATES: usize = 8;

/// The EVs of `model` whose LP assignment at `x` is fractional, most fractional first (`1 - `
/// its largest opt-out or station column; the first EV on ties), each with the choice of that
/// largest column.
pub(crate) fn fractional_choices(model: &LinearModel, x: &[f64]) -> Vec<Choice> {
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
    largest.into_iter().map(|(c, _)| c).collect()
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
    use super::bounds;
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
}
