//! `evmech two-stage`: the JSON contract of the two-stage reservation market.

use crate::input_error::{read_json, InputError};
use crate::json_num::num;
use evmech_mechanisms::realtime::{Refund, TieBreak};
use evmech_mechanisms::two_stage::{
    PostedPriceOptions, RealTimeRule, TwoStage, TwoStageOutcome, TwoStageReport,
};
use evmech_mechanisms::vcg::ReserveRule;
use evmech_mechanisms::Valuation;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    sessions: Vec<String>,
    evs: Vec<EvInput>,
    #[serde(default)]
    rt: RtInput,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvInput {
    id: String,
    #[serde(default)]
    da_values: Option<Map<String, Value>>,
    #[serde(default)]
    rt_values: Map<String, Value>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum MechanismName {
    #[default]
    PostedPrice,
    VcgScratch,
    VcgEndowment,
    None,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Swaps {
    #[default]
    None,
    TradingCycles,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RtInput {
    #[serde(default)]
    mechanism: MechanismName,
    #[serde(default)]
    reserve: ReserveRule,
    #[serde(default)]
    swaps: Option<Swaps>,
    #[serde(default)]
    order: Option<Vec<String>>,
    #[serde(default)]
    tie_break: TieBreak,
    #[serde(default)]
    refund: Refund,
}

/// Reads, validates and runs one instance file; returns the outcome JSON.
pub fn run_file(path: &Path) -> Result<String, InputError> {
    let input: Input = read_json(path)?;
    let field = |field: String, message: String| InputError::field(path, field, message);
    let (market, reports) = validate(&input).map_err(|(f, m)| field(f, m))?;
    let outcome = market.run_detailed(&reports)?;
    Ok(render(&input, &outcome).to_string())
}

type FieldError = (String, String);

fn validate(input: &Input) -> Result<(TwoStage, Vec<TwoStageReport>), FieldError> {
    let sessions = &input.sessions;
    for (k, name) in sessions.iter().enumerate() {
        if sessions[..k].contains(name) {
            return Err((
                format!("sessions[{k}]"),
                format!("duplicate session {name:?}"),
            ));
        }
    }
    let mut reports = Vec::with_capacity(input.evs.len());
    for (i, ev) in input.evs.iter().enumerate() {
        if input.evs[..i].iter().any(|other| other.id == ev.id) {
            return Err((
                format!("evs[{i}].id"),
                format!("duplicate EV id {:?}", ev.id),
            ));
        }
        let day_ahead = match &ev.da_values {
            Some(map) => Some(valuation(sessions, map, &format!("evs[{i}].da_values"))?),
            None => None,
        };
        let real_time = valuation(sessions, &ev.rt_values, &format!("evs[{i}].rt_values"))?;
        reports.push(TwoStageReport {
            day_ahead,
            real_time,
        });
    }
    let rt = &input.rt;
    let swaps = rt.swaps.unwrap_or_default();
    let rule = match (rt.mechanism, swaps) {
        (MechanismName::PostedPrice, Swaps::None) => {
            RealTimeRule::PostedPrice(PostedPriceOptions {
                refund: rt.refund,
                ..PostedPriceOptions::default()
            })
        }
        (MechanismName::PostedPrice, Swaps::TradingCycles) => RealTimeRule::TradingCycles {
            tie_break: rt.tie_break,
        },
        (_, Swaps::TradingCycles) => {
            return Err((
                "rt.swaps".into(),
                "trading-cycles applies only to the posted-price mechanism".into(),
            ))
        }
        (MechanismName::VcgScratch, Swaps::None) => RealTimeRule::VcgScratch,
        (MechanismName::VcgEndowment, Swaps::None) => RealTimeRule::VcgEndowment,
        (MechanismName::None, Swaps::None) => RealTimeRule::None,
    };
    let mut market = TwoStage::new(sessions.len(), rt.reserve, rule);
    if let Some(order) = &rt.order {
        let order = order_indices(input, order)?;
        market = market
            .with_order(order)
            .map_err(|e| ("rt.order".to_string(), e.to_string()))?;
    }
    Ok((market, reports))
}

fn valuation(
    sessions: &[String],
    map: &Map<String, Value>,
    at: &str,
) -> Result<Valuation, FieldError> {
    let mut values = vec![0.0; sessions.len()];
    for (name, value) in map {
        let here = format!("{at}.{name}");
        let Some(k) = sessions.iter().position(|s| s == name) else {
            return Err((here, format!("unknown session {name:?}")));
        };
        let x = value
            .as_f64()
            .ok_or_else(|| (here.clone(), format!("expected a number, found {value}")))?;
        if !x.is_finite() || x < 0.0 {
            return Err((
                here,
                format!("value must be finite and non-negative, got {x}"),
            ));
        }
        values[k] = x;
    }
    Valuation::new(values).map_err(|e| (at.to_string(), e.to_string()))
}

fn order_indices(input: &Input, order: &[String]) -> Result<Vec<usize>, FieldError> {
    let mut seen = vec![false; input.evs.len()];
    let mut out = Vec::with_capacity(order.len());
    for (j, id) in order.iter().enumerate() {
        let here = format!("rt.order[{j}]");
        let Some(i) = input.evs.iter().position(|ev| &ev.id == id) else {
            return Err((here, format!("unknown EV {id:?}")));
        };
        if std::mem::replace(&mut seen[i], true) {
            return Err((here, format!("EV {id:?} appears twice")));
        }
        out.push(i);
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err((
            "rt.order".into(),
            format!("must list every EV once; {:?} is missing", input.evs[i].id),
        ));
    }
    Ok(out)
}

fn per_ev(input: &Input, values: impl Iterator<Item = Value>) -> Value {
    Value::Object(
        input
            .evs
            .iter()
            .map(|ev| ev.id.clone())
            .zip(values)
            .collect(),
    )
}

fn sessions_of(input: &Input, alloc: &[Option<usize>]) -> Value {
    per_ev(
        input,
        alloc
            .iter()
            .map(|a| a.map_or(Value::Null, |k| Value::from(input.sessions[k].clone()))),
    )
}

fn render(input: &Input, out: &TwoStageOutcome) -> Value {
    let da = &out.day_ahead;
    let rt = &out.real_time;
    let reserve: Map<String, Value> = input
        .sessions
        .iter()
        .cloned()
        .zip(da.reserve_prices.iter().map(|&p| num(p)))
        .collect();
    serde_json::json!({
        "day_ahead": {
            "allocation": sessions_of(input, &da.allocation),
            "payments": per_ev(input, da.payments.iter().map(|&p| num(p))),
            "reserve_prices": reserve,
            "welfare": num(da.welfare),
        },
        "real_time": {
            "allocation": sessions_of(input, &rt.allocation),
            "payments": per_ev(input, rt.payments.iter().map(|&p| num(p))),
            "welfare": num(rt.welfare),
            "optimal_welfare": num(rt.optimal_welfare),
            "revenue": num(rt.revenue),
            "reservation_awareness_slack":
                per_ev(input, rt.reservation_awareness_slack.iter().map(|&s| num(s))),
        }
    })
}
