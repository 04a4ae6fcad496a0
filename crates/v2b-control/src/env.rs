//! An episode driven one decision at a time by an outside controller: a reinforcement-learning
//! agent, or the Python package's Gymnasium environment (`evmech.v2b.ChargingEnv`).
//!
//! [`StepEnv`] runs the ordinary simulator ([`crate::simulate`]: the same departures, FCFS
//! charger assignment, plant clamps, integration and billing as every policy gets) with the
//! agent in the policy's seat. The simulator drives the episode and stops at each decision to
//! hand the agent an [`AgentView`] and wait for its action, so nothing about the physics or the
//! bill is written twice. The simulator runs on a worker thread that blocks between decisions;
//! dropping the [`StepEnv`] (or calling [`StepEnv::reset`]) ends it. A copy of a running
//! environment in a forked child process has the channels but not the thread: its steps are
//! refused with an error (a reset in the child starts a thread there) instead of waiting forever.
//!
//! **Steps.** One step per slot at which at least one EV is plugged in; slots with no EV pass
//! without asking the agent (their cost lands in the next reward).
//!
//! **Action.** One requested power per charger of the site, kW (positive charges, negative
//! discharges); chargers without an EV are ignored. The plant clips each request to its charger,
//! the battery's curve and room, and the site's no-export and import limits, as for any policy.
//!
//! **Reward.** Minus the increase of the building's cost since the previous step, USD: energy
//! billed slot by slot, each demand charge at its month's peak so far (so a new peak costs at
//! once), the shortfall compensation of EVs leaving below their target, degradation of
//! discharge, and demand-response terms. The rewards of an episode add up to minus its
//! [`EpisodeReport::building_cost_usd`], which the last step also returns whole.
//!
//! **Online.** The view holds only what a live site knows at the slot: the time, the building's
//! load now, the month's peaks so far and the connected EVs (no departure beyond what the
//! driver declared, nothing recorded later).
//!
//! ```
//! use evmech_v2b_control::env::StepEnv;
//! use evmech_v2b_control::SyntheticConfig;
//!
//! let scenario = SyntheticConfig { days: Some(2), seed: 3, ..SyntheticConfig::default() }.generate()?;
//! let mut env = StepEnv::new(scenario, None, 0)?;
//! let mut step = env.reset(None)?;
//! let mut total = 0.0;
//! while !step.done() {
//!     // Charge every EV at full power (what MaxCharge does).
//!     let action = vec![1_000.0; env.chargers()];
//!     step = env.step(&action)?;
//!     total += step.reward_usd;
//! }
//! let report = step.report.expect("the last step holds the episode's report");
//! assert!((total + report.building_cost_usd).abs() < 1e-6);
//! # Ok::<_, evmech_v2b_control::Error>(())
//! ```

use crate::policy::{ChargingPolicy, ConnectedEv, Decision, Observation};
use crate::{simulate, Date, EpisodeReport, Error, Result, Scenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// What the agent sees at a decision: the time, the building and the connected EVs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentView {
    /// Today's date.
    pub date: Date,
    /// The slot of the day (0 is midnight).
    pub slot: usize,
    /// Slots in today on the site's clock (96 of 15 minutes; 92 or 100 on daylight-saving
    /// days).
    pub slots_per_day: usize,
    /// The building's own load this slot, kW.
    pub building_kw: f64,
    /// The month's peak so far under each demand charge, kW (the tariff's order).
    pub month_peaks_kw: Vec<f64>,
    /// The EVs plugged in now, with their charger, energies, departure and the plant's caps.
    pub evs: Vec<ConnectedEv>,
}

/// The outcome of [`StepEnv::reset`] or [`StepEnv::step`].
#[derive(Debug, Clone)]
pub struct Step {
    /// The next decision's view; `None` once the episode is over.
    pub view: Option<AgentView>,
    /// Minus the building's cost added since the previous step, USD. A reset has none (the
    /// cost before the first decision is in the first step's), unless the episode ends
    /// without any decision: then it is minus the whole bill.
    pub reward_usd: f64,
    /// The building's cost so far, USD.
    pub cost_to_date_usd: f64,
    /// The episode's report, once it is over.
    pub report: Option<EpisodeReport>,
}

impl Step {
    /// Whether the episode is over.
    pub fn done(&self) -> bool {
        self.view.is_none()
    }
}

/// What the worker thread sends: a decision to take, or the end of the episode.
enum Event {
    Decide(AgentView, f64),
    Done(Box<Result<EpisodeReport>>),
}

/// The agent's seat in the simulator: hands each observation over and waits for the action.
struct Seat {
    events: SyncSender<Event>,
    actions: Receiver<Vec<f64>>,
    cost_to_date_usd: f64,
}

fn stopped() -> Error {
    Error::InvalidParameter {
        field: "agent",
        reason: "the agent stopped the episode".into(),
    }
}

impl ChargingPolicy for Seat {
    fn name(&self) -> String {
        "agent".into()
    }

    fn billed(&mut self, cost_to_date_usd: f64) {
        self.cost_to_date_usd = cost_to_date_usd;
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        let view = AgentView {
            date: obs.date,
            slot: obs.slot,
            slots_per_day: obs.config.slots_on(obs.date),
            building_kw: obs.building_kw,
            month_peaks_kw: obs.past_peaks_kw.to_vec(),
            evs: obs.evs.to_vec(),
        };
        self.events
            .send(Event::Decide(view, self.cost_to_date_usd))
            .map_err(|_| stopped())?;
        let action = self.actions.recv().map_err(|_| stopped())?;
        Ok(Decision::heuristic(
            obs.evs.iter().map(|ev| action[ev.charger]).collect(),
        ))
    }
}

/// The running episode: the simulator's thread and its two channels.
struct Worker {
    actions: SyncSender<Vec<f64>>,
    events: Receiver<Event>,
    handle: JoinHandle<()>,
    /// The process that started the thread: a copy of the environment in a forked child has
    /// the channels but not the thread, and must not wait on it.
    pid: u32,
}

impl Worker {
    /// The worker, unless this is a forked copy of the process that started it.
    fn here(&self) -> Result<&Worker> {
        if self.pid == std::process::id() {
            Ok(self)
        } else {
            Err(Error::InvalidParameter {
                field: "episode",
                reason: "the environment was copied into another process (a fork) mid-episode: \
                         call reset in this process"
                    .into(),
            })
        }
    }
}

/// An episode stepped by an outside controller. See the [module docs](self).
pub struct StepEnv {
    scenario: Arc<Scenario>,
    window: Option<usize>,
    rng: ChaCha8Rng,
    worker: Option<Worker>,
    cost_to_date_usd: f64,
}

impl StepEnv {
    /// An environment over `scenario`. With `window = Some(n)`, each episode is `n` consecutive
    /// days of it starting on a day drawn at each reset (seeded by `seed`, its history the days
    /// before); with `None`, each episode is the whole scenario.
    pub fn new(scenario: Scenario, window: Option<usize>, seed: u64) -> Result<Self> {
        if let Some(n) = window {
            scenario.window(0, n)?;
        }
        Ok(StepEnv {
            scenario: Arc::new(scenario),
            window,
            rng: ChaCha8Rng::seed_from_u64(seed),
            worker: None,
            cost_to_date_usd: 0.0,
        })
    }

    /// The number of chargers: the length of every action.
    pub fn chargers(&self) -> usize {
        self.scenario.site().chargers().len()
    }

    /// The scenario the episodes are drawn from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Starts a new episode (ending any running one) and returns its first decision. `seed`
    /// reseeds the draw of the episode's first day.
    pub fn reset(&mut self, seed: Option<u64>) -> Result<Step> {
        self.stop();
        if let Some(seed) = seed {
            self.rng = ChaCha8Rng::seed_from_u64(seed);
        }
        let episode = match self.window {
            None => Arc::clone(&self.scenario),
            Some(n) => {
                let start = self.rng.random_range(0..=self.scenario.days().len() - n);
                Arc::new(self.scenario.window(start, n)?)
            }
        };
        let (action_tx, action_rx) = sync_channel(1);
        let (event_tx, event_rx) = sync_channel(1);
        let handle = std::thread::spawn(move || {
            let mut seat = Seat {
                events: event_tx.clone(),
                actions: action_rx,
                cost_to_date_usd: 0.0,
            };
            let report = simulate(&episode, &mut seat, None);
            // The receiver is gone only when the environment was dropped or reset.
            let _ = event_tx.send(Event::Done(Box::new(report)));
        });
        self.worker = Some(Worker {
            actions: action_tx,
            events: event_rx,
            handle,
            pid: std::process::id(),
        });
        self.cost_to_date_usd = 0.0;
        let mut first = self.next()?;
        if !first.done() {
            // The cost before the first decision goes into the first step's reward (a reset
            // has none), so that an episode's rewards add up to minus its whole bill.
            self.cost_to_date_usd = 0.0;
            first.reward_usd = 0.0;
        }
        Ok(first)
    }

    /// Applies `power_kw` (one request per charger, kW) at the current decision and runs the
    /// simulator to the next one.
    pub fn step(&mut self, power_kw: &[f64]) -> Result<Step> {
        if power_kw.len() != self.chargers() {
            return Err(Error::InvalidParameter {
                field: "action",
                reason: format!("{} powers for {} chargers", power_kw.len(), self.chargers()),
            });
        }
        if let Some(c) = power_kw.iter().position(|p| !p.is_finite()) {
            return Err(Error::InvalidParameter {
                field: "action",
                reason: format!("charger {c}: {} kW is not a finite power", power_kw[c]),
            });
        }
        let worker = self
            .worker
            .as_ref()
            .ok_or_else(|| Error::InvalidParameter {
                field: "action",
                reason: "no episode is running: call reset first".into(),
            })?;
        worker
            .here()?
            .actions
            .send(power_kw.to_vec())
            .map_err(|_| stopped())?;
        self.next()
    }

    /// Waits for the worker's next event and turns it into a step.
    fn next(&mut self) -> Result<Step> {
        let worker = self.worker.as_ref().ok_or_else(stopped)?.here()?;
        let event = worker.events.recv().map_err(|_| Error::InvalidParameter {
            field: "episode",
            reason: "the simulator's thread ended without a result (a bug of evmech)".into(),
        })?;
        let previous = self.cost_to_date_usd;
        match event {
            Event::Decide(view, cost) => {
                self.cost_to_date_usd = cost;
                Ok(Step {
                    view: Some(view),
                    reward_usd: previous - cost,
                    cost_to_date_usd: cost,
                    report: None,
                })
            }
            Event::Done(report) => {
                self.stop();
                let report = (*report)?;
                self.cost_to_date_usd = report.building_cost_usd;
                Ok(Step {
                    view: None,
                    reward_usd: previous - report.building_cost_usd,
                    cost_to_date_usd: report.building_cost_usd,
                    report: Some(report),
                })
            }
        }
    }

    /// Ends the running episode, if any, and waits for its thread.
    fn stop(&mut self) {
        if let Some(worker) = self.worker.take() {
            if worker.here().is_err() {
                // A forked copy: the thread belongs to the parent; nothing here to end or join.
                std::mem::forget(worker);
                return;
            }
            let Worker {
                actions,
                events,
                handle,
                ..
            } = worker;
            // Closing both channels makes the seat's next send or receive fail, which ends
            // the simulation with an error nobody reads.
            drop(actions);
            drop(events);
            let _ = handle.join();
        }
    }
}

impl Drop for StepEnv {
    fn drop(&mut self) {
        self.stop();
    }
}
