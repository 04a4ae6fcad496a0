//! `env::StepEnv`: an agent in the policy's seat gets the simulator's own episode, and its
//! rewards add up to minus the bill.

use evmech_v2b_control::env::{AgentView, StepEnv};
use evmech_v2b_control::policy::{Edf, MaxCharge};
use evmech_v2b_control::{simulate, Scenario, SyntheticConfig};
use proptest::prelude::*;

fn scenario(days: usize, seed: u64) -> Scenario {
    SyntheticConfig {
        days: Some(days),
        seed,
        ..SyntheticConfig::default()
    }
    .generate()
    .unwrap()
}

/// Runs one episode with `agent` choosing the action; returns the summed rewards, the steps
/// and the final bill.
fn run(
    env: &mut StepEnv,
    mut agent: impl FnMut(&AgentView, usize) -> Vec<f64>,
) -> (f64, usize, f64) {
    let mut step = env.reset(None).unwrap();
    let (mut total, mut steps) = (step.reward_usd, 0);
    while let Some(view) = step.view.clone() {
        step = env.step(&agent(&view, env.chargers())).unwrap();
        total += step.reward_usd;
        steps += 1;
    }
    let report = step.report.expect("the last step holds the report");
    assert_eq!(step.cost_to_date_usd, report.building_cost_usd);
    (total, steps, report.building_cost_usd)
}

/// An action that requests each EV's charging cap on its charger: MaxCharge by hand.
fn max_charge(view: &AgentView, chargers: usize) -> Vec<f64> {
    let mut action = vec![0.0; chargers];
    for ev in &view.evs {
        action[ev.charger] = ev.charge_cap_kw;
    }
    action
}

#[test]
fn an_agent_acting_as_maxcharge_gets_maxcharges_episode() {
    let s = scenario(3, 11);
    let reference = simulate(&s, &mut MaxCharge, None).unwrap();
    let mut env = StepEnv::new(s, None, 0).unwrap();
    let (total, steps, bill) = run(&mut env, max_charge);
    assert_eq!(bill, reference.building_cost_usd);
    assert!(steps > 0 && steps <= 3 * 96, "{steps} steps");
    assert!(
        (total + bill).abs() < 1e-6,
        "rewards {total} against bill {bill}"
    );
    // Another policy's bill differs, so the comparison above can fail.
    let s = scenario(3, 11);
    let edf = simulate(&s, &mut Edf, None).unwrap();
    assert_ne!(edf.building_cost_usd, bill);
}

#[test]
fn each_view_shows_only_connected_evs_with_their_caps() {
    let mut env = StepEnv::new(scenario(2, 5), None, 0).unwrap();
    let mut step = env.reset(None).unwrap();
    while let Some(view) = step.view.clone() {
        assert!(
            !view.evs.is_empty(),
            "a step without an EV at slot {}",
            view.slot
        );
        assert!(view.slot < view.slots_per_day);
        for ev in &view.evs {
            assert!(ev.charger < env.chargers());
            assert!(ev.departure_slot > view.slot);
            assert!(ev.charge_cap_kw >= 0.0 && ev.discharge_cap_kw >= 0.0);
        }
        step = env.step(&max_charge(&view, env.chargers())).unwrap();
    }
}

#[test]
fn bad_actions_are_refused_and_the_episode_goes_on() {
    let mut env = StepEnv::new(scenario(1, 2), None, 0).unwrap();
    let err = env.step(&vec![0.0; env.chargers()]).unwrap_err();
    assert!(err.to_string().contains("reset"), "{err}");
    let step = env.reset(None).unwrap();
    let view = step.view.expect("a synthetic day has EVs");
    let err = env.step(&[0.0]).unwrap_err();
    assert!(err.to_string().contains("action"), "{err}");
    let mut nan = vec![0.0; env.chargers()];
    nan[1] = f64::NAN;
    let err = env.step(&nan).unwrap_err();
    assert!(err.to_string().contains("charger 1"), "{err}");
    // The refused actions did not advance the episode.
    let next = env.step(&max_charge(&view, env.chargers())).unwrap();
    assert!(next.done() || next.view.unwrap().slot > view.slot);
}

#[test]
fn dropping_or_resetting_mid_episode_ends_the_worker() {
    let mut env = StepEnv::new(scenario(2, 4), None, 0).unwrap();
    let first = env.reset(None).unwrap();
    env.step(&max_charge(first.view.as_ref().unwrap(), env.chargers()))
        .unwrap();
    let again = env.reset(None).unwrap();
    assert_eq!(
        again.view, first.view,
        "a reset starts the same episode afresh"
    );
    drop(env);
}

#[test]
fn windows_are_drawn_by_the_seed_with_the_earlier_days_as_history() {
    let s = scenario(6, 8);
    let dates: Vec<_> = s.days().iter().map(|d| d.date).collect();
    let first_date = |env: &mut StepEnv, seed| {
        let mut step = env.reset(Some(seed)).unwrap();
        let date = step.view.as_ref().map(|v| v.date);
        while let Some(view) = step.view.clone() {
            step = env.step(&max_charge(&view, env.chargers())).unwrap();
        }
        let report = step.report.unwrap();
        assert_eq!(report.days.len(), 2);
        (date, report.days[0].date)
    };
    let mut env = StepEnv::new(s.clone(), Some(2), 0).unwrap();
    let starts: Vec<_> = (0..8).map(|seed| first_date(&mut env, seed).1).collect();
    let again: Vec<_> = (0..8).map(|seed| first_date(&mut env, seed).1).collect();
    assert_eq!(starts, again, "the same seed draws the same window");
    assert!(starts.iter().all(|d| dates[..5].contains(d)));
    assert!(
        starts.iter().any(|d| *d != starts[0]),
        "eight seeds drew one window"
    );
    let window = s.window(3, 2).unwrap();
    assert_eq!(window.days()[0].date, dates[3]);
    assert!(window.history().building_kw.contains_key(&dates[2]));
    assert!(!window.history().building_kw.contains_key(&dates[3]));
    assert!(StepEnv::new(s.clone(), Some(7), 0).is_err());
    assert!(StepEnv::new(s, Some(0), 0).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Whatever the agent does (charge, discharge, idle, absurd powers), the rewards add up to
    /// minus the building's cost of the episode.
    #[test]
    fn rewards_add_up_to_minus_the_bill(seed in 0u64..1000, scale in -80.0f64..80.0) {
        let mut env = StepEnv::new(scenario(2, seed), None, 0).unwrap();
        let mut k = 0usize;
        let (total, _, bill) = run(&mut env, |view, chargers| {
            k += 1;
            (0..chargers)
                .map(|c| scale * ((c + k + view.slot) % 5) as f64 / 4.0 - scale / 3.0)
                .collect()
        });
        prop_assert!((total + bill).abs() < 1e-6 * (1.0 + bill.abs()), "{} vs {}", total, bill);
    }
}
