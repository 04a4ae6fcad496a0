//! The fixtures the v2b-control benchmarks share: the May 2019 episode and EVs connected at 09:00.
#![allow(dead_code)] // each benchmark uses a part of the shared fixtures

use evmech_v2b_control::policy::{ConnectedEv, DayView};
use evmech_v2b_control::{day_plan, Scenario, SessionOptions, Site};
use std::path::Path;

/// The fixtures' directory, read when the bench runs (cargo sets `CARGO_MANIFEST_DIR`), so a
/// binary built from another checkout sharing the build cache finds this checkout's files.
fn data_dir() -> String {
    let root =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    format!("{root}/tests/data")
}

/// The Caltech sessions with the DOE building on the paper's site (the first `days` weekdays).
pub fn fixture(days: Option<usize>) -> Scenario {
    Scenario::from_csv_files(
        Path::new(&format!("{}/caltech_2019-05_weekdays.csv", data_dir())),
        Path::new(&format!("{}/doe_medium_office_la_hourly.csv", data_dir())),
        Site::paper_default(),
        &SessionOptions::paper(),
        days,
    )
    .unwrap()
}

/// EV `i` on charger `i` for each `i` in `chargers`, at slot 36: 40 / 75 / 100 kWh batteries,
/// leaving at `64 + i`, discharging up to `discharge_kw(i)`.
pub fn connected_evs(
    chargers: std::ops::Range<usize>,
    discharge_kw: impl Fn(usize) -> f64,
) -> Vec<ConnectedEv> {
    chargers
        .map(|i| {
            let battery = [40.0, 75.0, 100.0][i % 3];
            let e = battery * (0.2 + 0.03 * i as f64);
            ConnectedEv {
                session: i,
                key: 1_000 + i as u64,
                charger: i,
                arrival_slot: 30 + i % 6,
                departure_slot: 64 + i,
                energy_kwh: e,
                target_kwh: (e + 0.35 * battery).min(0.95 * battery),
                min_kwh: 0.1 * battery,
                max_kwh: battery,
                battery_kwh: battery,
                charge_cap_kw: 20.0,
                discharge_cap_kw: discharge_kw(i),
                limits: Default::default(),
            }
        })
        .collect()
}

/// The first day's charger assignment and targets, from which a policy's view is built.
pub struct FirstDay {
    assignment: Vec<Option<usize>>,
    targets: Vec<f64>,
}

impl FirstDay {
    /// The plan of day 0 of `scenario`.
    pub fn of(scenario: &Scenario) -> Self {
        let (assignment, targets) = day_plan(scenario, 0);
        FirstDay {
            assignment,
            targets,
        }
    }

    /// The view of day 0 with a past peak of 150 kW.
    pub fn view<'a>(&'a self, scenario: &'a Scenario) -> DayView<'a> {
        DayView {
            scenario,
            day: 0,
            assignment: &self.assignment,
            targets_kwh: &self.targets,
            past_peaks_kw: &[150.0],
            connected: &[],
        }
    }
}
