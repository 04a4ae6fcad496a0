//! `evmech v2b figures`: the CONSENT paper's Figures 10-12 drawn from `arrivals.csv` files that
//! `v2b negotiate` wrote.

use crate::input_error::InputError;
use crate::v2b::{bad_arg, write_file};
use evmech_lab::figures::{
    choices_svg, cost_and_utility_svg, delays_svg, read_arrivals, reductions_svg, ArrivalRow,
};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Arguments of `v2b figures`.
#[derive(Debug, clap::Args)]
pub struct FiguresArgs {
    /// `arrivals.csv` files written by `v2b negotiate`, each optionally named `LABEL=FILE`
    /// (default label: the file's directory name). Fig. 11 puts the files side by side; the
    /// other figures pool them.
    #[arg(long, num_args = 1.., required = true)]
    pub arrivals: Vec<String>,
    /// The policy whose arrivals are drawn (`consent`, `menu`, ...).
    #[arg(long, default_value = "consent")]
    pub policy: String,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

/// One `LABEL=FILE` argument read.
fn group(arg: &str, policy: &str) -> Result<(String, Vec<ArrivalRow>), InputError> {
    let (label, file) = match arg.split_once('=') {
        Some((l, f)) if !l.is_empty() => (l.to_string(), PathBuf::from(f)),
        _ => {
            let path = PathBuf::from(arg);
            let label = path
                .parent()
                .and_then(Path::file_name)
                .map_or_else(|| arg.to_string(), |n| n.to_string_lossy().into_owned());
            (label, path)
        }
    };
    let text = std::fs::read_to_string(&file).map_err(|source| InputError::Read {
        path: file.clone(),
        source,
    })?;
    let rows = read_arrivals(&text, policy).map_err(|e| InputError::Field {
        path: file.clone(),
        field: e
            .position()
            .map_or_else(|| "arrivals".into(), |p| format!("line {}", p.line())),
        message: e.to_string(),
    })?;
    Ok((label, rows))
}

/// Draws the figures into `--out` and returns a JSON list of what was written.
pub fn run(args: &FiguresArgs) -> Result<String, InputError> {
    let groups = args
        .arrivals
        .iter()
        .map(|a| group(a, &args.policy))
        .collect::<Result<Vec<_>, _>>()?;
    if groups.iter().all(|(_, rows)| rows.is_empty()) {
        return Err(bad_arg(
            "policy",
            format!("no arrival of policy {:?} in the files", args.policy),
        ));
    }
    crate::v2b::prepare_out_dir(&args.out)?;
    let pooled: Vec<ArrivalRow> = groups.iter().flat_map(|(_, r)| r.clone()).collect();
    let all = vec![(args.policy.clone(), pooled.clone())];
    let figures = [
        ("fig10a_choices.svg", choices_svg(&all)?),
        ("fig10b_delays.svg", delays_svg(&pooled)?),
        ("fig10c_soc_deviation.svg", reductions_svg(&pooled)?),
        ("fig11_choices_by_run.svg", choices_svg(&groups)?),
        ("fig12_cost_and_utility.svg", cost_and_utility_svg(&pooled)?),
    ];
    let mut written = Vec::new();
    for (name, svg) in figures {
        let path = args.out.join(name);
        write_file(&path, &svg)?;
        written.push(path.display().to_string());
    }
    let counts: serde_json::Map<String, serde_json::Value> = groups
        .iter()
        .map(|(l, r)| (l.clone(), json!(r.len())))
        .collect();
    Ok(serde_json::to_string_pretty(&json!({
        "policy": args.policy,
        "arrivals": counts,
        "figures": written,
    }))
    .expect("JSON values serialise"))
}
