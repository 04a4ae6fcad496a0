//! What a simulated episode reports.

use crate::{Date, DemandBill};
use serde::{Deserialize, Serialize};

/// Mean and quantiles of a duration sample, seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Maximum.
    pub max: f64,
}

impl Timing {
    /// Summarises a sample (all zeros when empty).
    pub fn of(sample: &[f64]) -> Self {
        if sample.is_empty() {
            return Timing::default();
        }
        let mut s = sample.to_vec();
        s.sort_by(f64::total_cmp);
        let q = |p: f64| s[((p * (s.len() - 1) as f64).round() as usize).min(s.len() - 1)];
        Timing {
            mean: s.iter().sum::<f64>() / s.len() as f64,
            p50: q(0.5),
            p95: q(0.95),
            max: s[s.len() - 1],
        }
    }
}

/// One billing month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthReport {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Simulated days.
    pub days: usize,
    /// Energy cost, USD.
    pub energy_cost_usd: f64,
    /// The first demand charge's peak (the site's highest net import over its window), kW.
    pub peak_kw: f64,
    /// All demand charges, USD.
    pub demand_cost_usd: f64,
    /// Each demand charge of the tariff: name, peak, USD.
    pub demand: Vec<DemandBill>,
    /// What exports earned, USD (already subtracted in `energy_cost_usd`; 0 without export).
    pub export_credit_usd: f64,
    /// Compensation for energy missing at departures this month, USD.
    pub compensation_usd: f64,
    /// Degradation cost of this month's discharge, USD.
    pub degradation_usd: f64,
    /// Payments received from users leaving this month, USD.
    pub payments_usd: f64,
    /// Energy missing at this month's departures, kWh.
    pub missing_soc_kwh: f64,
    /// Demand-response penalties (kWh above the firm level times the penalty), USD.
    pub dr_penalty_usd: f64,
    /// Demand-response incentives earned (events kept at or below the firm level), USD.
    pub dr_incentive_usd: f64,
    /// What the building's own load would have cost alone this month (energy and demand
    /// charges of the metered building load, no EV, no demand-response event), USD: the
    /// counterfactual the settlement and the ledger measure savings against.
    #[serde(default)]
    pub building_only_usd: f64,
    /// Credits promised to users leaving this month (quotes below zero), USD.
    #[serde(default)]
    pub credits_promised_usd: f64,
    /// Of those, what was paid: all of it under [`Settlement::AtQuote`](crate::negotiation::Settlement),
    /// the month's realized surplus at most under `Escrow`, USD.
    #[serde(default)]
    pub credits_paid_usd: f64,
}

impl MonthReport {
    /// What the EVs added to the building's costs this month: energy and demand charges,
    /// compensation and degradation, minus [`building_only_usd`](Self::building_only_usd)
    /// (demand-response penalties and incentives are left out), USD. Negative when vehicle-to-
    /// building discharge saved more than the charging cost.
    pub fn ev_added_cost_usd(&self) -> f64 {
        self.energy_cost_usd + self.demand_cost_usd + self.compensation_usd + self.degradation_usd
            - self.building_only_usd
    }

    /// The month's building cost: bill + compensation + degradation - payments, USD (the
    /// episode's `building_cost_usd` is the sum over months).
    pub fn building_cost_usd(&self) -> f64 {
        self.energy_cost_usd
            + self.demand_cost_usd
            + self.compensation_usd
            + self.degradation_usd
            + self.dr_penalty_usd
            - self.dr_incentive_usd
            - self.payments_usd
    }
}

/// What became of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionStatus {
    /// Plugged in and charged.
    Served,
    /// Declined the terms offered (CONSENT's opt-out).
    Declined,
    /// Found no free charger.
    NoCharger,
}

/// One session's outcome under a policy (a row of `sessions.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionOutcome {
    /// The session's id.
    pub session_id: String,
    /// Its arrival date.
    pub date: Date,
    /// Served, declined or no charger.
    pub status: SessionStatus,
    /// The charger's index in the site (`None` unless served).
    pub charger: Option<usize>,
    /// Arrival slot of the day.
    pub arrival_slot: usize,
    /// The departure slot it kept (the agreed one when negotiated; the requested one
    /// otherwise).
    pub departure_slot: usize,
    /// Energy asked for (requested minus arrival energy), kWh.
    pub requested_kwh: f64,
    /// Energy stored at departure minus energy at arrival (negative if it left with less), kWh.
    pub delivered_kwh: f64,
    /// Energy short of the (clipped or agreed) target at departure, kWh.
    pub missing_kwh: f64,
    /// Energy the building took from its battery, grid side, kWh.
    pub discharged_kwh: f64,
    /// What the driver paid, USD (negative: was paid).
    pub paid_usd: f64,
}

/// One simulated day, with its per-slot traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayReport {
    /// The date.
    pub date: Date,
    /// Energy cost, USD.
    pub energy_cost_usd: f64,
    /// The day's highest net import over the first demand charge's window, kW.
    pub peak_kw: f64,
    /// Energy missing at departure, kWh.
    pub missing_soc_kwh: f64,
    /// EVs leaving more than 0.01 kWh short.
    pub cars_below_target: usize,
    /// Arrivals.
    pub arrivals: usize,
    /// Arrivals that found no free charger.
    pub rejected_sessions: usize,
    /// Net energy added to the batteries, kWh.
    pub delivered_kwh: f64,
    /// Sum over departed EVs of departure minus arrival energy (signed), kWh.
    pub battery_gain_kwh: f64,
    /// Building load per slot, kW.
    pub building_kw: Vec<f64>,
    /// Total EV power per slot (net of discharge), kW.
    pub ev_kw: Vec<f64>,
}

/// The whole episode under one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpisodeReport {
    /// Policy name.
    pub policy: String,
    /// Bill + compensation + degradation + demand-response penalties - incentives - user
    /// payments, USD.
    pub building_cost_usd: f64,
    /// Demand-response penalties, USD.
    pub dr_penalty_usd: f64,
    /// Demand-response incentives earned, USD.
    pub dr_incentive_usd: f64,
    /// Energy cost, USD.
    pub energy_cost_usd: f64,
    /// Demand charges (sum over months), USD.
    pub demand_cost_usd: f64,
    /// Compensation paid for missing energy (`K_SOC` per kWh), USD.
    pub compensation_usd: f64,
    /// Degradation cost of discharged energy, USD.
    pub degradation_usd: f64,
    /// Payments received from users, USD (negative: paid to users).
    pub payments_usd: f64,
    /// Highest monthly peak, kW.
    pub peak_kw: f64,
    /// Energy missing at departure, kWh.
    pub missing_soc_kwh: f64,
    /// EVs leaving more than 0.01 kWh short.
    pub cars_below_target: usize,
    /// Arrivals.
    pub arrivals: usize,
    /// Arrivals that found no free charger (`NoCharger`).
    pub rejected_sessions: usize,
    /// Net energy added to the batteries, kWh.
    pub delivered_kwh: f64,
    /// Energy discharged to the building, kWh.
    pub discharged_kwh: f64,
    /// Requested energy cut at plug-in because it was not reachable, kWh.
    pub clipped_request_kwh: f64,
    /// Policy decisions (slots with a connected EV).
    pub decisions: usize,
    /// Optimisation models solved.
    pub lp_solves: usize,
    /// Seconds spent inside the solvers of those models.
    pub lp_solve_seconds: f64,
    /// Policy time per decision (day set-up included), seconds.
    pub decision_seconds: Timing,
    /// Mean policy time per decision, seconds.
    pub seconds_per_decision: f64,
    /// Decisions played by an explicit fallback.
    pub fallbacks: usize,
    /// Decisions per source of futures (`history`, `history (persistence)` when the history
    /// had no past day, `hindsight-pool` and `hindsight-perfect` when the futures read the
    /// recorded episode); empty for policies without futures.
    #[serde(default)]
    pub forecasts: std::collections::BTreeMap<String, usize>,
    /// Requests the plant changed by more than 1e-6 kW.
    pub clamps: usize,
    /// Largest such change, kW.
    pub max_clamp_kw: f64,
    /// The users' side: served, declined, payments.
    pub users: UserReport,
    /// Per month.
    pub months: Vec<MonthReport>,
    /// Every session's outcome, in the order they left or were turned away.
    pub sessions: Vec<SessionOutcome>,
    /// Per day.
    pub days: Vec<DayReport>,
}

impl EpisodeReport {
    /// Whether the episode's decisions read anything recorded after their time: the Oracle
    /// (`oracle`, `oracle-daily`: it plans with the whole month or day known) or futures drawn
    /// with hindsight (`hindsight-pool`, `hindsight-perfect`). Such an episode is a bound to
    /// compare with, not something a live site can do.
    pub fn hindsight(&self) -> bool {
        self.policy.starts_with("oracle")
            || self.forecasts.keys().any(|k| k.starts_with("hindsight"))
    }
}

/// The users' side of an episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserReport {
    /// The arrival policy (`"free"`, `"consent"`, ...).
    pub arrival_policy: String,
    /// Users who plugged in.
    pub served: usize,
    /// Users who declined the offer and charged elsewhere.
    pub declined: usize,
    /// Arrivals that found no free charger.
    pub no_charger: usize,
    /// `100 (no charger + declined) / arrivals`.
    pub reject_pct: f64,
    /// Sum of the users' payments, USD (`monthly_user_cost_usd` summed over months).
    pub payments_usd: f64,
    /// Energy added to served users' batteries, `sum (e_dep - e_arr)^+`, kWh.
    pub energy_kwh: f64,
    /// Payments per kWh added, USD/kWh.
    pub user_cost_usd_per_kwh: f64,
    /// Served users per menu level chosen.
    pub levels_chosen: Vec<usize>,
    /// Time to decide one arrival (the menu, when there is one), seconds.
    pub arrival_seconds: Timing,
    /// Models solved for arrivals.
    pub lp_solves: usize,
    /// Every decided arrival (arrivals without a free charger are not decided), in order: the
    /// data of the paper's Figs. 10-12 (chosen levels and deviations).
    pub records: Vec<ArrivalRecord>,
}

/// What the arrival policy made of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrivalRecord {
    /// The session's date.
    pub date: crate::Date,
    /// The session id.
    pub session_id: String,
    /// Arrival slot of the day.
    pub slot: usize,
    /// Whether the user plugged in (`false`: declined every option).
    pub served: bool,
    /// The menu level chosen, if served from a menu.
    pub level: Option<usize>,
    /// Requested (reachable) target minus the agreed target, kWh; 0 when declined.
    pub reduction_kwh: f64,
    /// The same in %-points of the battery.
    #[serde(default)]
    pub reduction_pct: f64,
    /// Agreed minus planned departure, slots; 0 when declined.
    pub delay_slots: i64,
    /// What the user pays, if served.
    pub price: Option<crate::Price>,
    /// The agreed target (the clipped request when declined), kWh.
    #[serde(default)]
    pub target_kwh: f64,
    /// The agreed departure slot (the requested one when declined).
    #[serde(default)]
    pub departure_slot: usize,
    /// The menu the user was quoted, when the arrival policy priced one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

/// A priced menu as the ledger keeps it: what each option cost the building in the arrival's
/// sampled futures, its price, and what it was worth to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// `J^{-v}`: the sample-average cost of the futures without the user, USD (0 for a static
    /// menu, which estimates nothing).
    pub cost_without_usd: f64,
    /// What charging elsewhere would cost the user, USD.
    pub external_cost_usd: f64,
    /// Whether the options' costs (`J`, `C`, `U`) were estimated (CONSENT's menus); `false`
    /// for a static menu, whose cost fields are 0.
    #[serde(default)]
    pub costs_estimated: bool,
    /// One entry per option, in level order.
    pub options: Vec<QuotedOption>,
}

/// One option of a [`Quote`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotedOption {
    /// Level.
    pub level: usize,
    /// Target reduction offered, kWh.
    pub reduction_kwh: f64,
    /// Departure delay offered, slots.
    pub delay_slots: usize,
    /// `J_l`: the sample-average cost with the user on this option, USD.
    pub cost_with_usd: f64,
    /// `C_l`: the user's own energy cost in those futures, USD.
    pub energy_cost_usd: f64,
    /// `U_l = C_l - (J_l - J^{-v})`, USD.
    pub utility_usd: f64,
    /// The quoted price `zeta_l`, USD (negative: a credit).
    pub price_usd: f64,
    /// The user's acceptance utility `Y_l` (external cost minus price minus inconvenience), USD,
    /// as she evaluated it.
    pub acceptance_utility_usd: f64,
}
