//! The policies of the paper's Table 1 on one episode: the engine of the `consent_table`
//! example and of `evmech v2b negotiate`.

use evmech_milp_model::charging::TimeGrid;
use evmech_milp_model::LpBackend;
use evmech_v2b_control::negotiation::{Negotiator, Profile, Settlement, StaticMenuRule};
use evmech_v2b_control::policy::{
    ChargingPolicy, ForecastMode, FutureUsers, Horizon, MaxCharge, McMpc, McMpcOptions, OnFailure,
    RefineLimit,
};
use evmech_v2b_control::{
    simulate_with, ArrivalPolicy, EpisodeReport, Error, FixedPrice, FreeAccess, Result, Scenario,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Mutex;

/// A row of Table 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TablePolicy {
    /// Row 1: the building without EVs.
    BuildingOnly,
    /// Row 2: MaxCharge, free.
    UncoordinatedFree,
    /// Row 3: MC-MPC, free.
    SmartFree,
    /// Row 4: MC-MPC, 0.178 USD per delivered kWh.
    SmartFixed,
    /// Row 5: MC-MPC, the utility-based price of option 0 at alpha = 1, no reject.
    SmartUtility,
    /// Row 6: MC-MPC, the static menu with reject.
    Menu,
    /// Row 7: MC-MPC, CONSENT.
    Consent,
    /// Row 8: MC-MPC, CONSENT without the reject option.
    ConsentNoReject,
}

impl TablePolicy {
    /// The rows in the paper's order.
    pub const ALL: [TablePolicy; 8] = [
        TablePolicy::BuildingOnly,
        TablePolicy::UncoordinatedFree,
        TablePolicy::SmartFree,
        TablePolicy::SmartFixed,
        TablePolicy::SmartUtility,
        TablePolicy::Menu,
        TablePolicy::Consent,
        TablePolicy::ConsentNoReject,
    ];

    /// The CLI name (`smart-free`).
    pub fn name(self) -> &'static str {
        match self {
            TablePolicy::BuildingOnly => "building-only",
            TablePolicy::UncoordinatedFree => "uncoordinated-free",
            TablePolicy::SmartFree => "smart-free",
            TablePolicy::SmartFixed => "smart-fixed",
            TablePolicy::SmartUtility => "smart-utility",
            TablePolicy::Menu => "menu",
            TablePolicy::Consent => "consent",
            TablePolicy::ConsentNoReject => "consent-no-reject",
        }
    }

    /// Parses a comma-separated list.
    pub fn parse_list(text: &str) -> Result<Vec<TablePolicy>> {
        text.split(',').map(|s| s.trim().parse()).collect()
    }

    /// Whether the row prices users with a menu (and so depends on alpha and the profile).
    pub fn negotiates(self) -> bool {
        matches!(
            self,
            TablePolicy::SmartUtility
                | TablePolicy::Menu
                | TablePolicy::Consent
                | TablePolicy::ConsentNoReject
        )
    }

    /// The charging policy and the arrival policy of the row.
    pub fn build(
        self,
        settings: &TableSettings,
    ) -> (Box<dyn ChargingPolicy>, Box<dyn ArrivalPolicy>) {
        let charging: Box<dyn ChargingPolicy> = match self {
            TablePolicy::BuildingOnly | TablePolicy::UncoordinatedFree => Box::new(MaxCharge),
            _ => Box::new(McMpc::new(McMpcOptions {
                scenarios: settings.charging_scenarios,
                seed: settings.seed,
                backend: settings.backend,
                on_failure: settings.on_failure,
                time_grid: settings.time_grid,
                forecast: settings.forecast,
                refine_to: settings.refine_to,
                horizon: settings.horizon,
                future_users: settings.future_users,
                ..McMpcOptions::default()
            })),
        };
        let tune = |mut n: Negotiator| {
            n.settings.scenarios = settings.negotiation_scenarios;
            n.settings.backend = settings.backend;
            n.settings.forecast = settings.forecast;
            n.settings.users.profile = settings.profile;
            n.settings.settlement = settings.settlement;
            n.settings.future_users = settings.future_users;
            if self != TablePolicy::SmartUtility {
                n.settings.menu.alpha = settings.alpha;
            }
            Box::new(n) as Box<dyn ArrivalPolicy>
        };
        let arrivals: Box<dyn ArrivalPolicy> = match self {
            TablePolicy::BuildingOnly | TablePolicy::UncoordinatedFree | TablePolicy::SmartFree => {
                Box::new(FreeAccess)
            }
            TablePolicy::SmartFixed => Box::new(FixedPrice {
                usd_per_kwh: settings.fixed_price_usd_per_kwh,
            }),
            TablePolicy::SmartUtility => tune(Negotiator::utility_priced(settings.seed)),
            TablePolicy::Menu => tune(Negotiator::menu_baseline_with(
                settings.seed,
                settings.menu_rule,
            )),
            TablePolicy::Consent => tune(Negotiator::consent(settings.seed)),
            TablePolicy::ConsentNoReject => tune(Negotiator::consent_no_reject(settings.seed)),
        };
        (charging, arrivals)
    }
}

impl FromStr for TablePolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        evmech_v2b_control::named::by_name(&TablePolicy::ALL, TablePolicy::name, "policies", s)
    }
}

/// Settings shared by the rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TableSettings {
    /// Futures per MC-MPC decision (30 in the paper).
    pub charging_scenarios: usize,
    /// Futures per menu (10 in the paper).
    pub negotiation_scenarios: usize,
    /// Seed of every random stream (futures, users, choices), shared by all rows.
    pub seed: u64,
    /// Share of the utility passed to users (Table 3).
    pub alpha: f64,
    /// Users' flexibility profile (Table 2).
    pub profile: Profile,
    /// Row 4's price, USD/kWh.
    pub fixed_price_usd_per_kwh: f64,
    /// LP solver.
    pub backend: LpBackend,
    /// MC-MPC's behaviour on a failed solve.
    pub on_failure: OnFailure,
    /// MC-MPC's time grid. Default: the slot grid, on which the tables of `docs/v2b.md` were
    /// computed; [`TimeGrid::HOURLY_AFTER_FIRST_HOUR`] is faster.
    #[serde(default)]
    pub time_grid: TimeGrid,
    /// Where the futures of MC-MPC and of the menus come from (default: the causal history;
    /// [`ForecastMode::HindsightPool`] reproduces the paper's setting).
    #[serde(default)]
    pub forecast: ForecastMode,
    /// How CONSENT's credits are settled (default: [`Settlement::Escrow`];
    /// [`Settlement::AtQuote`] is the paper's rule).
    #[serde(default)]
    pub settlement: Settlement,
    /// How far MC-MPC's refinement may charge an EV (default: to its target;
    /// [`RefineLimit::Ceiling`] is the paper's eq. 20).
    #[serde(default)]
    pub refine_to: RefineLimit,
    /// How far ahead MC-MPC plans (default: a rolling 24 hours; [`Horizon::EndOfDay`] is the
    /// paper's).
    #[serde(default)]
    pub horizon: Horizon,
    /// How row 6's static menu is priced (default: [`StaticMenuRule::UtilityRate`], from the
    /// utility's peak and off-peak rates; [`StaticMenuRule::InconvenienceDiscount`] is the rule
    /// the tables of `docs/v2b.md` made before 2026-12-01 used).
    #[serde(default)]
    pub menu_rule: StaticMenuRule,
    /// How the futures of MC-MPC and of the menus weigh later arrivals (default: as promises,
    /// [`FutureUsers::Committed`]; [`FutureUsers::OutsideOption`] at the external price).
    #[serde(default, skip_serializing_if = "FutureUsers::is_default")]
    pub future_users: FutureUsers,
}

impl Default for TableSettings {
    fn default() -> Self {
        TableSettings {
            charging_scenarios: 30,
            negotiation_scenarios: 10,
            seed: 0,
            alpha: 1.0,
            profile: Profile::Baseline,
            fixed_price_usd_per_kwh: 0.178,
            backend: LpBackend::default(),
            on_failure: OnFailure::Error,
            time_grid: TimeGrid::Slots,
            forecast: ForecastMode::History,
            settlement: Settlement::default(),
            refine_to: RefineLimit::Target,
            horizon: Horizon::default(),
            menu_rule: StaticMenuRule::default(),
            future_users: FutureUsers::Committed,
        }
    }
}

/// Simulates each row on `scenario`; `progress(row, days done, days total)` after each day.
///
/// The rows run in parallel on the current rayon thread pool, as in
/// [`compare`](crate::compare::compare): each is an independent, seeded episode, so the reports
/// (in the order of `rows`) do not depend on the thread count.
pub fn run_table(
    scenario: &Scenario,
    rows: &[TablePolicy],
    settings: &TableSettings,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Vec<EpisodeReport>> {
    if settings.charging_scenarios == 0 || settings.negotiation_scenarios == 0 {
        return Err(Error::InvalidParameter {
            field: "scenarios",
            reason: "must be at least 1".into(),
        });
    }
    if !(0.0..=1.0).contains(&settings.alpha) {
        return Err(Error::InvalidParameter {
            field: "alpha",
            reason: format!("must be in [0, 1], got {}", settings.alpha),
        });
    }
    let alone = scenario.without_sessions();
    let progress = Mutex::new(progress);
    rows.par_iter()
        .map(|&row| {
            let (mut charging, mut arrivals) = row.build(settings);
            let name = row.name();
            let mut cb = |done: usize, total: usize| {
                if let Ok(mut report) = progress.lock() {
                    report(name, done, total);
                }
            };
            let episode = if row == TablePolicy::BuildingOnly {
                &alone
            } else {
                scenario
            };
            let mut report =
                simulate_with(episode, charging.as_mut(), arrivals.as_mut(), Some(&mut cb))?;
            report.policy = name.to_string();
            Ok(report)
        })
        .collect()
}
