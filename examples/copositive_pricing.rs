//! Copositive marginal pricing on random instances of growing size (copositive spec section 6).
//!
//! For each instance: W*, the dual bound (default `--cone auto`: PSD + NN, branching where it is
//! loose), the gap, the lifted size n1 and the solve time,
//! then the largest deviation gain (lost opportunity cost) and the operator surplus under CMP-A,
//! CMP-B, TOU, LP-relaxation and IP pricing. Prints a table and writes a CSV.
//!
//! ```text
//! cargo run --release --example copositive_pricing -- --sizes 2x2x3,3x2x4,4x2x4,5x2x6,6x3x6 \
//!     --seeds 2 --seed 5 --lift reduced --csv copositive.csv
//! ```

use clap::Parser;
use evmech::copositive::{
    best_responses, ip_pricing, lp_relaxation, price, tou, InnerCone, LiftKind, Pricing,
    PricingOptions, Tariff, Tightening,
};
use evmech::milp_model::{random_instance, RandomSize};
use std::io::Write;
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, Parser)]
struct Args {
    /// Instance sizes as EVSxSTATIONSxSLOTS, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "2x2x3,3x2x4,4x2x4,5x2x6")]
    sizes: Vec<String>,
    /// Instances per size.
    #[arg(long, default_value_t = 2)]
    seeds: u64,
    /// First seed.
    #[arg(long, default_value_t = 5)]
    seed: u64,
    /// Lift: reduced or full.
    #[arg(long, default_value = "reduced")]
    lift: String,
    /// Cone: auto (PSD + NN, branching where loose), psd-nn, k1, branch or polyhedral.
    #[arg(long, default_value = "auto")]
    cone: String,
    /// CSV output path.
    #[arg(long)]
    csv: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<RandomSize, String> {
    let parts: Vec<usize> = s
        .split('x')
        .map(|p| {
            p.parse()
                .map_err(|_| format!("bad size {s:?}: expected EVSxSTATIONSxSLOTS"))
        })
        .collect::<Result<_, _>>()?;
    match parts[..] {
        [evs, stations, slots] if evs > 0 && stations > 0 && slots > 0 => Ok(RandomSize {
            evs,
            stations,
            slots,
        }),
        _ => Err(format!("bad size {s:?}: expected three positive numbers")),
    }
}

/// Largest deviation gain and operator surplus of one pricing scheme.
struct Scheme {
    name: &'static str,
    gain: f64,
    surplus: f64,
}

struct Row {
    size: String,
    seed: u64,
    n1: usize,
    welfare: f64,
    bound: f64,
    gap: f64,
    seconds: f64,
    schemes: Vec<Scheme>,
}

fn evaluate(p: &Pricing) -> Result<Vec<Scheme>, Box<dyn std::error::Error>> {
    let mut tariffs: Vec<(&'static str, Tariff)> = vec![
        ("cmp-a", Tariff::CmpA),
        ("cmp-b", Tariff::CmpB),
        ("tou", tou(p).tariff),
    ];
    tariffs.push(("lp", lp_relaxation(p)?.tariff));
    tariffs.push(("ip", ip_pricing(p)?.tariff));
    tariffs
        .into_iter()
        .map(|(name, t)| {
            let gain = best_responses(p, &t)?
                .iter()
                .map(|b| b.gain)
                .fold(f64::NEG_INFINITY, f64::max);
            Ok(Scheme {
                name,
                gain: gain.max(0.0),
                surplus: p.operator_surplus(&t),
            })
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let lift = match args.lift.as_str() {
        "reduced" => LiftKind::Reduced,
        "full" => LiftKind::Full,
        other => return Err(format!("--lift must be reduced or full, got {other:?}").into()),
    };
    let (cone_kind, tightening) = match args.cone.as_str() {
        "auto" => (InnerCone::PsdNn, Tightening::Auto),
        "psd-nn" => (InnerCone::PsdNn, Tightening::Off),
        "k1" => (InnerCone::K1, Tightening::Off),
        "branch" => (InnerCone::PsdNn, Tightening::Branch),
        "polyhedral" => (InnerCone::Polyhedral, Tightening::Off),
        other => {
            return Err(format!(
                "--cone must be auto, psd-nn, k1, branch or polyhedral, got {other:?}"
            )
            .into())
        }
    };
    let options = PricingOptions {
        lift,
        cone_kind,
        tightening,
        ..PricingOptions::default()
    };
    let mut rows = Vec::new();
    println!(
        "{:>8} {:>4} {:>4} {:>8} {:>8} {:>9} {:>7} | max deviation gain / operator surplus: cmp-a, cmp-b, tou, lp, ip",
        "size", "seed", "n1", "W*", "bound", "gap", "secs"
    );
    for size_text in &args.sizes {
        let size = parse_size(size_text)?;
        for seed in args.seed..args.seed + args.seeds {
            let inst = random_instance(size, seed)?;
            let p = price(&inst, &options)?;
            let row = Row {
                size: size_text.clone(),
                seed,
                n1: p.components.iter().map(|c| c.n1).max().unwrap_or(0),
                welfare: p.welfare,
                bound: p.dual_bound,
                gap: p.gap,
                seconds: p.solve_seconds,
                schemes: evaluate(&p)?,
            };
            print!(
                "{:>8} {:>4} {:>4} {:>8.3} {:>8.3} {:>9.2e} {:>7.2} |",
                row.size, row.seed, row.n1, row.welfare, row.bound, row.gap, row.seconds
            );
            for s in &row.schemes {
                print!(" {:.3}/{:.3}", s.gain, s.surplus);
            }
            println!();
            rows.push(row);
        }
    }
    if let Some(path) = &args.csv {
        let mut f = std::fs::File::create(path)?;
        writeln!(f, "size,seed,cone,lift,n1,welfare,dual_bound,gap,solve_seconds,scheme,max_deviation_gain,operator_surplus")?;
        for r in &rows {
            for s in &r.schemes {
                writeln!(
                    f,
                    "{},{},{},{},{:.6},{:.6},{:.3e},{:.3},{},{:.6},{:.6}",
                    r.size,
                    r.seed,
                    args.lift,
                    r.n1,
                    r.welfare,
                    r.bound,
                    r.gap,
                    r.seconds,
                    s.name,
                    s.gain,
                    s.surplus
                )?;
            }
        }
        println!("wrote {}", path.display());
    }
    Ok(())
}
