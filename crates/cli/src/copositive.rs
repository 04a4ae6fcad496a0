//! `evmech copositive`: the JSON contract of copositive-duality pricing.

use crate::input_error::{parse_json, read_json, InputError};
use crate::json_num::num;
use evmech_copositive::{
    best_responses, ip_pricing, lp_relaxation, price, tou, InnerCone, LiftKind, PaymentRule,
    Pricing, PricingOptions, SolveStatus, Tariff, Tightening,
};
use evmech_copositive::{BranchBudget, ConeSettings, CouplingPrice, Method};
use evmech_milp_model::{EvSpec, Instance, InstanceSpec, RowName, Station};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::path::Path;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Cone {
    /// PSD + NN, then branching while the gap exceeds the tolerance.
    #[default]
    Auto,
    PsdNn,
    Polyhedral,
    #[serde(rename = "k1")]
    K1,
    Branch,
    /// Sparse PSD + NN (sparse lift, chordal cones), then branching while loose.
    Sparse,
    /// Sparse PSD + NN alone.
    SparsePsdNn,
    /// LP certificates over the linear lift, then branching while loose.
    Linear,
}

impl Cone {
    /// The lift a cone uses when the input names none.
    fn default_lift(self) -> LiftKind {
        match self {
            Cone::Sparse | Cone::SparsePsdNn => LiftKind::Sparse,
            Cone::Linear => LiftKind::Linear,
            _ => LiftKind::Reduced,
        }
    }

    fn options(self) -> (InnerCone, Tightening) {
        match self {
            Cone::Sparse => (InnerCone::SparsePsdNn, Tightening::Auto),
            Cone::SparsePsdNn => (InnerCone::SparsePsdNn, Tightening::Off),
            Cone::Auto => (InnerCone::PsdNn, Tightening::Auto),
            Cone::PsdNn => (InnerCone::PsdNn, Tightening::Off),
            Cone::Polyhedral => (InnerCone::Polyhedral, Tightening::Off),
            Cone::K1 => (InnerCone::K1, Tightening::Off),
            Cone::Branch => (InnerCone::PsdNn, Tightening::Branch),
            Cone::Linear => (InnerCone::Linear, Tightening::Auto),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    slot_hours: f64,
    energy_price: Vec<f64>,
    stations: Vec<Station>,
    evs: Vec<EvSpec>,
    #[serde(default)]
    cone: Cone,
    #[serde(default)]
    lift: Option<LiftKind>,
    #[serde(default)]
    payment: PaymentRule,
    #[serde(default)]
    time_limit_s: Option<f64>,
    #[serde(default)]
    solver_threads: Option<u32>,
}

/// Reads, validates and prices one instance file; returns the result JSON.
pub fn run_file(path: &Path) -> Result<String, InputError> {
    let input: Input = read_json(path)?;
    run_input(path, input)
}

/// [`run_file`] of a JSON document in memory; `label` names it in errors.
pub fn run_text(label: &Path, text: &str) -> Result<String, InputError> {
    let input: Input = parse_json(label, text)?;
    run_input(label, input)
}

/// Reads and validates an instance in memory without pricing it: what the command checks before
/// any solver runs.
pub fn check_text(label: &Path, text: &str) -> Result<(), InputError> {
    let input: Input = parse_json(label, text)?;
    instance(label, input).map(|_| ())
}

/// How the input asks for its instance to be priced.
struct Options {
    cone: Cone,
    lift: LiftKind,
    payment: PaymentRule,
    time_limit_s: Option<f64>,
    solver_threads: u32,
}

/// The validated instance of `input` and the options it asks for.
fn instance(path: &Path, input: Input) -> Result<(Instance, Options), InputError> {
    let field = |field: String, message: String| InputError::field(path, field, message);
    let Input {
        slot_hours,
        energy_price,
        stations,
        evs,
        cone,
        lift,
        payment,
        time_limit_s,
        solver_threads,
    } = input;
    if solver_threads == Some(0) {
        return Err(field(
            "solver_threads".into(),
            "must be at least 1 (threads of one conic solve)".into(),
        ));
    }
    if cone == Cone::Linear && lift.is_some_and(|l| l != LiftKind::Linear) {
        return Err(field(
            "lift".into(),
            "cone \"linear\" certifies the linear lift only: give lift \"linear\" or none".into(),
        ));
    }
    if let Some(t) = time_limit_s {
        if !(t.is_finite() && t > 0.0) {
            return Err(field(
                "time_limit_s".into(),
                format!("must be a positive number of seconds, got {t}"),
            ));
        }
    }
    let instance = Instance::new(InstanceSpec {
        slot_hours,
        energy_price,
        stations,
        evs,
    })
    .map_err(|e| match e {
        evmech_milp_model::Error::InvalidField { field: f, reason } => field(f, reason),
        other => field("instance".into(), other.to_string()),
    })?;
    Ok((
        instance,
        Options {
            cone,
            lift: lift.unwrap_or(cone.default_lift()),
            payment,
            time_limit_s,
            solver_threads: solver_threads.unwrap_or(1),
        },
    ))
}

fn run_input(path: &Path, input: Input) -> Result<String, InputError> {
    let (instance, asked) = instance(path, input)?;
    let (cone_kind, tightening) = asked.cone.options();
    let options = PricingOptions {
        cone_kind,
        tightening,
        lift: asked.lift,
        time_limit_s: asked.time_limit_s,
        // A run budget is also the branching's: regions are split while it lasts.
        branch_budget: BranchBudget {
            time_limit_s: asked
                .time_limit_s
                .unwrap_or(BranchBudget::default().time_limit_s),
            ..BranchBudget::default()
        },
        cone: ConeSettings {
            threads: asked.solver_threads,
            ..ConeSettings::default()
        },
        ..PricingOptions::default()
    };
    let pricing = price(&instance, &options)?;
    Ok(render(&pricing, asked.payment)?.to_string())
}

fn per_ev(p: &Pricing, values: impl Iterator<Item = Value>) -> Value {
    Value::Object(
        p.model
            .instance()
            .evs()
            .iter()
            .map(|ev| ev.id.clone())
            .zip(values)
            .collect(),
    )
}

/// A conic or LP status as the JSON contract names it: `solved` for a full-accuracy optimum (the
/// name the contract had before the solver statuses were unified), the status's own kebab-case
/// name otherwise (`inaccurate`).
fn conic_status(status: SolveStatus) -> Value {
    match status {
        SolveStatus::Optimal => Value::from("solved"),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

fn tariff_report(p: &Pricing, tariff: &Tariff) -> Result<Value, InputError> {
    let x = &p.plan.x;
    let n = p.model.instance().evs().len();
    let gains = best_responses(p, tariff)?;
    Ok(json!({
        "payments": per_ev(p, (0..n).map(|i| num(p.payment(tariff, i, x)))),
        "net_utility": per_ev(p, (0..n).map(|i| num(p.net_utility(tariff, i, x)))),
        "max_deviation_gain": per_ev(p, gains.iter().map(|g| num(g.gain))),
        "deviation_undecided_stations": per_ev(p, gains.iter().map(|g| {
            json!(g.undecided_stations.iter().map(|&s| p.model.instance().stations()[s].id.clone()).collect::<Vec<_>>())
        })),
        "operator_surplus": num(p.operator_surplus(tariff)),
    }))
}

fn render(p: &Pricing, rule: PaymentRule) -> Result<Value, InputError> {
    let inst = p.model.instance();
    let station_id = |s: usize| inst.stations()[s].id.clone();
    let threshold = 1e-9 * p.welfare.abs().max(1.0);
    let price_json = |c: &CouplingPrice, rho: f64, eta: f64| {
        let (row, station, slot) = match c.row {
            RowName::Power { station, slot } => ("power", Some(station_id(station)), slot),
            RowName::Evse { station, slot } => ("evse", Some(station_id(station)), slot),
            RowName::SitePower { slot } => ("site-power", None, slot),
            _ => unreachable!("only coupling rows carry prices"),
        };
        json!({"row": row, "station": station, "slot": slot, "rho": num(rho), "eta": num(eta)})
    };
    let prices: Vec<Value> = p
        .prices
        .iter()
        .filter(|c| c.rho > threshold || c.eta > threshold)
        .map(|c| price_json(c, c.rho, c.eta))
        .collect();
    let regions: Vec<Value> = p
        .regions
        .iter()
        .map(|r| {
            let choices: Map<String, Value> = r
                .choices
                .iter()
                .map(|&(n, s)| {
                    (
                        inst.evs()[n].id.clone(),
                        s.map_or(Value::Null, |s| Value::from(station_id(s))),
                    )
                })
                .collect();
            let mut excluded: Map<String, Value> = Map::new();
            for &(n, s) in &r.excluded {
                let out = excluded
                    .entry(inst.evs()[n].id.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = out {
                    list.push(s.map_or(Value::Null, |s| Value::from(station_id(s))));
                }
            }
            let prices: Vec<Value> = r
                .prices
                .iter()
                .filter(|q| q.rho > threshold || q.eta > threshold)
                .map(|q| price_json(&p.prices[q.index], q.rho, q.eta))
                .collect();
            json!({"component": r.component, "choices": choices, "excluded": excluded,
                   "bound": num(r.bound),
                   "status": conic_status(r.status),
                   "contains_optimum": r.contains_optimum, "prices": prices})
        })
        .collect();
    let closed_by = p
        .components
        .iter()
        .map(|c| c.method)
        .max_by_key(|m| *m == Method::Branch)
        .map_or(Value::Null, |m| {
            serde_json::to_value(m).expect("method serialises")
        });
    let cmp = tariff_report(p, &rule.tariff())?;
    let mut benchmarks = Map::new();
    benchmarks.insert("tou".into(), tariff_report(p, &tou(p).tariff)?);
    let lp = lp_relaxation(p)?;
    let ip = ip_pricing(p)?;
    for bench in [lp, ip] {
        let mut report = tariff_report(p, &bench.tariff)?;
        report["status"] = conic_status(bench.status);
        benchmarks.insert(bench.name.into(), report);
    }
    let c = &p.certificate;
    Ok(json!({
        "status": conic_status(p.status),
        "milp_status": serde_json::to_value(p.milp_status).expect("status serialises"),
        "payment_rule": serde_json::to_value(rule).expect("rule serialises"),
        "welfare": num(p.welfare),
        "dual_bound": num(p.dual_bound),
        "gap": num(p.gap),
        "exact": p.exact,
        "stopped_by": serde_json::to_value(p.stopped_by).expect("reason serialises"),
        "tolerance": num(p.tolerance),
        "epsilon_ir": num(p.epsilon_ir),
        "method": closed_by,
        "regions": regions,
        "assignment": per_ev(p, p.plan.assignment.iter().map(|a| a.map_or(Value::Null, |s| Value::from(station_id(s))))),
        "energy": per_ev(p, p.plan.energy_kwh.iter().map(|e| Value::from(e.iter().map(|&x| num(x)).collect::<Vec<_>>()))),
        "prices": prices,
        "payments": cmp["payments"],
        "net_utility": cmp["net_utility"],
        "max_deviation_gain": cmp["max_deviation_gain"],
        "deviation_undecided_stations": cmp["deviation_undecided_stations"],
        "operator_surplus": cmp["operator_surplus"],
        "certificate": {
            "min_eig_psd": num(c.min_eig_psd),
            "min_nn": num(c.min_nn),
            "gap": num(c.gap),
            "y_s_y": num(c.y_s_y),
            "min_raw_price": num(c.min_raw_price),
            "max_complementarity": num(c.max_complementarity),
        },
        "components": p.components.iter().map(|r| json!({
            "evs": r.evs.iter().map(|&n| inst.evs()[n].id.clone()).collect::<Vec<_>>(),
            "n1": r.n1, "coupling_rows": r.coupling_rows, "attempts": r.attempts, "method": serde_json::to_value(r.method).expect("method serialises"), "cone": serde_json::to_value(r.cone).expect("cone serialises"), "regions": r.regions, "status": conic_status(r.status),
            "stopped_by": serde_json::to_value(r.stopped_by).expect("reason serialises"),
            "solver_status": conic_status(r.solver_status), "repair": num(r.repair),
            "bound": num(r.bound), "welfare": num(r.welfare), "solve_seconds": r.solve_seconds,
        })).collect::<Vec<_>>(),
        "solve_seconds": p.solve_seconds,
        "solver_units": {
            "money_usd": num(p.solver_units.money_usd),
            "energy_kwh": num(p.solver_units.energy_kwh),
        },
        "benchmarks": benchmarks,
    }))
}
