//! The site as a controller sees it: chargers, tariff, battery curve, discharge floor and
//! charger tie-break. Owned, so a live controller keeps one without any recorded episode.

use crate::plant::{self, Battery};
use crate::policy::ConnectedEv;
use crate::{Charger, Date, Result, Site, Tariff, TieBreak, VehicleLimits};
use evmech_milp_model::charging::{
    ChargingBlock, ChargingCurve, ChargingProblem, ChargingWeights, DemandTerm, DrSlot, PlannedEv,
};

/// A block's tariff rows (see [`SiteConfig::tariff_rows`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TariffRows {
    /// Energy price per slot, $/kWh.
    pub price_usd_per_kwh: Vec<f64>,
    /// Whether the tariff's first demand charge applies to each slot.
    pub peak: Vec<bool>,
    /// For each further demand charge, whether it applies to each slot.
    pub more_peaks: Vec<Vec<bool>>,
    /// The site's demand-response commitment in each slot (empty without events).
    pub dr: Vec<Option<DrSlot>>,
}
use serde::{Deserialize, Serialize};

/// One EV on a charger: what the site knows of it at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvAt {
    /// Identity in the charging model (equal keys share the first-slot action across futures).
    pub key: u64,
    /// Charger index in the site.
    pub charger: usize,
    /// Arrival slot.
    pub arrival_slot: usize,
    /// Departure slot (exclusive).
    pub departure_slot: usize,
    /// Stored energy, kWh.
    pub energy_kwh: f64,
    /// Target energy at departure, kWh.
    pub target_kwh: f64,
    /// Battery capacity, kWh.
    pub battery_kwh: f64,
    /// The vehicle's own limits.
    pub limits: VehicleLimits,
}

impl EvAt {
    /// `session` as requested, plugged in on `charger` at `arrival_slot` with the model key
    /// `key`: its arrival energy, its requested departure and `target_kwh` (its request clipped
    /// to what the charger delivers by then, [`SiteConfig::clipped_target`]).
    pub fn requested(
        session: &crate::Session,
        key: u64,
        charger: usize,
        arrival_slot: usize,
        target_kwh: f64,
    ) -> EvAt {
        EvAt {
            key,
            charger,
            arrival_slot,
            departure_slot: session.departure_slot,
            energy_kwh: session.arrival_energy_kwh,
            target_kwh,
            battery_kwh: session.battery_kwh,
            limits: session.limits,
        }
    }
}

/// Everything about a site that a charging decision needs and that does not change within a
/// day. A [`Scenario`](crate::Scenario) has one ([`Scenario::config`](crate::Scenario::config));
/// a live [`Controller`](crate::live::Controller) is built from one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Chargers, export rule and penalties.
    pub site: Site,
    /// Energy prices, peak window and demand charge.
    pub tariff: Tariff,
    /// The batteries' charging curve.
    pub curve: ChargingCurve,
    /// Discharge floor as a fraction of each battery's capacity.
    pub soc_floor: f64,
    /// Order in which same-slot arrivals take chargers (used for sampled future arrivals).
    pub tie_break: TieBreak,
}

impl Default for SiteConfig {
    /// The paper's site, the Silicon Valley Power tariff, the paper's curve and a 10 % floor.
    fn default() -> Self {
        SiteConfig {
            site: Site::paper_default(),
            tariff: Tariff::silicon_valley_power(),
            curve: ChargingCurve::Paper,
            soc_floor: 0.1,
            tie_break: TieBreak::default(),
        }
    }
}

impl SiteConfig {
    /// Checks the tariff and the floor (the site is validated when it is built).
    pub fn validate(&self) -> Result<()> {
        self.tariff.validate()?;
        if !(0.0..1.0).contains(&self.soc_floor) {
            return Err(crate::Error::InvalidParameter {
                field: "soc_floor",
                reason: format!("must be in [0, 1), got {}", self.soc_floor),
            });
        }
        Ok(())
    }

    /// The charging model's weights for this site: the tariff's first demand charge (0 without
    /// any; the others enter as [`ChargingProblem::more_demand`]), the site's degradation cost
    /// and the shortfall weight
    /// [`SHORTFALL_WEIGHT_USD_PER_KWH`](crate::policy::SHORTFALL_WEIGHT_USD_PER_KWH).
    pub fn default_weights(&self) -> ChargingWeights {
        ChargingWeights {
            demand_usd_per_kw: self.tariff.demand.first().map_or(0.0, |d| d.usd_per_kw),
            shortfall_usd_per_kwh: crate::policy::SHORTFALL_WEIGHT_USD_PER_KWH,
            degradation_usd_per_kwh: self.site.penalties().degradation_usd_per_kwh,
        }
    }

    /// The charging problem over `blocks` on this site: its slot length, weights, every demand
    /// charge of the tariff with the month's peak so far of each (`past_peaks_kw`, in the
    /// tariff's order; missing ones count as 0), export rule and export price, the concave-cap
    /// LP; everything else as [`ChargingProblem::new`] (override with struct update syntax).
    /// The one constructor every policy uses, so every policy optimises the bill the simulator
    /// charges.
    pub fn charging_problem(
        &self,
        blocks: Vec<ChargingBlock>,
        past_peaks_kw: &[f64],
    ) -> ChargingProblem {
        let past = |c: usize| past_peaks_kw.get(c).copied().unwrap_or(0.0);
        ChargingProblem {
            weights: self.default_weights(),
            past_peak_kw: past(0),
            more_demand: (1..self.tariff.demand.len())
                .map(|c| DemandTerm {
                    usd_per_kw: self.tariff.demand[c].usd_per_kw,
                    past_peak_kw: past(c),
                })
                .collect(),
            no_export: self.site.no_export(),
            export_price_usd_per_kwh: self.tariff.export_usd_per_kwh,
            import_limit_kw: self.site.import_limit_kw(),
            ..ChargingProblem::new(self.tariff.slot_hours(), blocks)
        }
    }

    /// The tariff over the slots `t..end` counted from the start of `date` (slots past
    /// midnight fall on the following days): each slot's energy price, whether the first
    /// demand charge applies, and the mask of each further one (a [`ChargingBlock`]'s rows).
    pub fn tariff_rows(&self, date: Date, t: usize, end: usize) -> TariffRows {
        let clock = self.tariff.clock();
        // Each slot's (date, local wall-clock start minute), days walked once.
        let mut at = Vec::with_capacity(end.saturating_sub(t));
        let (mut day, mut offset) = clock.locate(date, t);
        let mut walls = clock.day_wall_minutes(day);
        for _ in t..end {
            at.push((day, walls.get(offset).copied().unwrap_or(0)));
            offset += 1;
            if offset >= walls.len() {
                (day, offset) = (day.plus_days(1), 0);
                walls = clock.day_wall_minutes(day);
            }
        }
        let applies = |c: usize| {
            at.iter()
                .map(|&(d, m)| self.tariff.demand_applies_at(c, d, m))
                .collect::<Vec<bool>>()
        };
        TariffRows {
            price_usd_per_kwh: at
                .iter()
                .map(|&(d, m)| self.tariff.energy_price_at(d, m))
                .collect(),
            peak: applies(0),
            more_peaks: (1..self.tariff.demand.len()).map(applies).collect(),
            dr: if self.site.demand_response().is_empty() {
                Vec::new()
            } else {
                at.iter()
                    .map(|&(d, m)| {
                        self.site.dr_event_at(d, m).map(|e| DrSlot {
                            firm_kw: e.firm_kw,
                            penalty_usd_per_kwh: e.penalty_usd_per_kwh,
                        })
                    })
                    .collect()
            },
        }
    }

    /// Slots of a 24-hour day of the tariff (96 of 15 minutes); [`SiteConfig::slots_on`] for a
    /// given date.
    pub fn slots_per_day(&self) -> usize {
        self.tariff.slots_per_day()
    }

    /// Slots in `date` on the site's clock (92 or 100 on daylight-saving days).
    pub fn slots_on(&self, date: Date) -> usize {
        self.tariff.slots_on(date)
    }

    /// The site's clock ([`Tariff::clock`]).
    pub fn clock(&self) -> crate::Clock {
        self.tariff.clock()
    }

    /// Charger `c` of the site.
    pub fn charger(&self, c: usize) -> &Charger {
        &self.site.chargers()[c]
    }

    /// The battery of an EV with `energy_kwh` stored in a `battery_kwh` battery.
    pub fn battery(&self, energy_kwh: f64, battery_kwh: f64) -> Battery {
        Battery {
            energy_kwh,
            capacity_kwh: battery_kwh,
            min_kwh: self.soc_floor * battery_kwh,
            max_kwh: battery_kwh,
        }
    }

    /// The battery as [`SiteConfig::battery`], with the vehicle's own floor if higher and its
    /// own ceiling if lower.
    pub fn vehicle_battery(&self, energy_kwh: f64, battery_kwh: f64, v: &VehicleLimits) -> Battery {
        let mut b = self.battery(energy_kwh, battery_kwh);
        if let Some(m) = v.min_energy_kwh {
            b.min_kwh = b.min_kwh.max(m.min(battery_kwh));
        }
        if let Some(m) = v.max_energy_kwh {
            b.max_kwh = m.max(b.min_kwh).min(battery_kwh);
        }
        b
    }

    /// Charger `c` as the vehicle sees it: its powers cut to the vehicle's own limits.
    pub fn vehicle_charger(&self, c: usize, v: &VehicleLimits) -> Charger {
        let mut charger = self.charger(c).clone();
        if let Some(p) = v.max_charge_kw {
            charger.max_charge_kw = charger.max_charge_kw.min(p.max(0.0));
        }
        if let Some(p) = v.max_discharge_kw {
            charger.max_discharge_kw = charger.max_discharge_kw.min(p.max(0.0));
        }
        charger
    }

    /// A connected EV with the plant's caps for this slot filled in (`session`: its index in
    /// the caller's list).
    pub fn connected_ev(&self, session: usize, ev: &EvAt) -> ConnectedEv {
        let b = self.vehicle_battery(ev.energy_kwh, ev.battery_kwh, &ev.limits);
        let c = self.vehicle_charger(ev.charger, &ev.limits);
        let tau = self.tariff.slot_hours();
        ConnectedEv {
            session,
            key: ev.key,
            charger: ev.charger,
            arrival_slot: ev.arrival_slot,
            departure_slot: ev.departure_slot,
            energy_kwh: ev.energy_kwh,
            target_kwh: ev.target_kwh,
            min_kwh: b.min_kwh,
            max_kwh: b.max_kwh,
            battery_kwh: ev.battery_kwh,
            charge_cap_kw: plant::charge_cap_kw(&b, &c, self.curve, tau),
            discharge_cap_kw: plant::discharge_cap_kw(&b, &c, tau),
            limits: ev.limits,
        }
    }

    /// The charging model's view of `ev` (present in `[arrival_slot, departure_slot)` with
    /// `energy_kwh` stored when the model starts).
    pub fn planned_ev(&self, ev: &EvAt) -> PlannedEv {
        let c = self.vehicle_charger(ev.charger, &ev.limits);
        let b = self.vehicle_battery(ev.energy_kwh, ev.battery_kwh, &ev.limits);
        PlannedEv {
            key: ev.key,
            arrival_slot: ev.arrival_slot,
            departure_slot: ev.departure_slot,
            energy_kwh: ev.energy_kwh,
            target_kwh: ev.target_kwh,
            min_kwh: b.min_kwh,
            max_kwh: b.max_kwh,
            battery_kwh: ev.battery_kwh,
            max_charge_kw: c.max_charge_kw,
            max_discharge_kw: c.max_discharge_kw,
            charge_efficiency: c.charge_efficiency,
            discharge_efficiency: c.discharge_efficiency,
            curve: self.curve,
            controlled: c.controlled,
            shortfall_usd_per_kwh: None,
        }
    }

    /// The target of `session` on `charger`: its requested energy clipped to what full power
    /// (the charger's and the vehicle's) under the charging model's concave cap stores between
    /// its arrival and departure slots.
    pub fn clipped_target(&self, session: &crate::Session, charger: usize) -> f64 {
        let v = &session.limits;
        let b = self.vehicle_battery(session.arrival_energy_kwh, session.battery_kwh, v);
        let reach = plant::reachable_kwh(
            &b,
            &self.vehicle_charger(charger, v),
            self.curve,
            self.tariff.slot_hours(),
            session.departure_slot.saturating_sub(session.arrival_slot),
        );
        session.requested_energy_kwh.min(reach)
    }
}
