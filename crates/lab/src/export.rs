//! Plain-text outputs of a comparison: the CSV tables (from [`crate::tables`], re-exported
//! here), progress lines and SVG plots.

pub use crate::tables::{arrivals_csv, days_csv, sessions_csv, slots_csv};
use evmech_v2b_control::EpisodeReport;
use std::fmt::Write;

/// A progress-bar update for the terminal: `\r`, the policy, a 30-cell bar, days done and the
/// elapsed seconds, with a newline once the policy is done.
pub fn progress_line(policy: &str, done: usize, total: usize, elapsed_s: f64) -> String {
    let width = 30;
    let filled = width * done.min(total) / total.max(1);
    let end = if done >= total { "\n" } else { "" };
    format!(
        "\r{policy:>12} [{}{}] {done}/{total} days, {elapsed_s:.0} s{end}",
        "#".repeat(filled),
        "-".repeat(width - filled)
    )
}

/// A progress callback for [`simulate`](evmech_v2b_control::simulate), [`compare`](crate::compare::compare)
/// and [`run_table`](crate::consent_table::run_table): it redraws a [`progress_line`] on stderr
/// when stderr is a terminal, with the seconds since it was made, and prints nothing otherwise
/// (logs and pipes stay clean).
pub fn terminal_progress() -> impl FnMut(&str, usize, usize) + Send {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    move |policy, done, total| {
        if terminal {
            use std::io::Write;
            let elapsed = started.elapsed().as_secs_f64();
            // Progress is a courtesy: a closed or full stderr must not stop the run.
            let _ = write!(
                std::io::stderr(),
                "{}",
                progress_line(policy, done, total, elapsed)
            );
        }
    }
}

const COLOURS: [&str; 8] = [
    "#d62728", "#ff7f0e", "#bcbd22", "#8c564b", "#9467bd", "#1f77b4", "#2ca02c", "#17becf",
];

/// An SVG line plot of day `day` (index into each report's days): the building load and the
/// site's net import (building + charging) under each policy.
pub fn day_svg(reports: &[EpisodeReport], day: usize) -> Option<String> {
    let first = reports.first()?.days.get(day)?;
    let n = first.building_kw.len();
    let series: Vec<(String, Vec<f64>)> =
        std::iter::once(("building".to_string(), first.building_kw.clone()))
            .chain(reports.iter().filter_map(|r| {
                let d = r.days.get(day)?;
                Some((
                    r.policy.clone(),
                    d.building_kw
                        .iter()
                        .zip(&d.ev_kw)
                        .map(|(b, e)| b + e)
                        .collect(),
                ))
            }))
            .collect();
    let top = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(1.0, f64::max)
        * 1.05;
    let (w, h, left, bottom, right, top_pad) = (900.0, 480.0, 60.0, 40.0, 160.0, 30.0);
    let pw = w - left - right;
    let ph = h - bottom - top_pad;
    let x = |k: f64| left + pw * k / n.max(1) as f64;
    let y = |v: f64| top_pad + ph * (1.0 - v / top);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"18\">Site load on {:04}-{:02}-{:02} (kW; x: hour of day)</text>\n",
        first.date.year, first.date.month, first.date.day
    );
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v:.0}</text>",
            left + pw,
            left - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    for hour in (0..=24).step_by(3) {
        let k = hour as f64 * n as f64 / 24.0;
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{hour}</text>",
            x(k),
            h - bottom + 16.0
        );
    }
    for (i, (name, values)) in series.iter().enumerate() {
        let colour = if i == 0 {
            "#000"
        } else {
            COLOURS[(i - 1) % COLOURS.len()]
        };
        let dash = if i == 0 {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .flat_map(|(k, &v)| [(k as f64, v), (k as f64 + 1.0, v)])
            .map(|(k, v)| format!("{:.1},{:.1}", x(k), y(v)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash} points=\"{}\"/>\n<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{name}</text>",
            points.join(" "),
            left + pw + 10.0,
            top_pad + 16.0 * (i as f64 + 1.0)
        );
    }
    svg.push_str("</svg>\n");
    Some(svg)
}

/// An SVG scatter plot of labelled points `(label, x, y)` with axis names: the cost against
/// reject-rate chart of the `consent_table` example.
pub fn scatter_svg(points: &[(String, f64, f64)], x_name: &str, y_name: &str) -> String {
    let (w, h, left, bottom, right, top_pad) = (900.0, 520.0, 80.0, 50.0, 40.0, 30.0);
    let pw = w - left - right;
    let ph = h - bottom - top_pad;
    let range = |values: Vec<f64>| {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.08).max(1e-6 * hi.abs().max(1.0));
        (lo - pad, hi + pad)
    };
    let (x0, x1) = range(points.iter().map(|p| p.1).collect());
    let (y0, y1) = range(points.iter().map(|p| p.2).collect());
    let x = |v: f64| left + pw * (v - x0) / (x1 - x0);
    let y = |v: f64| top_pad + ph * (1.0 - (v - y0) / (y1 - y0));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"18\">{y_name} against {x_name}</text>\n"
    );
    for i in 0..=4 {
        let (vx, vy) = (
            x0 + (x1 - x0) * f64::from(i) / 4.0,
            y0 + (y1 - y0) * f64::from(i) / 4.0,
        );
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{vy:.0}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{vx:.1}</text>",
            left + pw,
            left - 6.0,
            y(vy) + 4.0,
            x(vx),
            h - bottom + 16.0,
            yy = y(vy)
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{x_name}</text>",
        left + pw / 2.0,
        h - 10.0
    );
    for (i, (label, px, py)) in points.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let _ = writeln!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{label}</text>",
            x(*px),
            y(*py),
            x(*px) + 6.0,
            y(*py) - 6.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}
