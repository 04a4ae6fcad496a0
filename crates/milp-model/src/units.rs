//! Units of money and energy, and the normalisation that keeps solvers away from the input's
//! magnitudes.
//!
//! An instance written in USD and kWh can be stated in any other pair of units: one new money
//! unit is `money_usd` dollars and one new energy unit is `energy_kwh` kilowatt-hours. The model
//! is the same economy, so the optimal plan, the assignment and every price are the same numbers
//! expressed in the new units. Solvers, however, are not unit-free: their tolerances are absolute
//! (a primal residual of `1e-8`, a duality gap of `1e-8`), so an instance whose energies are
//! `1e-9` kWh, or whose values are `1e6` USD/kWh, sits below or far above them, and a conic
//! solver reports a feasible instance infeasible or stalls. [`Units::normalizing`] picks the units
//! in which the instance's largest energy and largest gain per slot are 1; every solve of
//! this crate and of `evmech-copositive` runs in those units, and its results are converted back.
//! The conversion is a change of units, so it is exact in the mathematics; numerically it costs
//! one rounding per number.

use crate::{Instance, LinearModel, LpSolution, RowName, StationAccessModel, VarName};

/// A pair of units: one money unit is `money_usd` USD, one energy unit is `energy_kwh` kWh.
///
/// Powers follow energy (one power unit is `energy_kwh` kW, so that slot energies stay
/// `power * slot_hours`), prices per kWh follow `money / energy`.
///
/// ```
/// use evmech_milp_model::{Instance, Units};
///
/// let json = r#"{"slot_hours": 1.0, "energy_price": [0.1],
///   "stations": [{"id": "A", "evse": 1, "power_kw": 100}],
///   "evs": [{"id": "ev0", "arrival_slot": 0, "departure_slot": 1, "energy_kwh": 40,
///            "max_kw": 50, "value_per_kwh": 0.6, "access_cost": {"A": 2.0}}]}"#;
/// let instance: Instance = serde_json::from_str(json).unwrap();
/// let units = Units::normalizing(&instance);
/// assert_eq!(units.energy_kwh, 40.0); // min(request 40 kWh, 50 kW * 1 h)
/// assert!((units.money_usd - 20.0).abs() < 1e-12); // (0.6 - 0.1) USD/kWh * 40 kWh
/// let scaled = instance.in_units(&units);
/// assert_eq!(scaled.evs()[0].energy_kwh, 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Units {
    /// USD per money unit.
    pub money_usd: f64,
    /// kWh per energy unit.
    pub energy_kwh: f64,
}

impl Units {
    /// USD and kWh themselves.
    pub const USD_KWH: Units = Units {
        money_usd: 1.0,
        energy_kwh: 1.0,
    };

    /// The units in which `instance`'s numbers are of order one.
    ///
    /// The energy unit is the largest energy one EV can take in one slot,
    /// `max_n min(E_n, rbar_n dt)` (the scale of the model's energy columns; 1 kWh if it is 0).
    /// The money unit is the largest gain or loss one EV can bring in one slot: the largest
    /// margin `|v_n - pi_t|` over each EV's window times the energy unit; the largest access
    /// cost if every margin is 0, and 1 USD if that is 0 too. Access costs do not set it when
    /// there is a margin: a cost far above every gain (an operator keeping an EV away from a
    /// station) would make the gains, and the exactness tolerance `1e-4 max(1, W*)` measured in
    /// this unit, look like rounding; [`Instance::normalized`] caps such costs instead.
    /// Scaling the instance's money by any factor scales the money unit by the same factor, and
    /// changing its energy unit (energies and powers times `f`, prices per kWh divided by `f`)
    /// scales the energy unit by `f` and leaves the money unit alone: the normalised instance
    /// is the same up to rounding, which is what makes every result invariant under a change
    /// of units.
    pub fn normalizing(instance: &Instance) -> Units {
        let dt = instance.slot_hours();
        let evs = instance.evs();
        let largest = |f: &dyn Fn(&crate::EvRequest) -> f64| evs.iter().map(f).fold(0.0, f64::max);
        let mut energy = largest(&|ev| ev.energy_kwh.min(ev.max_kw * dt));
        if !(energy > 0.0 && energy.is_finite()) {
            energy = 1.0;
        }
        let prices = instance.energy_price_usd_per_kwh();
        let margin = largest(&|ev| {
            prices[ev.window()]
                .iter()
                .map(|p| (ev.value_usd_per_kwh - p).abs())
                .fold(0.0, f64::max)
        });
        // The gains set the unit; access costs only when nothing can be gained (a cost far above
        // every gain must not make the gains look like rounding; `Instance::normalized` caps
        // such costs).
        let mut money = margin * energy;
        if !(money > 0.0 && money.is_finite()) {
            money = largest(&|ev| ev.access_cost_usd.iter().copied().fold(0.0, f64::max));
        }
        if !(money > 0.0 && money.is_finite()) {
            money = 1.0;
        }
        Units {
            money_usd: money,
            energy_kwh: energy,
        }
    }

    /// The units that undo `self`: `x.in_units(u).in_units(u.inverse())` is `x` up to rounding.
    pub fn inverse(&self) -> Units {
        Units {
            money_usd: 1.0 / self.money_usd,
            energy_kwh: 1.0 / self.energy_kwh,
        }
    }

    /// Current units of column `name` per new unit: the energy unit for energy columns, 1 for
    /// the binaries.
    pub fn column(&self, name: VarName) -> f64 {
        match name {
            VarName::Energy { .. } => self.energy_kwh,
            VarName::Serve { .. } | VarName::OptOut { .. } => 1.0,
        }
    }

    /// Current units of row `name` per new unit (the unit of its right-hand side): the energy
    /// unit for the rate, demand, station-demand, power and site-power rows, 1 for the assignment and EVSE rows,
    /// and the fixed column's unit for a fixing row.
    pub fn row(&self, name: RowName, model: &LinearModel) -> f64 {
        match name {
            RowName::Rate { .. }
            | RowName::Demand { .. }
            | RowName::Power { .. }
            | RowName::SitePower { .. }
            | RowName::StationDemand { .. } => self.energy_kwh,
            RowName::Assign { .. } | RowName::Evse { .. } => 1.0,
            RowName::Fix { column } => model
                .columns
                .get(column)
                .map_or(1.0, |c| self.column(c.name)),
        }
    }

    /// A row's price (money per unit of the row) in the new units: `rho * row / money`.
    pub fn row_price(&self, rho: f64, row: f64) -> f64 {
        rho * row / self.money_usd
    }

    /// A row's curvature (money per squared unit of the row) in the new units.
    pub fn row_curvature(&self, eta: f64, row: f64) -> f64 {
        eta * row * row / self.money_usd
    }

    /// A money amount in the new units.
    pub fn money(&self, amount: f64) -> f64 {
        amount / self.money_usd
    }

    /// A column vector of `model` (current units) in the new units.
    pub fn columns(&self, model: &LinearModel, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(&model.columns)
            .map(|(v, c)| v / self.column(c.name))
            .collect()
    }

    /// An LP solution of `model` (current units) in the new units: point, row duals, objective.
    pub fn lp_solution(&self, model: &LinearModel, sol: LpSolution) -> LpSolution {
        let row = |i: usize| match model.rows.get(i) {
            Some(r) => self.row(r.name, model),
            None => 1.0,
        };
        LpSolution {
            x: self.columns(model, &sol.x),
            row_duals: (sol.row_duals.iter().enumerate())
                .map(|(i, &d)| self.row_price(d, row(i)))
                .collect(),
            objective: self.money(sol.objective),
            ..sol
        }
    }
}

impl Instance {
    /// The same instance in `units` (see [`Units`]): energies and powers divided by the energy
    /// unit, money amounts by the money unit, prices per kWh multiplied by
    /// `energy_kwh / money_usd`.
    ///
    /// The result is not checked against the input ranges of [`crate::limits`], which bound data
    /// written in USD and kWh; it is meant for solvers, whose results are converted back.
    pub fn in_units(&self, units: &Units) -> Instance {
        let per_kwh = units.energy_kwh / units.money_usd;
        let mut out = self.clone();
        out.energy_price_usd_per_kwh
            .iter_mut()
            .for_each(|p| *p *= per_kwh);
        for st in &mut out.stations {
            st.power_kw /= units.energy_kwh;
        }
        for ev in &mut out.evs {
            ev.energy_kwh /= units.energy_kwh;
            ev.max_kw /= units.energy_kwh;
            ev.value_usd_per_kwh *= per_kwh;
            ev.access_cost_usd
                .iter_mut()
                .for_each(|c| *c /= units.money_usd);
        }
        out
    }
}

/// Significant bits kept by [`Instance::normalized`]: 32, a relative rounding of at most
/// `2^-33` (about `1.2e-10`), far below the solvers' tolerances (`1e-8`).
const KEPT_BITS: u32 = 32;

/// `x` rounded to the nearest number with [`KEPT_BITS`] significant bits (ties away from zero).
fn round_bits(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let dropped = 52 - KEPT_BITS;
    let bits = x.to_bits();
    // Adding half of the dropped range and clearing it rounds the magnitude; a carry moves
    // into the exponent correctly, and a finite input below `f64::MAX / 2` cannot reach the
    // sign bit.
    let rounded = (bits + (1u64 << (dropped - 1))) & !((1u64 << dropped) - 1);
    let y = f64::from_bits(rounded);
    if y.is_finite() {
        y
    } else {
        x
    }
}

impl Instance {
    /// The instance in its normalising units ([`Units::normalizing`]), each number rounded to
    /// 32 significant bits, and those units: what every solver of this workspace is given.
    ///
    /// The rounding (at most `1.2e-10` relative, far below any solver tolerance) is what makes
    /// a change of the input's units invisible to the solvers: the instance with its money
    /// scaled by `10^k` normalises to numbers that differ from the original's by a few units in
    /// the last place, and those round to the same 32-bit numbers (unless one lies within
    /// `1e-15` of a rounding boundary), so the solvers see the same bits, take the same path
    /// among equally good plans and return the same optimum. Results are converted back and
    /// evaluated on the instance as given.
    ///
    /// An access cost above everything its EV can gain (a station it must never use) is capped
    /// at twice that gain plus one money unit: the same optimal plans and a valid bound, with no
    /// cost millions of times the gains in front of the solvers (`cap_dominated_access_costs`).
    pub fn normalized(&self) -> (Instance, Units) {
        let units = Units::normalizing(self);
        let mut out = self.in_units(&units);
        cap_dominated_access_costs(&mut out);
        let round = |v: &mut f64| *v = round_bits(*v);
        out.energy_price_usd_per_kwh.iter_mut().for_each(round);
        for st in &mut out.stations {
            round(&mut st.power_kw);
        }
        for ev in &mut out.evs {
            round(&mut ev.energy_kwh);
            round(&mut ev.max_kw);
            round(&mut ev.value_usd_per_kwh);
            ev.access_cost_usd.iter_mut().for_each(round);
        }
        (out, units)
    }
}

/// Caps every access cost above what its EV can gain at `2 G_n + 1` money units, where `G_n` is
/// the EV's largest gain ([`EvRequest::largest_gain_usd`](crate::EvRequest::largest_gain_usd),
/// here in money units).
///
/// Why this changes no result: serving EV `n` at a station whose cost is above `G_n` adds less
/// than nothing, and leaving it unserved frees capacity, so no optimal plan uses that pair
/// before or after the cap (the cap keeps the cost above `G_n`): both models have the same
/// optimal plans and the same optimum `W*`. Lowering costs can only raise a plan's welfare, so
/// an upper bound on the capped model's welfare (every dual certificate) bounds the original's
/// too, and proves the same optimum. Welfare, utilities and payments are evaluated on the
/// instance as given. What it saves: an operator's "never here" written as 1e6 USD next to
/// gains of cents made the gains look like rounding to the solvers (a conic solver reported
/// such an instance infeasible).
fn cap_dominated_access_costs(instance: &mut Instance) {
    let Instance {
        energy_price_usd_per_kwh: prices,
        evs,
        ..
    } = instance;
    for ev in evs {
        let cap = 2.0 * ev.largest_gain_usd(prices) + 1.0;
        for cost in &mut ev.access_cost_usd {
            *cost = cost.min(cap);
        }
    }
}

impl StationAccessModel {
    /// The same model in the instance's normalising units ([`Instance::normalized`]), with the
    /// site power cap converted (and rounded) too, and those units.
    pub fn normalized(&self) -> (StationAccessModel, Units) {
        let (instance, units) = self.instance().normalized();
        let mut options = self.options();
        if let Some(kw) = options.site_power_kw.as_mut() {
            *kw = round_bits(*kw / units.energy_kwh);
        }
        (StationAccessModel::build(&instance, options), units)
    }

    /// The same model in `units`: rebuilt from [`Instance::in_units`] with the site power cap
    /// converted too. Columns and rows keep their indices and names.
    pub fn in_units(&self, units: &Units) -> StationAccessModel {
        let mut options = self.options();
        if let Some(kw) = options.site_power_kw.as_mut() {
            *kw /= units.energy_kwh;
        }
        StationAccessModel::build(&self.instance().in_units(units), options)
    }
}
