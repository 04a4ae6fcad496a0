//! What happens when an EV plugs in: served as requested, at a price, or
//! after a negotiation. The simulator asks an [`ArrivalPolicy`] once per arrival that found a
//! charger.

use crate::policy::{ConnectedEv, DayView};
use crate::{Date, History, Result, Session, SiteConfig};
use serde::{Deserialize, Serialize};

/// An arrival that found a charger, and the state it meets.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    /// The site.
    pub config: &'a SiteConfig,
    /// Today's date, local to the site.
    pub date: Date,
    /// What the site recorded before now.
    pub history: &'a History,
    /// The recorded day, for hindsight forecasts only (`None` for a live site).
    pub hindsight: Option<&'a DayView<'a>>,
    /// Slot of the day.
    pub slot: usize,
    /// Index of the arrival in the day (a seed part of the user's draws).
    pub session_index: usize,
    /// The session as requested.
    pub session: &'a Session,
    /// Unique key of the session in the episode.
    pub key: u64,
    /// The charger it was assigned.
    pub charger: usize,
    /// The requested energy clipped to what the charger reaches by the requested departure, kWh.
    pub target_kwh: f64,
    /// Building load this slot, kW.
    pub building_kw: f64,
    /// The month's peak so far of each demand charge of the tariff, kW.
    pub past_peaks_kw: &'a [f64],
    /// The EVs already connected (same-slot arrivals before this one included).
    pub connected: &'a [ConnectedEv],
}

/// How a served user pays.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Price {
    /// A quote fixed at plug-in, USD (negative: the operator pays the user).
    Quote(f64),
    /// A price per kWh added to the battery, settled at departure, USD/kWh.
    PerKwhDelivered(f64),
    /// A credit of at most this many USD (positive), paid at the end of the billing month out
    /// of the month's realized surplus (CONSENT's escrow settlement,
    /// [`Settlement::Escrow`](crate::negotiation::Settlement)): with `S` = the payments
    /// collected from users that month minus what the EVs added to the building's costs
    /// against its own load alone, every credit of the month is paid in the same share
    /// `min(1, max(0, S) / credits promised)`.
    CreditUpTo(f64),
}

impl Price {
    /// What the price comes to for a user who added `added_kwh` to her battery, USD (negative:
    /// she is paid; a [`Price::CreditUpTo`] counts at its full promise).
    pub fn amount_usd(self, added_kwh: f64) -> f64 {
        match self {
            Price::Quote(z) => z,
            Price::PerKwhDelivered(p) => p * added_kwh,
            Price::CreditUpTo(c) => -c,
        }
    }
}

/// The outcome of one arrival.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Admission {
    /// The user plugs in with this target and departure.
    Served {
        /// Negotiated target energy, kWh.
        target_kwh: f64,
        /// Negotiated departure slot.
        departure_slot: usize,
        /// The menu level chosen (`None` without a menu).
        level: Option<usize>,
        /// What she pays.
        price: Price,
    },
    /// The user declined every option and charges elsewhere.
    Declined,
}

/// An [`Admission`] and what producing it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrivalDecision {
    /// The outcome.
    pub admission: Admission,
    /// Models solved to price the menu.
    pub lp_solves: usize,
    /// Seconds inside solvers.
    pub solver_seconds: f64,
    /// The menu the user was quoted (for the ledger), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<crate::Quote>,
}

impl ArrivalDecision {
    /// A decision without any solve.
    pub fn without_solves(admission: Admission) -> Self {
        ArrivalDecision {
            admission,
            lp_solves: 0,
            solver_seconds: 0.0,
            quote: None,
        }
    }
}

/// Decides each arrival.
pub trait ArrivalPolicy {
    /// Short name (`"consent"`).
    fn name(&self) -> String;

    /// The outcome of `arrival`.
    fn admit(&mut self, arrival: &Arrival<'_>) -> Result<ArrivalDecision>;
}

/// Everyone is served as requested, free of charge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FreeAccess;

impl ArrivalPolicy for FreeAccess {
    fn name(&self) -> String {
        "free".into()
    }

    fn admit(&mut self, a: &Arrival<'_>) -> Result<ArrivalDecision> {
        Ok(ArrivalDecision::without_solves(Admission::Served {
            target_kwh: a.target_kwh,
            departure_slot: a.session.departure_slot,
            level: None,
            price: Price::Quote(0.0),
        }))
    }
}

/// Everyone is served as requested at a fixed price per delivered kWh (Table 1 row 4: the
/// retail peak price, 0.178 USD/kWh).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPrice {
    /// USD per kWh added to the battery.
    pub usd_per_kwh: f64,
}

impl ArrivalPolicy for FixedPrice {
    fn name(&self) -> String {
        "fixed-price".into()
    }

    fn admit(&mut self, a: &Arrival<'_>) -> Result<ArrivalDecision> {
        Ok(ArrivalDecision::without_solves(Admission::Served {
            target_kwh: a.target_kwh,
            departure_slot: a.session.departure_slot,
            level: None,
            price: Price::PerKwhDelivered(self.usd_per_kwh),
        }))
    }
}
