//! `env::StepEnv` overhead: a simulated weekday (the May 2019 fixture's first day) run by an
//! outside agent acting as MaxCharge, one decision at a time through the environment's worker
//! thread, against the same day simulated with MaxCharge in the policy's seat. The difference,
//! divided by the day's steps, is what the hand-over between threads costs per step.
//!
//! `cargo bench -p evmech-v2b-control --bench step_env`

use criterion::{criterion_group, criterion_main, Criterion};
use evmech_v2b_control::env::StepEnv;
use evmech_v2b_control::policy::MaxCharge;
use evmech_v2b_control::simulate;

mod common;

fn day(c: &mut Criterion) {
    let scenario = common::fixture(Some(1));
    let mut group = c.benchmark_group("one_weekday_maxcharge");
    group.sample_size(20);
    group.bench_function("simulate", |b| {
        b.iter(|| simulate(&scenario, &mut MaxCharge, None).unwrap())
    });
    let mut env = StepEnv::new(scenario.clone(), None, 0).unwrap();
    let mut steps = 0;
    group.bench_function("step_env (agent on another thread)", |b| {
        b.iter(|| {
            let mut step = env.reset(None).unwrap();
            steps = 0;
            while let Some(view) = step.view.take() {
                let mut action = vec![0.0; env.chargers()];
                for ev in &view.evs {
                    action[ev.charger] = ev.charge_cap_kw;
                }
                step = env.step(&action).unwrap();
                steps += 1;
            }
            step.report.unwrap()
        })
    });
    group.finish();
    println!("steps per episode: {steps}");
}

criterion_group!(benches, day);
criterion_main!(benches);
