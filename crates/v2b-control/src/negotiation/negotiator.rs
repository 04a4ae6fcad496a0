//! The negotiation in the simulator (Algorithm 1): on each arrival, draw the
//! arrival's futures once, price a menu (CONSENT) or read a static one (the menu baseline),
//! and let the user choose.

use super::static_menu::{static_menu_of, StaticOption, StaticPricer};
use super::{
    AcceptanceMode, Choice, Menu, MenuInput, MenuOption, MenuOptions, StaticMenuRule, UserModel,
};
use crate::forecast::HistoryForecaster;
use crate::policy::{
    future_blocks, planned_connected, stream_seed, ForecastMode, FutureQuery, FutureUsers, Horizon,
};
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
    /// The static menu baseline priced from the utility's energy rates: every level at its
    /// largest deviation, option `l` of `L` priced `r_l E_l` with
    /// `r_l = peak - (peak - off_peak) l / (L - 1)` (option 0 at the peak rate, the last
    /// option at the off-peak rate); no utility is estimated.
    UtilityRate {
        /// Option 0's rate, USD/kWh (0.178).
        peak_usd_per_kwh: f64,
        /// The last option's rate, USD/kWh (0.137).
        off_peak_usd_per_kwh: f64,
    },
}

/// How CONSENT's quotes below zero (credits: the building pays the user for her flexibility
/// or her discharge) are settled.
///
/// A quote is the user's marginal cost in the arrival's *sampled* futures. Summed over a
/// month, those forecasts can credit several users with the same avoided peak, and credit
/// savings that never materialise; paid at the quote, the building can then pay out more than
/// the EVs saved it (docs/v2b.md, "CONSENT's ledger").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Settlement {
    /// Every credit is paid in full at departure (the paper's rule).
    AtQuote,
    /// Charges are paid at departure; credits are promised at most and paid at the end of the
    /// billing month out of the month's realized surplus (payments collected minus what the EVs
    /// added to the building's costs against its own load alone), every credit in the same
    /// share. Users choose on the guaranteed price `max(zeta, 0)`, so accepting is still worth
    /// it to them whatever the month brings (Theorem 3 holds on realized payments).
    #[default]
    Escrow,
}

impl Settlement {
    /// Every settlement, for parsing by name.
    pub const ALL: [Settlement; 2] = [Settlement::AtQuote, Settlement::Escrow];

    /// `at-quote` or `escrow`.
    pub fn name(self) -> &'static str {
        match self {
            Settlement::AtQuote => "at-quote",
            Settlement::Escrow => "escrow",
        }
    }
}

impl std::str::FromStr for Settlement {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(&Settlement::ALL, Settlement::name, "settlement", s)
    }
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
    /// How credits are settled (default: [`Settlement::Escrow`]).
    #[serde(default)]
    pub settlement: Settlement,
    /// How the menu's futures weigh later arrivals (default: as promises); with
    /// [`FutureUsers::OutsideOption`] at the menu's external price
    /// ([`MenuOptions::external_price_usd_per_kwh`]).
    #[serde(default, skip_serializing_if = "FutureUsers::is_default")]
    pub future_users: FutureUsers,
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
            settlement: Settlement::default(),
            future_users: FutureUsers::Committed,
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

    /// The static menu baseline with reject (Table 1 row 6), priced by the default rule (the
    /// utility's rates, [`StaticMenuRule::UtilityRate`]).
    pub fn menu_baseline(seed: u64) -> Self {
        Negotiator::menu_baseline_with(seed, StaticMenuRule::default())
    }

    /// The static menu baseline with reject, priced by `rule` at the paper's rates.
    pub fn menu_baseline_with(seed: u64, rule: StaticMenuRule) -> Self {
        Negotiator {
            name: "menu".into(),
            settings: NegotiationSettings {
                seed,
                pricing: rule.paper_pricing(),
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
        // `max_delay` may be huge (a level's delay is only checked to be finite): saturate.
        let latest = d_req
            .saturating_add(max_delay)
            .min(latest_departure(config, a.date, d_req));
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
            // A menu prices the rest of the day (a quote needs a departure today).
            horizon: Horizon::EndOfDay,
            later_weight: s.future_users.weight(s.menu.external_price_usd_per_kwh),
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
            arriving: config.planned_ev(&EvAt::requested(
                a.session,
                a.key,
                a.charger,
                a.slot,
                a.target_kwh,
            )),
        })
    }

    /// The menu offered to `a`: CONSENT's prices over the arrival's futures, or the static
    /// menu. The live [`Controller::quote`](crate::live::Controller::quote) and the simulator
    /// both call this.
    pub fn quote(&self, a: &Arrival<'_>) -> Result<Menu> {
        match self.settings.pricing {
            MenuPricing::Consent => self.menu_input(a)?.menu(&self.settings.menu),
            _ => self.static_menu(a),
        }
    }

    /// What the user's `choice` from `menu` means for the site under `settlement`: served
    /// with the option's target and departure and the quote as a [`Price`] (a credit becomes
    /// [`Price::CreditUpTo`] under [`Settlement::Escrow`]), or declined. Errors: a level the
    /// menu does not have (field `choice`).
    pub fn settle(menu: &Menu, choice: Choice, settlement: Settlement) -> Result<Admission> {
        let admission = Negotiator::accept(menu, choice)?;
        Ok(match admission {
            Admission::Served {
                target_kwh,
                departure_slot,
                level,
                price: Price::Quote(z),
            } if z < 0.0 && settlement == Settlement::Escrow => Admission::Served {
                target_kwh,
                departure_slot,
                level,
                price: Price::CreditUpTo(-z),
            },
            other => other,
        })
    }

    /// The acceptance utilities `Y_l` of `user` for `menu` as she can count on them: the quoted
    /// price, or under [`Settlement::Escrow`] the guaranteed part `max(zeta, 0)` (a credit may
    /// be paid only in part).
    pub fn guaranteed_utilities(&self, menu: &Menu, user: &super::UserWeights) -> Vec<f64> {
        if self.settings.settlement == Settlement::AtQuote {
            return user.utilities(menu);
        }
        let mut guaranteed = menu.clone();
        for o in &mut guaranteed.options {
            o.price_usd = o.price_usd.max(0.0);
        }
        user.utilities(&guaranteed)
    }

    /// The choice of a simulated driver with sensitivities `user` from `menu`: the acceptance
    /// model of the settings on her guaranteed utilities
    /// ([`Negotiator::guaranteed_utilities`]), its random draw seeded by the settings' seed and
    /// `parts` (the simulator passes the day and the session; [`ConsentMechanism`](super::ConsentMechanism)
    /// the date and a hash of the arrival's id, as a live quote does).
    pub fn choose(&self, menu: &Menu, user: &super::UserWeights, parts: &[u64]) -> Choice {
        self.choose_on(&self.guaranteed_utilities(menu, user), parts)
    }

    /// [`Negotiator::choose`] on utilities `y` already computed.
    fn choose_on(&self, y: &[f64], parts: &[u64]) -> Choice {
        let s = &self.settings;
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(s.seed, parts, "choice"));
        s.acceptance.choose(y, rng.random::<f64>())
    }

    /// What the user's `choice` from `menu` means for the site at the quote (the paper's
    /// settlement): served with the option's target, departure and quoted price, or declined.
    /// Errors: a level the menu does not have (field `choice`).
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

    /// The static menu of the baseline for `a` under the settings' [`MenuPricing::Static`] or
    /// [`MenuPricing::UtilityRate`]. Errors: [`MenuPricing::Consent`] (field `pricing`), a
    /// rate that is negative or not finite, menu options that fail [`MenuOptions::validate`].
    pub fn static_menu(&self, a: &Arrival<'_>) -> Result<Menu> {
        let s = &self.settings;
        let config = a.config;
        s.menu.validate()?;
        let price = StaticPricer::new(s.pricing, s.users.mean_weights())?;
        let per_slot = config.tariff.slot_hours() * 60.0;
        let e0 = a.session.arrival_energy_kwh;
        let b = a.session.battery_kwh;
        let need = (a.target_kwh - e0).max(0.0);
        let d_req = a.session.departure_slot;
        let levels = s.menu.levels.len();
        let options = s
            .menu
            .levels
            .iter()
            .enumerate()
            .map(|(l, level)| {
                let reduction = (level.max_reduction_pct / 100.0 * b).min(need);
                let delay = level
                    .delay_slots(config.tariff.slot_hours())
                    .min(latest_departure(config, a.date, d_req).saturating_sub(d_req));
                let option = StaticOption {
                    level: l,
                    levels,
                    delivered_kwh: need - reduction,
                    reduction_pct: 100.0 * reduction / b,
                    delay_minutes: delay as f64 * per_slot,
                };
                MenuOption {
                    level: l,
                    reduction_kwh: reduction,
                    reduction_pct: option.reduction_pct,
                    delay_slots: delay,
                    delay_minutes: option.delay_minutes,
                    target_kwh: a.target_kwh - reduction,
                    departure_slot: d_req + delay,
                    cost_with_usd: 0.0,
                    delta_cost_usd: 0.0,
                    energy_cost_usd: 0.0,
                    utility_usd: 0.0,
                    price_usd: price.price(&option),
                }
            })
            .collect();
        Ok(static_menu_of(
            options,
            need,
            s.menu.external_price_usd_per_kwh,
        ))
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
        let y = self.guaranteed_utilities(&menu, &user);
        let choice = self.choose_on(&y, &parts);
        Ok(ArrivalDecision {
            admission: Negotiator::settle(&menu, choice, s.settlement)?,
            lp_solves: menu.lp_solves,
            solver_seconds: menu.solver_seconds,
            quote: Some(ledger_quote(
                &menu,
                &y,
                matches!(s.pricing, MenuPricing::Consent),
            )),
        })
    }
}

/// The menu as the ledger keeps it, with the user's acceptance utilities `y`.
fn ledger_quote(menu: &Menu, y: &[f64], costs_estimated: bool) -> crate::Quote {
    crate::Quote {
        cost_without_usd: menu.cost_without_usd,
        external_cost_usd: menu.external_cost_usd,
        costs_estimated,
        options: menu
            .options
            .iter()
            .zip(y)
            .map(|(o, &y)| crate::QuotedOption {
                level: o.level,
                reduction_kwh: o.reduction_kwh,
                delay_slots: o.delay_slots,
                cost_with_usd: o.cost_with_usd,
                energy_cost_usd: o.energy_cost_usd,
                utility_usd: o.utility_usd,
                price_usd: o.price_usd,
                acceptance_utility_usd: y,
            })
            .collect(),
    }
}

/// The latest departure a delay may reach: midnight for a session leaving the day it came (a
/// delay never turns a day's stay into a night's), the longest stay for one already staying
/// over midnight.
fn latest_departure(config: &crate::SiteConfig, date: crate::Date, requested: usize) -> usize {
    let clock = config.clock();
    let n = clock.slots_on(date);
    if requested <= n {
        n
    } else {
        clock.slots_between(date, date.plus_days(crate::MAX_STAY_DAYS as i64))
    }
}
