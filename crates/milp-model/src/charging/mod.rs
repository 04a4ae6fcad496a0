//! The V2B charging model: one formulation, written once, for the Oracle (days
//! of a month sharing one peak), deterministic MPC (one block) and Monte-Carlo MPC (sampled
//! futures sharing the first slot's action).
//!
//! Variables per EV and slot: charge `P+ >= 0`, discharge `P- >= 0` (bidirectional, controlled
//! chargers only) and the stored energy at the end of the slot; per EV a shortfall `z >= 0`;
//! per block (or shared) a peak `M >= past_peak`. Rows: energy dynamics with efficiencies,
//! state-of-charge bounds, charger caps, the charging curve (concave cap, or the literal curve
//! with segment binaries), no-export `G >= 0`, `M >= G` in demand-charged slots, `z >= target - e`,
//! and an optional ramp limit. The objective is the weighted SAA cost of eq. 19:
//! energy + demand weight × peak + shortfall weight × shortfall + degradation × discharge.

mod build;
mod curve;
mod flex;
mod grid;
mod plan;
mod probe;
mod problem;

pub use curve::{ChargingCurve, CurvePiece, CURVE_REFERENCE_KW};
pub use flex::{FlexChoice, Flexibility};
pub use grid::TimeGrid;
pub use plan::{BlockPlan, ChargingPlan, EvPlan};
pub use probe::DepartureProbe;
pub use problem::{
    ChargingBlock, ChargingProblem, ChargingWeights, CurveForm, DemandTerm, DrSlot, PeakCoupling,
    PlannedEv, Shortfall,
};

use crate::Result;
use std::time::Instant;

impl ChargingProblem {
    /// Validates, writes and solves the problem.
    ///
    /// Infeasible, unbounded and failed solves are errors; a reduced-accuracy point is returned
    /// with its [`SolveStatus`](crate::SolveStatus) for the caller to accept or refuse.
    pub fn solve(&self) -> Result<ChargingPlan> {
        self.validate()?;
        let start = Instant::now();
        let built = build::build(self);
        let size = built.lp.size();
        let build_seconds = start.elapsed().as_secs_f64();
        let point = built.lp.solve(self.backend)?;
        Ok(plan::extract(
            self,
            &built.blocks,
            built.flex.as_ref(),
            &point,
            size,
            build_seconds,
        ))
    }

    /// The model this problem writes, for inspection and benchmarks.
    pub fn to_sparse_lp(&self) -> Result<crate::SparseLp> {
        self.validate()?;
        Ok(build::build(self).lp)
    }
}

/// The trajectory an uncontrolled charger follows: full literal-curve power from
/// `first_slot` until the EV leaves or reaches `max_kwh`, kW per slot.
pub fn uncontrolled_trajectory(ev: &PlannedEv, first_slot: usize, slot_hours: f64) -> Vec<f64> {
    build::uncontrolled_trajectory(ev, first_slot, slot_hours)
}
