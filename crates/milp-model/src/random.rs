//! Seeded random station-access instances (the distributions of the copositive-pricing experiments).

use crate::{Instance, InstanceSpec, Result, Station};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Size of a random instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomSize {
    /// Number of EVs.
    pub evs: usize,
    /// Number of stations.
    pub stations: usize,
    /// Number of one-hour slots.
    pub slots: usize,
}

/// A random instance: energy price 0.1 $/kWh in the first two slots and 0.3 after; stations with
/// 1-2 EVSEs and 7-12 kW; EV windows of 2-3 slots, 8-14 kWh requested at up to 7 kW, value
/// uniform in [0.4, 0.7] $/kWh, access costs uniform in [0, 1] $ (all rounded to cents).
/// The same seed gives the same instance.
pub fn random_instance(size: RandomSize, seed: u64) -> Result<Instance> {
    random_instance_with_evse(size, 1..=2, seed)
}

/// [`random_instance`] with each station's EVSE count drawn uniformly from `evse` instead of
/// 1-2 (the larger sites of the scaling benchmarks use 3-5). With `evse = 1..=2` it is
/// [`random_instance`], draw for draw. An empty range is an error.
///
/// ```
/// use evmech_milp_model::{random_instance_with_evse, RandomSize};
/// let size = RandomSize { evs: 20, stations: 3, slots: 8 };
/// let inst = random_instance_with_evse(size, 3..=5, 1).unwrap();
/// assert!(inst.stations().iter().all(|s| (3..=5).contains(&s.evse)));
/// ```
pub fn random_instance_with_evse(
    size: RandomSize,
    evse: std::ops::RangeInclusive<u32>,
    seed: u64,
) -> Result<Instance> {
    if evse.is_empty() || *evse.start() == 0 {
        return Err(crate::Error::InvalidField {
            field: "evse".into(),
            reason: format!(
                "the range {}..={} must be non-empty and start at 1 or more",
                evse.start(),
                evse.end()
            ),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cents = |rng: &mut ChaCha8Rng, lo: f64, hi: f64| {
        (rng.random_range(lo..=hi) * 100.0).round() / 100.0
    };
    let stations: Vec<Station> = (0..size.stations)
        .map(|s| Station {
            id: format!("S{s}"),
            evse: rng.random_range(evse.clone()),
            power_kw: f64::from(rng.random_range(7u32..=12)),
        })
        .collect();
    let evs = (0..size.evs)
        .map(|n| {
            let len = rng.random_range(2..=3usize).min(size.slots);
            let arrival = rng.random_range(0..=size.slots - len);
            let access_cost: BTreeMap<String, f64> = stations
                .iter()
                .map(|s| (s.id.clone(), cents(&mut rng, 0.0, 1.0)))
                .collect();
            crate::EvSpec {
                id: format!("ev{n}"),
                arrival_slot: arrival,
                departure_slot: arrival + len,
                energy_kwh: f64::from(rng.random_range(8u32..=14)),
                max_kw: 7.0,
                value_per_kwh: cents(&mut rng, 0.4, 0.7),
                access_cost,
            }
        })
        .collect();
    Instance::new(InstanceSpec {
        slot_hours: 1.0,
        energy_price: (0..size.slots)
            .map(|t| if t < 2 { 0.1 } else { 0.3 })
            .collect(),
        stations,
        evs,
    })
}
