//! The negotiation as a [`Mechanism`]: the arrivals of one slot, in order, through the live
//! API's quote and answer.

use super::{Choice, Menu, MenuOption, Negotiator, UserWeights};
use crate::live::{Controller, LiveArrival, LiveEv, LiveOptions, SiteState};
use crate::{Error, History, Result, SiteConfig};
use evmech_mechanisms::{Mechanism, Outcome, QuasiLinear};
use evmech_milp_model::charging::PlannedEv;
use serde::{Deserialize, Serialize};

/// What one arriving driver brings: her request as she reports it (a [`LiveArrival`]: the
/// same form a live site quotes) and her sensitivities (private: the mechanism never reads them
/// to price, they only drive her choice from the menu).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationReport {
    /// The request. Its `id` must be unique among the reports and the state's EVs.
    pub arrival: LiveArrival,
    /// Her inconvenience weights.
    pub user: UserWeights,
}

/// The allocation of one user: her menu, and what she chose from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationOutcome {
    /// The menu she was offered.
    pub menu: Menu,
    /// Her choice.
    pub choice: Choice,
    /// The accepted option (`None` on reject).
    pub option: Option<MenuOption>,
    /// The connected EV she becomes on acceptance (negotiated target and departure), as the
    /// next arrivals' quotes see her.
    pub ev: Option<LiveEv>,
}

/// A driver's true type, for the property checkers of `evmech-mechanisms`: her sensitivities,
/// her true request and the price of charging elsewhere.
///
/// Her value of an accepted option is what charging elsewhere would have cost her true need,
/// minus her inconvenience measured against her *true* request (energy below her true target,
/// minutes after her true departure): `external x need - w1 x reduction % - w2 x delay`. Her
/// utility (value - price) is then the acceptance utility `Y` of the menu when she reports
/// truthfully. Declining is worth 0 (she charges elsewhere at the external price).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentUser {
    /// Her sensitivities.
    pub user: UserWeights,
    /// Her true request.
    pub request: PlannedEv,
    /// Price of charging elsewhere, USD/kWh.
    pub external_usd_per_kwh: f64,
    /// Slot length, minutes.
    pub slot_minutes: f64,
}

impl QuasiLinear<NegotiationOutcome> for ConsentUser {
    fn value(&self, outcome: &NegotiationOutcome) -> f64 {
        let Some(o) = outcome.option else {
            return 0.0;
        };
        let r = &self.request;
        let need = (r.target_kwh - r.energy_kwh).max(0.0);
        let reduction_pct = 100.0 * (r.target_kwh - o.target_kwh).max(0.0) / r.battery_kwh;
        let delay = o.departure_slot.saturating_sub(r.departure_slot) as f64 * self.slot_minutes;
        self.external_usd_per_kwh * need - self.user.inconvenience(reduction_pct, delay)
    }
}

/// CONSENT on the arrivals of one slot, through the live API: each driver in turn is quoted a
/// menu with [`Controller::quote`] (her own futures from the site's history, the EVs connected
/// so far in them), chooses with [`Negotiator::choose`], and [`Controller::accept`] turns her
/// answer into the EV that the next drivers' quotes see connected. These are the calls a live
/// site makes and the simulator's negotiation makes ([`Negotiator::quote`], [`Negotiator::settle`]),
/// so the property checkers of `evmech-mechanisms` run on the mechanism as deployed. Payment =
/// the settled price (a credit at its full promise; negative: the operator pays), 0 on reject.
#[derive(Debug, Clone)]
pub struct ConsentMechanism {
    /// The site (its chargers, tariff and time zone).
    pub site: SiteConfig,
    /// Levels, alpha, pricing rule, futures per menu, the users' choice model, settlement, seed.
    pub negotiator: Negotiator,
    /// The site now, before the first of the reports arrives.
    pub state: SiteState,
    /// The site's record of the past (the menus' futures are drawn from it).
    pub history: History,
}

impl ConsentMechanism {
    /// The true type of a driver whose report is truthful: her sensitivities and her request
    /// as the charging model sees it in the initial state ([`Controller::requested_ev`]; her
    /// charger is the first free one of that state unless her arrival names one). The external
    /// price is the menu's.
    pub fn true_type(&self, report: &NegotiationReport) -> Result<ConsentUser> {
        Ok(ConsentUser {
            user: report.user,
            request: self
                .controller()?
                .requested_ev(&self.state, &report.arrival)?,
            external_usd_per_kwh: self.negotiator.settings.menu.external_price_usd_per_kwh,
            slot_minutes: self.site.tariff.slot_hours() * 60.0,
        })
    }

    /// The live controller of the site (only its quotes and answers are used: the charging
    /// policy is irrelevant).
    fn controller(&self) -> Result<Controller> {
        Controller::new(self.site.clone(), LiveOptions::default())
    }

    /// One driver's turn in `state`: quote, choice, answer.
    fn turn(
        &self,
        controller: &Controller,
        state: &SiteState,
        report: &NegotiationReport,
    ) -> Result<(NegotiationOutcome, f64)> {
        let quote = controller.quote(&self.negotiator, state, &report.arrival, &self.history)?;
        let parts = controller.choice_parts(state, &report.arrival.id)?;
        let choice = self.negotiator.choose(&quote.menu, &report.user, &parts);
        let accepted = controller.accept(&quote, choice)?;
        let option = match (choice, &accepted) {
            (Choice::Accept(l), Some(_)) => quote.menu.options.get(l).copied(),
            _ => None,
        };
        let payment = accepted.as_ref().map_or(0.0, |(_, usd)| *usd);
        let outcome = NegotiationOutcome {
            menu: quote.menu,
            choice,
            option,
            ev: accepted.map(|(ev, _)| ev),
        };
        Ok((outcome, payment))
    }
}

/// Refuses an id used twice among `reports` and the EVs of `state` (field `reports[i].arrival.id`).
fn check_ids(state: &SiteState, reports: &[NegotiationReport]) -> Result<()> {
    let mut seen: Vec<&str> = state.evs.iter().map(|e| e.id.as_str()).collect();
    for (i, r) in reports.iter().enumerate() {
        if seen.contains(&r.arrival.id.as_str()) {
            return Err(Error::InvalidField {
                field: format!("reports[{i}].arrival.id"),
                reason: format!("id {:?} is used twice", r.arrival.id),
            });
        }
        seen.push(&r.arrival.id);
    }
    Ok(())
}

impl Mechanism for ConsentMechanism {
    type Report = NegotiationReport;
    type Allocation = NegotiationOutcome;
    type Error = Error;

    fn name(&self) -> &str {
        "consent"
    }

    fn run(&self, reports: &[NegotiationReport]) -> Result<Outcome<NegotiationOutcome>> {
        check_ids(&self.state, reports)?;
        let controller = self.controller()?;
        let mut state = self.state.clone();
        let mut allocation = Vec::with_capacity(reports.len());
        let mut payments = Vec::with_capacity(reports.len());
        for report in reports {
            let (outcome, payment) = self.turn(&controller, &state, report)?;
            if let Some(ev) = &outcome.ev {
                state.evs.push(ev.clone());
            }
            payments.push(payment);
            allocation.push(outcome);
        }
        Outcome::new(allocation, payments).map_err(|e| Error::InvalidParameter {
            field: "payments",
            reason: e.to_string(),
        })
    }
}
