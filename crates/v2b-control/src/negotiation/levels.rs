//! Flexibility levels, the pricing rule and the menu options.

use evmech_milp_model::LpBackend;
use serde::{Deserialize, Serialize};

/// One flexibility level: how much the target may drop and the departure may be delayed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlexLevel {
    /// Largest target reduction, %-points of the battery capacity.
    pub max_reduction_pct: f64,
    /// Largest departure delay, minutes (a multiple of the slot length).
    pub max_delay_minutes: f64,
}

impl FlexLevel {
    /// The largest delay in whole slots of `slot_hours`.
    ///
    /// Saturating: a delay beyond `usize::MAX` slots (or a NaN, which validation refuses first)
    /// becomes `usize::MAX` or 0 (`as` on a float saturates); every caller caps it at a horizon.
    pub fn delay_slots(&self, slot_hours: f64) -> usize {
        (self.max_delay_minutes / (slot_hours * 60.0) + 1e-9).floor() as usize
    }

    /// The paper's four levels: (0, 0), (6.25 %, 30 min), (10 %, 15 min),
    /// (20 %, 105 min). They are not nested.
    pub fn paper() -> Vec<FlexLevel> {
        [(0.0, 0.0), (6.25, 30.0), (10.0, 15.0), (20.0, 105.0)]
            .into_iter()
            .map(|(p, m)| FlexLevel {
                max_reduction_pct: p,
                max_delay_minutes: m,
            })
            .collect()
    }
}

/// How the quote `zeta` follows from the energy cost `C` and the marginal utility `U`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PricingRule {
    /// `zeta = C - alpha max(U, 0) - min(U, 0)`: a share `alpha` of a positive utility is
    /// passed on, a negative one is charged in full; budget feasible for every
    /// `alpha` in `[0, 1]`.
    #[default]
    ShareGains,
    /// The paper's eq. 3 read literally, `zeta = C - alpha U` (ablation; breaks budget
    /// feasibility when `U < 0` and `alpha < 1`).
    Literal,
}

impl PricingRule {
    /// The quote for energy cost `c` and utility `u` at share `alpha`.
    pub fn price(self, c: f64, u: f64, alpha: f64) -> f64 {
        match self {
            PricingRule::ShareGains => c - alpha * u.max(0.0) - u.min(0.0),
            PricingRule::Literal => c - alpha * u,
        }
    }
}

/// How the best departure of a level is found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepartureSearch {
    /// One LP per candidate departure, keeping the least cost plus tie-break.
    Enumerate,
    /// Bisection over the candidates: staying longer never raises the cost when the charger is
    /// controlled (the EV may idle), so the least departure whose cost plus delay tie-break is
    /// within the latest one's is found with `log2` of the LPs. Agrees with
    /// [`DepartureSearch::Enumerate`] up to the tie-break (1e-6 USD per slot); falls back to
    /// enumeration on an uncontrolled charger. It is `DepartureSearch::default()`, but
    /// [`MenuOptions::default`] keeps [`DepartureSearch::Enumerate`], with which the recorded
    /// tables were made.
    #[default]
    Bisect,
    /// One MILP per level with a binary per candidate departure (the paper's eqs. 24-25; CBC).
    Binaries,
}

/// Options of the menu generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MenuOptions {
    /// The levels; level 0 should be `(0, 0)`, the request as made.
    pub levels: Vec<FlexLevel>,
    /// Share of a positive utility passed to the user, in `[0, 1]`.
    pub alpha: f64,
    /// The pricing rule.
    pub pricing: PricingRule,
    /// Price of charging elsewhere, USD/kWh (the reject option's cost to the user).
    pub external_price_usd_per_kwh: f64,
    /// Least-deviation tie-break per kWh of reduction and per slot of delay, USD.
    pub tie_break_usd: f64,
    /// Departure search.
    pub departure_search: DepartureSearch,
    /// Solver of every menu LP (`None`: the base problem's).
    pub backend: Option<LpBackend>,
}

impl Default for MenuOptions {
    fn default() -> Self {
        MenuOptions {
            levels: FlexLevel::paper(),
            alpha: 1.0,
            pricing: PricingRule::ShareGains,
            external_price_usd_per_kwh: 0.30,
            tie_break_usd: 1e-6,
            departure_search: DepartureSearch::Enumerate,
            backend: None,
        }
    }
}

/// One priced option of a menu.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MenuOption {
    /// The level it came from.
    pub level: usize,
    /// Target reduction offered, kWh.
    pub reduction_kwh: f64,
    /// Target reduction offered, %-points of the battery.
    pub reduction_pct: f64,
    /// Departure delay offered, slots.
    pub delay_slots: usize,
    /// Departure delay offered, minutes.
    pub delay_minutes: f64,
    /// The negotiated target, kWh.
    pub target_kwh: f64,
    /// The negotiated departure slot.
    pub departure_slot: usize,
    /// `J_l`: the sample-average cost with the user on this option, USD.
    pub cost_with_usd: f64,
    /// `Delta J_l = J_l - J^{-v}`, USD.
    pub delta_cost_usd: f64,
    /// `C_l`: the sample-average energy cost of the user's own charging, USD.
    pub energy_cost_usd: f64,
    /// `U_l = C_l - Delta J_l`, USD.
    pub utility_usd: f64,
    /// `zeta_l`: the quote, USD (negative: the operator pays the user).
    pub price_usd: f64,
}
