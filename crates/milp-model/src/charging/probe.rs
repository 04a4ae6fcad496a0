//! A flexible EV's departures and reductions solved in one kept model (CONSENT's option search).
//!
//! The model is written once with the EV staying to its latest candidate departure. Leaving at
//! an earlier slot `d` is the same model with the EV's charge and discharge fixed at zero from
//! `d` on: its stored energy then stays constant, so the target row at the latest slot measures
//! the energy at `d`, and every other row it enters (site power, peak, no export, its charging
//! curve and state-of-charge bounds) holds at zero power exactly as if it were absent. A smaller
//! reduction is the bound of the reduction column. So every probe is a change of column bounds
//! and the solver re-solves from its last basis ([`KeptLp`]).
//!
//! Two model features break that equivalence and are refused: a ramp limit (it would also bound
//! the step down to zero at `d`) and an uncontrolled charger (its power is not the solver's).

use super::build::{build, BlockCols};
use super::flex::FlexCols;
use super::{plan, ChargingPlan, ChargingProblem, TimeGrid};
use crate::{Error, KeptLp, ModelSize, Result, SolverSettings};
use std::time::Instant;

/// One power column of the flexible EV: its absolute slot and its bounds in the written model.
#[derive(Debug, Clone, Copy)]
struct PowerCol {
    slot: usize,
    col: usize,
    lower: f64,
    upper: f64,
}

/// The flexible EV of a [`ChargingProblem`] solved for one (departure, largest reduction) after
/// another in one kept model; see the module documentation for why this is exact.
///
/// Build it with [`ChargingProblem::departure_probe`]. Each [`DepartureProbe::solve`] returns the
/// plan the problem would have with the EV's departure at that slot and its flexibility's
/// `max_reduction_kwh` at that value: the same optimal objective as a fresh solve of that
/// problem, though a degenerate model may return another of its optimal plans.
#[derive(Debug)]
pub struct DepartureProbe {
    problem: ChargingProblem,
    blocks: Vec<BlockCols>,
    flex: FlexCols,
    power: Vec<PowerCol>,
    kept: KeptLp,
    size: ModelSize,
    build_seconds: f64,
    /// Earliest departure allowed: one slot after the EV's first slot in every block.
    earliest: usize,
    latest: usize,
}

impl ChargingProblem {
    /// Whether [`ChargingProblem::departure_probe`] applies: a flexibility with one candidate
    /// departure, a controlled charger for the flexible EV in every block, one step per slot and
    /// no ramp limit.
    pub fn supports_departure_probe(&self) -> bool {
        let Some(flex) = &self.flexibility else {
            return false;
        };
        flex.departure_slots.len() == 1
            && self.ramp_kw.is_none()
            && self.time_grid == TimeGrid::Slots
            && self
                .blocks
                .iter()
                .flat_map(|b| &b.evs)
                .filter(|ev| ev.key == flex.key)
                .all(|ev| ev.controlled)
    }

    /// Writes the problem once, with the flexible EV staying to its `departure_slot` (the
    /// latest candidate), and keeps it in the problem's backend for
    /// [`DepartureProbe::solve`].
    ///
    /// Refused with [`Error::InvalidField`] when the problem is invalid or
    /// [`ChargingProblem::supports_departure_probe`] is false.
    pub fn departure_probe(&self) -> Result<DepartureProbe> {
        self.validate()?;
        if !self.supports_departure_probe() {
            return Err(Error::InvalidField {
                field: "flexibility".into(),
                reason: "a departure probe needs one candidate departure, a controlled charger \
                         for the flexible EV, one step per slot and no ramp limit"
                    .into(),
            });
        }
        let flex_spec = self.flexibility.as_ref().expect("checked by supports");
        let started = Instant::now();
        let built = build(self);
        let flex = built.flex.expect("the problem has a flexibility");
        let mut power = Vec::new();
        let mut earliest = 0;
        for (block, cols) in self.blocks.iter().zip(&built.blocks) {
            for (ev, ec) in block.evs.iter().zip(&cols.evs) {
                if ev.key != flex_spec.key {
                    continue;
                }
                earliest = earliest.max(ec.first_slot + 1);
                let steps = ec.charge.iter().zip(&ec.discharge).enumerate();
                for (i, (&c, &d)) in steps {
                    for col in [c, d].into_iter().flatten() {
                        power.push(PowerCol {
                            slot: ec.first_slot + i,
                            col,
                            lower: built.lp.col_lower[col],
                            upper: built.lp.col_upper[col],
                        });
                    }
                }
            }
        }
        let size = built.lp.size();
        let kept = KeptLp::new(built.lp, self.backend, SolverSettings::default())?;
        Ok(DepartureProbe {
            latest: flex_spec.departure_slots[0],
            problem: self.clone(),
            blocks: built.blocks,
            flex,
            power,
            kept,
            size,
            build_seconds: started.elapsed().as_secs_f64(),
            earliest,
        })
    }
}

impl DepartureProbe {
    /// The latest departure (the problem's own).
    pub fn latest_departure(&self) -> usize {
        self.latest
    }

    /// The problem the probe was written from (the flexible EV at its latest departure).
    pub fn problem(&self) -> &ChargingProblem {
        &self.problem
    }

    /// Solves with the EV leaving at `departure_slot` (between one slot after its first slot
    /// and the latest departure) and a reduction of at most `max_reduction_kwh` (finite,
    /// `>= 0`). The plan's `flex` reports that departure, and the EV's trajectories end there.
    pub fn solve(&mut self, departure_slot: usize, max_reduction_kwh: f64) -> Result<ChargingPlan> {
        if !(self.earliest..=self.latest).contains(&departure_slot) {
            return Err(Error::InvalidField {
                field: "departure_slot".into(),
                reason: format!(
                    "must be in {}..={} (after the EV's first slot, at most its latest departure)",
                    self.earliest, self.latest
                ),
            });
        }
        if !(max_reduction_kwh.is_finite() && max_reduction_kwh >= 0.0) {
            return Err(Error::InvalidField {
                field: "max_reduction_kwh".into(),
                reason: "must be finite and >= 0".into(),
            });
        }
        for p in &self.power {
            let (lower, upper) = if p.slot >= departure_slot {
                (0.0, 0.0)
            } else {
                (p.lower, p.upper)
            };
            self.kept.set_col_bounds(p.col, lower, upper)?;
        }
        self.kept
            .set_col_bounds(self.flex.sigma, 0.0, max_reduction_kwh)?;
        let point = self.kept.solve()?;
        let mut plan = plan::extract(
            &self.problem,
            &self.blocks,
            Some(&self.flex),
            &point,
            self.size,
            self.build_seconds,
        );
        self.end_at(&mut plan, departure_slot);
        Ok(plan)
    }

    /// Sets the reported departure and cuts the flexible EV's trajectories at it.
    fn end_at(&self, plan: &mut ChargingPlan, departure_slot: usize) {
        if let Some(choice) = plan.flex.as_mut() {
            choice.departure_slot = departure_slot;
        }
        for block in &mut plan.blocks {
            for ev in block.evs.iter_mut().filter(|ev| ev.key == self.flex.key) {
                let n = departure_slot.saturating_sub(ev.first_slot);
                ev.charge_kw.truncate(n);
                ev.discharge_kw.truncate(n);
                ev.energy_kwh.truncate(n + 1);
            }
        }
    }
}
