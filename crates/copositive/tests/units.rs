//! Invariance under a change of units (issue 19): an instance whose money is scaled by `10^k`
//! is priced with welfare, bounds, prices and payments scaled by `10^k` and the same assignment;
//! an instance written in another energy unit (energies and powers times `10^k`, prices per kWh
//! divided by `10^k`) has the same welfare and payments, energies times `10^k`, power prices
//! divided by `10^k` and EVSE prices unchanged. `k` runs over -6..=6, twelve decades that reach
//! both ends of the input ranges: before the solvers worked in normalised units, money scaled by
//! `1e6` was reported infeasible and energies scaled by 700 stalled the conic solver.

use evmech_copositive::{best_responses, price, Pricing, PricingOptions, Tariff};
use evmech_milp_model::{random_instance, Instance, InstanceSpec, RandomSize, RowName, Units};
use proptest::prelude::*;

mod common;
use common::load;

/// `instance` in `units`, validated as a user's input would be (so it stays inside the ranges).
fn rewritten(instance: &Instance, units: Units) -> Instance {
    Instance::new(InstanceSpec::from(instance.in_units(&units))).expect("inside the input ranges")
}

/// Money times `f`.
fn money_times(f: f64) -> Units {
    Units {
        money_usd: 1.0 / f,
        energy_kwh: 1.0,
    }
}

/// Energies and powers times `f`, prices per kWh divided by `f`.
fn energy_times(f: f64) -> Units {
    Units {
        money_usd: 1.0,
        energy_kwh: 1.0 / f,
    }
}

/// A random 3-EV, 2-station instance with money divided by 2e6 and energy by 2e3 (prices per kWh
/// below 1e-3 USD, energies below 1e-2 kWh), so that every scaling by `10^k`, `|k| <= 6`, of its
/// money or of its energy unit stays inside the input ranges.
fn base(seed: u64) -> Instance {
    let size = RandomSize {
        evs: 3,
        stations: 2,
        slots: 4,
    };
    let inst = random_instance(size, seed).unwrap();
    rewritten(
        &inst,
        Units {
            money_usd: 2e6,
            energy_kwh: 2e3,
        },
    )
}

fn payments(p: &Pricing, tariff: &Tariff) -> Vec<f64> {
    let n = p.model.instance().evs().len();
    (0..n).map(|i| p.payment(tariff, i, &p.plan.x)).collect()
}

/// `got` is `want * f` up to `rel` of `scale * f` (the largest magnitude of its kind).
fn close(got: f64, want: f64, f: f64, scale: f64, rel: f64, what: &str) {
    let err = (got - want * f).abs();
    assert!(
        err <= rel * scale * f,
        "{what}: {got} vs {want} * {f} (error {err}, allowed {})",
        rel * scale * f
    );
}

/// Checks that `q` is `p` with money times `money` and energy times `energy`.
fn same_up_to_units(p: &Pricing, q: &Pricing, money: f64, energy: f64) {
    assert_eq!(p.plan.assignment, q.plan.assignment);
    assert_eq!(p.exact, q.exact);
    let w = p.welfare.abs().max(p.dual_bound.abs());
    // The solvers see the same normalised bits (`Instance::normalized`): what differs is the
    // rounding of the conversions.
    let rel = 1e-6;
    close(q.welfare, p.welfare, money, w, rel, "welfare");
    close(q.dual_bound, p.dual_bound, money, w, rel, "dual bound");
    let energy_scale = (p.plan.energy_kwh.iter().flatten()).fold(0.0_f64, |m, e| m.max(e.abs()));
    for (a, b) in p
        .plan
        .energy_kwh
        .iter()
        .flatten()
        .zip(q.plan.energy_kwh.iter().flatten())
    {
        close(*b, *a, energy, energy_scale, rel, "energy");
    }
    for kind in [true, false] {
        let per_unit = |c: &evmech_copositive::CouplingPrice| {
            matches!(c.row, RowName::Power { .. } | RowName::SitePower { .. }) == kind
        };
        let f = if kind { money / energy } else { money };
        let rows: Vec<_> = p
            .prices
            .iter()
            .zip(&q.prices)
            .filter(|(c, _)| per_unit(c))
            .collect();
        let scale = rows.iter().fold(0.0_f64, |m, (c, _)| m.max(c.rho.abs()));
        let eta_f = if kind { f / energy } else { f };
        let eta_scale = rows.iter().fold(0.0_f64, |m, (c, _)| m.max(c.eta.abs()));
        for (a, b) in rows {
            close(b.rho, a.rho, f, scale.max(f64::MIN_POSITIVE), rel, "rho");
            close(
                b.eta,
                a.eta,
                eta_f,
                eta_scale.max(f64::MIN_POSITIVE),
                rel,
                "eta",
            );
        }
    }
    for tariff in [Tariff::CmpA, Tariff::CmpB] {
        let (a, b) = (payments(p, &tariff), payments(q, &tariff));
        let scale = a.iter().fold(w, |m, x| m.max(x.abs()));
        for (x, y) in a.iter().zip(&b) {
            close(*y, *x, money, scale, rel, "payment");
        }
        let gains = best_responses(q, &tariff).unwrap();
        for g in gains {
            // The tolerance is the run's own (`1e-4 max(1, W*)` in the solver's units, in USD).
            assert!(
                g.gain <= q.tolerance + q.epsilon_ir,
                "gain {} vs {}",
                g.gain,
                q.tolerance
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Money times `10^k`: everything in money times `10^k`, nothing else moves.
    #[test]
    fn money_scaled_by_a_power_of_ten_scales_every_money_result(seed in 0u64..1000, k in -6i32..=6) {
        let inst = base(seed);
        let f = 10f64.powi(k);
        let p = price(&inst, &PricingOptions::default()).unwrap();
        let q = price(&rewritten(&inst, money_times(f)), &PricingOptions::default()).unwrap();
        same_up_to_units(&p, &q, f, 1.0);
    }

    /// Energies and powers times `10^k` (prices per kWh divided by it): welfare and payments
    /// unchanged, energies times `10^k`, power prices divided by it, EVSE prices unchanged.
    #[test]
    fn energy_in_another_unit_changes_only_energies_and_power_prices(seed in 0u64..1000, k in -6i32..=6) {
        let inst = base(seed);
        let f = 10f64.powi(k);
        let p = price(&inst, &PricingOptions::default()).unwrap();
        let q = price(&rewritten(&inst, energy_times(f)), &PricingOptions::default()).unwrap();
        same_up_to_units(&p, &q, 1.0, f);
    }
}

/// The instances of the issue that failed before normalisation: example B with its energies and
/// powers scaled by 700 (9,800 kWh: the conic solver stalled with `InsufficientProgress`), and
/// example A with its money scaled by 1e3 (the edge of the price range).
#[test]
fn the_instances_that_failed_on_units_are_priced_like_their_originals() {
    let b = load("copositive_example_b.json");
    let p = price(&b, &PricingOptions::default()).unwrap();
    // Energies, powers and access costs times 700: the same economy in units 700 times smaller.
    let both = Units {
        money_usd: 1.0 / 700.0,
        energy_kwh: 1.0 / 700.0,
    };
    let q = price(&rewritten(&b, both), &PricingOptions::default()).unwrap();
    same_up_to_units(&p, &q, 700.0, 700.0);
    // The instance: energies and powers times 700, access costs as they were.
    let mut spec = InstanceSpec::from(b.clone());
    for st in &mut spec.stations {
        st.power_kw *= 700.0;
    }
    for ev in &mut spec.evs {
        (ev.energy_kwh, ev.max_kw) = (ev.energy_kwh * 700.0, ev.max_kw * 700.0);
    }
    let r = price(&Instance::new(spec).unwrap(), &PricingOptions::default()).unwrap();
    assert!(r.exact, "gap {} tolerance {}", r.gap, r.tolerance);
    assert_eq!(r.plan.assignment, p.plan.assignment);
    let a = load("copositive_example_a.json");
    let p = price(&a, &PricingOptions::default()).unwrap();
    let q = price(&rewritten(&a, money_times(1e3)), &PricingOptions::default()).unwrap();
    same_up_to_units(&p, &q, 1e3, 1.0);
}

/// Example B with every price at 0.30 USD/kWh and values 1, 2 and 3 tenths of a cent above it
/// (gains of cents); station B costs 0.1 cent, except for `ev0` whose cost there is `cost`.
fn cents_of_gain_with_a_cost_at_b(cost: f64) -> Instance {
    let mut spec = InstanceSpec::from(load("copositive_example_b.json"));
    spec.energy_price = vec![0.3; spec.energy_price.len()];
    for (i, ev) in spec.evs.iter_mut().enumerate() {
        ev.value_per_kwh = 0.3 + 1e-3 * (i + 1) as f64;
        ev.access_cost = [("A".to_string(), 0.0), ("B".to_string(), 1e-3)].into();
    }
    spec.evs[0].access_cost.insert("B".to_string(), cost);
    Instance::new(spec).unwrap()
}

/// An operator's "never here" written as an access cost of 1e6 USD next to gains of cents once
/// set the money unit: the gains and the exactness tolerance (then 100 USD) looked like
/// rounding, the plan left the EVs unserved (welfare 0 instead of 0.069 USD) and was called
/// exact. The money unit now follows the gains, and a cost above everything its EV can gain is
/// capped where the solvers see it (the same optimal plans, a valid bound).
#[test]
fn a_cost_far_above_every_gain_keeps_the_ev_away_without_drowning_the_gains() {
    let huge = price(
        &cents_of_gain_with_a_cost_at_b(1e6),
        &PricingOptions::default(),
    )
    .unwrap();
    assert!(huge.exact, "gap {} tolerance {}", huge.gap, huge.tolerance);
    // ev0 (12 kWh at 0.1 cent) and ev2 (10 kWh at 0.3 cent) at A, ev1 (14 kWh at 0.2 cent) at
    // B for 0.1 cent.
    assert!(
        (huge.welfare - 0.069).abs() < 1e-9,
        "welfare {}",
        huge.welfare
    );
    assert!(huge.tolerance < 1e-5, "tolerance {} USD", huge.tolerance);
    // 5 cents is also above ev0's largest gain (1.2 cents): the solvers see the same capped
    // instance, so every price is the same number.
    let modest = price(
        &cents_of_gain_with_a_cost_at_b(0.05),
        &PricingOptions::default(),
    )
    .unwrap();
    assert_eq!(huge.plan.assignment, modest.plan.assignment);
    assert_eq!(huge.prices, modest.prices);
    assert_eq!(huge.dual_bound.to_bits(), modest.dual_bound.to_bits());
}

/// `instance` with EV 0's access cost at station 0 set to `cost`.
fn with_first_access_cost(instance: &Instance, cost: f64) -> Instance {
    let mut spec = InstanceSpec::from(instance.clone());
    let station = spec.stations[0].id.clone();
    spec.evs[0].access_cost.insert(station, cost);
    Instance::new(spec).expect("inside the input ranges")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Any two access costs above everything the EV can gain keep it away from the station
    /// alike: the solvers see the same capped instance, so the prices, the bound and the plan
    /// are the same numbers (the cap's claim, on random instances).
    #[test]
    fn costs_above_every_gain_price_alike(seed in 0u64..1000, extra in 0.5f64..1e5) {
        let size = RandomSize { evs: 3, stations: 2, slots: 4 };
        let inst = random_instance(size, seed).unwrap();
        let gain = inst.evs()[0].largest_gain_usd(inst.energy_price_usd_per_kwh());
        let units = Units::normalizing(&inst);
        // Both above the cap `2 G + 1` money units, so both are capped to it.
        let low = 2.0 * gain + units.money_usd * (1.0 + 1e-3);
        let high = (low + extra).min(1e6);
        prop_assume!(low < high);
        let (a, b) = (with_first_access_cost(&inst, low), with_first_access_cost(&inst, high));
        // The money unit follows the gains, not these costs (unless nothing can be gained).
        prop_assume!(Units::normalizing(&a) == Units::normalizing(&b));
        let p = price(&a, &PricingOptions::default()).unwrap();
        let q = price(&b, &PricingOptions::default()).unwrap();
        prop_assert!(p.exact && q.exact);
        prop_assert_eq!(&p.plan.assignment, &q.plan.assignment);
        prop_assert_eq!(&p.prices, &q.prices);
        prop_assert_eq!(p.dual_bound.to_bits(), q.dual_bound.to_bits());
        prop_assert_ne!(p.plan.assignment[0], Some(0));
    }
}
