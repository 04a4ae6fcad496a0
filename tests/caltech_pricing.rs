//! Copositive pricing on a real morning: the Caltech sessions of 2019-05-22, 06:00-12:00
//! (`../shared/data/acn`, see its README for provenance and licence), turned into one
//! station-access instance per garage level by `evmech::lab::station_access`.
//! Every level, the busiest with 23 EVs, is priced exactly with the sparse cones (about 12 s in
//! a debug build; the `copositive_caltech` example prints the prices).

use evmech::copositive::{
    best_responses, price, InnerCone, LiftKind, PricingOptions, StoppedBy, Tariff,
};
use evmech::lab::station_access::{acn_window_instances, AcnWindow};
use evmech::v2b_control::Date;

fn caltech_may() -> std::fs::File {
    let root =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let path = format!("{root}/../shared/data/acn/caltech_2019-05.csv");
    std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (../shared must sit beside the repository)"))
}

#[test]
fn a_caltech_morning_is_priced_exactly_level_by_level() {
    let date = Date::new(2019, 5, 22).unwrap();
    let groups = acn_window_instances(
        caltech_may(),
        "caltech_2019-05.csv",
        &AcnWindow::morning(date),
    )
    .unwrap();
    let sessions: usize = groups.iter().map(|g| g.evs.len()).sum();
    assert_eq!(sessions, 34);
    let names: Vec<&str> = groups.iter().map(|g| g.station.as_str()).collect();
    assert_eq!(names, ["CA-3", "CA-4", "CA-5"]);
    let options = PricingOptions {
        cone_kind: InnerCone::SparsePsdNn,
        lift: LiftKind::Sparse,
        ..PricingOptions::default()
    };
    for group in &groups {
        let p = price(&group.instance, &options).unwrap();
        let tol = 1e-4 * p.welfare.max(1.0);
        assert!(
            p.exact && p.stopped_by == StoppedBy::Closed,
            "{}: gap {}",
            group.station,
            p.gap
        );
        assert!(p.welfare > 0.0);
        // The prices keep their promises on real data: no user gains by deviating, the operator
        // covers its costs.
        let gain = best_responses(&p, &Tariff::CmpB)
            .unwrap()
            .iter()
            .map(|b| b.gain)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(gain <= tol, "{}: deviation gain {gain}", group.station);
        assert!(p.operator_surplus(&Tariff::CmpB) >= -tol);
    }
}
