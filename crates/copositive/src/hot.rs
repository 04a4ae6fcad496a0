//! The LP regions of one branching solved in one kept HiGHS model ([`KeptLp`]): a region is the
//! component's model (with its implied rows) with the fixed columns' bounds set, re-solved from
//! the last optimal basis, which stays dual feasible when only bounds change. The row duals are
//! then proven on the region's own (substituted) model exactly as a parent's multipliers are
//! ([`crate::linear::reuse`]), so the certificate does not depend on how the duals were found.
//!
//! A region whose bounds leave no feasible point (two EVs fixed to one plug in one slot) has no
//! duals to read here: it gets the floored LP of its substituted model
//! ([`crate::linear::solve_linear`]), which certifies it at its floor.

use crate::branch::{Choice, Solved};
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

    /// The region `choices` with its LP certificate over `lift`, the linear lift of `tight` (the
    /// region's substituted model with its implied rows; `constant` the welfare of its fixed
    /// columns), the bound held at or above `floor` where it has no point.
    pub(crate) fn solve(
        &mut self,
        choices: &[Choice],
        (tight, lift): (LinearModel, Lift),
        constant: f64,
        floor: f64,
    ) -> Result<Solved> {
        for (j, c) in self.model.columns.iter().enumerate() {
            let (lo, hi) = bounds(c.name, choices);
            self.kept.set_col_bounds(j, lo, hi)?;
        }
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
        let next_ev = crate::component::most_fractional(&self.model, &solution.x);
        Ok(Solved {
            lift,
            dual,
            next_ev,
            named,
        })
    }
}

/// A column's bounds in the region `choices`: a fixed EV's columns at their fixed values (its
/// chosen plug at 1, the others and their energies at 0), every other column `[0, inf)`.
fn bounds(name: VarName, choices: &[Choice]) -> (f64, f64) {
    let Some(&(_, choice)) = choices.iter().find(|c| c.0 == name.ev()) else {
        return (0.0, f64::INFINITY);
    };
    let one = |on: bool| if on { (1.0, 1.0) } else { (0.0, 0.0) };
    match name {
        VarName::Serve { station, .. } => one(choice == Some(station)),
        VarName::OptOut { .. } => one(choice.is_none()),
        VarName::Energy { station, .. } if choice == Some(station) => (0.0, f64::INFINITY),
        VarName::Energy { .. } => (0.0, 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::bounds;
    use evmech_milp_model::VarName;

    /// A fixed EV's chosen plug is at 1 with its energies free; its other plugs, its opt-out and
    /// their energies are at 0; an EV not fixed keeps `[0, inf)` everywhere.
    #[test]
    fn fixed_choices_become_bounds() {
        let choices = [(0, Some(1)), (2, None)];
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
        ];
        for (name, want) in cases {
            assert_eq!(bounds(name, &choices), want, "{name:?}");
        }
    }
}
