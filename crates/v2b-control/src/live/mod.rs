//! The live API: the call a building operator makes every slot.
//!
//! A [`Controller`] holds the site ([`SiteConfig`](crate::SiteConfig)), its time zone and a
//! policy. Each slot the operator calls [`Controller::decide`] with the site's state now
//! ([`SiteState`]: the time, the building load, the month's billed peak, the connected EVs) and
//! the site's [`History`](crate::History); it returns a set-point per connected EV, the plan
//! behind it, its expected cost and the solver's status ([`LiveDecision`]). It needs no
//! recorded episode and reads nothing after "now": the optimising policies forecast with a
//! [`Forecaster`](crate::forecast::Forecaster) over the history (by default
//! [`HistoryForecaster`](crate::forecast::HistoryForecaster), seeded by the date and slot, so
//! the same state and history give the same decision on any machine).
//!
//! The simulator ([`simulate`](crate::simulate)) takes each slot's decision through the same
//! step ([`Controller::decide`] and the simulator share it), so a simulated day is a replay of
//! this API; `tests/live.rs` replays a day call by call and matches the simulator's bill to
//! the cent.
//!
//! ```
//! use evmech_v2b_control::live::{Controller, LiveEv, LiveOptions, SiteState};
//! use evmech_v2b_control::{History, SiteConfig};
//!
//! let mut controller = Controller::new(SiteConfig::default(), LiveOptions::default())?;
//! let state = SiteState {
//!     time: "2019-05-14T10:00:00-07:00".into(),
//!     building_kw: 131.2,
//!     month_peak_kw: 160.4,
//!     month_peaks_kw: Default::default(),
//!     evs: vec![LiveEv {
//!         id: "s1".into(),
//!         charger: 3,
//!         arrival: "2019-05-14T07:58:00-07:00".into(),
//!         departure: "2019-05-14T17:30:00-07:00".into(),
//!         energy_kwh: 21.5,
//!         target_kwh: 52.0,
//!         battery_kwh: 75.0,
//!         limits: Default::default(),
//!     }],
//! };
//! // No history yet: the forecast is persistence, and the decision says so.
//! let decision = controller.decide(&state, &History::new())?;
//! assert_eq!(decision.status, "optimal");
//! assert_eq!(decision.setpoints.len(), 1);
//! assert!(decision.setpoints[0].power_kw <= 20.0 + 1e-9);
//! assert_eq!(decision.forecast.as_deref(), Some("history (persistence)"));
//! # Ok::<_, evmech_v2b_control::Error>(())
//! ```

mod controller;
mod negotiate;
#[cfg(feature = "ocpp")]
pub mod ocpp;
mod state;

pub use controller::{Controller, EvPlanOut, LiveDecision, LiveOptions, Setpoint};
pub use negotiate::{LiveArrival, LiveQuote, QuoteOption};
pub use state::{LiveEv, SiteState, SlottedEv, SlottedState};
