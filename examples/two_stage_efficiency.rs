//! The correlation sweep of the two-stage experiment (spec `two-stage.md` section 6).
//!
//! Day-ahead values `v_DA ~ U[0, 1]`, real-time values `v_RT = rho v_DA + (1 - rho) U'`; every EV
//! bids day-ahead; the real-time arrival order is a fresh random permutation per trial. For each
//! correlation level and mechanism it reports the mean efficiency ratio `W_RT(x) / OPT_RT`, the mean
//! real-time revenue, and the share of EVs whose reservation awareness fails.
//!
//! ```text
//! cargo run --release --example two_stage_efficiency -- --n 4 --m 6 --trials 1500 --seed 7 --csv out.csv
//! ```

use clap::Parser;
use evmech::mechanisms::realtime::TieBreak;
use evmech::mechanisms::two_stage::{PostedPriceOptions, RealTimeRule, TwoStage, TwoStageReport};
use evmech::mechanisms::vcg::ReserveRule;
use evmech::mechanisms::Valuation;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of the sweep.
#[derive(Debug, Parser)]
struct Args {
    /// Number of EVs.
    #[arg(long, default_value_t = 4)]
    n: usize,
    /// Number of sessions.
    #[arg(long, default_value_t = 6)]
    m: usize,
    /// Trials per correlation level.
    #[arg(long, default_value_t = 1500)]
    trials: usize,
    /// Seed of the value and order draws.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Correlation levels, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "0,0.25,0.5,0.75,0.9,1")]
    rho: Vec<f64>,
    /// Where to write the CSV (long format: one row per level and mechanism).
    #[arg(long)]
    csv: Option<PathBuf>,
}

struct Method {
    name: &'static str,
    day_ahead: bool,
    market: fn(usize) -> TwoStage,
}

fn methods() -> Vec<Method> {
    vec![
        Method {
            name: "da-only",
            day_ahead: true,
            market: |m| TwoStage::new(m, ReserveRule::Vcg, RealTimeRule::None),
        },
        Method {
            name: "pp-vcg",
            day_ahead: true,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::Vcg,
                    RealTimeRule::PostedPrice(PostedPriceOptions::default()),
                )
            },
        },
        Method {
            name: "pp-maxw",
            day_ahead: true,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::MaxWalrasian,
                    RealTimeRule::PostedPrice(PostedPriceOptions::default()),
                )
            },
        },
        Method {
            name: "pp-zero",
            day_ahead: true,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::Zero,
                    RealTimeRule::PostedPrice(PostedPriceOptions::default()),
                )
            },
        },
        Method {
            name: "ttc-vcg",
            day_ahead: true,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::Vcg,
                    RealTimeRule::TradingCycles {
                        tie_break: TieBreak::KeepFirst,
                    },
                )
            },
        },
        Method {
            name: "ttc-maxw",
            day_ahead: true,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::MaxWalrasian,
                    RealTimeRule::TradingCycles {
                        tie_break: TieBreak::KeepFirst,
                    },
                )
            },
        },
        Method {
            name: "ttc-zero",
            day_ahead: true,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::Zero,
                    RealTimeRule::TradingCycles {
                        tie_break: TieBreak::KeepFirst,
                    },
                )
            },
        },
        Method {
            name: "fcfs-zero",
            day_ahead: false,
            market: |m| {
                TwoStage::new(
                    m,
                    ReserveRule::Zero,
                    RealTimeRule::PostedPrice(PostedPriceOptions::default()),
                )
            },
        },
        Method {
            name: "vcg-scratch",
            day_ahead: true,
            market: |m| TwoStage::new(m, ReserveRule::Vcg, RealTimeRule::VcgScratch),
        },
    ]
}

#[derive(Default, Clone, Copy)]
struct Stats {
    efficiency: f64,
    rt_revenue: f64,
    da_revenue: f64,
    ra_violations: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.n == 0 || args.m == 0 || args.trials == 0 {
        return Err("--n, --m and --trials must be at least 1".into());
    }
    if let Some(r) = args.rho.iter().find(|r| !(0.0..=1.0).contains(*r)) {
        return Err(format!("--rho values must lie in [0, 1], got {r}").into());
    }
    let methods = methods();
    let mut rows = Vec::new();
    for (level, &rho) in args.rho.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed.wrapping_add(level as u64));
        let mut sums = vec![Stats::default(); methods.len()];
        for _ in 0..args.trials {
            let (da, rt) = draw(&mut rng, args.n, args.m, rho);
            let mut order: Vec<usize> = (0..args.n).collect();
            order.shuffle(&mut rng);
            for (method, sum) in methods.iter().zip(sums.iter_mut()) {
                let reports: Vec<TwoStageReport> = da
                    .iter()
                    .zip(&rt)
                    .map(|(d, r)| TwoStageReport {
                        day_ahead: method.day_ahead.then(|| d.clone()),
                        real_time: r.clone(),
                    })
                    .collect();
                let run = (method.market)(args.m)
                    .with_order(order.clone())?
                    .run_detailed(&reports)?;
                let rt = &run.real_time;
                sum.efficiency += if rt.optimal_welfare > 0.0 {
                    rt.welfare / rt.optimal_welfare
                } else {
                    1.0
                };
                sum.rt_revenue += rt.revenue;
                sum.da_revenue += run.day_ahead.payments.iter().sum::<f64>();
                sum.ra_violations += rt
                    .reservation_awareness_slack
                    .iter()
                    .filter(|s| **s < -1e-9)
                    .count() as f64
                    / args.n as f64;
            }
        }
        let t = args.trials as f64;
        for (method, s) in methods.iter().zip(&sums) {
            rows.push((
                rho,
                method.name,
                Stats {
                    efficiency: s.efficiency / t,
                    rt_revenue: s.rt_revenue / t,
                    da_revenue: s.da_revenue / t,
                    ra_violations: s.ra_violations / t,
                },
            ));
        }
    }
    print_table(&args, &methods, &rows);
    if let Some(path) = &args.csv {
        let mut f = std::fs::File::create(path)?;
        writeln!(
            f,
            "rho,mechanism,n,m,trials,seed,efficiency,rt_revenue,da_revenue,ra_violation_share"
        )?;
        for (rho, name, s) in &rows {
            writeln!(
                f,
                "{rho},{name},{},{},{},{},{:.6},{:.6},{:.6},{:.6}",
                args.n,
                args.m,
                args.trials,
                args.seed,
                s.efficiency,
                s.rt_revenue,
                s.da_revenue,
                s.ra_violations
            )?;
        }
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn draw(rng: &mut ChaCha8Rng, n: usize, m: usize, rho: f64) -> (Vec<Valuation>, Vec<Valuation>) {
    let mut da = Vec::with_capacity(n);
    let mut rt = Vec::with_capacity(n);
    for _ in 0..n {
        let d: Vec<f64> = (0..m).map(|_| rng.random::<f64>()).collect();
        let r: Vec<f64> = d
            .iter()
            .map(|x| rho * x + (1.0 - rho) * rng.random::<f64>())
            .collect();
        da.push(Valuation::new(d).expect("uniform draws are valid"));
        rt.push(Valuation::new(r).expect("convex combinations are valid"));
    }
    (da, rt)
}

fn print_table(args: &Args, methods: &[Method], rows: &[(f64, &str, Stats)]) {
    println!(
        "mean efficiency W_RT/OPT_RT (n = {}, m = {}, {} trials per level, seed {})",
        args.n, args.m, args.trials, args.seed
    );
    print_header(methods);
    for chunk in rows.chunks(methods.len()) {
        print!("{:>6.2}", chunk[0].0);
        for (_, _, s) in chunk {
            print!(" {:>11.3}", s.efficiency);
        }
        println!();
    }
    println!("\nmean real-time revenue / share of EVs with reservation awareness violated");
    print_header(methods);
    for chunk in rows.chunks(methods.len()) {
        print!("{:>6.2}", chunk[0].0);
        for (_, _, s) in chunk {
            print!(" {:>5.2}/{:<5.2}", s.rt_revenue, s.ra_violations);
        }
        println!();
    }
}

fn print_header(methods: &[Method]) {
    print!("{:>6}", "rho");
    for m in methods {
        print!(" {:>11}", m.name);
    }
    println!();
}
