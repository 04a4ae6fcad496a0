//! The data of a charging problem and its validation.

use super::{ChargingCurve, Flexibility, TimeGrid};
use crate::{Error, LpBackend, Result};
use serde::{Deserialize, Serialize};

/// One EV as the charging model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedEv {
    /// Identity across blocks: in a non-anticipative problem, EVs with the same key present at
    /// the first slot share their first-slot action.
    pub key: u64,
    /// Arrival slot (absolute).
    pub arrival_slot: usize,
    /// Departure slot (absolute, exclusive).
    pub departure_slot: usize,
    /// Stored energy when the block starts (or at arrival if later), kWh.
    pub energy_kwh: f64,
    /// Target energy at departure, kWh.
    pub target_kwh: f64,
    /// Discharge floor, kWh.
    pub min_kwh: f64,
    /// Ceiling, kWh.
    pub max_kwh: f64,
    /// Battery capacity, kWh (the curve's state-of-charge axis).
    pub battery_kwh: f64,
    /// Charger's maximum charging power, kW.
    pub max_charge_kw: f64,
    /// Charger's maximum discharging power, kW (0 = unidirectional).
    pub max_discharge_kw: f64,
    /// Charging efficiency in (0, 1].
    pub charge_efficiency: f64,
    /// Discharging efficiency in (0, 1].
    pub discharge_efficiency: f64,
    /// The battery's charging curve.
    pub curve: ChargingCurve,
    /// Whether the charger's rate is set by the operator; an uncontrolled charger draws its full
    /// (literal-curve) power from arrival until full.
    pub controlled: bool,
    /// This EV's own shortfall weight, USD per kWh short of its target; `None` (the default)
    /// takes the problem's [`ChargingWeights::shortfall_usd_per_kwh`].
    ///
    /// The problem's weight (1000 USD/kWh by default) makes a target a promise: the plan raises
    /// the peak rather than leave a kWh undelivered. A planner may weigh a user who has not
    /// committed yet (a later arrival in a sampled future, who could still decline or choose a
    /// smaller target) at what her energy is worth instead, so that the plan does not raise
    /// the peak now for energy it may never deliver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall_usd_per_kwh: Option<f64>,
}

/// One block: a day of the month (Oracle) or one sampled future (MC-MPC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingBlock {
    /// Weight of the block's cost in the objective (1 for days, `1/F` for scenarios).
    pub weight: f64,
    /// Absolute slot of the block's first slot.
    pub start_slot: usize,
    /// Building load per slot from `start_slot`, kW.
    pub building_kw: Vec<f64>,
    /// Energy price per slot, USD/kWh.
    pub price_usd_per_kwh: Vec<f64>,
    /// Whether each slot is demand-charged (by the first demand charge, `weights.demand_usd_per_kw`).
    pub peak: Vec<bool>,
    /// For each of the problem's [`ChargingProblem::more_demand`] charges, whether each slot is
    /// charged by it (empty when the problem has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_peaks: Vec<Vec<bool>>,
    /// Demand-response commitments per slot (empty: none): in a slot with one, each kWh of net
    /// import above the firm level costs its penalty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dr: Vec<Option<DrSlot>>,
    /// The EVs of the block.
    pub evs: Vec<PlannedEv>,
}

impl ChargingBlock {
    /// One past the block's last absolute slot.
    pub fn end_slot(&self) -> usize {
        self.start_slot + self.building_kw.len()
    }
}

/// A demand charge beyond the first: a facility-wide charge beside an on-peak one, or a
/// seasonal one. Each has its own peak variable per block (or shared, as the first), its own
/// slots ([`ChargingBlock::more_peaks`]) and the month's peak so far.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DemandTerm {
    /// USD per kW of the peak.
    pub usd_per_kw: f64,
    /// Peak already reached this month over the charge's slots, kW.
    pub past_peak_kw: f64,
}

/// A demand-response commitment in one slot: net import above `firm_kw` costs
/// `penalty_usd_per_kwh` per kWh.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DrSlot {
    /// The committed firm service level, kW.
    pub firm_kw: f64,
    /// USD per kWh imported above it.
    pub penalty_usd_per_kwh: f64,
}

/// Whether blocks share one peak variable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeakCoupling {
    /// Each block has its own peak (scenarios of one day: the SAA of eq. 19).
    #[default]
    PerBlock,
    /// One peak over all blocks (the days of a billing month: the monthly Oracle).
    Shared,
}

/// How the charging curve enters the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CurveForm {
    /// The LP: the largest concave cap below the curve (exact for concave curves).
    #[default]
    ConcaveCap,
    /// The MILP: the literal curve with one binary per segment and slot (needs CBC).
    Literal,
}

/// Objective weights, USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChargingWeights {
    /// `lambda_DC`, USD per kW of peak (default 11.67, the demand charge).
    pub demand_usd_per_kw: f64,
    /// `lambda_SOC`, USD per kWh short of target (default 1000: above the cost of moving a kWh
    /// into a demand-charged slot even under a tapering curve, where a kWh charged earlier
    /// lowers the later cap; evmech-v2b-control's sites use the same value).
    pub shortfall_usd_per_kwh: f64,
    /// `K_batt`, USD per kWh discharged (default 0.05).
    pub degradation_usd_per_kwh: f64,
}

impl Default for ChargingWeights {
    fn default() -> Self {
        ChargingWeights {
            demand_usd_per_kw: 11.67,
            shortfall_usd_per_kwh: 1000.0,
            degradation_usd_per_kwh: 0.05,
        }
    }
}

/// A charging problem: the charging LP over one or more blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingProblem {
    /// Slot length, hours.
    pub slot_hours: f64,
    /// The blocks.
    pub blocks: Vec<ChargingBlock>,
    /// One peak per block or one shared.
    pub peak_coupling: PeakCoupling,
    /// EVs present at a block's first slot with equal keys share that slot's action.
    pub non_anticipative: bool,
    /// Objective weights.
    pub weights: ChargingWeights,
    /// Peak already reached this month, kW (`M >= past_peak_kw`).
    pub past_peak_kw: f64,
    /// Demand charges beyond the first (default none); each block flags its slots in
    /// [`ChargingBlock::more_peaks`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_demand: Vec<DemandTerm>,
    /// Forbid net export (`G >= 0`).
    pub no_export: bool,
    /// LP or MILP curve.
    pub curve_form: CurveForm,
    /// Optional limit on the change of an EV's net power between consecutive slots, kW.
    pub ramp_kw: Option<f64>,
    /// Solver.
    pub backend: LpBackend,
    /// One EV's negotiable target reduction and departure (CONSENT's option generation);
    /// `None` for plain charging.
    #[serde(default)]
    pub flexibility: Option<Flexibility>,
    /// How the shortfall is measured (default: below target only, the paper's eq. 1).
    #[serde(default)]
    pub shortfall: Shortfall,
    /// What exported energy earns, USD/kWh, when export is allowed (`no_export` off); `None`:
    /// the slot's energy price. Must not exceed any slot's price (the cost stays convex).
    #[serde(default)]
    pub export_price_usd_per_kwh: Option<f64>,
    /// The site's import limit, kW: the net import may exceed it only where the building alone
    /// (plus chargers the operator does not control) does. `None`: no limit.
    #[serde(default)]
    pub import_limit_kw: Option<f64>,
    /// The model's time steps (default: one per slot, the exact model).
    #[serde(default)]
    pub time_grid: TimeGrid,
}

/// How an EV's shortfall `z` is measured against its target.
///
/// The paper's eq. 1 charges energy *below* the target; its eq. 15 writes `|.|`. Only the
/// one-sided form keeps CONSENT strategy-proof in the reported target (assumption C3): with
/// the two-sided form a unidirectional EV that arrives above its true target pays a penalty it
/// cannot charge away, and reporting a higher target removes it. `TwoSided` is kept as the
/// negative control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shortfall {
    /// `z >= target - e` (the default).
    #[default]
    BelowTarget,
    /// `z >= |target - e|`.
    TwoSided,
}

fn bad(field: String, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        field,
        reason: reason.into(),
    }
}

fn check(ok: bool, field: impl FnOnce() -> String, reason: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(bad(field(), reason))
    }
}

fn finite_nonneg(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

impl PlannedEv {
    /// A controlled, unidirectional, lossless EV on a `charger_kw` charger with a flat curve
    /// that may use its whole battery (`min_kwh` 0, `max_kwh` = `battery_kwh`), present from
    /// `arrival_slot` to `departure_slot` (exclusive). Set other fields with struct update syntax:
    ///
    /// ```
    /// use evmech_milp_model::charging::PlannedEv;
    /// let ev = PlannedEv { min_kwh: 10.0, ..PlannedEv::new(1, 0, 8, 30.0, 60.0, 100.0, 20.0) };
    /// assert_eq!(ev.max_kwh, 100.0);
    /// assert_eq!(ev.max_discharge_kw, 0.0);
    /// ```
    pub fn new(
        key: u64,
        arrival_slot: usize,
        departure_slot: usize,
        energy_kwh: f64,
        target_kwh: f64,
        battery_kwh: f64,
        charger_kw: f64,
    ) -> Self {
        PlannedEv {
            key,
            arrival_slot,
            departure_slot,
            energy_kwh,
            target_kwh,
            min_kwh: 0.0,
            max_kwh: battery_kwh,
            battery_kwh,
            max_charge_kw: charger_kw,
            max_discharge_kw: 0.0,
            charge_efficiency: 1.0,
            discharge_efficiency: 1.0,
            curve: ChargingCurve::Flat,
            controlled: true,
            shortfall_usd_per_kwh: None,
        }
    }

    /// The weight of this EV's shortfall, USD/kWh: its own
    /// [`PlannedEv::shortfall_usd_per_kwh`], or the problem's `weights`.
    pub fn shortfall_weight(&self, weights: &ChargingWeights) -> f64 {
        self.shortfall_usd_per_kwh
            .unwrap_or(weights.shortfall_usd_per_kwh)
    }

    fn validate(&self, path: &str, block: &ChargingBlock) -> Result<()> {
        let f = |name: &str| format!("{path}.{name}");
        check(
            self.arrival_slot < self.departure_slot,
            || f("departure_slot"),
            "must be after arrival_slot",
        )?;
        check(
            self.departure_slot > block.start_slot && self.departure_slot <= block.end_slot(),
            || f("departure_slot"),
            "must lie in the block's horizon (after its first slot, at most its end)",
        )?;
        check(
            self.battery_kwh.is_finite() && self.battery_kwh > 0.0,
            || f("battery_kwh"),
            "must be finite and positive",
        )?;
        for (name, x) in [
            ("energy_kwh", self.energy_kwh),
            ("target_kwh", self.target_kwh),
            ("min_kwh", self.min_kwh),
            ("max_kwh", self.max_kwh),
            ("max_charge_kw", self.max_charge_kw),
            ("max_discharge_kw", self.max_discharge_kw),
        ] {
            check(finite_nonneg(x), || f(name), "must be finite and >= 0")?;
        }
        check(
            self.min_kwh <= self.max_kwh && self.max_kwh <= self.battery_kwh,
            || f("max_kwh"),
            "needs min_kwh <= max_kwh <= battery_kwh",
        )?;
        check(
            self.shortfall_usd_per_kwh.is_none_or(finite_nonneg),
            || f("shortfall_usd_per_kwh"),
            "must be finite and >= 0",
        )?;
        check(
            self.energy_kwh <= self.battery_kwh,
            || f("energy_kwh"),
            "must not exceed battery_kwh",
        )?;
        for (name, x) in [
            ("charge_efficiency", self.charge_efficiency),
            ("discharge_efficiency", self.discharge_efficiency),
        ] {
            check(
                x.is_finite() && x > 0.0 && x <= 1.0,
                || f(name),
                "must be in (0, 1]",
            )?;
        }
        Ok(())
    }
}

impl ChargingProblem {
    /// A problem over `blocks` with the defaults of sampled futures: one peak per block carried
    /// from no past peak, the first slot's action shared (non-anticipative), the default weights,
    /// no export, the concave-cap LP, no ramp limit, no flexibility, the one-sided shortfall,
    /// exports (if allowed) at the slot's price, one step per slot, CBC. Set other fields with
    /// struct update syntax: `ChargingProblem { no_export: false, ..ChargingProblem::new(0.25, b) }`.
    pub fn new(slot_hours: f64, blocks: Vec<ChargingBlock>) -> Self {
        ChargingProblem {
            slot_hours,
            blocks,
            peak_coupling: PeakCoupling::PerBlock,
            non_anticipative: true,
            weights: ChargingWeights::default(),
            past_peak_kw: 0.0,
            more_demand: Vec::new(),
            no_export: true,
            curve_form: CurveForm::ConcaveCap,
            ramp_kw: None,
            backend: LpBackend::default(),
            flexibility: None,
            shortfall: Shortfall::default(),
            export_price_usd_per_kwh: None,
            import_limit_kw: None,
            time_grid: TimeGrid::Slots,
        }
    }

    /// Cost of `grid_kw` of net grid power for one slot at import price `price`, USD: exports
    /// (negative power) earn the export price, or `price` when none is set.
    pub fn grid_cost_usd(&self, grid_kw: f64, price: f64) -> f64 {
        let rate = if grid_kw < 0.0 && !self.no_export {
            self.export_price_usd_per_kwh.unwrap_or(price)
        } else {
            price
        };
        rate * self.slot_hours * grid_kw
    }

    /// Demand charges for the peaks `peak_kw` (the first demand charge,
    /// `weights.demand_usd_per_kw`) and `more_peaks_kw` (one per entry of `more_demand`, in
    /// order; missing entries count as zero), USD.
    pub fn demand_usd(&self, peak_kw: f64, more_peaks_kw: &[f64]) -> f64 {
        self.weights.demand_usd_per_kw * peak_kw
            + self
                .more_demand
                .iter()
                .zip(more_peaks_kw)
                .map(|(d, &p)| d.usd_per_kw * p)
                .sum::<f64>()
    }

    /// Checks every field; errors name the field's path (`blocks[2].evs[0].target_kwh`).
    pub fn validate(&self) -> Result<()> {
        check(
            self.slot_hours.is_finite() && self.slot_hours > 0.0,
            || "slot_hours".into(),
            "must be finite and positive",
        )?;
        check(
            !self.blocks.is_empty(),
            || "blocks".into(),
            "must not be empty",
        )?;
        let w = self.weights;
        for (name, x) in [
            ("weights.demand_usd_per_kw", w.demand_usd_per_kw),
            ("weights.shortfall_usd_per_kwh", w.shortfall_usd_per_kwh),
            ("weights.degradation_usd_per_kwh", w.degradation_usd_per_kwh),
            ("past_peak_kw", self.past_peak_kw),
        ] {
            check(finite_nonneg(x), || name.into(), "must be finite and >= 0")?;
        }
        for (j, d) in self.more_demand.iter().enumerate() {
            for (name, x) in [
                ("usd_per_kw", d.usd_per_kw),
                ("past_peak_kw", d.past_peak_kw),
            ] {
                check(
                    finite_nonneg(x),
                    || format!("more_demand[{j}].{name}"),
                    "must be finite and >= 0",
                )?;
            }
        }
        if let Some(r) = self.ramp_kw {
            check(
                r.is_finite() && r > 0.0,
                || "ramp_kw".into(),
                "must be finite and positive",
            )?;
        }
        if let Some(cap) = self.import_limit_kw {
            check(
                finite_nonneg(cap),
                || "import_limit_kw".into(),
                "must be finite and >= 0",
            )?;
        }
        if let Some(e) = self.export_price_usd_per_kwh {
            check(
                finite_nonneg(e),
                || "export_price_usd_per_kwh".into(),
                "must be finite and >= 0",
            )?;
            let cheapest = self
                .blocks
                .iter()
                .flat_map(|b| b.price_usd_per_kwh.iter().copied())
                .fold(f64::INFINITY, f64::min);
            check(
                e <= cheapest,
                || "export_price_usd_per_kwh".into(),
                "must not exceed any slot's energy price (the grid cost would not be convex)",
            )?;
        }
        if self.curve_form == CurveForm::Literal && self.backend == LpBackend::Clarabel {
            return Err(bad(
                "curve_form".into(),
                "the literal curve is a MILP: use the CBC backend",
            ));
        }
        for (b, block) in self.blocks.iter().enumerate() {
            let p = |name: &str| format!("blocks[{b}].{name}");
            check(
                finite_nonneg(block.weight),
                || p("weight"),
                "must be finite and >= 0",
            )?;
            let n = block.building_kw.len();
            check(n > 0, || p("building_kw"), "must not be empty")?;
            check(
                block.price_usd_per_kwh.len() == n,
                || p("price_usd_per_kwh"),
                "needs one price per slot of building_kw",
            )?;
            check(
                block.peak.len() == n,
                || p("peak"),
                "needs one flag per slot of building_kw",
            )?;
            check(
                block.more_peaks.len() == self.more_demand.len(),
                || p("more_peaks"),
                "needs one slot mask per entry of more_demand",
            )?;
            check(
                block.dr.is_empty() || block.dr.len() == n,
                || p("dr"),
                "needs one entry per slot of building_kw, or none",
            )?;
            for (k, d) in block.dr.iter().enumerate() {
                if let Some(d) = d {
                    check(
                        d.firm_kw.is_finite() && finite_nonneg(d.penalty_usd_per_kwh),
                        || p(&format!("dr[{k}]")),
                        "needs a finite firm level and a finite penalty >= 0",
                    )?;
                }
            }
            for (j, mask) in block.more_peaks.iter().enumerate() {
                check(
                    mask.len() == n,
                    || p(&format!("more_peaks[{j}]")),
                    "needs one flag per slot of building_kw",
                )?;
            }
            for (k, &x) in block.building_kw.iter().enumerate() {
                check(
                    x.is_finite(),
                    || p(&format!("building_kw[{k}]")),
                    "must be finite",
                )?;
            }
            for (k, &x) in block.price_usd_per_kwh.iter().enumerate() {
                check(
                    finite_nonneg(x),
                    || p(&format!("price_usd_per_kwh[{k}]")),
                    "must be finite and >= 0 (negative prices need exclusive charge/discharge)",
                )?;
            }
            let mut keys = std::collections::HashSet::new();
            for (v, ev) in block.evs.iter().enumerate() {
                let path = p(&format!("evs[{v}]"));
                ev.validate(&path, block)?;
                check(
                    keys.insert(ev.key),
                    || format!("{path}.key"),
                    "must be unique within the block",
                )?;
            }
        }
        if let Some(flex) = &self.flexibility {
            flex.validate(self)?;
        }
        if let TimeGrid::Coarse {
            fine_slots,
            step_slots,
        } = self.time_grid
        {
            check(
                fine_slots >= 1 && step_slots >= 1,
                || "time_grid".into(),
                "fine_slots and step_slots must be at least 1",
            )?;
            check(
                self.curve_form == CurveForm::ConcaveCap,
                || "time_grid".into(),
                "the literal curve needs one step per slot (TimeGrid::Slots)",
            )?;
            check(
                self.flexibility.is_none(),
                || "time_grid".into(),
                "a flexible EV's departure choice needs one step per slot (TimeGrid::Slots)",
            )?;
        }
        Ok(())
    }
}
