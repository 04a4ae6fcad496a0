//! The negotiation in the simulator (Algorithm 1): on each arrival, draw the
//! arrival's futures once, price a menu (CONSENT) or read a static one (the menu baseline),
//! and let the user choose.

use super::{AcceptanceMode, Choice, Menu, MenuInput, MenuOption, MenuOptions, UserModel};
use crate::forecast::HistoryForecaster;
use crate::policy::{future_blocks, planned_connected, stream_seed, ForecastMode, FutureQuery};
use crate::{Admission, Arrival, ArrivalDecision, ArrivalPolicy, EvAt, Price, Result};
use evmech_milp_model::charging::{ChargingProblem, ChargingWeights};
use evmech_milp_model::LpBackend;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Where a menu's prices come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MenuPricing {
    /// CONSENT: the marginal utility over sampled futures ([`MenuInput::menu`]).
    Consent,
    /// The static menu baseline: every level at its largest deviation,
    /// priced `max(0, retail * E_l - w1_bar * reduction_pct - w2_bar * delay_minutes)` with
    /// `E_l` the energy the option delivers and the survey's share-weighted mean weights; no
    /// utility is estimated (the options' cost fields are 0).
    Static {
        /// Retail price, USD/kWh (0.178).
        retail_usd_per_kwh: f64,
    },
}

/// Settings of a [`Negotiator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationSettings {
    /// Levels, alpha, pricing rule, external price.
    pub menu: MenuOptions,
    /// CONSENT or the static menu.
    pub pricing: MenuPricing,
    /// How users choose.
    pub acceptance: AcceptanceMode,
    /// How users' sensitivities are drawn.
    pub users: UserModel,
    /// Sampled futures per menu (`F`, 10 in the paper).
    pub scenarios: usize,
    /// Episode seed (futures, users' weights and choices).
    pub seed: u64,
    /// Relative load error per slot in hindsight-pool futures (0.0627 = 5 % MAPE).
    pub load_noise_sd: f64,
    /// Where the futures come from (default: the site's history, causal).
    #[serde(default)]
    pub forecast: ForecastMode,
    /// Objective weights (`None`: the scenario's defaults).
    pub weights: Option<ChargingWeights>,
    /// Solver.
    pub backend: LpBackend,
}

impl Default for NegotiationSettings {
    fn default() -> Self {
        NegotiationSettings {
            menu: MenuOptions::default(),
            pricing: MenuPricing::Consent,
            acceptance: AcceptanceMode::TwoStage,
            users: UserModel::default(),
            scenarios: 10,
            seed: 0,
            load_noise_sd: 0.0627,
            forecast: ForecastMode::History,
            weights: None,
            backend: LpBackend::default(),
        }
    }
}

/// An [`ArrivalPolicy`] that negotiates: CONSENT, its variants of Table 1, or the static menu.
#[derive(Debug, Clone, PartialEq)]
pub struct Negotiator {
    /// Its name in reports.
    pub name: String,
    /// Settings.
    pub settings: NegotiationSettings,
}

impl Negotiator {
    /// CONSENT with the paper's levels, alpha = 1, `TwoStage` acceptance (Table 1 row 7).
    pub fn consent(seed: u64) -> Self {
        Negotiator {
            name: "consent".into(),
            settings: NegotiationSettings {
                seed,
                ..NegotiationSettings::default()
            },
        }
    }

    /// CONSENT without the reject option (Table 1 row 8).
    pub fn consent_no_reject(seed: u64) -> Self {
        let mut n = Negotiator::consent(seed);
        n.name = "consent-no-reject".into();
        n.settings.acceptance = AcceptanceMode::OptionsOnly;
        n
    }

    /// Smart charging with the utility-based price `zeta_0` at alpha = 1, option 0 only, no
    /// reject (Table 1 row 5).
    pub fn utility_priced(seed: u64) -> Self {
        let mut n = Negotiator::consent(seed);
        n.name = "smart-utility".into();
        n.settings.menu.levels.truncate(1);
        n.settings.menu.alpha = 1.0;
        n.settings.acceptance = AcceptanceMode::OptionsOnly;
        n
    }

    /// The static menu baseline with reject (Table 1 row 6).
    pub fn menu_baseline(seed: u64) -> Self {
        Negotiator {
            name: "menu".into(),
            settings: NegotiationSettings {
                seed,
                pricing: MenuPricing::Static {
                    retail_usd_per_kwh: 0.178,
                },
                ..NegotiationSettings::default()
            },
        }
    }

    /// The arrival's problem: `F` futures drawn once (from the site's history by default;
    /// the hindsight pool's stream is seed, day, slot, session, "neg"), the connected EVs in
    /// each, the user's charger held until her requested departure plus the largest delay,
    /// the user as requested.
    pub fn menu_input(&self, a: &Arrival<'_>) -> Result<MenuInput> {
        let s = &self.settings;
        let config = a.config;
        let n = config.slots_per_day();
        let d_req = a.session.departure_slot;
        let tau = config.tariff.slot_hours();
        let max_delay = s
            .menu
            .levels
            .iter()
            .map(|l| l.delay_slots(tau))
            .max()
            .unwrap_or(0);
        let mut busy = vec![0usize; config.site.chargers().len()];
        for ev in a.connected {
            busy[ev.charger] = ev.departure_slot;
        }
        let latest = (d_req + max_delay).min(latest_departure(n, d_req));
        busy[a.charger] = latest;
        let day = a.hindsight.map_or(0, |v| v.day as u64);
        let query = FutureQuery {
            config,
            history: a.history,
            hindsight: a.hindsight,
            date: a.date,
            slot: a.slot,
            building_kw: a.building_kw,
            busy_until: busy,
            connected: planned_connected(config, a.slot, a.connected),
            hindsight_stream: (vec![day, a.slot as u64, a.session_index as u64], "neg"),
            reach: Some(latest),
        };
        let forecaster = HistoryForecaster::default();
        let seed = stream_seed(s.seed, &[a.session_index as u64], "neg");
        let stream_seed_value = if s.forecast.is_hindsight() {
            s.seed
        } else {
            seed
        };
        let (blocks, _) = future_blocks(
            &query,
            s.forecast,
            &forecaster,
            s.scenarios,
            stream_seed_value,
            s.load_noise_sd,
        )?;
        Ok(MenuInput {
            base: ChargingProblem {
                non_anticipative: true,
                weights: s.weights.unwrap_or_else(|| config.default_weights()),
                backend: s.backend,
                ..config.charging_problem(blocks, a.past_peaks_kw)
            },
            arriving: config.planned_ev(&EvAt {
                key: a.key,
                charger: a.charger,
                arrival_slot: a.slot,
                departure_slot: d_req,
                energy_kwh: a.session.arrival_energy_kwh,
                target_kwh: a.target_kwh,
                battery_kwh: a.session.battery_kwh,
                limits: a.session.limits,
            }),
        })
    }

    /// The menu offered to `a`: CONSENT's prices over the arrival's futures, or the static
    /// menu. The live [`Controller::quote`](crate::live::Controller::quote) and the simulator
    /// both call this.
    pub fn quote(&self, a: &Arrival<'_>) -> Result<Menu> {
        match self.settings.pricing {
            MenuPricing::Consent => self.menu_input(a)?.menu(&self.settings.menu),
            MenuPricing::Static { retail_usd_per_kwh } => {
                Ok(self.static_menu(a, retail_usd_per_kwh))
            }
        }
    }

    /// What the user's `choice` from `menu` means for the site: served with the option's
    /// target, departure and quoted price, or declined. Errors: a level the menu does not have
    /// (field `choice`).
    pub fn accept(menu: &Menu, choice: Choice) -> Result<Admission> {
        match choice {
            Choice::Reject => Ok(Admission::Declined),
            Choice::Accept(l) => {
                let o = menu
                    .options
                    .get(l)
                    .ok_or_else(|| crate::Error::InvalidParameter {
                        field: "choice",
                        reason: format!("level {l} of a menu with {} options", menu.options.len()),
                    })?;
                Ok(Admission::Served {
                    target_kwh: o.target_kwh,
                    departure_slot: o.departure_slot,
                    level: Some(l),
                    price: Price::Quote(o.price_usd),
                })
            }
        }
    }

    /// The static menu of the baseline for `a`.
    pub fn static_menu(&self, a: &Arrival<'_>, retail: f64) -> Menu {
        let s = &self.settings;
        let config = a.config;
        let n = config.slots_per_day();
        let per_slot = config.tariff.slot_hours() * 60.0;
        let (w1, w2) = s.users.mean_weights();
        let e0 = a.session.arrival_energy_kwh;
        let b = a.session.battery_kwh;
        let need = (a.target_kwh - e0).max(0.0);
        let d_req = a.session.departure_slot;
        let options = s
            .menu
            .levels
            .iter()
            .enumerate()
            .map(|(l, level)| {
                let reduction = (level.max_reduction_pct / 100.0 * b).min(need);
                let delay = level
                    .delay_slots(config.tariff.slot_hours())
                    .min(latest_departure(n, d_req).saturating_sub(d_req));
                let pct = 100.0 * reduction / b;
                let minutes = delay as f64 * per_slot;
                let price = (retail * (need - reduction) - w1 * pct - w2 * minutes).max(0.0);
                MenuOption {
                    level: l,
                    reduction_kwh: reduction,
                    reduction_pct: pct,
                    delay_slots: delay,
                    delay_minutes: minutes,
                    target_kwh: a.target_kwh - reduction,
                    departure_slot: d_req + delay,
                    cost_with_usd: 0.0,
                    delta_cost_usd: 0.0,
                    energy_cost_usd: 0.0,
                    utility_usd: 0.0,
                    price_usd: price,
                }
            })
            .collect();
        Menu {
            cost_without_usd: 0.0,
            options,
            external_cost_usd: s.menu.external_price_usd_per_kwh * need,
            lp_solves: 0,
            solver_seconds: 0.0,
            seconds: 0.0,
            fingerprints: Vec::new(),
        }
    }
}

impl ArrivalPolicy for Negotiator {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn admit(&mut self, a: &Arrival<'_>) -> Result<ArrivalDecision> {
        let s = &self.settings;
        s.users.validate()?;
        let menu = self.quote(a)?;
        let parts = [
            a.hindsight
                .map_or(a.date.days_since_epoch() as u64, |v| v.day as u64),
            a.session_index as u64,
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(s.seed, &parts, "user"));
        let user = s.users.draw(&mut rng);
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(s.seed, &parts, "choice"));
        let y = user.utilities(&menu);
        let choice = s.acceptance.choose(&y, rng.random::<f64>());
        Ok(ArrivalDecision {
            admission: Negotiator::accept(&menu, choice)?,
            lp_solves: menu.lp_solves,
            solver_seconds: menu.solver_seconds,
        })
    }
}

/// The latest departure a delay may reach: midnight for a session leaving the day it came (a
/// delay never turns a day's stay into a night's), the longest stay for one already staying
/// over midnight.
fn latest_departure(n: usize, requested: usize) -> usize {
    if requested <= n {
        n
    } else {
        n * crate::MAX_STAY_DAYS
    }
}
