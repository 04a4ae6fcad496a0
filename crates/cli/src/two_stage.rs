//! `evmech two-stage`: the JSON contract of the two-stage reservation market.

use crate::input_error::{parse_json_typed, read_json_typed, InputError};
use crate::json_num::num;
use evmech_mechanisms::realtime::{Refund, TieBreak};
use evmech_mechanisms::two_stage::{
    PostedPriceOptions, RealTimeRule, TwoStage, TwoStageOutcome, TwoStageReport,
};
use evmech_mechanisms::vcg::ReserveRule;
use evmech_mechanisms::Valuation;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    sessions: Vec<String>,
    evs: Vec<EvInput>,
    /// Dense day-ahead values: one row per EV (in `evs` order, `null` for an EV that did not
    /// bid), one column per session (in `sessions` order). Instead of the EVs' `da_values`.
    #[serde(default)]
    da_matrix: Option<Vec<Option<Vec<f64>>>>,
    /// Dense real-time values, as `da_matrix` (no `null` rows). Instead of `rt_values`.
    #[serde(default)]
    rt_matrix: Option<Vec<Vec<f64>>>,
    #[serde(default)]
    rt: RtInput,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvInput {
    id: String,
    #[serde(default)]
    da_values: Option<SessionValues>,
    #[serde(default)]
    rt_values: Option<SessionValues>,
}

/// A `{session: value}` map read straight into one buffer of names and a list of values: no
/// intermediate JSON values and no allocation per name (a 2000 x 2000 file has 8 million);
/// non-numbers are refused by the parser with their path.
#[derive(Debug, Default)]
struct SessionValues {
    /// The names, end to end.
    names: String,
    /// Each entry's end in `names`, and its value.
    entries: Vec<(usize, f64)>,
}

impl SessionValues {
    /// The entries in file order.
    fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        let mut start = 0;
        self.entries.iter().map(move |&(end, x)| {
            let name = &self.names[start..end];
            start = end;
            (name, x)
        })
    }
}

impl<'de> Deserialize<'de> for SessionValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SessionValues;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object mapping session names to numbers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SessionValues, A::Error> {
                let mut out = SessionValues::default();
                out.entries.reserve(map.size_hint().unwrap_or(0));
                while map.next_key_seed(AppendName(&mut out.names))?.is_some() {
                    let x: f64 = map.next_value()?;
                    out.entries.push((out.names.len(), x));
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// Reads a map key by appending it to a buffer (a seed: the key is never its own `String`).
struct AppendName<'a>(&'a mut String);

impl<'de> serde::de::DeserializeSeed<'de> for AppendName<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AppendName<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a session name")
    }
    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<(), E> {
        self.0.push_str(name);
        Ok(())
    }
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
    // Every struct of `Input` refuses a repeated field and `SessionValues` a repeated session.
    let input: Input = read_json_typed(path)?;
    run_input(path, &input)
}

/// [`run_file`] of a JSON document in memory; `label` names it in errors.
pub fn run_text(label: &Path, text: &str) -> Result<String, InputError> {
    let input: Input = parse_json_typed(label, text)?;
    run_input(label, &input)
}

fn run_input(path: &Path, input: &Input) -> Result<String, InputError> {
    let field = |field: String, message: String| InputError::field(path, field, message);
    let (market, reports) = validate(input).map_err(|(f, m)| field(f, m))?;
    let outcome = market.run_detailed(&reports)?;
    Ok(render(input, &outcome).to_string())
}

type FieldError = (String, String);

fn validate(input: &Input) -> Result<(TwoStage, Vec<TwoStageReport>), FieldError> {
    // Hash lookups keep reading linear in the file's size (a 2000 x 2000 file has 8 million
    // values; a linear search per value made it cubic).
    let sessions = &input.sessions;
    let mut session_index = Sessions {
        order: sessions,
        index: HashMap::with_capacity(sessions.len()),
    };
    for (k, name) in sessions.iter().enumerate() {
        if session_index.index.insert(name.as_str(), k).is_some() {
            return Err((
                format!("sessions[{k}]"),
                format!("duplicate session {name:?}"),
            ));
        }
    }
    let mut ev_ids: HashSet<&str> = HashSet::with_capacity(input.evs.len());
    for (i, ev) in input.evs.iter().enumerate() {
        if !ev_ids.insert(ev.id.as_str()) {
            return Err((
                format!("evs[{i}].id"),
                format!("duplicate EV id {:?}", ev.id),
            ));
        }
    }
    check_matrix_shape(input)?;
    let mut reports = Vec::with_capacity(input.evs.len());
    for (i, ev) in input.evs.iter().enumerate() {
        let da_row = input.da_matrix.as_ref().and_then(|rows| rows[i].as_deref());
        let day_ahead = match (&ev.da_values, da_row) {
            (Some(map), _) => Some(valuation(&session_index, map, || {
                format!("evs[{i}].da_values")
            })?),
            (None, Some(row)) => Some(dense(row, || format!("da_matrix[{i}]"))?),
            (None, None) => None,
        };
        let real_time = match (&ev.rt_values, &input.rt_matrix) {
            (Some(map), _) => valuation(&session_index, map, || format!("evs[{i}].rt_values"))?,
            (None, Some(rows)) => dense(&rows[i], || format!("rt_matrix[{i}]"))?,
            (None, None) => Valuation::zeros(sessions.len()),
        };
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

/// The dense matrices, if given: one row per EV, each as long as `sessions`, and no EV with the
/// same stage's values also given by name.
fn check_matrix_shape(input: &Input) -> Result<(), FieldError> {
    let (n, m) = (input.evs.len(), input.sessions.len());
    let rows_of = |name: &str, lens: Vec<Option<usize>>| -> Result<(), FieldError> {
        if lens.len() != n {
            return Err((
                name.to_string(),
                format!(
                    "has {} rows; there are {n} EVs (one row per EV)",
                    lens.len()
                ),
            ));
        }
        for (i, len) in lens.into_iter().enumerate() {
            if let Some(len) = len.filter(|&len| len != m) {
                return Err((
                    format!("{name}[{i}]"),
                    format!("has {len} values; there are {m} sessions (one per session)"),
                ));
            }
        }
        Ok(())
    };
    if let Some(rows) = &input.da_matrix {
        rows_of(
            "da_matrix",
            rows.iter().map(|r| r.as_ref().map(Vec::len)).collect(),
        )?;
        if let Some(i) = input.evs.iter().position(|ev| ev.da_values.is_some()) {
            return Err((
                format!("evs[{i}].da_values"),
                "day-ahead values are given by da_matrix: give them in one form only".into(),
            ));
        }
    }
    if let Some(rows) = &input.rt_matrix {
        rows_of("rt_matrix", rows.iter().map(|r| Some(r.len())).collect())?;
        if let Some(i) = input.evs.iter().position(|ev| ev.rt_values.is_some()) {
            return Err((
                format!("evs[{i}].rt_values"),
                "real-time values are given by rt_matrix: give them in one form only".into(),
            ));
        }
    }
    Ok(())
}

/// One EV's values from a dense row (already checked to be one per session).
fn dense(row: &[f64], at: impl Fn() -> String) -> Result<Valuation, FieldError> {
    if let Some(k) = row.iter().position(|x| !(0.0..=MAX_VALUE).contains(x)) {
        return Err((
            format!("{}[{k}]", at()),
            format!("value must be between 0 and {MAX_VALUE:e}, got {}", row[k]),
        ));
    }
    Valuation::new(row.to_vec()).map_err(|e| (at(), e.to_string()))
}

/// One EV's values, indexed like `sessions`; `at` names the map in errors (built only then).
fn valuation(
    sessions: &Sessions<'_>,
    map: &SessionValues,
    at: impl Fn() -> String,
) -> Result<Valuation, FieldError> {
    let mut values = vec![0.0; sessions.order.len()];
    let mut seen = vec![false; sessions.order.len()];
    for (position, (name, x)) in map.iter().enumerate() {
        let here = || format!("{}.{name}", at());
        let Some(k) = sessions.find(position, name) else {
            return Err((here(), format!("unknown session {name:?}")));
        };
        if std::mem::replace(&mut seen[k], true) {
            return Err((here(), format!("session {name:?} appears twice")));
        }
        if !(0.0..=MAX_VALUE).contains(&x) {
            return Err((
                here(),
                format!("value must be between 0 and {MAX_VALUE:e}, got {x}"),
            ));
        }
        values[k] = x;
    }
    Valuation::new(values).map_err(|e| (at(), e.to_string()))
}

/// The sessions in order, and a hash index of their names.
struct Sessions<'a> {
    order: &'a [String],
    index: HashMap<&'a str, usize>,
}

impl Sessions<'_> {
    /// The index of session `name`, the `position`-th entry of a map: files usually list the
    /// sessions in order, so that position is compared before the name is hashed.
    fn find(&self, position: usize, name: &str) -> Option<usize> {
        match self.order.get(position) {
            Some(s) if s == name => Some(position),
            _ => self.index.get(name).copied(),
        }
    }
}

/// The largest value a report may hold, USD. Far above any charging session's worth, and small
/// enough that sums over millions of values stay exact to a cent and finite (a value near
/// `f64::MAX` made welfare overflow to infinity, printed as JSON `null`).
pub const MAX_VALUE: f64 = 1e9;

fn order_indices(input: &Input, order: &[String]) -> Result<Vec<usize>, FieldError> {
    let ev_index: HashMap<&str, usize> = input
        .evs
        .iter()
        .enumerate()
        .map(|(i, ev)| (ev.id.as_str(), i))
        .collect();
    let mut seen = vec![false; input.evs.len()];
    let mut out = Vec::with_capacity(order.len());
    for (j, id) in order.iter().enumerate() {
        let here = format!("rt.order[{j}]");
        let Some(i) = ev_index.get(id.as_str()).copied() else {
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
