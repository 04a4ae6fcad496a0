//! The station-access instance: time grid, energy prices, stations and EV requests, validated.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A charging station: `evse` plugs sharing a power cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// Unique station id.
    pub id: String,
    /// Number of EVSEs (plugs), `K_s`.
    pub evse: u32,
    /// Power cap of the station in kW, `P_s`.
    pub power_kw: f64,
}

/// One EV's charging request.
#[derive(Debug, Clone, PartialEq)]
pub struct EvRequest {
    /// Unique EV id.
    pub id: String,
    /// First slot present (0-based).
    pub arrival_slot: usize,
    /// First slot no longer present (exclusive end of the window).
    pub departure_slot: usize,
    /// Energy requested, kWh (`E_n`): an upper bound on delivery (or the exact amount in the
    /// full-delivery variant).
    pub energy_kwh: f64,
    /// Maximum charging rate, kW.
    pub max_kw: f64,
    /// Value of energy to the EV owner, $/kWh.
    pub value_usd_per_kwh: f64,
    /// Access (detour) cost of each station, $, indexed like [`Instance::stations`].
    pub access_cost_usd: Vec<f64>,
}

impl EvRequest {
    /// The JSON shape of this request, with access costs keyed by the ids of `stations`.
    pub fn spec(&self, stations: &[Station]) -> EvSpec {
        EvSpec {
            id: self.id.clone(),
            arrival_slot: self.arrival_slot,
            departure_slot: self.departure_slot,
            energy_kwh: self.energy_kwh,
            max_kw: self.max_kw,
            value_per_kwh: self.value_usd_per_kwh,
            access_cost: stations
                .iter()
                .zip(&self.access_cost_usd)
                .map(|(s, &c)| (s.id.clone(), c))
                .collect(),
        }
    }

    /// The slots of the presence window.
    pub fn window(&self) -> std::ops::Range<usize> {
        self.arrival_slot..self.departure_slot
    }

    /// The most this EV can add to welfare, USD: its request times its best margin
    /// `v_n - pi_t` over its window (0 if no slot of it is worth charging in). Serving it at a
    /// station whose access cost is above this is worse than leaving it unserved.
    pub fn largest_gain_usd(&self, energy_price_usd_per_kwh: &[f64]) -> f64 {
        let best = energy_price_usd_per_kwh
            .get(self.window())
            .unwrap_or(&[])
            .iter()
            .map(|p| self.value_usd_per_kwh - p)
            .fold(0.0, f64::max);
        best * self.energy_kwh
    }
}

/// A validated station-access instance.
///
/// JSON form (the `evmech copositive` input; `departure_slot` is exclusive, a missing
/// `access_cost` entry is 0):
///
/// ```json
/// {"slot_hours": 1.0, "energy_price": [0.1, 0.1, 0.3, 0.3],
///  "stations": [{"id": "A", "evse": 2, "power_kw": 10}, {"id": "B", "evse": 1, "power_kw": 7}],
///  "evs": [{"id": "ev0", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": 12, "max_kw": 7,
///           "value_per_kwh": 0.6, "access_cost": {"A": 0, "B": 1.0}}]}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InstanceSpec", into = "InstanceSpec")]
pub struct Instance {
    slot_hours: f64,
    pub(crate) energy_price_usd_per_kwh: Vec<f64>,
    pub(crate) stations: Vec<Station>,
    pub(crate) evs: Vec<EvRequest>,
}

/// The JSON shape of an [`Instance`] before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceSpec {
    /// Slot length in hours.
    pub slot_hours: f64,
    /// Operator energy cost per slot, $/kWh; its length is the horizon.
    pub energy_price: Vec<f64>,
    /// Stations.
    pub stations: Vec<Station>,
    /// EV requests.
    pub evs: Vec<EvSpec>,
}

/// The JSON shape of an [`EvRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvSpec {
    /// Unique EV id.
    pub id: String,
    /// First slot present (0-based).
    pub arrival_slot: usize,
    /// Exclusive end of the window.
    pub departure_slot: usize,
    /// Energy requested, kWh.
    pub energy_kwh: f64,
    /// Maximum rate, kW.
    pub max_kw: f64,
    /// Value, $/kWh.
    pub value_per_kwh: f64,
    /// Access cost per station id, $ (missing = 0).
    #[serde(default)]
    pub access_cost: BTreeMap<String, f64>,
}

/// The valid ranges of an instance's numbers. They refuse unit mistakes and magnitudes that no
/// charging site has (a price of 1e25 once reached a C library's assertion) before any solver
/// sees them; inside them the solvers work in the instance's own units.
pub mod limits {
    /// Longest slot, hours.
    pub const MAX_SLOT_HOURS: f64 = 24.0;
    /// Shortest slot, hours (one minute).
    pub const MIN_SLOT_HOURS: f64 = 1.0 / 60.0;
    /// Largest ratio of an energy of the model (an EV's request, a station's energy per slot)
    /// to the instance's energy unit (the largest energy one EV can take in one slot,
    /// [`Units::normalizing`](crate::Units::normalizing)). Beyond it the normalised numbers
    /// span more than the solvers' relative accuracy can hold together (a request of 1e300
    /// units stopped the conic solver with a numerical error).
    pub const MAX_ENERGY_SPREAD: f64 = 1e9;
    /// Largest ratio of an energy price or value to the instance's money unit per energy unit
    /// (the largest margin `|v_n - pi_t|`, [`Units::normalizing`](crate::Units::normalizing)).
    /// Solvers see prices and values in that unit, rounded to 32 significant bits; at a ratio
    /// of `1e5` the margins they take from them are still exact to `2.4e-5` of the largest
    /// one. Beyond it values that sit within a hair of the prices (every EV indifferent) are
    /// decided by rounding: at `1e10` a conic solver stopped without progress.
    pub const MAX_PRICE_SPREAD: f64 = 1e5;
    /// Highest energy price or value, USD/kWh.
    pub const MAX_USD_PER_KWH: f64 = 1_000.0;
    /// Highest access cost, USD.
    pub const MAX_ACCESS_COST_USD: f64 = 1_000_000.0;
    /// Largest station power, kW.
    pub const MAX_STATION_KW: f64 = 100_000.0;
    /// Largest EV request, kWh, and EV rate, kW.
    pub const MAX_EV_KWH: f64 = 10_000.0;
}

/// `value` is finite and in `[0, max]`, or an error naming `field` and the range.
fn in_range(field: String, value: f64, max: f64, unit: &str) -> Result<()> {
    if !(0.0..=max).contains(&value) {
        return Err(Error::InvalidField {
            field,
            reason: format!("must be between 0 and {max} {unit}, got {value}"),
        });
    }
    Ok(())
}

fn finite_non_negative(field: String, value: f64) -> Result<()> {
    if !value.is_finite() || value < 0.0 {
        return Err(Error::InvalidField {
            field,
            reason: format!("must be finite and non-negative, got {value}"),
        });
    }
    Ok(())
}

impl TryFrom<InstanceSpec> for Instance {
    type Error = Error;

    fn try_from(spec: InstanceSpec) -> Result<Self> {
        let horizon = spec.energy_price.len();
        if !(spec.slot_hours >= limits::MIN_SLOT_HOURS && spec.slot_hours <= limits::MAX_SLOT_HOURS)
        {
            return Err(Error::InvalidField {
                field: "slot_hours".into(),
                reason: format!(
                    "must be at least one minute ({} hours) and at most {} hours, got {}",
                    limits::MIN_SLOT_HOURS,
                    limits::MAX_SLOT_HOURS,
                    spec.slot_hours
                ),
            });
        }
        if horizon == 0 {
            return Err(Error::InvalidField {
                field: "energy_price".into(),
                reason: "needs one price per slot (at least one slot)".into(),
            });
        }
        for (t, &p) in spec.energy_price.iter().enumerate() {
            in_range(
                format!("energy_price[{t}]"),
                p,
                limits::MAX_USD_PER_KWH,
                "USD/kWh",
            )?;
        }
        // Ids are looked up in hash maps: validation stays linear in the input's size.
        let mut station_index = HashMap::with_capacity(spec.stations.len());
        for (s, st) in spec.stations.iter().enumerate() {
            if station_index.insert(st.id.as_str(), s).is_some() {
                return Err(Error::InvalidField {
                    field: format!("stations[{s}].id"),
                    reason: format!("duplicate station id {:?}", st.id),
                });
            }
            in_range(
                format!("stations[{s}].power_kw"),
                st.power_kw,
                limits::MAX_STATION_KW,
                "kW",
            )?;
        }
        let mut evs = Vec::with_capacity(spec.evs.len());
        let mut ev_ids = HashSet::with_capacity(spec.evs.len());
        for (n, ev) in spec.evs.iter().enumerate() {
            let at = |f: &str| format!("evs[{n}].{f}");
            if !ev_ids.insert(ev.id.as_str()) {
                return Err(Error::InvalidField {
                    field: at("id"),
                    reason: format!("duplicate EV id {:?}", ev.id),
                });
            }
            if ev.departure_slot > horizon {
                return Err(Error::InvalidField {
                    field: at("departure_slot"),
                    reason: format!(
                        "{} is past the horizon of {horizon} slots (departure is exclusive)",
                        ev.departure_slot
                    ),
                });
            }
            if ev.arrival_slot >= ev.departure_slot {
                return Err(Error::InvalidField {
                    field: at("arrival_slot"),
                    reason: format!(
                        "window [{}, {}) is empty",
                        ev.arrival_slot, ev.departure_slot
                    ),
                });
            }
            in_range(at("energy_kwh"), ev.energy_kwh, limits::MAX_EV_KWH, "kWh")?;
            in_range(at("max_kw"), ev.max_kw, limits::MAX_EV_KWH, "kW")?;
            in_range(
                at("value_per_kwh"),
                ev.value_per_kwh,
                limits::MAX_USD_PER_KWH,
                "USD/kWh",
            )?;
            let mut access = vec![0.0; spec.stations.len()];
            for (station, &cost) in &ev.access_cost {
                let field = format!("evs[{n}].access_cost.{station}");
                let Some(&s) = station_index.get(station.as_str()) else {
                    return Err(Error::InvalidField {
                        field,
                        reason: format!("unknown station {station:?}"),
                    });
                };
                in_range(field, cost, limits::MAX_ACCESS_COST_USD, "USD")?;
                access[s] = cost;
            }
            evs.push(EvRequest {
                id: ev.id.clone(),
                arrival_slot: ev.arrival_slot,
                departure_slot: ev.departure_slot,
                energy_kwh: ev.energy_kwh,
                max_kw: ev.max_kw,
                value_usd_per_kwh: ev.value_per_kwh,
                access_cost_usd: access,
            });
        }
        let instance = Instance {
            slot_hours: spec.slot_hours,
            energy_price_usd_per_kwh: spec.energy_price,
            stations: spec.stations,
            evs,
        };
        let units = crate::Units::normalizing(&instance);
        check_energy_spread(&instance, &units)?;
        check_price_spread(&instance, &units)?;
        Ok(instance)
    }
}

/// Refuses an instance whose energies span more than [`limits::MAX_ENERGY_SPREAD`] times its
/// energy unit, naming the largest offender.
fn check_energy_spread(instance: &Instance, units: &crate::Units) -> Result<()> {
    let unit = units.energy_kwh;
    let dt = instance.slot_hours;
    let too_big = |energy: f64| energy / unit > limits::MAX_ENERGY_SPREAD;
    let reason = |energy: f64| {
        format!(
            "{energy} kWh is {:.3e} times the largest energy one EV can take in one slot \
             ({unit} kWh, min(energy_kwh, max_kw * slot_hours) over the EVs); beyond {:e} the \
             solvers cannot hold the numbers together",
            energy / unit,
            limits::MAX_ENERGY_SPREAD
        )
    };
    for (n, ev) in instance.evs.iter().enumerate() {
        if too_big(ev.energy_kwh) {
            return Err(Error::InvalidField {
                field: format!("evs[{n}].energy_kwh"),
                reason: reason(ev.energy_kwh),
            });
        }
    }
    for (s, st) in instance.stations.iter().enumerate() {
        if too_big(st.power_kw * dt) {
            return Err(Error::InvalidField {
                field: format!("stations[{s}].power_kw"),
                reason: reason(st.power_kw * dt),
            });
        }
    }
    Ok(())
}

/// Refuses an energy price or value more than [`limits::MAX_PRICE_SPREAD`] times the
/// instance's money unit per energy unit (its largest margin), naming the largest one.
fn check_price_spread(instance: &Instance, units: &crate::Units) -> Result<()> {
    let per_kwh = units.money_usd / units.energy_kwh;
    let prices = &instance.energy_price_usd_per_kwh;
    let values = instance.evs.iter().map(|ev| ev.value_usd_per_kwh);
    // The largest price or value, as (index in prices then values, level); named only if refused.
    let (at, level) =
        prices
            .iter()
            .copied()
            .chain(values)
            .enumerate()
            .fold(
                (0, 0.0),
                |best, next| if next.1 > best.1 { next } else { best },
            );
    if level / per_kwh <= limits::MAX_PRICE_SPREAD {
        return Ok(());
    }
    let field = match at.checked_sub(prices.len()) {
        None => format!("energy_price[{at}]"),
        Some(n) => format!("evs[{n}].value_per_kwh"),
    };
    Err(Error::InvalidField {
        field,
        reason: format!(
            "{level} USD/kWh is {:.3e} times the largest margin |value_per_kwh - energy_price| \
             of any EV in its window ({per_kwh} USD/kWh); beyond {:e} the margins are below \
             the solvers' rounding. Every EV is then nearly indifferent to charging: write \
             values equal to the prices, or margins of at least {:e} times the prices",
            level / per_kwh,
            limits::MAX_PRICE_SPREAD,
            1.0 / limits::MAX_PRICE_SPREAD
        ),
    })
}

impl From<Instance> for InstanceSpec {
    fn from(inst: Instance) -> Self {
        let evs = inst.evs.iter().map(|ev| ev.spec(&inst.stations)).collect();
        InstanceSpec {
            slot_hours: inst.slot_hours,
            energy_price: inst.energy_price_usd_per_kwh,
            stations: inst.stations,
            evs,
        }
    }
}

impl Instance {
    /// Builds an instance from a site (slot length, prices, stations) and EV requests, validating
    /// everything as [`Instance::new`] does.
    pub fn from_parts(
        slot_hours: f64,
        energy_price_usd_per_kwh: Vec<f64>,
        stations: Vec<Station>,
        evs: &[EvRequest],
    ) -> Result<Self> {
        let mut spec_evs = Vec::with_capacity(evs.len());
        for (n, ev) in evs.iter().enumerate() {
            if ev.access_cost_usd.len() != stations.len() {
                return Err(Error::InvalidField {
                    field: format!("evs[{n}].access_cost"),
                    reason: format!(
                        "has {} entries for {} stations",
                        ev.access_cost_usd.len(),
                        stations.len()
                    ),
                });
            }
            spec_evs.push(ev.spec(&stations));
        }
        Instance::new(InstanceSpec {
            slot_hours,
            energy_price: energy_price_usd_per_kwh,
            stations,
            evs: spec_evs,
        })
    }

    /// Validates a specification (see [`InstanceSpec`]).
    pub fn new(spec: InstanceSpec) -> Result<Self> {
        Instance::try_from(spec)
    }

    /// Slot length, hours.
    pub fn slot_hours(&self) -> f64 {
        self.slot_hours
    }

    /// Number of slots.
    pub fn horizon(&self) -> usize {
        self.energy_price_usd_per_kwh.len()
    }

    /// Operator energy cost per slot, $/kWh.
    pub fn energy_price_usd_per_kwh(&self) -> &[f64] {
        &self.energy_price_usd_per_kwh
    }

    /// The stations.
    pub fn stations(&self) -> &[Station] {
        &self.stations
    }

    /// The EV requests.
    pub fn evs(&self) -> &[EvRequest] {
        &self.evs
    }

    /// Energy one EV can take in one slot, kWh: `max_kw * slot_hours`.
    pub fn max_energy_per_slot_kwh(&self, ev: usize) -> f64 {
        self.evs[ev].max_kw * self.slot_hours
    }

    /// Energy a station can deliver in one slot, kWh: `power_kw * slot_hours`.
    pub fn station_energy_per_slot_kwh(&self, station: usize) -> f64 {
        self.stations[station].power_kw * self.slot_hours
    }

    /// The same instance with every money amount (prices, values, access costs) times `factor`.
    pub fn scale_money(&self, factor: f64) -> Result<Self> {
        finite_non_negative("money scale factor".into(), factor)?;
        let mut out = self.clone();
        out.energy_price_usd_per_kwh
            .iter_mut()
            .for_each(|p| *p *= factor);
        for ev in &mut out.evs {
            ev.value_usd_per_kwh *= factor;
            ev.access_cost_usd.iter_mut().for_each(|c| *c *= factor);
        }
        // The scaled instance must stay inside the valid ranges.
        Instance::try_from(InstanceSpec::from(out))
    }

    /// The same instance with the EVs in the order `perm` (new EV `j` is old EV `perm[j]`).
    pub fn permute_evs(&self, perm: &[usize]) -> Result<Self> {
        check_permutation("EV permutation", perm, self.evs.len())?;
        let mut out = self.clone();
        out.evs = perm.iter().map(|&i| self.evs[i].clone()).collect();
        Ok(out)
    }

    /// The same instance with the stations in the order `perm` (access costs follow).
    pub fn permute_stations(&self, perm: &[usize]) -> Result<Self> {
        check_permutation("station permutation", perm, self.stations.len())?;
        let mut out = self.clone();
        out.stations = perm.iter().map(|&s| self.stations[s].clone()).collect();
        for ev in &mut out.evs {
            ev.access_cost_usd = perm.iter().map(|&s| ev.access_cost_usd[s]).collect();
        }
        Ok(out)
    }

    /// The same instance with station `station` given `extra_evse` more plugs and `extra_kw`
    /// more power.
    pub fn with_more_capacity(
        &self,
        station: usize,
        extra_evse: u32,
        extra_kw: f64,
    ) -> Result<Self> {
        finite_non_negative("extra_kw".into(), extra_kw)?;
        let mut out = self.clone();
        let st = out.stations.get_mut(station).ok_or(Error::InvalidField {
            field: "station".into(),
            reason: format!("no station {station}"),
        })?;
        st.evse = st.evse.checked_add(extra_evse).ok_or(Error::InvalidField {
            field: "extra_evse".into(),
            reason: format!("{} + {extra_evse} plugs overflow", st.evse),
        })?;
        st.power_kw += extra_kw;
        // The enlarged station must stay inside the valid ranges.
        Instance::try_from(InstanceSpec::from(out))
    }
}

fn check_permutation(field: &str, perm: &[usize], n: usize) -> Result<()> {
    let mut seen = vec![false; n];
    let ok = perm.len() == n
        && perm
            .iter()
            .all(|&i| i < n && !std::mem::replace(&mut seen[i], true));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidField {
            field: field.into(),
            reason: format!("{perm:?} is not a permutation of 0..{n}"),
        })
    }
}
