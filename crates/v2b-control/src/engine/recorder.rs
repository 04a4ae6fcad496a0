//! The recorder of an episode: every counter, trace and bill the simulator reports, kept in one
//! place so the executor only says what happened (a departure, an admission, a decision, a
//! slot's power) and the recorder turns it into the [`EpisodeReport`].

use super::arrivals::{Admission, ArrivalDecision, Price};
use super::plant::Applied;
use super::report::{
    ArrivalRecord, DayReport, EpisodeReport, MonthReport, SessionOutcome, SessionStatus, Timing,
    UserReport,
};
use crate::policy::Decision;
use crate::{Date, DemandBill, DrEvent, Penalties, Session, Site, Tariff};
use std::collections::BTreeMap;

/// Everything summed over the episode.
#[derive(Default)]
struct Totals {
    compensation: f64,
    degradation: f64,
    missing: f64,
    below: usize,
    delivered: f64,
    discharged: f64,
    clipped: f64,
    decisions: usize,
    lp_solves: usize,
    lp_seconds: f64,
    fallbacks: usize,
    clamps: usize,
    max_clamp: f64,
    times: Vec<f64>,
    forecasts: BTreeMap<String, usize>,
    arrivals: usize,
    rejected: usize,
}

/// The users' side.
#[derive(Default)]
struct UserTotals {
    declined: usize,
    served: usize,
    payments: f64,
    energy: f64,
    levels: Vec<usize>,
    times: Vec<f64>,
    lp_solves: usize,
    records: Vec<ArrivalRecord>,
}

/// The current month's settlement state: what users paid and the credits held in escrow.
#[derive(Default)]
struct MonthBook {
    /// Payments collected from users this month (charges only, credits left out), USD.
    charges: f64,
    /// Escrowed credits: index into `sessions` and the credit promised, USD.
    escrow: Vec<(usize, f64)>,
}

/// An EV leaving: its session, and its state and terms at departure.
pub(crate) struct Leaving<'a> {
    pub session: &'a Session,
    pub charger: usize,
    pub departure_slot: usize,
    pub energy_kwh: f64,
    pub target_kwh: f64,
    pub discharged_kwh: f64,
    pub price: Price,
}

/// The outcome of a session that never charged.
fn unserved(s: &Session, status: SessionStatus) -> SessionOutcome {
    SessionOutcome {
        session_id: s.id.clone(),
        date: s.date,
        status,
        charger: None,
        arrival_slot: s.arrival_slot,
        departure_slot: s.departure_slot,
        requested_kwh: s.requested_energy_kwh - s.arrival_energy_kwh,
        delivered_kwh: 0.0,
        missing_kwh: 0.0,
        discharged_kwh: 0.0,
        paid_usd: 0.0,
    }
}

/// The recorder. See the [module docs](self).
pub(crate) struct Recorder {
    penalties: Penalties,
    slot_hours: f64,
    tariff: Tariff,
    dr_events: Vec<DrEvent>,
    /// Whether each of today's events saw net import above its firm level.
    dr_exceeded: Vec<bool>,
    t: Totals,
    u: UserTotals,
    months: Vec<MonthReport>,
    days: Vec<DayReport>,
    sessions: Vec<SessionOutcome>,
    book: MonthBook,
    /// Whether the last day is open (its energy cost not yet added to its month).
    day_open: bool,
    /// The wall-clock minute each slot of today starts at (the tariff's windows read it).
    walls: Vec<u32>,
}

impl Recorder {
    pub fn new(tariff: &Tariff, site: &Site) -> Self {
        Recorder {
            penalties: site.penalties(),
            dr_events: site.demand_response().to_vec(),
            dr_exceeded: vec![false; site.demand_response().len()],
            slot_hours: tariff.slot_hours(),
            tariff: tariff.clone(),
            t: Totals::default(),
            u: UserTotals::default(),
            months: Vec::new(),
            days: Vec::new(),
            sessions: Vec::new(),
            book: MonthBook::default(),
            walls: Vec::new(),
            day_open: false,
        }
    }

    /// Opens day `date` (and its billing month if new).
    pub fn begin_day(&mut self, date: Date, building_kw: &[f64], arrivals: usize) {
        self.walls = self.tariff.clock().day_wall_minutes(date);
        if self
            .months
            .last()
            .is_none_or(|m| (m.year, m.month) != (date.year, date.month))
        {
            self.close_month();
            self.months.push(MonthReport {
                year: date.year,
                month: date.month,
                days: 0,
                energy_cost_usd: 0.0,
                peak_kw: 0.0,
                demand_cost_usd: 0.0,
                demand: self
                    .tariff
                    .demand
                    .iter()
                    .map(|d| DemandBill {
                        name: d.name.clone(),
                        peak_kw: 0.0,
                        usd: 0.0,
                    })
                    .collect(),
                export_credit_usd: 0.0,
                compensation_usd: 0.0,
                degradation_usd: 0.0,
                payments_usd: 0.0,
                missing_soc_kwh: 0.0,
                dr_penalty_usd: 0.0,
                dr_incentive_usd: 0.0,
                building_only_usd: 0.0,
                credits_promised_usd: 0.0,
                credits_paid_usd: 0.0,
            });
        }
        self.month().days += 1;
        self.day_open = true;
        self.days.push(DayReport {
            date,
            energy_cost_usd: 0.0,
            peak_kw: 0.0,
            missing_soc_kwh: 0.0,
            cars_below_target: 0,
            arrivals,
            rejected_sessions: 0,
            delivered_kwh: 0.0,
            battery_gain_kwh: 0.0,
            building_kw: building_kw.to_vec(),
            ev_kw: vec![0.0; building_kw.len()],
        });
    }

    fn month(&mut self) -> &mut MonthReport {
        self.months.last_mut().expect("begin_day opens a month")
    }

    fn day(&mut self) -> &mut DayReport {
        self.days.last_mut().expect("begin_day opens a day")
    }

    /// The month's peak so far of each demand charge, kW (the tariff's order).
    pub fn month_peaks_kw(&self) -> Vec<f64> {
        self.months.last().map_or_else(
            || vec![0.0; self.tariff.demand.len()],
            |m| m.demand.iter().map(|d| d.peak_kw).collect(),
        )
    }

    /// The building's cost so far, USD: what [`EpisodeReport::building_cost_usd`] would be if
    /// the episode ended now (energy billed slot by slot, each demand charge at its month's peak
    /// so far, compensation, degradation and demand-response terms, minus users' payments).
    pub fn cost_to_date_usd(&self) -> f64 {
        let open_day = if self.day_open {
            self.days.last().map_or(0.0, |d| d.energy_cost_usd)
        } else {
            0.0
        };
        let months: f64 = self
            .months
            .iter()
            .map(|m| {
                let demand: f64 = m
                    .demand
                    .iter()
                    .zip(&self.tariff.demand)
                    .map(|(d, charge)| charge.usd_per_kw * d.peak_kw)
                    .sum();
                m.building_cost_usd() - m.demand_cost_usd + demand
            })
            .sum();
        months + open_day
    }

    /// `session` found no free charger.
    pub fn no_charger(&mut self, session: &Session) {
        self.day().rejected_sessions += 1;
        self.sessions
            .push(unserved(session, SessionStatus::NoCharger));
    }

    /// An EV left: shortfall, compensation, delivered energy and its payment.
    pub fn departure(&mut self, l: &Leaving<'_>) {
        let s = l.session;
        let z = (l.target_kwh - l.energy_kwh).max(0.0);
        let gained = (l.energy_kwh - s.arrival_energy_kwh).max(0.0);
        let report = self.day();
        report.missing_soc_kwh += z;
        if z > 0.01 {
            report.cars_below_target += 1;
        }
        report.delivered_kwh += gained;
        report.battery_gain_kwh += l.energy_kwh - s.arrival_energy_kwh;
        self.t.compensation += self.penalties.missing_energy_usd_per_kwh * z;
        let (paid, escrowed) = match l.price {
            Price::CreditUpTo(c) => (0.0, c.max(0.0)),
            price => (price.amount_usd(gained), 0.0),
        };
        self.u.payments += paid;
        self.u.energy += gained;
        self.book.charges += paid.max(0.0);
        if escrowed > 0.0 {
            self.book.escrow.push((self.sessions.len(), escrowed));
        }
        let compensation = self.penalties.missing_energy_usd_per_kwh * z;
        let month = self.month();
        month.payments_usd += paid;
        month.credits_promised_usd += escrowed + (-paid).max(0.0);
        month.credits_paid_usd += (-paid).max(0.0);
        month.compensation_usd += compensation;
        month.missing_soc_kwh += z;
        self.sessions.push(SessionOutcome {
            status: SessionStatus::Served,
            charger: Some(l.charger),
            departure_slot: l.departure_slot,
            delivered_kwh: l.energy_kwh - s.arrival_energy_kwh,
            missing_kwh: z,
            discharged_kwh: l.discharged_kwh,
            paid_usd: paid,
            ..unserved(s, SessionStatus::Served)
        });
    }

    /// An arrival policy decided `session` at `slot` in `seconds`; `target_kwh` is the clipped
    /// request it was offered.
    pub fn admission(
        &mut self,
        session: &Session,
        slot: usize,
        target_kwh: f64,
        decision: &ArrivalDecision,
        seconds: f64,
    ) {
        let u = &mut self.u;
        u.times.push(seconds);
        u.lp_solves += decision.lp_solves;
        let mut record = ArrivalRecord {
            date: session.date,
            session_id: session.id.clone(),
            slot,
            served: false,
            level: None,
            reduction_kwh: 0.0,
            reduction_pct: 0.0,
            delay_slots: 0,
            price: None,
            target_kwh,
            departure_slot: session.departure_slot,
            quote: decision.quote.clone(),
        };
        match decision.admission {
            Admission::Declined => {
                u.declined += 1;
                self.sessions
                    .push(unserved(session, SessionStatus::Declined));
            }
            Admission::Served {
                target_kwh: agreed,
                departure_slot,
                level,
                price,
            } => {
                record = ArrivalRecord {
                    served: true,
                    level,
                    reduction_kwh: target_kwh - agreed,
                    reduction_pct: if session.battery_kwh > 0.0 {
                        100.0 * (target_kwh - agreed) / session.battery_kwh
                    } else {
                        0.0
                    },
                    delay_slots: departure_slot as i64 - session.departure_slot as i64,
                    price: Some(price),
                    target_kwh: agreed,
                    departure_slot,
                    ..record
                };
                self.t.clipped += session.requested_energy_kwh - target_kwh;
                u.served += 1;
                if let Some(l) = level {
                    if u.levels.len() <= l {
                        u.levels.resize(l + 1, 0);
                    }
                    u.levels[l] += 1;
                }
            }
        }
        u.records.push(record);
    }

    /// A charging decision taken in `seconds`.
    pub fn decision(&mut self, decision: &Decision, seconds: f64) {
        let t = &mut self.t;
        t.times.push(seconds);
        t.decisions += 1;
        t.lp_solves += decision.lp_solves;
        t.lp_seconds += decision.solver_seconds;
        t.fallbacks += usize::from(decision.fallback);
        if let Some(f) = &decision.forecast {
            *t.forecasts.entry(f.clone()).or_default() += 1;
        }
    }

    /// One EV's request as the plant applied it: clamps, discharge and degradation.
    pub fn applied(&mut self, a: &Applied) {
        let t = &mut self.t;
        let change = (a.applied_kw - a.requested_kw).abs();
        if change > 1e-6 {
            t.clamps += 1;
            t.max_clamp = t.max_clamp.max(change);
        }
        if a.applied_kw < 0.0 {
            let cost = self.penalties.degradation_usd_per_kwh * -a.applied_kw * self.slot_hours;
            t.discharged += -a.applied_kw * self.slot_hours;
            t.degradation += cost;
            self.month().degradation_usd += cost;
        }
    }

    /// Slot `k` ended with the site importing `building_kw + ev_kw`.
    pub fn slot(&mut self, k: usize, building_kw: f64, ev_kw: f64) {
        let grid = building_kw + ev_kw;
        let date = self.day().date;
        let start = match self.walls.get(k) {
            Some(&m) => m,
            None => self.tariff.wall_minutes(date, k),
        };
        let cost = self.tariff.grid_cost_at(date, start, grid);
        let charged: Vec<bool> = (0..self.tariff.demand.len())
            .map(|c| self.tariff.demand_applies_at(c, date, start))
            .collect();
        let mut dr_penalty = 0.0;
        for (e, exceeded) in self.dr_events.iter().zip(&mut self.dr_exceeded) {
            if e.covers(date, start) && grid > e.firm_kw + 1e-9 {
                *exceeded = true;
                dr_penalty += e.penalty_usd_per_kwh * (grid - e.firm_kw) * self.slot_hours;
            }
        }
        self.month().dr_penalty_usd += dr_penalty;
        let report = self.day();
        report.ev_kw[k] = ev_kw;
        report.energy_cost_usd += cost;
        if charged.first() == Some(&true) {
            report.peak_kw = report.peak_kw.max(grid);
        }
        let month = self.month();
        if cost < 0.0 {
            month.export_credit_usd -= cost;
        }
        for (d, _) in month.demand.iter_mut().zip(&charged).filter(|(_, &c)| c) {
            d.peak_kw = d.peak_kw.max(grid);
        }
        month.peak_kw = month.demand.first().map_or(0.0, |d| d.peak_kw);
    }

    /// Closes the current day: its energy cost and the month's demand charge so far.
    pub fn end_day(&mut self) {
        let date = self.days.last().expect("begin_day opens a day").date;
        let incentive: f64 = self
            .dr_events
            .iter()
            .zip(&self.dr_exceeded)
            .filter(|(e, &exceeded)| e.date == date && !exceeded)
            .map(|(e, _)| e.incentive_usd())
            .sum();
        self.month().dr_incentive_usd += incentive;
        let report = self.days.last().expect("begin_day opens a day");
        let (energy, missing, below, delivered) = (
            report.energy_cost_usd,
            report.missing_soc_kwh,
            report.cars_below_target,
            report.delivered_kwh,
        );
        let (arrivals, rejected) = (report.arrivals, report.rejected_sessions);
        let rates: Vec<f64> = self.tariff.demand.iter().map(|d| d.usd_per_kw).collect();
        self.day_open = false;
        let month = self.month();
        month.energy_cost_usd += energy;
        for (d, rate) in month.demand.iter_mut().zip(rates) {
            d.usd = rate * d.peak_kw;
        }
        month.demand_cost_usd = month.demand.iter().map(|d| d.usd).sum();
        let t = &mut self.t;
        t.missing += missing;
        t.below += below;
        t.delivered += delivered;
        t.arrivals += arrivals;
        t.rejected += rejected;
    }

    /// Closes the current month (if any): bills its building load alone
    /// ([`MonthReport::building_only_usd`], with the tariff's own [`Tariff::bill`]), settles its
    /// escrowed credits, and starts a fresh book for the next one.
    fn close_month(&mut self) {
        let Some(month) = self.months.last() else {
            return;
        };
        let days: Vec<(Date, Vec<f64>)> = self
            .days
            .iter()
            .filter(|d| (d.date.year, d.date.month) == (month.year, month.month))
            .map(|d| (d.date, d.building_kw.clone()))
            .collect();
        let alone = self
            .tariff
            .bill(&days)
            .expect("a scenario's days have its tariff's slots (Scenario validates it)");
        self.month().building_only_usd = alone.total_usd();
        self.settle_month();
        self.book = MonthBook::default();
    }

    /// Pays the current month's escrowed credits out of its realized surplus: the charges
    /// collected minus what the EVs added to the building's costs against its own load alone.
    /// Every credit gets the same share of its promise, so the credits paid never exceed the
    /// surplus and the building ends any month in which it pays a credit no worse off than
    /// without EVs.
    fn settle_month(&mut self) {
        let escrow = std::mem::take(&mut self.book.escrow);
        let promised: f64 = escrow.iter().map(|(_, c)| c).sum();
        let Some(month) = self.months.last_mut() else {
            return;
        };
        if promised <= 0.0 {
            return;
        }
        let surplus = self.book.charges - month.ev_added_cost_usd();
        let share = (surplus.max(0.0) / promised).min(1.0);
        for (i, c) in escrow {
            let paid = share * c;
            self.sessions[i].paid_usd = -paid;
            month.payments_usd -= paid;
            month.credits_paid_usd += paid;
            self.u.payments -= paid;
        }
    }

    /// The episode's report.
    pub fn finish(mut self, policy: String, arrival_policy: String) -> EpisodeReport {
        self.close_month();
        let (t, u) = (self.t, self.u);
        let energy: f64 = self.months.iter().map(|m| m.energy_cost_usd).sum();
        let demand: f64 = self.months.iter().map(|m| m.demand_cost_usd).sum();
        let dr_penalty: f64 = self.months.iter().map(|m| m.dr_penalty_usd).sum();
        let dr_incentive: f64 = self.months.iter().map(|m| m.dr_incentive_usd).sum();
        let timing = Timing::of(&t.times);
        let users = UserReport {
            arrival_policy,
            served: u.served,
            declined: u.declined,
            no_charger: t.rejected,
            reject_pct: if t.arrivals == 0 {
                0.0
            } else {
                100.0 * (t.rejected + u.declined) as f64 / t.arrivals as f64
            },
            payments_usd: u.payments,
            energy_kwh: u.energy,
            user_cost_usd_per_kwh: if u.energy > 0.0 {
                u.payments / u.energy
            } else {
                0.0
            },
            levels_chosen: u.levels,
            arrival_seconds: Timing::of(&u.times),
            lp_solves: u.lp_solves,
            records: u.records,
        };
        EpisodeReport {
            policy,
            building_cost_usd: energy + demand + t.compensation + t.degradation + dr_penalty
                - dr_incentive
                - u.payments,
            dr_penalty_usd: dr_penalty,
            dr_incentive_usd: dr_incentive,
            energy_cost_usd: energy,
            demand_cost_usd: demand,
            compensation_usd: t.compensation,
            degradation_usd: t.degradation,
            payments_usd: u.payments,
            users,
            peak_kw: self.months.iter().map(|m| m.peak_kw).fold(0.0, f64::max),
            missing_soc_kwh: t.missing,
            cars_below_target: t.below,
            arrivals: t.arrivals,
            rejected_sessions: t.rejected,
            delivered_kwh: t.delivered,
            discharged_kwh: t.discharged,
            clipped_request_kwh: t.clipped,
            decisions: t.decisions,
            lp_solves: t.lp_solves,
            lp_solve_seconds: t.lp_seconds,
            decision_seconds: timing,
            seconds_per_decision: timing.mean,
            fallbacks: t.fallbacks,
            forecasts: t.forecasts,
            clamps: t.clamps,
            max_clamp_kw: t.max_clamp,
            months: self.months,
            days: self.days,
            sessions: self.sessions,
        }
    }
}
