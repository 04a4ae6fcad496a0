//! # evmech-mechanisms
//!
//! Mechanism design over abstract agents, items, reports and money: the interface crate of
//! evmech. It knows nothing about electricity.
//!
//! - [`Mechanism`], [`Outcome`], [`QuasiLinear`], [`Tolerance`], [`Error`]: the shared vocabulary.
//! - [`properties`]: generic checkers of incentive compatibility, individual rationality,
//!   reservation awareness and budget balance that return the worst violation and its witness.
//! - [`assignment`]: an exact assignment solver for unit-demand agents and unit-supply items, with
//!   minimum and maximum Walrasian prices from one solve.
//! - [`vcg`]: the day-ahead VCG auction; all `n` payments from one assignment solve.
//! - [`realtime`]: real-time VCG (scratch and endowment pivots), the sequential posted-price
//!   market, and the trading-cycles exchange stage that lets holders swap reservations.
//! - [`two_stage`]: the two-stage pipeline of Su, Ju, Moura and Sastry (CDC 2025).
//!
//! ## Example: one day-ahead auction, then a real-time market with swaps
//!
//! ```
//! use evmech_mechanisms::properties::{reservation_awareness, weak_budget_balance};
//! use evmech_mechanisms::realtime::{Endowments, TradingCycles};
//! use evmech_mechanisms::vcg::{DayAheadVcg, ReserveRule};
//! use evmech_mechanisms::{Mechanism, Tolerance, Valuation};
//!
//! let v = |x: &[f64]| Valuation::new(x.to_vec());
//! // Day ahead: three EVs bid for sessions A and B .
//! let bids = [v(&[6.0, 3.0])?, v(&[4.0, 1.0])?, v(&[2.0, 2.0])?];
//! let da = DayAheadVcg::new(2).run_detailed(&bids)?;
//! assert_eq!(da.allocation, vec![Some(0), None, Some(1)]);
//! assert_eq!(da.payments, vec![4.0, 0.0, 1.0]);
//!
//! // Real time: values change; holders may swap at zero prices.
//! let rt = [v(&[2.0, 6.0])?, v(&[1.0, 5.0])?, v(&[2.0, 2.0])?];
//! let endowments = Endowments::new(2, da.allocation.clone())?;
//! let market = TradingCycles::new(endowments, da.reserve_prices(ReserveRule::Zero), vec![0, 1, 2])?;
//! let outcome = market.run(&rt)?;
//! assert!(reservation_awareness(&outcome, &rt, &da.allocation)?.holds(Tolerance::EXACT));
//! assert!(weak_budget_balance(&outcome).holds(Tolerance::EXACT));
//! # Ok::<_, evmech_mechanisms::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::float_cmp)]

pub mod assignment;
mod error;
mod mechanism;
pub mod properties;
pub mod realtime;
mod tolerance;
pub mod two_stage;
mod valuation;
pub mod vcg;

pub use error::{Error, Result};
pub use mechanism::{Mechanism, Outcome};
pub use tolerance::Tolerance;
pub use valuation::{QuasiLinear, Valuation, ValueMatrix};
