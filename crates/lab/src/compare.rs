//! Running several policies on one episode: the engine of the `v2b_month` example and of
//! `evmech v2b compare`.

use evmech_v2b_control::policy::{PolicyKind, PolicySettings};
use evmech_v2b_control::{simulate, EpisodeReport, Error, Result, Scenario};
use rayon::prelude::*;
use std::sync::Mutex;

/// Simulates each policy on `scenario`; `progress(policy, days done, days total)` after each day.
///
/// The policies run in parallel on the current rayon thread pool (all cores by default; run the
/// call inside `rayon::ThreadPool::install` to choose the thread count). Each policy's episode
/// is independent and seeded, so the reports, returned in the order of `kinds`, are the same
/// with any number of threads; only the order of the `progress` calls varies.
pub fn compare(
    scenario: &Scenario,
    kinds: &[PolicyKind],
    settings: &PolicySettings,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Vec<EpisodeReport>> {
    if settings.scenarios == 0 {
        return Err(Error::InvalidParameter {
            field: "scenarios",
            reason: "must be at least 1".into(),
        });
    }
    let progress = Mutex::new(progress);
    kinds
        .par_iter()
        .map(|kind| {
            let mut policy = kind.build(settings);
            let name = kind.name();
            let mut cb = |done: usize, total: usize| {
                if let Ok(mut report) = progress.lock() {
                    report(name, done, total);
                }
            };
            let mut report = simulate(scenario, policy.as_mut(), Some(&mut cb))?;
            report.policy = name.to_string();
            Ok(report)
        })
        .collect()
}
