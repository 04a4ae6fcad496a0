//! Cross-crate checks through the facade: the re-exports reach every crate, and the generic
//! property checkers work on the two-stage pipeline as a whole.

use evmech::mechanisms::properties::{incentive_compatibility, individual_rationality, Deviation};
use evmech::mechanisms::two_stage::{RealTimeRule, TwoStage, TwoStageReport};
use evmech::mechanisms::{realtime::TieBreak, vcg::ReserveRule, Mechanism, Tolerance, Valuation};

fn v(x: &[f64]) -> Valuation {
    Valuation::new(x.to_vec()).unwrap()
}

#[test]
fn facade_reexports_every_crate() {
    assert!(evmech::milp_model::CbcSettings::default()
        .validate()
        .is_ok());
    assert!(evmech::copositive::SolveStatus::Optimal.is_optimal());
    assert_eq!(evmech::mechanisms::vcg::DayAheadVcg::new(3).n_sessions(), 3);
}

#[test]
fn two_stage_with_exchange_is_ir_overall_and_dsic_in_real_time_on_t9() {
    // T9 with a strict swap: EV 0 and EV 2 hold A and B and prefer each other's session.
    let reports = vec![
        TwoStageReport {
            day_ahead: Some(v(&[6.0, 3.0])),
            real_time: v(&[2.0, 6.0]),
        },
        TwoStageReport {
            day_ahead: Some(v(&[4.0, 1.0])),
            real_time: v(&[1.0, 5.0]),
        },
        TwoStageReport {
            day_ahead: Some(v(&[2.0, 2.0])),
            real_time: v(&[3.0, 2.0]),
        },
    ];
    let truth: Vec<Valuation> = reports.iter().map(|r| r.real_time.clone()).collect();
    let market = TwoStage::new(
        2,
        ReserveRule::Zero,
        RealTimeRule::TradingCycles {
            tie_break: TieBreak::KeepFirst,
        },
    );
    let outcome = market.run(&reports).unwrap();
    assert_eq!(outcome.allocation(), &[Some(1), None, Some(0)]);
    // Overall utility uses real-time values and day-ahead + real-time payments.
    let ir = individual_rationality(&outcome, &truth).unwrap();
    assert!(ir.holds(Tolerance::EXACT), "{ir:?}");
    let deviations: Vec<Deviation<TwoStageReport>> = (0..3)
        .flat_map(|agent| {
            let da = reports[agent].day_ahead.clone();
            [[0.0, 0.0], [9.0, 0.0], [0.0, 9.0], [5.0, 5.0]].map(move |rt| Deviation {
                agent,
                report: TwoStageReport {
                    day_ahead: da.clone(),
                    real_time: v(&rt),
                },
            })
        })
        .collect();
    let dsic = incentive_compatibility(&market, &truth, &reports, &deviations).unwrap();
    assert!(dsic.holds(Tolerance::EXACT), "{dsic:?}");
    assert_eq!(dsic.checked, 12);
}
