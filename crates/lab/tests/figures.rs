//! The CONSENT figures from hand-written `arrivals.csv` rows.

use evmech_lab::figures::{
    choices_svg, cost_and_utility_svg, delays_svg, read_arrivals, reductions_svg,
};

const CSV: &str = "\
policy,date,session_id,slot,served,level,reduction_kwh,delay_minutes,quote_usd,price_usd_per_kwh,reduction_pct,acceptance_utility_usd,best_offer_usd,external_cost_usd
consent,2019-05-01,a,30,true,0,0.0000,0,1.500000,,0.0000,2.1000,,3.6000
consent,2019-05-01,b,31,true,3,8.0000,105,-0.500000,,10.0000,0.4000,,6.0000
consent,2019-05-01,\"c,1\",32,false,,0.0000,0,,,0.0000,-1.2000,9.500000,7.5000
menu,2019-05-01,a,30,true,1,2.0000,30,1.000000,,2.5000,1.0000,,3.6000
";

fn bars(svg: &str) -> usize {
    // Backgrounds are white and the legend's frame is unfilled; bars and legend swatches are
    // filled with a colour.
    svg.split("<rect")
        .skip(1)
        .filter(|r| {
            let tag = &r[..r.find("/>").unwrap_or(r.len())];
            !tag.contains("fill=\"#FFFFFF\"") && !tag.contains("fill=\"none\"")
        })
        .count()
}

#[test]
fn rows_are_read_by_column_name_and_filtered_by_policy() {
    let rows = read_arrivals(CSV, "consent").unwrap();
    assert_eq!(rows.len(), 3);
    assert!(!rows[2].served && rows[2].level.is_none());
    assert_eq!(rows[2].best_offer_usd, Some(9.5));
    assert_eq!(read_arrivals(CSV, "menu").unwrap().len(), 1);
    assert!(read_arrivals("policy,served\nconsent,maybe\n", "consent").is_err());
}

#[test]
fn every_figure_draws_its_bars_and_labels() {
    let rows = read_arrivals(CSV, "consent").unwrap();
    let fig10a = choices_svg(&[("consent".into(), rows.clone())]).unwrap();
    assert!(fig10a.contains("option 3") && fig10a.contains("reject"));
    // Five choices (levels 0-3 and reject), one run: five bars (zero-height ones included).
    assert_eq!(bars(&fig10a), 5 + 1); // + the legend's swatch
    let menu = read_arrivals(CSV, "menu").unwrap();
    let fig11 = choices_svg(&[("consent".into(), rows.clone()), ("menu".into(), menu)]).unwrap();
    assert_eq!(bars(&fig11), 2 * 5 + 2);
    assert!(delays_svg(&rows).unwrap().contains("delay, minutes"));
    assert!(reductions_svg(&rows).unwrap().contains("state of charge"));
    let fig12 = cost_and_utility_svg(&rows).unwrap();
    assert!(fig12.contains("external charging (rejecting users)"));
    assert!(fig12.contains("acceptance utility"));
}
