//! One EV's negotiable deviation (CONSENT's option generation): a target reduction
//! `sigma` shared by all blocks, and optionally a choice among departure slots with one binary
//! per candidate (the paper's eqs. 24-25).

use super::{ChargingProblem, PlannedEv};
use crate::{Error, LpBackend, Result, SparseLp};
use serde::{Deserialize, Serialize};

/// The deviation the optimiser may choose for the EV with `key`, the same in every block: it is
/// the offer, so every sampled future must live with it.
///
/// With one candidate departure the problem stays an LP (the departure is fixed and only the
/// reduction is free); with several it is a MILP that picks exactly one, and the EV may charge
/// or discharge in slot `k` only if the chosen departure is after `k`. The EV's
/// `departure_slot` in every block must be the last candidate, so its stored energy after the
/// chosen departure stays constant and the shortfall is measured at the chosen departure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flexibility {
    /// Key of the flexible EV (present in at least one block).
    pub key: u64,
    /// Largest reduction of the target, kWh (`sigma` in `[0, max_reduction_kwh]`).
    pub max_reduction_kwh: f64,
    /// Candidate departure slots (absolute, strictly increasing); the first is the requested one.
    pub departure_slots: Vec<usize>,
    /// Cost per kWh of reduction and per slot of delay, USD: a least-deviation tie-break
    /// (default `1e-6`), excluded from the plan's reported objective.
    pub tie_break_usd: f64,
}

/// What the optimiser chose for the flexible EV.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlexChoice {
    /// Target reduction `sigma`, kWh.
    pub reduction_kwh: f64,
    /// Chosen departure slot (absolute).
    pub departure_slot: usize,
    /// The tie-break's part of the solver's objective, USD.
    pub tie_break_usd: f64,
}

/// Where the flexibility lives in the model.
#[derive(Debug, Clone)]
pub(super) struct FlexCols {
    pub key: u64,
    pub sigma: usize,
    /// `(departure slot, binary column)`; empty when the departure is fixed.
    pub choices: Vec<(usize, usize)>,
    pub departure_slots: Vec<usize>,
    pub tie_break_usd: f64,
}

impl Flexibility {
    pub(super) fn validate(&self, problem: &ChargingProblem) -> Result<()> {
        let bad = |field: &str, reason: &str| Error::InvalidField {
            field: format!("flexibility.{field}"),
            reason: reason.into(),
        };
        if !(self.max_reduction_kwh.is_finite() && self.max_reduction_kwh >= 0.0) {
            return Err(bad("max_reduction_kwh", "must be finite and >= 0"));
        }
        if !(self.tie_break_usd.is_finite() && self.tie_break_usd >= 0.0) {
            return Err(bad("tie_break_usd", "must be finite and >= 0"));
        }
        if self.departure_slots.is_empty() {
            return Err(bad("departure_slots", "must not be empty"));
        }
        if self.departure_slots.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("departure_slots", "must be strictly increasing"));
        }
        let last = *self.departure_slots.last().expect("not empty");
        let mut found = false;
        for block in &problem.blocks {
            for ev in block.evs.iter().filter(|ev| ev.key == self.key) {
                found = true;
                if ev.departure_slot != last {
                    return Err(bad(
                        "departure_slots",
                        "the last candidate must be the EV's departure_slot in every block",
                    ));
                }
                if self.departure_slots.len() > 1 && !ev.controlled {
                    return Err(bad(
                        "departure_slots",
                        "a departure choice needs a controlled charger (enumerate departures instead)",
                    ));
                }
                if self.departure_slots[0] <= ev.arrival_slot {
                    return Err(bad(
                        "departure_slots",
                        "every candidate must be after the EV's arrival",
                    ));
                }
            }
        }
        if !found {
            return Err(bad("key", "no block has an EV with this key"));
        }
        if self.departure_slots.len() > 1 && problem.backend == LpBackend::Clarabel {
            return Err(bad(
                "departure_slots",
                "a departure choice is a MILP: use the CBC backend",
            ));
        }
        Ok(())
    }

    /// Adds `sigma`, the departure binaries and their row.
    pub(super) fn add_columns(&self, lp: &mut SparseLp) -> FlexCols {
        lp.set_family("flex_reduction_kwh");
        let sigma = lp.add_col(0.0, self.max_reduction_kwh, self.tie_break_usd);
        lp.set_family("flex_departure");
        let d0 = self.departure_slots[0];
        let choices: Vec<(usize, usize)> = if self.departure_slots.len() > 1 {
            self.departure_slots
                .iter()
                .map(|&d| (d, lp.add_binary(self.tie_break_usd * (d - d0) as f64)))
                .collect()
        } else {
            Vec::new()
        };
        if !choices.is_empty() {
            let pick: Vec<(usize, f64)> = choices.iter().map(|&(_, y)| (y, 1.0)).collect();
            lp.set_family("flex_pick");
            lp.add_row(1.0, 1.0, &pick);
        }
        FlexCols {
            key: self.key,
            sigma,
            choices,
            departure_slots: self.departure_slots.clone(),
            tie_break_usd: self.tie_break_usd,
        }
    }
}

impl FlexCols {
    /// Allows the EV's power in absolute slot `k` only if the chosen departure is after `k`.
    pub(super) fn gate(
        &self,
        lp: &mut SparseLp,
        ev: &PlannedEv,
        k: usize,
        charge: Option<usize>,
        discharge: Option<usize>,
    ) {
        if self.choices.is_empty() || ev.key != self.key || k < self.departure_slots[0] {
            return;
        }
        for (col, cap) in [(charge, ev.max_charge_kw), (discharge, ev.max_discharge_kw)] {
            if let Some(j) = col {
                let mut row = vec![(j, 1.0)];
                row.extend(
                    self.choices
                        .iter()
                        .filter(|&&(d, _)| d > k)
                        .map(|&(_, y)| (y, -cap)),
                );
                lp.set_family("flex_gate");
                lp.add_row(f64::NEG_INFINITY, 0.0, &row);
            }
        }
    }

    /// The choice at a solution `x`.
    pub(super) fn choice(&self, x: &[f64]) -> FlexChoice {
        let d0 = self.departure_slots[0];
        let departure_slot = self
            .choices
            .iter()
            .max_by(|a, b| x[a.1].total_cmp(&x[b.1]))
            .map_or(d0, |&(d, _)| d);
        let reduction_kwh = x[self.sigma];
        FlexChoice {
            reduction_kwh,
            departure_slot,
            tie_break_usd: self.tie_break_usd * (reduction_kwh + (departure_slot - d0) as f64),
        }
    }
}
