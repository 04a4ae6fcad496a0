//! The valid range of the numbers in a V2B input file that the site's own limits do not already
//! bound ([`MAX_CHARGER_KW`](crate::MAX_CHARGER_KW), [`MAX_IMPORT_KW`](crate::MAX_IMPORT_KW) and
//! [`MAX_PENALTY_USD_PER_KWH`](crate::MAX_PENALTY_USD_PER_KWH) are in `site`).
//!
//! Each bound is far above any real site (so no real data is refused) and far below where the
//! optimisation models lose precision (a price of 1e25 or a load of 1e300 would reach the LP
//! solvers as coefficients they cannot represent next to the others, and bills would overflow to
//! infinity). A number outside its range is refused when the file is read, naming the field.

use crate::{Error, Result, MAX_IMPORT_KW};

/// The largest battery a session or a live EV may declare, and the largest energy a session may
/// request, kWh (a heavy electric truck carries about 1,000 kWh).
pub const MAX_BATTERY_KWH: f64 = 10_000.0;

/// The largest load a building file, a meter or a live state may report, kW: the site's largest
/// import limit.
pub const MAX_LOAD_KW: f64 = MAX_IMPORT_KW;

/// The largest energy price of a tariff, USD/kWh (real tariffs charge well under 1).
pub const MAX_ENERGY_USD_PER_KWH: f64 = 1_000.0;

/// The largest demand charge of a tariff, USD/kW per month (real ones are below 100).
pub const MAX_DEMAND_USD_PER_KW: f64 = 10_000.0;

/// The largest surcharge factor of a tariff.
pub const MAX_SURCHARGE_FACTOR: f64 = 100.0;

/// Whether `x` is finite and in `[0, max]`.
pub(crate) fn in_range(x: f64, max: f64) -> bool {
    x.is_finite() && (0.0..=max).contains(&x)
}

/// `x` finite and in `[0, max]`, or an invalid-field error naming `field`.
pub(crate) fn check_range(field: impl Into<String>, x: f64, max: f64) -> Result<()> {
    if in_range(x, max) {
        Ok(())
    } else {
        Err(Error::InvalidField {
            field: field.into(),
            reason: format!("must be finite, >= 0 and at most {max}, got {x}"),
        })
    }
}
