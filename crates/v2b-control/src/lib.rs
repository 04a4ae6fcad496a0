//! # evmech-v2b-control
//!
//! Vehicle-to-building (V2B) charging control and the CONSENT negotiation (Sen et al., *CONSENT: a
//! negotiation framework for vehicle-to-building charging under uncertainty*).
//!
//! ## What it holds so far
//!
//! - [`BuildingLoad`]: the hourly DOE reference-building load (validated CSV loader whose errors
//!   name the file, line and column; the file's calendar; step-held daily profiles).
//! - [`Tariff`] and [`Bill`]: two-level TOU energy prices with a demand charge on the monthly peak
//!   inside the peak window; [`Tariff::silicon_valley_power`] is the paper's calibration.
//! - [`Site`]: chargers (power limits, direction, control, efficiencies), the no-export rule and
//!   the paper's penalty constants, validated, with [`Site::paper_default`] and the spec's
//!   charger-assignment order.
//! - [`load_acn_sessions`]: the Caltech ACN session CSV mapped to [`Session`]s (slots, requested
//!   departure, need, battery class, seeded arrival state of charge) as spec section 8.3 says.
//!
//! ## What it will hold (see the V2B and CONSENT issues)
//!
//! - Scenario types (site, chargers, building load, tariff with demand charge, sessions,
//!   penalties), loaders for the Caltech ACN session CSV and the DOE building load, and a seeded
//!   synthetic generator calibrated to the paper.
//! - A discrete-time simulator that enforces physics (charger and battery limits, charging curve,
//!   efficiency) and records every clamp, with billing and monthly metrics.
//! - Charging policies behind one trait: MaxCharge, ReqCharge, EDF, LLF, Oracle, MPC and
//!   Monte-Carlo MPC, all sharing the charging model of `evmech-milp-model`.
//! - The CONSENT negotiation as a `Mechanism` (incentive menus on arrival, marginal utility by
//!   common random numbers, logit user model), its baselines, and property tests of
//!   strategy-proofness, budget feasibility and voluntary participation.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod building;
mod csv;
mod error;
mod sessions;
mod site;
mod tariff;

pub use building::{weekday, weekdays_of_month, BuildingLoad, HOURS_PER_YEAR};
pub use error::{Error, Result};
pub use sessions::{
    load_acn_sessions, Date, DepartureMode, LocalTime, Session, BATTERY_CLASSES_KWH, SLOTS_PER_DAY,
};
pub use site::{Charger, Penalties, Site, SiteSpec};
pub use tariff::{Bill, Tariff};
