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
//!
//! Larger sites (3-5 EVSEs per station) with the sparse cones and a time budget per instance:
//!
//! ```text
//! cargo run --release --example copositive_pricing -- --sizes 20x3x8 --seeds 5 --seed 1 \
//!     --evse 3..5 --cone sparse --time-limit 60 --no-benchmarks
//! ```
//!
//! Site-sized fleets with LP certificates per region (`--cone linear`):
//!
//! ```text
//! cargo run --release --example copositive_pricing -- --sizes 20x3x8 --seeds 5 --seed 1 \
//!     --evse 3..5 --cone linear --time-limit 60 --no-benchmarks
//! ```

use clap::{Parser, ValueEnum};
use evmech::copositive::{
    best_responses, ip_pricing, lp_relaxation, price, tou, BranchBudget, ConeSettings, InnerCone,
    LiftKind, Pricing, PricingOptions, Tariff, Tightening,
};
use evmech::milp_model::{random_instance_with_evse, RandomSize};
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
    /// Lift (default: sparse for the sparse cones, reduced otherwise).
    #[arg(long, value_enum)]
    lift: Option<Lift>,
    /// Cone: auto (PSD + NN, branching where loose), psd-nn, k1, branch, polyhedral, sparse
    /// (sparse PSD + NN, branching where loose), sparse-psd-nn, or linear (LP certificates,
    /// branching where loose).
    #[arg(long, value_enum, default_value_t = Cone::Auto)]
    cone: Cone,
    /// EVSEs per station, drawn uniformly from MIN..MAX.
    #[arg(long, default_value = "1..2")]
    evse: String,
    /// Time budget of each `price()` call, seconds.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Threads of one conic solve's KKT factorisation (1, the default, gives the same prices on
    /// any machine).
    #[arg(long, default_value_t = 1)]
    solver_threads: u32,
    /// Under the sparse cones, write one PSD cone per clique ourselves instead of letting
    /// Clarabel decompose the sparse cone.
    #[arg(long)]
    own_cliques: bool,
    /// Skip the deviation and surplus checks of the five tariffs (slow on large instances).
    #[arg(long)]
    no_benchmarks: bool,
    /// CSV output path.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// The lift.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Lift {
    Reduced,
    Full,
    Sparse,
}

/// The cone (and tightening).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Cone {
    Auto,
    PsdNn,
    K1,
    Branch,
    Polyhedral,
    Sparse,
    SparsePsdNn,
    Linear,
}

fn parse_evse(s: &str) -> Result<std::ops::RangeInclusive<u32>, String> {
    let bad = || format!("--evse must be MIN..MAX with 1 <= MIN <= MAX, got {s:?}");
    let (lo, hi) = s.split_once("..").ok_or_else(bad)?;
    let lo: u32 = lo.parse().map_err(|_| bad())?;
    let hi: u32 = hi.parse().map_err(|_| bad())?;
    if lo == 0 || lo > hi {
        return Err(bad());
    }
    Ok(lo..=hi)
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
    exact: bool,
    stopped_by: String,
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
    let (cone_kind, tightening) = match args.cone {
        Cone::Auto => (InnerCone::PsdNn, Tightening::Auto),
        Cone::PsdNn => (InnerCone::PsdNn, Tightening::Off),
        Cone::K1 => (InnerCone::K1, Tightening::Off),
        Cone::Branch => (InnerCone::PsdNn, Tightening::Branch),
        Cone::Polyhedral => (InnerCone::Polyhedral, Tightening::Off),
        Cone::Sparse => (InnerCone::SparsePsdNn, Tightening::Auto),
        Cone::SparsePsdNn => (InnerCone::SparsePsdNn, Tightening::Off),
        Cone::Linear => (InnerCone::Linear, Tightening::Auto),
    };
    let lift = match (args.lift, cone_kind) {
        (Some(Lift::Reduced), _) => LiftKind::Reduced,
        (Some(Lift::Full), _) => LiftKind::Full,
        (Some(Lift::Sparse), _) | (None, InnerCone::SparsePsdNn) => LiftKind::Sparse,
        (None, _) => LiftKind::Reduced,
    };
    let evse = parse_evse(&args.evse)?;
    let options = PricingOptions {
        lift,
        cone_kind,
        tightening,
        time_limit_s: args.time_limit,
        // With a run budget, branching may use all of it.
        branch_budget: BranchBudget {
            time_limit_s: args
                .time_limit
                .unwrap_or(BranchBudget::default().time_limit_s),
            ..BranchBudget::default()
        },
        cone: ConeSettings {
            threads: args.solver_threads,
            own_cliques: args.own_cliques,
            ..ConeSettings::default()
        },
        // Under the sparse cones the limit is on the largest clique.
        max_n1: if cone_kind == InnerCone::SparsePsdNn {
            5_000
        } else {
            160
        },
        ..PricingOptions::default()
    };
    let mut rows = Vec::new();
    println!(
        "{:>8} {:>4} {:>4} {:>8} {:>8} {:>9} {:>7} {:>5} {:>20} | max deviation gain / operator surplus: cmp-a, cmp-b, tou, lp, ip",
        "size", "seed", "n1", "W*", "bound", "gap", "secs", "exact", "stopped by"
    );
    for size_text in &args.sizes {
        let size = parse_size(size_text)?;
        for seed in args.seed..args.seed + args.seeds {
            let inst = random_instance_with_evse(size, evse.clone(), seed)?;
            let p = price(&inst, &options)?;
            let row = Row {
                size: size_text.clone(),
                seed,
                n1: p.components.iter().map(|c| c.n1).max().unwrap_or(0),
                welfare: p.welfare,
                bound: p.dual_bound,
                gap: p.gap,
                seconds: p.solve_seconds,
                exact: p.exact,
                stopped_by: format!("{:?}", p.stopped_by),
                schemes: if args.no_benchmarks {
                    Vec::new()
                } else {
                    evaluate(&p)?
                },
            };
            print!(
                "{:>8} {:>4} {:>4} {:>8.3} {:>8.3} {:>9.2e} {:>7.2} {:>5} {:>20} |",
                row.size,
                row.seed,
                row.n1,
                row.welfare,
                row.bound,
                row.gap,
                row.seconds,
                row.exact,
                row.stopped_by
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
        writeln!(f, "size,seed,cone,lift,evse,n1,welfare,dual_bound,gap,exact,stopped_by,solve_seconds,scheme,max_deviation_gain,operator_surplus")?;
        for r in &rows {
            let none = [Scheme {
                name: "",
                gain: f64::NAN,
                surplus: f64::NAN,
            }];
            let schemes = if r.schemes.is_empty() {
                &none[..]
            } else {
                &r.schemes[..]
            };
            for s in schemes {
                writeln!(
                    f,
                    "{},{},{:?},{:?},{},{},{:.6},{:.6},{:.3e},{},{},{:.3},{},{:.6},{:.6}",
                    r.size,
                    r.seed,
                    args.cone,
                    lift,
                    args.evse,
                    r.n1,
                    r.welfare,
                    r.bound,
                    r.gap,
                    r.exact,
                    r.stopped_by,
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
