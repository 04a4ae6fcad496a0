//! Real-time mechanisms: EVs arrive holding day-ahead reservations (their endowments).
//!
//! - [`RtVcg`]: VCG over all EVs and sessions, with the Clarke pivot either ignoring reservations
//!   ([`Pivot::Scratch`]: not reservation-aware) or letting a removed EV leave with its reservation
//!   ([`Pivot::Endowment`]: reservation-aware but not budget-balanced).
//! - [`PostedPrice`]: the sequential posted-price (dynamic-pricing) market.
//! - [`TradingCycles`]: the exchange stage: top trading cycles over the menus
//!   that posted prices induce, which lets holders swap reservations.

mod endowments;
mod posted_price;
mod rt_vcg;
mod trading_cycles;

pub use endowments::{check_order, check_prices, Endowments};
pub use posted_price::{Passes, PostedPrice, PriceRule, Refund};
pub use rt_vcg::{Pivot, RtVcg};
pub use trading_cycles::{TieBreak, TradingCycles};
