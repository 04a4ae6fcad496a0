//! `evmech._native`: the Rust side of the `evmech` Python package.
//!
//! Thin by design: every function hands its input to the same code as the `evmech` command line
//! (`evmech_cli`), so the Python results are the CLI's JSON, key for key and number for number.
//! The Python modules (`python/evmech/`) turn dicts and keyword arguments into that input and
//! parse the JSON back.
//!
//! Errors become Python exceptions carrying the CLI's message (which names the wrong field or
//! flag): [`InputError`] (a `ValueError`, the CLI's exit code 2), [`SolverError`] (a
//! `RuntimeError`, exit code 1) and [`InternalError`] (a panic inside evmech: a bug, reported
//! instead of aborting the interpreter). The GIL is released during every solve and simulation.
//!
//! This crate is the workspace's one exception to `#![forbid(unsafe_code)]`: PyO3's macros
//! expand to the `unsafe` FFI glue of a CPython extension. The crate itself writes none.
#![deny(missing_docs)]

use clap::error::ErrorKind;
use evmech_cli::InputError as CliInputError;
use evmech_v2b_control::env::{AgentView, Step, StepEnv};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

create_exception!(
    evmech,
    InputError,
    PyValueError,
    "Bad input: the message names the field or flag (the CLI's exit code 2)."
);
create_exception!(
    evmech,
    SolverError,
    PyRuntimeError,
    "A solver failed or an output could not be written (the CLI's exit code 1)."
);
create_exception!(
    evmech,
    InternalError,
    PyRuntimeError,
    "A bug of evmech (a panic caught at the boundary); please report it with the input."
);

/// The Python exception of a CLI error, by its exit code.
fn to_py(err: CliInputError) -> PyErr {
    match err.exit_code() {
        2 => InputError::new_err(err.to_string()),
        _ => SolverError::new_err(err.to_string()),
    }
}

/// Runs `work` without the GIL, turning a panic into [`InternalError`].
fn run<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, CliInputError> + Send,
) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(result) => result.map_err(to_py),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(InternalError::new_err(format!(
                "{}: {what}",
                evmech_cli::INTERNAL_ERROR_MESSAGE
            )))
        }
    }
}

/// Runs an `evmech` command line (`["v2b", "compare", "--sessions", ...]`, without the
/// program's name) and returns what the command prints.
#[pyfunction]
fn cli(py: Python<'_>, args: Vec<String>) -> PyResult<String> {
    let argv = std::iter::once("evmech".to_string()).chain(args);
    let command = match evmech_cli::parse(argv) {
        Ok(command) => command,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            return Ok(e.to_string())
        }
        Err(e) => return Err(InputError::new_err(e.to_string())),
    };
    run(py, move || evmech_cli::execute(command))
}

/// `evmech two-stage` on an instance given as JSON text.
#[pyfunction]
fn two_stage_json(py: Python<'_>, text: String) -> PyResult<String> {
    run(py, move || evmech_cli::two_stage_json(&text))
}

/// `evmech copositive` on an instance given as JSON text.
#[pyfunction]
fn copositive_json(py: Python<'_>, text: String) -> PyResult<String> {
    run(py, move || evmech_cli::copositive_json(&text))
}

/// One step as a Python tuple: `(view JSON or None, reward, cost to date, summary JSON or
/// None)`; the summary is `v2b compare`'s, under the policy name `agent`.
type PyStep = (Option<String>, f64, f64, Option<String>);

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("views and reports are plain data")
}

fn py_step(step: Step) -> PyStep {
    (
        step.view.as_ref().map(|v: &AgentView| json(v)),
        step.reward_usd,
        step.cost_to_date_usd,
        step.report
            .as_ref()
            .map(|r| evmech_cli::v2b_summary(std::slice::from_ref(r))),
    )
}

/// The V2B episode stepped by a Python agent (`evmech.v2b.ChargingEnv` wraps it).
#[pyclass(module = "evmech._native")]
struct EnvCore {
    /// The environment; a lock because Python may call it from any thread.
    env: Mutex<StepEnv>,
    chargers: usize,
    slots_per_day: usize,
    demand_charges: usize,
    days: usize,
    limits: Vec<(f64, f64)>,
}

#[pymethods]
impl EnvCore {
    /// Loads the episode from `v2b compare`'s episode flags; `window` days per episode (all
    /// when `None`), the start drawn by `seed`.
    #[new]
    #[pyo3(signature = (flags, window=None, seed=0))]
    fn new(py: Python<'_>, flags: Vec<String>, window: Option<usize>, seed: u64) -> PyResult<Self> {
        let env = run(py, move || {
            let scenario = evmech_cli::v2b_episode(flags)?;
            Ok(StepEnv::new(scenario, window, seed)?)
        })?;
        let scenario = env.scenario();
        Ok(EnvCore {
            chargers: env.chargers(),
            // The longest day of the episode (100 slots when a clock falls back in it).
            slots_per_day: (0..scenario.days().len())
                .map(|d| scenario.slots_in(d))
                .max()
                .unwrap_or(scenario.slots_per_day()),
            demand_charges: scenario.tariff().demand.len(),
            days: window.unwrap_or(scenario.days().len()),
            limits: scenario
                .site()
                .chargers()
                .iter()
                .map(|c| (c.max_charge_kw, c.max_discharge_kw))
                .collect(),
            env: Mutex::new(env),
        })
    }

    /// Chargers of the site (the action's length).
    #[getter]
    fn chargers(&self) -> usize {
        self.chargers
    }

    /// Each charger's (maximum charging, maximum discharging) power, kW.
    #[getter]
    fn charger_limits(&self) -> Vec<(f64, f64)> {
        self.limits.clone()
    }

    /// Slots of the episode's longest day (96 of 15 minutes; 100 when clocks fall back in it).
    #[getter]
    fn slots_per_day(&self) -> usize {
        self.slots_per_day
    }

    /// Demand charges of the tariff.
    #[getter]
    fn demand_charges(&self) -> usize {
        self.demand_charges
    }

    /// Days per episode.
    #[getter]
    fn days(&self) -> usize {
        self.days
    }

    /// Starts an episode; returns its first step.
    #[pyo3(signature = (seed=None))]
    fn reset(&self, py: Python<'_>, seed: Option<u64>) -> PyResult<PyStep> {
        let mut env = self.env.lock().unwrap_or_else(|e| e.into_inner());
        let env: &mut StepEnv = &mut env;
        run(py, move || Ok(env.reset(seed)?)).map(py_step)
    }

    /// Applies one power per charger (kW) and runs to the next decision.
    fn step(&self, py: Python<'_>, power_kw: Vec<f64>) -> PyResult<PyStep> {
        let mut env = self.env.lock().unwrap_or_else(|e| e.into_inner());
        let env: &mut StepEnv = &mut env;
        run(py, move || Ok(env.step(&power_kw)?)).map(py_step)
    }
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(two_stage_json, m)?)?;
    m.add_function(wrap_pyfunction!(copositive_json, m)?)?;
    m.add_class::<EnvCore>()?;
    let py = m.py();
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("SolverError", py.get_type::<SolverError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The valid ranges of V2B inputs, which bound the environment's observations.
    m.add("MAX_LOAD_KW", evmech_v2b_control::MAX_LOAD_KW)?;
    m.add("MAX_BATTERY_KWH", evmech_v2b_control::MAX_BATTERY_KWH)?;
    m.add("MAX_CHARGER_KW", evmech_v2b_control::MAX_CHARGER_KW)?;
    m.add("MAX_STAY_DAYS", evmech_v2b_control::MAX_STAY_DAYS)?;
    Ok(())
}
