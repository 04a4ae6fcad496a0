//! CONSENT on a live site: a menu quoted to an arriving driver, and her answer.
//!
//! [`Controller::quote`] prices the menu for a driver who has just plugged in (or is about to),
//! from the site's state now and its history, with the same [`Negotiator`] the simulator uses
//! ([`Negotiator::quote`]); [`Controller::accept`] turns her choice into the connected EV to put
//! in the next states (the negotiated target and departure) and the price she pays
//! ([`Negotiator::accept`]). The simulator's negotiation is these two calls with a simulated
//! driver's choice in between.

use super::state::{SiteState, SlottedState};
use super::Controller;
use crate::negotiation::{Choice, Menu, Negotiator, Settlement};
use crate::policy::ConnectedEv;
use crate::{Admission, Arrival, Error, EvAt, History, Result, Session, VehicleLimits};
use evmech_milp_model::charging::PlannedEv;
use serde::{Deserialize, Serialize};

/// A driver asking to charge now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveArrival {
    /// The operator's id of the session.
    pub id: String,
    /// The charger she is on; `None`: the site's first free charger (bidirectional first,
    /// then the more powerful, then the lower index).
    #[serde(default)]
    pub charger: Option<usize>,
    /// When she wants to leave (RFC 3339 with offset, today).
    pub departure: String,
    /// Energy stored at plug-in, kWh.
    pub energy_kwh: f64,
    /// Energy she wants at departure, kWh.
    pub target_kwh: f64,
    /// Battery capacity, kWh.
    pub battery_kwh: f64,
}

/// One option of a quoted menu, in the site's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteOption {
    /// The flexibility level (0: as requested).
    pub level: usize,
    /// Energy promised at departure, kWh.
    pub target_kwh: f64,
    /// Departure (RFC 3339).
    pub departure: String,
    /// Energy below the request, kWh.
    pub reduction_kwh: f64,
    /// Delay of the departure, minutes.
    pub delay_minutes: f64,
    /// What she pays for the session, USD (negative: the site pays her).
    pub price_usd: f64,
}

/// A quoted menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveQuote {
    /// The arrival it was quoted to.
    pub arrival: LiveArrival,
    /// The charger it holds.
    pub charger: usize,
    /// Start of the slot of the quote (RFC 3339): her arrival time in the site's records.
    pub time: String,
    /// The options, one per level.
    pub options: Vec<QuoteOption>,
    /// The menu as the negotiation computed it (costs, utilities, solves).
    pub menu: Menu,
    /// Where the menu's futures came from.
    pub forecast: String,
    /// How a credit (a price below zero) is settled: in full, or as a promise paid at the end of
    /// the billing month out of the month's realized surplus (`escrow`).
    #[serde(default)]
    pub settlement: Settlement,
}

/// A stable hash of an id (FNV-1a): the seed part of a live arrival.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn bad(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        field: field.into(),
        reason: reason.into(),
    }
}

impl Controller {
    /// The charger of `arrival`: its own (checked free), or the first free one.
    fn charger_for(&self, state: &SiteState, arrival: &LiveArrival) -> Result<usize> {
        let held: Vec<usize> = state.evs.iter().map(|e| e.charger).collect();
        match arrival.charger {
            Some(c) if c >= self.config.site.chargers().len() => Err(bad(
                "arrival.charger",
                format!(
                    "the site has chargers 0..{}",
                    self.config.site.chargers().len()
                ),
            )),
            Some(c) if held.contains(&c) => {
                Err(bad("arrival.charger", format!("charger {c} is busy")))
            }
            Some(c) => Ok(c),
            None => self
                .config
                .site
                .assignment_order()
                .into_iter()
                .find(|c| !held.contains(c))
                .ok_or_else(|| bad("arrival.charger", "no charger is free")),
        }
    }

    /// Her charger and her session as the site records them now: arrival at the current slot,
    /// departure slotted in the site's zone (it must be today: a quote needs a departure today).
    fn arrival_session(
        &self,
        state: &SiteState,
        s: &SlottedState,
        arrival: &LiveArrival,
    ) -> Result<(usize, Session)> {
        let charger = self.charger_for(state, arrival)?;
        let probe = SiteState {
            evs: vec![super::LiveEv {
                id: arrival.id.clone(),
                charger,
                arrival: state.time.clone(),
                departure: arrival.departure.clone(),
                energy_kwh: arrival.energy_kwh,
                target_kwh: arrival.target_kwh,
                battery_kwh: arrival.battery_kwh,
                limits: VehicleLimits::default(),
            }],
            ..state.clone()
        };
        let departure = self
            .slotted(&probe)
            .map_err(|e| match e {
                Error::InvalidField { field, reason } => Error::InvalidField {
                    field: field.replace("evs[0]", "arrival"),
                    reason,
                },
                other => other,
            })?
            .evs[0]
            .departure_slot;
        if departure > self.config.slots_on(s.date) {
            return Err(bad("arrival.departure", "a quote needs a departure today"));
        }
        let session = Session {
            id: arrival.id.clone(),
            date: s.date,
            arrival_slot: s.slot,
            departure_slot: departure,
            requested_departure_slot: departure,
            battery_kwh: arrival.battery_kwh,
            arrival_energy_kwh: arrival.energy_kwh,
            requested_energy_kwh: arrival.target_kwh.max(arrival.energy_kwh),
            hindsight: false,
            reported_need_kwh: (arrival.target_kwh - arrival.energy_kwh).max(0.0),
            need_clipped: false,
            limits: VehicleLimits::default(),
            chain: None,
        };
        Ok((charger, session))
    }

    /// `arrival`'s request as the charging model sees it in `state`: her charger (her own or the
    /// first free one), the current slot, her departure slot and her target clipped to what the
    /// charger can deliver by then. It is the EV a quote prices ([`Controller::quote`]); the
    /// property checkers read a driver's true type from it
    /// ([`ConsentMechanism::true_type`](crate::negotiation::ConsentMechanism::true_type)).
    pub fn requested_ev(&self, state: &SiteState, arrival: &LiveArrival) -> Result<PlannedEv> {
        let s = self.slotted(state)?;
        let (charger, session) = self.arrival_session(state, &s, arrival)?;
        let target = self.config.clipped_target(&session, charger);
        let key = state.evs.len() as u64;
        Ok(self
            .config
            .planned_ev(&EvAt::requested(&session, key, charger, s.slot, target)))
    }

    /// The seed parts of a simulated driver's choice on a live quote: the date of `state` and
    /// a hash of the arrival's id (the parts of the quote's own futures).
    pub(crate) fn choice_parts(&self, state: &SiteState, id: &str) -> Result<[u64; 2]> {
        let s = self.slotted(state)?;
        Ok([s.date.days_since_epoch() as u64, id_hash(id)])
    }

    /// The menu `negotiator` offers `arrival` now. Errors name the field (`arrival.departure`:
    /// not after now or not today; `arrival.target_kwh`, ...; the state's fields as in
    /// [`Controller::decide`]).
    pub fn quote(
        &self,
        negotiator: &Negotiator,
        state: &SiteState,
        arrival: &LiveArrival,
        history: &History,
    ) -> Result<LiveQuote> {
        let s = self.slotted(state)?;
        history.validate(&self.config.clock())?;
        let (charger, session) = self.arrival_session(state, &s, arrival)?;
        let connected = self.connected(state, &s);
        let target = self.config.clipped_target(&session, charger);
        let a = Arrival {
            config: &self.config,
            date: s.date,
            history,
            hindsight: None,
            slot: s.slot,
            session_index: id_hash(&arrival.id) as usize,
            session: &session,
            key: connected.len() as u64,
            charger,
            target_kwh: target,
            building_kw: state.building_kw,
            past_peaks_kw: &s.past_peaks_kw,
            connected: &connected,
        };
        let menu = negotiator.quote(&a)?;
        let options = menu
            .options
            .iter()
            .map(|o| QuoteOption {
                level: o.level,
                target_kwh: o.target_kwh,
                departure: self.time_after(&s, o.departure_slot - s.slot),
                reduction_kwh: o.reduction_kwh,
                delay_minutes: o.delay_minutes,
                price_usd: o.price_usd,
            })
            .collect();
        Ok(LiveQuote {
            arrival: arrival.clone(),
            charger,
            time: self.time_after(&s, 0),
            options,
            menu,
            forecast: negotiator.settings.forecast.label().into(),
            settlement: negotiator.settings.settlement,
        })
    }

    /// Her answer to `quote`: the EV to add to the site's next states (with the negotiated
    /// target and departure) and the price, or `None` when she declines. Under
    /// [`Settlement::Escrow`] a negative price is the most the credit can be (the site pays it
    /// at the end of the billing month, in the month's share). Errors: a level the menu does
    /// not have (`choice`).
    pub fn accept(
        &self,
        quote: &LiveQuote,
        choice: Choice,
    ) -> Result<Option<(super::LiveEv, f64)>> {
        match Negotiator::settle(&quote.menu, choice, quote.settlement)? {
            Admission::Declined => Ok(None),
            Admission::Served {
                target_kwh,
                price,
                level,
                ..
            } => {
                let l = level.unwrap_or(0);
                let option = quote
                    .options
                    .get(l)
                    .ok_or_else(|| Error::InvalidParameter {
                        field: "choice",
                        reason: format!(
                            "level {l} of a quote with {} options",
                            quote.options.len()
                        ),
                    })?;
                let usd = price.amount_usd((target_kwh - quote.arrival.energy_kwh).max(0.0));
                Ok(Some((
                    super::LiveEv {
                        id: quote.arrival.id.clone(),
                        charger: quote.charger,
                        arrival: quote.time.clone(),
                        departure: option.departure.clone(),
                        energy_kwh: quote.arrival.energy_kwh,
                        target_kwh,
                        battery_kwh: quote.arrival.battery_kwh,
                        limits: VehicleLimits::default(),
                    },
                    usd,
                )))
            }
        }
    }

    /// The connected EVs of `state` as the policies see them (keys 0..n in the state's order).
    pub(super) fn connected(&self, state: &SiteState, s: &SlottedState) -> Vec<ConnectedEv> {
        state
            .evs
            .iter()
            .zip(&s.evs)
            .enumerate()
            .map(|(i, (ev, slots))| {
                let at = EvAt {
                    key: i as u64,
                    charger: ev.charger,
                    arrival_slot: slots.arrival_slot,
                    departure_slot: slots.departure_slot,
                    energy_kwh: ev.energy_kwh,
                    target_kwh: ev.target_kwh,
                    battery_kwh: ev.battery_kwh,
                    limits: ev.limits,
                };
                self.config.connected_ev(i, &at)
            })
            .collect()
    }
}
