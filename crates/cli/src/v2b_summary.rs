//! The per-policy objects of `summary.json` for `v2b compare`, and the per-month parts
//! `v2b negotiate` shares.

use crate::json_num::num;
use evmech_v2b_control::{EpisodeReport, MonthReport, SessionStatus};
use serde_json::{json, Map, Value};

/// The `summary.json` object: one entry per policy, with the contract's fields first.
pub fn summary_json(reports: &[EpisodeReport]) -> Value {
    let max_charge_peak = reports
        .iter()
        .find(|r| r.policy == "maxcharge")
        .map(|r| r.peak_kw);
    let mut out = Map::new();
    for r in reports {
        let mut o = Map::new();
        o.insert("building_cost_usd".into(), num(r.building_cost_usd));
        // A bound that reads the future (the Oracle, hindsight futures), never a live result.
        o.insert("hindsight".into(), json!(r.hindsight()));
        o.insert("energy_cost_usd".into(), num(r.energy_cost_usd));
        o.insert("demand_cost_usd".into(), num(r.demand_cost_usd));
        o.insert("peak_kw".into(), num(r.peak_kw));
        o.insert("missing_soc_kwh".into(), num(r.missing_soc_kwh));
        o.insert("cars_below_target".into(), json!(r.cars_below_target));
        o.insert("rejected_sessions".into(), json!(r.rejected_sessions));
        o.insert("decisions".into(), json!(r.decisions));
        o.insert("seconds_per_decision".into(), num(r.seconds_per_decision));
        o.insert("fallbacks".into(), json!(r.fallbacks));
        o.insert("compensation_usd".into(), num(r.compensation_usd));
        o.insert("degradation_usd".into(), num(r.degradation_usd));
        o.insert(
            "peak_shaving_kw".into(),
            max_charge_peak.map_or(Value::Null, |p| num(p - r.peak_kw)),
        );
        o.insert("arrivals".into(), json!(r.arrivals));
        o.insert("delivered_kwh".into(), num(r.delivered_kwh));
        o.insert("discharged_kwh".into(), num(r.discharged_kwh));
        o.insert("clipped_request_kwh".into(), num(r.clipped_request_kwh));
        o.insert("lp_solves".into(), json!(r.lp_solves));
        o.insert("decision_seconds_p95".into(), num(r.decision_seconds.p95));
        o.insert("decision_seconds_max".into(), num(r.decision_seconds.max));
        o.insert("clamps".into(), json!(r.clamps));
        o.insert("forecasts".into(), json!(r.forecasts));
        o.insert("export_usd".into(), num(-export_credit(r)));
        o.insert("dr_penalty_usd".into(), num(r.dr_penalty_usd));
        o.insert("dr_incentive_usd".into(), num(r.dr_incentive_usd));
        o.insert("months".into(), months_json(r));
        o.insert("over_months".into(), over_months_json(r));
        out.insert(r.policy.clone(), Value::Object(o));
    }
    Value::Object(out)
}

pub(crate) fn export_credit(r: &EpisodeReport) -> f64 {
    r.months.iter().map(|m| m.export_credit_usd).sum()
}

/// One object per billing month: `month` (`"2019-11"`), `energy_usd` (imports), `demand_usd`
/// (keyed by the demand charge's name), `export_usd` (minus what exports earned),
/// `dr_penalty_usd` and `dr_incentive_usd` (the site's demand-response events), `days`, and
/// the month's `building_cost_usd`, `compensation_usd`, `degradation_usd`, `payments_usd`,
/// `missing_soc_kwh`. Summed over months they give the policy's totals.
pub(crate) fn months_json(r: &EpisodeReport) -> Value {
    let months: Vec<Value> = r
        .months
        .iter()
        .map(|m| {
            let demand: Map<String, Value> = m
                .demand
                .iter()
                .map(|d| (d.name.clone(), num(d.usd)))
                .collect();
            json!({
                "month": format!("{:04}-{:02}", m.year, m.month),
                "days": m.days,
                "energy_usd": num(m.energy_cost_usd + m.export_credit_usd),
                "demand_usd": demand,
                "export_usd": num(-m.export_credit_usd),
                "dr_penalty_usd": num(m.dr_penalty_usd),
                "dr_incentive_usd": num(m.dr_incentive_usd),
                "building_cost_usd": num(m.building_cost_usd()),
                "compensation_usd": num(m.compensation_usd),
                "degradation_usd": num(m.degradation_usd),
                "payments_usd": num(m.payments_usd),
                "missing_soc_kwh": num(m.missing_soc_kwh),
                "peak_kw": num(m.peak_kw),
                "users": month_users_json(r, m),
            })
        })
        .collect();
    Value::Array(months)
}

/// Mean and sample standard deviation over billing months (the form of the CONSENT paper's
/// multi-month tables): `{"months": n, "building_cost_usd": {"mean", "sd"}, "energy_usd",
/// "demand_usd", "missing_soc_kwh", "peak_kw", "monthly_user_cost_usd",
/// "user_cost_usd_per_kwh", "reject_pct"}`; `sd` is 0 for one month.
pub(crate) fn over_months_json(r: &EpisodeReport) -> Value {
    let mean_sd = |xs: Vec<f64>| {
        let (mean, sd) = evmech_lab::stats::mean_sd(&xs);
        json!({"mean": num(mean), "sd": num(sd)})
    };
    let stat = |f: &dyn Fn(&MonthReport) -> f64| mean_sd(r.months.iter().map(f).collect());
    let month_users: Vec<MonthUsers> = r.months.iter().map(|m| MonthUsers::of(r, m)).collect();
    let users = |f: &dyn Fn(&MonthUsers, &MonthReport) -> f64| {
        mean_sd(
            month_users
                .iter()
                .zip(&r.months)
                .map(|(u, m)| f(u, m))
                .collect(),
        )
    };
    json!({
        "months": r.months.len(),
        "building_cost_usd": stat(&|m| m.building_cost_usd()),
        "energy_usd": stat(&|m| m.energy_cost_usd + m.export_credit_usd),
        "demand_usd": stat(&|m| m.demand_cost_usd),
        "missing_soc_kwh": stat(&|m| m.missing_soc_kwh),
        "peak_kw": stat(&|m| m.peak_kw),
        "monthly_user_cost_usd": stat(&|m| m.payments_usd),
        "user_cost_usd_per_kwh": users(&|u, m| u.usd_per_kwh(m)),
        "reject_pct": users(&|u, _| u.reject_pct()),
    })
}

/// The users of one billing month, counted from the episode's sessions by arrival date.
struct MonthUsers {
    arrivals: usize,
    rejected: usize,
    energy_kwh: f64,
}

impl MonthUsers {
    fn of(r: &EpisodeReport, m: &MonthReport) -> Self {
        let mine = r
            .sessions
            .iter()
            .filter(|s| (s.date.year, s.date.month) == (m.year, m.month));
        let mut u = MonthUsers {
            arrivals: 0,
            rejected: 0,
            energy_kwh: 0.0,
        };
        for s in mine {
            u.arrivals += 1;
            match s.status {
                SessionStatus::Served => u.energy_kwh += s.delivered_kwh.max(0.0),
                SessionStatus::Declined | SessionStatus::NoCharger => u.rejected += 1,
            }
        }
        u
    }

    /// Payments per kWh added (0 without energy), as the episode's `user_cost_usd_per_kwh`.
    fn usd_per_kwh(&self, m: &MonthReport) -> f64 {
        if self.energy_kwh > 0.0 {
            m.payments_usd / self.energy_kwh
        } else {
            0.0
        }
    }

    /// `100 (no charger + declined) / arrivals` (0 without arrivals).
    fn reject_pct(&self) -> f64 {
        if self.arrivals == 0 {
            0.0
        } else {
            100.0 * self.rejected as f64 / self.arrivals as f64
        }
    }
}

/// The `users` object of one month in `months`: arrivals, rejects, energy, price per kWh.
fn month_users_json(r: &EpisodeReport, m: &MonthReport) -> Value {
    let u = MonthUsers::of(r, m);
    json!({
        "arrivals": u.arrivals,
        "rejected": u.rejected,
        "reject_pct": num(u.reject_pct()),
        "energy_kwh": num(u.energy_kwh),
        "payments_usd": num(m.payments_usd),
        "user_cost_usd_per_kwh": num(u.usd_per_kwh(m)),
    })
}
