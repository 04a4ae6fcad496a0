//! # evmech-lab
//!
//! Experiments and application code on top of `evmech-v2b-control`: the layer the `evmech`
//! CLI and the examples use, so the library stays a library (it prints nothing, draws nothing
//! and reads only what it is handed).
//!
//! - [`compare`]: several charging policies on one episode, side by side on all cores, each an
//!   independent seeded run (the engine of `evmech v2b compare` and the `v2b_month` example).
//! - [`consent_table`]: the rows of the CONSENT paper's Table 1 (and the settings of Tables 2
//!   and 3) on one episode (`evmech v2b negotiate`, the `consent_table` example).
//! - [`tables`]: the CSV tables (per day, per slot with local time, per session, per arrival),
//!   written with the `csv` crate so fields are escaped; [`export`]: those tables, an SVG plot
//!   of one day, and a terminal progress line; [`ledger_csv`]: CONSENT's ledger (per arrival
//!   and per month) as CSV; [`figures`]: the CONSENT paper's Figures 10-12 as SVG (with
//!   `plotters`) from `arrivals.csv`; [`stats`]: the mean and sample standard deviation of the
//!   multi-month tables.
//! - [`station_access`]: copositive pricing's station-access instances from a window of a real
//!   ACN day (stations grouped by EVSE id, values by a documented rule).
//!
//! ```
//! use evmech_lab::compare::compare;
//! use evmech_v2b_control::policy::{PolicyKind, PolicySettings};
//! use evmech_v2b_control::SyntheticConfig;
//!
//! let scenario = SyntheticConfig { days: Some(2), seed: 7, ..SyntheticConfig::default() }.generate()?;
//! let settings = PolicySettings { scenarios: 4, ..PolicySettings::default() };
//! let reports = compare(&scenario, &[PolicyKind::ReqCharge, PolicyKind::Oracle], &settings, &mut |_, _, _| {})?;
//! assert!(reports[1].building_cost_usd <= reports[0].building_cost_usd);
//! # Ok::<_, evmech_v2b_control::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod compare;
pub mod consent_table;
pub mod export;
pub mod figures;
pub mod ledger_csv;
pub mod station_access;
pub mod stats;
pub mod tables;
