//! The model's time steps: one per slot (exact), or the first slots one by one and the rest of
//! the horizon in longer steps (a smaller model of the far future for receding-horizon control).

use super::{ChargingBlock, DrSlot};
use serde::{Deserialize, Serialize};

/// How a block's slots become the model's time steps.
///
/// Under [`TimeGrid::Coarse`] a step of `n` slots is a model of *averages* over its slots: one
/// charge and one discharge power per EV (its average power over the step), the mean building
/// load and the mean energy price. In detail:
///
/// | quantity | per step |
/// |---|---|
/// | energy price | mean of the step's slots |
/// | demand-charge row | `M >=` mean building load over the step's charged slots + EV power |
/// | no-export and export rows | mean building load |
/// | EV present for `m` of the `n` slots | power caps scaled by `m / n` |
/// | uncontrolled charger | its literal trajectory averaged over the step |
/// | concave charging curve | at the energy of the first and of the last slot the EV is present: with a constant power the energy is linear in time, so these two rows are every slot's cap |
/// | ramp limit | between consecutive steps |
///
/// Energy is exact step by step (costs and SoC targets) and a step's power respects the charging
/// curve in each of its slots; the peak and the ramp limit are approximations beyond the fine
/// slots: a load that varies inside a step peaks above its mean. On the shared month, the mean
/// keeps MC-MPC closer to the Oracle than the conservative maximum (`docs/v2b.md`), because the
/// forecast noise of single slots averages out. The first slot, whose action a controller
/// applies, is always a step of its own, and the solved [`ChargingPlan`](super::ChargingPlan)
/// spreads each step over the slots the EV is present. The literal (MILP) curve and a flexible
/// EV need [`TimeGrid::Slots`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum TimeGrid {
    /// One step per slot: the exact model (the default).
    #[default]
    Slots,
    /// The first `fine_slots` slots of each block one by one, continued one by one up to the
    /// next absolute slot that is a multiple of `step_slots` (so steps align with hours and
    /// tariff periods), then steps of `step_slots` slots (the last one may be shorter).
    Coarse {
        /// Slots modelled one by one at the start of each block (at least 1).
        fine_slots: usize,
        /// Slots per later step (at least 1).
        step_slots: usize,
    },
}

impl TimeGrid {
    /// The grid MC-MPC uses by default: the first hour of 15-minute slots exactly, then hours.
    pub const HOURLY_AFTER_FIRST_HOUR: TimeGrid = TimeGrid::Coarse {
        fine_slots: 4,
        step_slots: 4,
    };

    /// The steps of a block of `n` slots starting at absolute slot `start_slot`.
    pub(super) fn steps(&self, start_slot: usize, n: usize) -> Steps {
        let mut steps = Vec::new();
        let mut offset = 0;
        while offset < n {
            let len = match *self {
                TimeGrid::Slots => 1,
                TimeGrid::Coarse {
                    fine_slots,
                    step_slots,
                } => {
                    let step = step_slots.max(1);
                    if offset < fine_slots.max(1) || !(start_slot + offset).is_multiple_of(step) {
                        1
                    } else {
                        step
                    }
                }
            };
            let len = len.min(n - offset);
            steps.push(Step { offset, len });
            offset += len;
        }
        let mut of_slot = Vec::with_capacity(n);
        for (k, s) in steps.iter().enumerate() {
            of_slot.extend(std::iter::repeat_n(k, s.len));
        }
        Steps { steps, of_slot }
    }
}

/// One model step: `len` slots from `offset` (relative to the block's first slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    pub offset: usize,
    pub len: usize,
}

impl Step {
    /// The slots of the step inside `[a, b)` (offsets), as a range.
    pub fn within(&self, a: usize, b: usize) -> std::ops::Range<usize> {
        let lo = a.max(self.offset);
        let hi = b.min(self.offset + self.len).max(lo);
        lo..hi
    }

    /// Share of the step's slots inside `[a, b)`.
    pub fn share(&self, a: usize, b: usize) -> f64 {
        self.within(a, b).len() as f64 / self.len as f64
    }

    /// How many times its step average an EV present in `[a, b)` draws in the slots it is there
    /// (`n / m`; 1 when it is there throughout).
    pub fn scale(&self, a: usize, b: usize) -> f64 {
        self.len as f64 / self.within(a, b).len() as f64
    }

    fn slots(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len
    }
}

/// A block's steps and the step of each slot.
#[derive(Debug, Clone)]
pub(super) struct Steps {
    pub steps: Vec<Step>,
    pub of_slot: Vec<usize>,
}

/// A block's data averaged over one step (see [`TimeGrid`]).
pub(super) struct StepData {
    /// Mean energy price, USD/kWh.
    pub price: f64,
    /// Mean building load, kW.
    pub building: f64,
    /// Mean building load over the step's demand-charged slots, if any is charged, kW.
    pub peak_building: Option<f64>,
    /// The same for each of the problem's further demand charges.
    pub more_peak_building: Vec<Option<f64>>,
    /// The step's demand-response commitment: the lowest firm level of its committed slots and
    /// their penalty averaged over the whole step (exact for one-slot steps).
    pub dr: Option<DrSlot>,
}

fn step_dr(block: &ChargingBlock, step: Step) -> Option<DrSlot> {
    let slots: Vec<DrSlot> = step
        .slots()
        .filter_map(|s| block.dr.get(s).copied().flatten())
        .collect();
    (!slots.is_empty()).then(|| DrSlot {
        firm_kw: slots
            .iter()
            .map(|d| d.firm_kw)
            .fold(f64::INFINITY, f64::min),
        penalty_usd_per_kwh: slots.iter().map(|d| d.penalty_usd_per_kwh).sum::<f64>()
            / step.len as f64,
    })
}

/// Mean building load over the step's slots flagged in `mask`, if any is.
fn charged_mean(block: &ChargingBlock, step: Step, mask: &[bool]) -> Option<f64> {
    let charged: Vec<f64> = step
        .slots()
        .filter(|&s| mask[s])
        .map(|s| block.building_kw[s])
        .collect();
    (!charged.is_empty()).then(|| charged.iter().sum::<f64>() / charged.len() as f64)
}

impl StepData {
    pub fn of(block: &ChargingBlock, step: Step) -> Self {
        let slots = step.slots();
        let n = step.len as f64;
        StepData {
            price: block.price_usd_per_kwh[slots.clone()].iter().sum::<f64>() / n,
            building: block.building_kw[slots].iter().sum::<f64>() / n,
            peak_building: charged_mean(block, step, &block.peak),
            more_peak_building: block
                .more_peaks
                .iter()
                .map(|mask| charged_mean(block, step, mask))
                .collect(),
            dr: step_dr(block, step),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lens(grid: TimeGrid, start: usize, n: usize) -> Vec<usize> {
        grid.steps(start, n).steps.iter().map(|s| s.len).collect()
    }

    #[test]
    fn slots_grid_is_one_step_per_slot() {
        assert_eq!(lens(TimeGrid::Slots, 37, 5), vec![1; 5]);
    }

    #[test]
    fn coarse_grid_aligns_later_steps_to_absolute_multiples() {
        // Slots 37..60: fine 37-40, then 41-43 one by one up to 44, then 44-47, 48-51, ..., 56-59.
        let grid = TimeGrid::HOURLY_AFTER_FIRST_HOUR;
        assert_eq!(lens(grid, 37, 23), vec![1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4]);
        let steps = grid.steps(37, 23);
        assert_eq!(steps.of_slot.len(), 23);
        assert_eq!(steps.of_slot[7], 7);
        assert_eq!(steps.of_slot[10], 7);
        assert_eq!(steps.of_slot[11], 8);
        // A short last step.
        assert_eq!(lens(grid, 36, 10), vec![1, 1, 1, 1, 4, 2]);
    }

    #[test]
    fn within_counts_the_slots_inside() {
        let step = Step { offset: 8, len: 4 };
        assert_eq!(step.within(0, 10), 8..10);
        assert_eq!(step.within(9, 20), 9..12);
        assert!(step.within(12, 20).is_empty());
        assert!((step.share(9, 20) - 0.75).abs() < 1e-15);
    }
}
