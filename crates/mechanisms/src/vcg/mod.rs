//! VCG for the assignment game: allocation, Clarke-pivot payments, Walrasian reserve prices.

mod auction;
mod payments;

pub use auction::{DayAheadVcg, ReserveRule, VcgResult};
pub use payments::{naive_vcg_payments, vcg_payments};
