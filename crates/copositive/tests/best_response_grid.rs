//! Cross-check of the best-response QPs (spec section 8 item 6): enumerating every energy
//! profile on a 0.5 kWh grid at every station never beats the QP's best net utility, and the QP's
//! best is reached (up to the grid) by some profile.

use evmech_copositive::{best_response, lp_relaxation, price, tou, PricingOptions, Tariff};
use evmech_milp_model::{random_instance, RandomSize, VarName};

#[test]
fn qp_best_response_dominates_the_energy_grid() {
    let inst = random_instance(
        RandomSize {
            evs: 3,
            stations: 2,
            slots: 3,
        },
        7,
    )
    .unwrap();
    let p = price(&inst, &PricingOptions::default()).unwrap();
    let lm = p.model.model();
    let tariffs = [
        Tariff::CmpA,
        Tariff::CmpB,
        tou(&p).tariff,
        lp_relaxation(&p).unwrap().tariff,
    ];
    for tariff in &tariffs {
        for n in 0..inst.evs().len() {
            let br = best_response(&p, tariff, n).unwrap();
            let ev = &inst.evs()[n];
            let cap = inst.max_energy_per_slot_kwh(n);
            let steps = (cap / 0.5).floor() as usize;
            let window: Vec<usize> = ev.window().collect();
            let mut grid_best = f64::NEG_INFINITY;
            for s in 0..inst.stations().len() {
                let mut digits = vec![0usize; window.len()];
                loop {
                    let energy: Vec<f64> = digits.iter().map(|&d| 0.5 * d as f64).collect();
                    if energy.iter().sum::<f64>() <= ev.energy_kwh + 1e-12 {
                        let mut x = p.plan.x.clone();
                        for j in p.columns_of(n) {
                            x[j] = match lm.columns[j].name {
                                VarName::Serve { station, .. } => f64::from(u8::from(station == s)),
                                VarName::OptOut { .. } => 0.0,
                                VarName::Energy { station, slot, .. } if station == s => {
                                    energy[window.iter().position(|&t| t == slot).unwrap()]
                                }
                                VarName::Energy { .. } => 0.0,
                            };
                        }
                        grid_best = grid_best.max(p.net_utility(tariff, n, &x));
                    }
                    // Next grid point (odometer).
                    let mut k = 0;
                    while k < digits.len() && digits[k] == steps {
                        digits[k] = 0;
                        k += 1;
                    }
                    if k == digits.len() {
                        break;
                    }
                    digits[k] += 1;
                }
            }
            grid_best = grid_best.max(p.net_utility(tariff, n, &p.opted_out(n)));
            assert!(
                grid_best <= br.best_utility + 1e-6,
                "{tariff:?} EV {n}: grid {grid_best} beats QP {}",
                br.best_utility
            );
            // The grid is fine enough that it comes within a few cents of the QP optimum.
            assert!(
                br.best_utility - grid_best <= 0.05,
                "{tariff:?} EV {n}: QP {} grid {grid_best}",
                br.best_utility
            );
        }
    }
}
