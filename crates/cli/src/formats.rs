//! Every input format `evmech` reads, each parsed and validated by one call, as the commands do
//! before any solver runs. Fuzzers drive these calls: the stable mutation harness of
//! `crates/cli/tests/fuzz_inputs.rs` and the coverage-guided `cargo fuzz` targets of `fuzz/`
//! (one per format, `docs/reliability.md` has their run counts).

use crate::input_error::parse_json;
use evmech_v2b_control::live::SiteState;
use evmech_v2b_control::{
    load_acn_json, load_acn_sessions, BuildingLoad, MeterLoad, SessionOptions, Site, SiteConfig,
    Tariff,
};
use std::path::Path;
use std::sync::OnceLock;

/// An input format of the `evmech` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// The `two-stage` instance (JSON), parsed, validated and run through both stages (the
    /// assignment and every payment: pure Rust, no solver library).
    TwoStage,
    /// The `copositive` instance (JSON), parsed and validated (no pricing).
    Copositive,
    /// A session CSV in the ACN-Data export's columns.
    SessionsCsv,
    /// Sessions as the ACN-Data API returns them (JSON).
    SessionsAcnJson,
    /// The DOE building load, one typical year of hourly rows (CSV).
    BuildingCsv,
    /// A building meter's readings (CSV).
    MeterCsv,
    /// A site (chargers, import limit, penalties, demand response) as JSON.
    SiteJson,
    /// A tariff as JSON, validated.
    TariffJson,
    /// A live state (`v2b decide`) as JSON, slotted on the default site's clock. An arriving
    /// driver's file (`v2b quote`) is checked by the same code: the controller slots her as
    /// one more EV of the state.
    LiveStateJson,
}

impl InputFormat {
    /// Every format, in a fixed order.
    pub const ALL: [InputFormat; 9] = [
        InputFormat::TwoStage,
        InputFormat::Copositive,
        InputFormat::SessionsCsv,
        InputFormat::SessionsAcnJson,
        InputFormat::BuildingCsv,
        InputFormat::MeterCsv,
        InputFormat::SiteJson,
        InputFormat::TariffJson,
        InputFormat::LiveStateJson,
    ];

    /// The format's name, as the fuzz targets are named (`two-stage`, `sessions-csv` ...).
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::TwoStage => "two-stage",
            InputFormat::Copositive => "copositive",
            InputFormat::SessionsCsv => "sessions-csv",
            InputFormat::SessionsAcnJson => "sessions-acn-json",
            InputFormat::BuildingCsv => "building-csv",
            InputFormat::MeterCsv => "meter-csv",
            InputFormat::SiteJson => "site-json",
            InputFormat::TariffJson => "tariff-json",
            InputFormat::LiveStateJson => "live-state-json",
        }
    }

    /// The format named `name` (as [`InputFormat::name`] gives it).
    pub fn from_name(name: &str) -> Option<InputFormat> {
        InputFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Parses and validates `bytes` as this format: `true` when accepted, `false` when refused
    /// with a typed error. Never panics on any bytes (a panic is a bug the fuzzers look for).
    ///
    /// ```
    /// use evmech_cli::InputFormat;
    /// let meter = "time,kw\n2019-05-01T00:00:00-07:00,100\n2019-05-01T00:15:00-07:00,90\n";
    /// assert!(InputFormat::MeterCsv.check(meter.as_bytes()));
    /// // 2019 has no 29 February: refused (with a typed error naming the column), no panic.
    /// assert!(!InputFormat::MeterCsv.check(meter.replace("05-01", "02-29").as_bytes()));
    /// ```
    pub fn check(self, bytes: &[u8]) -> bool {
        let text = || String::from_utf8_lossy(bytes);
        let label = Path::new("<input>");
        match self {
            InputFormat::TwoStage => crate::two_stage_json(&text()).is_ok(),
            InputFormat::Copositive => crate::copositive_check_json(&text()).is_ok(),
            InputFormat::SessionsCsv => {
                load_acn_sessions(bytes, "<input>", &SessionOptions::paper()).is_ok()
            }
            InputFormat::SessionsAcnJson => {
                load_acn_json(&text(), "<input>", &SessionOptions::paper()).is_ok()
            }
            InputFormat::BuildingCsv => BuildingLoad::from_csv(bytes, "<input>").is_ok(),
            InputFormat::MeterCsv => MeterLoad::from_csv(bytes, "<input>", None).is_ok(),
            InputFormat::SiteJson => parse_json::<Site>(label, &text()).is_ok(),
            InputFormat::TariffJson => {
                parse_json::<Tariff>(label, &text()).is_ok_and(|t| t.validate().is_ok())
            }
            InputFormat::LiveStateJson => parse_json::<SiteState>(label, &text())
                .is_ok_and(|s| s.slotted(default_site(), site_zone()).is_ok()),
        }
    }
}

/// The default site (the paper's chargers, Silicon Valley Power), built once.
fn default_site() -> &'static SiteConfig {
    static SITE: OnceLock<SiteConfig> = OnceLock::new();
    SITE.get_or_init(SiteConfig::default)
}

/// The default site's zone (its tariff's, `America/Los_Angeles`), looked up once.
fn site_zone() -> &'static jiff::tz::TimeZone {
    static ZONE: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        let clock = default_site().clock();
        clock.zone().cloned().unwrap_or(jiff::tz::TimeZone::UTC)
    })
}
