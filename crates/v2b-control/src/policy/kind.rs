//! Policies by name (`mc-mpc`, `edf`, ...) and the settings they are built with: how the CLI,
//! the live controller and the experiments choose a policy.

use super::{
    ChargingPolicy, Edf, ForecastMode, FutureUsers, Horizon, Llf, MaxCharge, McMpc, McMpcOptions,
    OnFailure, Oracle, OracleMode, RefineLimit, ReqCharge,
};
use crate::{Error, Result};
use evmech_milp_model::charging::TimeGrid;
use evmech_milp_model::LpBackend;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A policy by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// [`MaxCharge`].
    MaxCharge,
    /// [`ReqCharge`].
    ReqCharge,
    /// [`Edf`].
    Edf,
    /// [`Llf`].
    Llf,
    /// Deterministic MPC ([`McMpc::deterministic`]).
    Mpc,
    /// [`McMpc`].
    McMpc,
    /// The monthly [`Oracle`].
    Oracle,
    /// The daily [`Oracle`].
    OracleDaily,
}

impl PolicyKind {
    /// Every kind, in the order of the paper's Table 10 (worst first).
    pub const ALL: [PolicyKind; 8] = [
        PolicyKind::MaxCharge,
        PolicyKind::ReqCharge,
        PolicyKind::Edf,
        PolicyKind::Llf,
        PolicyKind::Mpc,
        PolicyKind::McMpc,
        PolicyKind::Oracle,
        PolicyKind::OracleDaily,
    ];

    /// The CLI name (`mc-mpc`).
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::MaxCharge => "maxcharge",
            PolicyKind::ReqCharge => "reqcharge",
            PolicyKind::Edf => "edf",
            PolicyKind::Llf => "llf",
            PolicyKind::Mpc => "mpc",
            PolicyKind::McMpc => "mc-mpc",
            PolicyKind::Oracle => "oracle",
            PolicyKind::OracleDaily => "oracle-daily",
        }
    }

    /// Parses a comma-separated list (`maxcharge,mc-mpc,oracle`).
    pub fn parse_list(text: &str) -> Result<Vec<PolicyKind>> {
        text.split(',')
            .map(|s| s.trim().parse())
            .collect::<Result<Vec<_>>>()
    }

    /// The policy with `settings`.
    pub fn build(self, settings: &PolicySettings) -> Box<dyn ChargingPolicy> {
        let mc = |scenarios: usize, refinement: bool, time_grid: TimeGrid| {
            Box::new(McMpc::new(McMpcOptions {
                scenarios,
                seed: settings.seed,
                refinement,
                time_grid,
                backend: settings.backend,
                on_failure: settings.on_failure,
                forecast: settings.forecast,
                refine_to: settings.refine_to,
                horizon: settings.horizon,
                future_users: settings.future_users,
                ..McMpcOptions::default()
            }))
        };
        match self {
            PolicyKind::MaxCharge => Box::new(MaxCharge),
            PolicyKind::ReqCharge => Box::new(ReqCharge),
            PolicyKind::Edf => Box::new(Edf),
            PolicyKind::Llf => Box::new(Llf::default()),
            PolicyKind::Mpc => mc(1, true, TimeGrid::Slots),
            PolicyKind::McMpc => mc(settings.scenarios, true, settings.time_grid),
            PolicyKind::Oracle | PolicyKind::OracleDaily => {
                let mut o = Oracle::new(if self == PolicyKind::Oracle {
                    OracleMode::Monthly
                } else {
                    OracleMode::Daily
                });
                o.backend = settings.backend;
                Box::new(o)
            }
        }
    }
}

impl FromStr for PolicyKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(&PolicyKind::ALL, PolicyKind::name, "policies", s)
    }
}

/// Settings of the policies built by name ([`PolicyKind::build`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PolicySettings {
    /// Futures per MC-MPC decision.
    pub scenarios: usize,
    /// Seed of every random stream.
    pub seed: u64,
    /// LP solver.
    pub backend: LpBackend,
    /// Behaviour of the optimising policies on a failed solve.
    pub on_failure: OnFailure,
    /// MC-MPC's time grid (deterministic MPC keeps the slot grid).
    #[serde(default = "hourly")]
    pub time_grid: TimeGrid,
    /// Where MPC's and MC-MPC's futures come from (default: the causal history).
    #[serde(default)]
    pub forecast: ForecastMode,
    /// How far MPC's and MC-MPC's refinement may charge an EV (default: to its target).
    #[serde(default)]
    pub refine_to: RefineLimit,
    /// How far ahead MPC and MC-MPC plan (default: a rolling 24 hours).
    #[serde(default)]
    pub horizon: Horizon,
    /// How MPC's and MC-MPC's futures weigh later arrivals (default: as promises).
    #[serde(default, skip_serializing_if = "FutureUsers::is_default")]
    pub future_users: FutureUsers,
}

fn hourly() -> TimeGrid {
    TimeGrid::HOURLY_AFTER_FIRST_HOUR
}

/// The named time grids: `slots` ([`TimeGrid::Slots`]) and `hourly`
/// ([`TimeGrid::HOURLY_AFTER_FIRST_HOUR`]).
pub const GRIDS: [TimeGrid; 2] = [TimeGrid::Slots, TimeGrid::HOURLY_AFTER_FIRST_HOUR];

/// The CLI name of a time grid: `slots`, `hourly`, or `coarse` for any other coarse grid.
pub fn grid_name(grid: TimeGrid) -> &'static str {
    match grid {
        TimeGrid::Slots => "slots",
        g if g == TimeGrid::HOURLY_AFTER_FIRST_HOUR => "hourly",
        TimeGrid::Coarse { .. } => "coarse",
    }
}

/// The grid of [`GRIDS`] named `text`.
pub fn grid_by_name(text: &str) -> Result<TimeGrid> {
    crate::named::by_name(&GRIDS, grid_name, "grid", text)
}

impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            scenarios: 30,
            seed: 0,
            backend: LpBackend::default(),
            on_failure: OnFailure::Error,
            time_grid: hourly(),
            forecast: ForecastMode::History,
            refine_to: RefineLimit::Target,
            horizon: Horizon::default(),
            future_users: FutureUsers::Committed,
        }
    }
}
