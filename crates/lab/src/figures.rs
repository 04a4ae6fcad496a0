//! The CONSENT paper's Figures 10-12 as SVG, drawn with `plotters` from the rows of
//! `arrivals.csv` ([`ArrivalRow`]):
//!
//! - Fig. 10: the users' choices (each level and "reject"), the departure delays and the
//!   target reductions (%-points of the battery) of the served users;
//! - Fig. 11: the share of each choice in several runs side by side (the paper compares user
//!   sensitivity profiles);
//! - Fig. 12: per choice, the user's cost (the price paid; for a user who rejected, the price of
//!   her best offer and the external charging cost) and her acceptance utility `Y`.

use crate::stats::mean_sd;
use evmech_v2b_control::Error;
use plotters::prelude::*;
use serde::Deserialize;

/// One line of `arrivals.csv` (the columns the figures read).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArrivalRow {
    /// The policy (`consent`, `menu`, ...).
    pub policy: String,
    /// Whether the user plugged in.
    pub served: bool,
    /// The level chosen, when served from a menu.
    pub level: Option<usize>,
    /// Target reduction, kWh.
    pub reduction_kwh: f64,
    /// Target reduction, %-points of the battery.
    #[serde(default)]
    pub reduction_pct: Option<f64>,
    /// Departure delay, minutes.
    pub delay_minutes: f64,
    /// The quote, USD.
    #[serde(default)]
    pub quote_usd: Option<f64>,
    /// The chosen option's acceptance utility (for a user who rejected: her best offer's), USD.
    #[serde(default)]
    pub acceptance_utility_usd: Option<f64>,
    /// The price of the best offer of a user who rejected, USD.
    #[serde(default)]
    pub best_offer_usd: Option<f64>,
    /// What charging elsewhere would cost her, USD.
    #[serde(default)]
    pub external_cost_usd: Option<f64>,
}

/// Reads `arrivals.csv` text (columns by name, extra ones ignored), keeping the rows of
/// `policy`. Errors carry the position of the bad record.
pub fn read_arrivals(text: &str, policy: &str) -> Result<Vec<ArrivalRow>, csv::Error> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.deserialize::<ArrivalRow>() {
        let row = record?;
        if row.policy == policy {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn draw_error(e: impl std::fmt::Display) -> Error {
    Error::InvalidParameter {
        field: "figure",
        reason: e.to_string(),
    }
}

/// Draws a chart's series labels in a framed, half-transparent box.
fn legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> Result<(), Error> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(draw_error)
}

/// The choice of a row: its level, or `levels` for "reject".
fn choice(row: &ArrivalRow, levels: usize) -> usize {
    if row.served {
        row.level.unwrap_or(0)
    } else {
        levels
    }
}

fn levels_of(rows: &[ArrivalRow]) -> usize {
    rows.iter()
        .filter_map(|r| r.level)
        .max()
        .map_or(1, |l| l + 1)
}

/// An x axis with one unit per choice (the levels, then "reject"), choice `c` centred on `c`.
fn choice_axis(levels: usize) -> std::ops::Range<f64> {
    -0.5..levels as f64 + 0.5
}

/// The label of tick `x`: a choice at whole numbers, nothing between.
fn choice_tick(x: f64, levels: usize) -> String {
    if (x - x.round()).abs() < 1e-9 && x >= 0.0 && x.round() as usize <= levels {
        choice_label(x.round() as usize, levels)
    } else {
        String::new()
    }
}

fn choice_label(c: usize, levels: usize) -> String {
    if c == levels {
        "reject".into()
    } else {
        format!("option {c}")
    }
}

/// Fig. 11 (and, with one group, Fig. 10a): the share of arrivals per choice in each labelled
/// group, bars side by side.
pub fn choices_svg(groups: &[(String, Vec<ArrivalRow>)]) -> Result<String, Error> {
    let levels = groups.iter().map(|(_, r)| levels_of(r)).max().unwrap_or(1);
    let shares: Vec<Vec<f64>> = groups
        .iter()
        .map(|(_, rows)| {
            let mut counts = vec![0usize; levels + 1];
            for r in rows {
                counts[choice(r, levels).min(levels)] += 1;
            }
            let n = rows.len().max(1) as f64;
            counts.iter().map(|&c| 100.0 * c as f64 / n).collect()
        })
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let g = groups.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption("Choices per option", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(choice_axis(levels), 0f64..100f64)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(levels + 2)
            .x_label_formatter(&|x| choice_tick(*x, levels))
            .y_desc("share of arrivals, %")
            .draw()
            .map_err(draw_error)?;
        for (k, ((label, _), share)) in groups.iter().zip(&shares).enumerate() {
            let color = Palette99::pick(k).to_rgba();
            let width = 0.8 / g as f64;
            chart
                .draw_series(share.iter().enumerate().map(|(c, &s)| {
                    let x0 = c as f64 - 0.4 + k as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, s)], color.filled())
                }))
                .map_err(draw_error)?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        legend(&mut chart)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

/// A histogram of `values` in bins of `width`, titled `title`, x axis `x_desc`.
fn histogram_svg(values: &[f64], width: f64, title: &str, x_desc: &str) -> Result<String, Error> {
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let lo = (lo / width).floor() * width;
    let bins = (((hi - lo) / width).floor() as usize + 1).max(1);
    let mut counts = vec![0usize; bins];
    for &v in values {
        counts[(((v - lo) / width).floor() as usize).min(bins - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.05;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(lo..lo + bins as f64 * width, 0f64..top)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc("users")
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.9, c as f64)],
                    BLUE.mix(0.7).filled(),
                )
            }))
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

/// Fig. 10b: the served users' departure delays, minutes (bins of one 15-minute slot).
pub fn delays_svg(rows: &[ArrivalRow]) -> Result<String, Error> {
    let v: Vec<f64> = rows
        .iter()
        .filter(|r| r.served)
        .map(|r| r.delay_minutes)
        .collect();
    histogram_svg(
        &v,
        15.0,
        "Departure delay of served users",
        "delay, minutes",
    )
}

/// Fig. 10c: the served users' target reductions, as negative %-points of the battery (the
/// paper's sign), in bins of 2 %-points.
pub fn reductions_svg(rows: &[ArrivalRow]) -> Result<String, Error> {
    let v: Vec<f64> = rows
        .iter()
        .filter(|r| r.served)
        .map(|r| -r.reduction_pct.unwrap_or(0.0))
        .collect();
    histogram_svg(
        &v,
        2.0,
        "State-of-charge deviation of served users",
        "deviation from the requested state of charge, %-points",
    )
}

/// Fig. 12: per choice, the mean and standard deviation of the user's cost (served: the price
/// paid at the quote; rejected: her best offer's price, beside the external cost she paid
/// instead) and of her acceptance utility `Y`.
pub fn cost_and_utility_svg(rows: &[ArrivalRow]) -> Result<String, Error> {
    let levels = levels_of(rows);
    let mut cost = vec![Vec::new(); levels + 1];
    let mut utility = vec![Vec::new(); levels + 1];
    let mut external = Vec::new();
    for r in rows {
        let c = choice(r, levels).min(levels);
        let price = if r.served {
            r.quote_usd
        } else {
            r.best_offer_usd
        };
        if let Some(p) = price {
            cost[c].push(p);
        }
        if let Some(y) = r.acceptance_utility_usd {
            utility[c].push(y);
        }
        if !r.served {
            if let Some(e) = r.external_cost_usd {
                external.push(e);
            }
        }
    }
    let panels = [
        ("user cost, USD", &cost),
        ("acceptance utility Y, USD", &utility),
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let areas = root.split_evenly((1, 2));
        for (area, (name, data)) in areas.iter().zip(panels) {
            let stats: Vec<(f64, f64)> = data.iter().map(|xs| mean_sd(xs)).collect();
            let mut lo = stats.iter().map(|(m, s)| m - s).fold(0.0, f64::min);
            let mut hi = stats.iter().map(|(m, s)| m + s).fold(0.0, f64::max);
            if name.starts_with("user cost") {
                let (e, _) = mean_sd(&external);
                hi = hi.max(e);
            }
            let pad = 0.05 * (hi - lo).max(1.0);
            lo -= pad;
            hi += pad;
            let mut chart = ChartBuilder::on(area)
                .caption(name, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(52)
                .build_cartesian_2d(choice_axis(levels), lo..hi)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(levels + 2)
                .x_label_formatter(&|x| choice_tick(*x, levels))
                .draw()
                .map_err(draw_error)?;
            chart
                .draw_series(
                    stats
                        .iter()
                        .enumerate()
                        .filter(|(c, _)| !data[*c].is_empty())
                        .map(|(c, &(m, s))| {
                            ErrorBar::new_vertical(c as f64, m - s, m, m + s, BLUE.filled(), 12)
                        }),
                )
                .map_err(draw_error)?;
            if name.starts_with("user cost") && !external.is_empty() {
                let (e, _) = mean_sd(&external);
                chart
                    .draw_series(LineSeries::new(
                        [(levels as f64 - 0.4, e), (levels as f64 + 0.4, e)],
                        RED.stroke_width(2),
                    ))
                    .map_err(draw_error)?
                    .label("external charging (rejecting users)")
                    .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], RED.stroke_width(2)));
                legend(&mut chart)?;
            }
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}
