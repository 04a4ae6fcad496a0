//! # evmech-v2b-control
//!
//! Vehicle-to-building (V2B) charging control and the CONSENT negotiation (Sen et al., *CONSENT: a
//! negotiation framework for vehicle-to-building charging under uncertainty*).
//!
//! ## What it holds
//!
//! - Data: [`load_acn_sessions`] and [`load_acn_json`] (ACN session CSVs, columns by name, and
//!   ACN-Data API JSON, mapped to V2B sessions), [`MeterLoad`] (a building meter at any regular
//!   interval) and [`BuildingLoad`] (the DOE typical year), both [`LoadProfile`]s, [`Tariff`] (TOU energy and a demand charge on
//!   the monthly peak-window maximum), [`Site`] (chargers, no-export, penalties), and
//!   [`Scenario`]: the validated episode (site, tariff, curve, days with building load and
//!   sessions; serde JSON). [`SyntheticConfig`] generates seeded episodes calibrated to the paper.
//! - [`live`]: the live API. A [`live::Controller`] takes the site's state now (time, building
//!   load, month-to-date peak, connected EVs) and its [`History`] and returns a set-point per
//!   EV, the plan behind it, its expected cost and status; with the `ocpp` feature, as OCPP
//!   2.0.1 `SetChargingProfileRequest` messages. It needs no recorded episode and reads nothing
//!   after "now".
//! - [`forecast`]: the [`forecast::Forecaster`] trait and its default,
//!   [`forecast::HistoryForecaster`], which draws futures from the site's own past days only.
//!   The papers' "other days of the episode" pool remains as
//!   [`policy::ForecastMode::HindsightPool`], named as hindsight in every report.
//! - [`simulate`]: the discrete-time simulator (departures, FCFS charger
//!   assignment, decision, the [`plant`]'s clamps, integration, billing) returning an
//!   [`EpisodeReport`] with the monthly bill, missing energy, rejects, decision times, fallbacks
//!   and clamps, and per-day traces. Each slot's decision goes through the same step as
//!   [`live::Controller::decide`], and the simulator keeps a [`History`] as a live site would:
//!   a simulated day is a replay of the live API.
//! - [`policy`]: the [`policy::ChargingPolicy`] trait and MaxCharge, ReqCharge, EDF, LLF, the
//!   Oracle (monthly or daily), MPC and Monte-Carlo MPC with the paper's refinement; the
//!   optimising ones share `evmech_milp_model::charging`.
//! - [`env`](mod@env): [`env::StepEnv`], an episode stepped one decision at a time by an outside
//!   controller (a learning agent; the Python package's Gymnasium environment), on the same
//!   simulator, with minus the bill's increase as the reward.
//! - [`negotiation`]: CONSENT. [`negotiation::MenuInput::menu`] prices one option per
//!   flexibility level from the arriving user's marginal utility over one shared set of sampled
//!   futures; [`negotiation::UserModel`] and [`negotiation::AcceptanceMode`] are the users;
//!   [`negotiation::ConsentMechanism`] is the negotiation as an `evmech_mechanisms::Mechanism`;
//!   [`negotiation::Negotiator`] plugs it into [`simulate_with`] as an [`ArrivalPolicy`]
//!   (beside [`FreeAccess`] and [`FixedPrice`]). [`negotiation::Settlement`] says how credits
//!   (quotes below zero) are paid: in full at the quote (the paper) or, by default, out of the
//!   billing month's realized surplus (escrow).
//! - [`ledger`]: where an episode's money went: per arrival the quoted costs and prices, what
//!   was paid and a hindsight marginal cost; per month what the EVs added to the building's
//!   costs, what users paid, and the decomposition of the difference.
//! - Running experiments (several policies on one episode, the CONSENT tables, CSV and SVG
//!   output, progress bars) is application code: the `evmech-lab` crate. This library prints
//!   nothing and reads only the files it is handed.
//!
//! Design notes and measured numbers: `docs/v2b.md`, `docs/benchmarks.md`.
//!
//! ## Example
//!
//! ```
//! use evmech_v2b_control::policy::{Oracle, OracleMode, ReqCharge};
//! use evmech_v2b_control::{simulate, SyntheticConfig};
//!
//! // Two synthetic weekdays on the paper's site and tariff.
//! let scenario = SyntheticConfig { days: Some(2), seed: 7, ..SyntheticConfig::default() }.generate()?;
//! let naive = simulate(&scenario, &mut ReqCharge, None)?;
//! let best = simulate(&scenario, &mut Oracle::new(OracleMode::Monthly), None)?;
//! assert!(best.building_cost_usd <= naive.building_cost_usd);
//! assert_eq!(best.fallbacks, 0);
//! println!("ReqCharge {:.2} USD, Oracle {:.2} USD", naive.building_cost_usd, best.building_cost_usd);
//! # Ok::<_, evmech_v2b_control::Error>(())
//! ```
//!
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod domain;
mod engine;
pub mod env;
mod error;
pub mod forecast;
pub mod ledger;
pub mod live;
pub mod named;
pub mod negotiation;
pub mod policy;

pub use engine::plant;

pub use domain::acn_json::{load_acn_json, load_acn_json_file, load_session_file};
pub use domain::building::{weekday, weekdays_of_month, BuildingLoad, HOURS_PER_YEAR};
pub use domain::clock::Clock;
pub use domain::config::{EvAt, SiteConfig, TariffRows};
pub use domain::dr::DrEvent;
pub use domain::history::{History, HistoryRecords};
pub use domain::meter::{LoadProfile, MeterLoad};
pub use domain::openv2b::{load_openv2b, load_openv2b_with, OpenV2bScenario};
pub use domain::ranges::{
    MAX_BATTERY_KWH, MAX_DEMAND_USD_PER_KW, MAX_ENERGY_USD_PER_KWH, MAX_LOAD_KW,
    MAX_SURCHARGE_FACTOR,
};
pub use domain::scenario::{Day, Scenario, ScenarioSpec};
pub use domain::sessions::{
    load_acn_file, load_acn_sessions, Chain, DaysOfWeek, DepartureMode, Overnight, Session,
    SessionOptions, VehicleLimits, BATTERY_CLASSES_KWH, MAX_STAY_DAYS, SLOTS_PER_DAY,
};
pub use domain::site::{
    Charger, Penalties, Site, SiteSpec, MAX_CHARGER_KW, MAX_IMPORT_KW, MAX_PENALTY_USD_PER_KWH,
};
pub use domain::stress::Stress;
pub use domain::synthetic::SyntheticConfig;
pub use domain::tariff::{Bill, DemandBill, DemandCharge, EnergyPeriod, Surcharge, Tariff};
pub use domain::tariff_window::{ClockTime, DaySet, Window};
pub use domain::time::{parse_local_time, Date, LocalTime};
pub use engine::arrivals::{
    Admission, Arrival, ArrivalDecision, ArrivalPolicy, FixedPrice, FreeAccess, Price,
};
pub use engine::assignment::{arrival_order, assign_chargers, TieBreak};
pub use engine::carry::{episode_plan, Carried, DayPlan};
pub use engine::report::{
    ArrivalRecord, DayReport, EpisodeReport, MonthReport, Quote, QuotedOption, SessionOutcome,
    SessionStatus, Timing, UserReport,
};
pub use engine::simulate::{clipped_target, day_plan, simulate, simulate_with};
pub use error::{Error, Result};
