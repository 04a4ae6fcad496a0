//! One libFuzzer target for every input format: `EVMECH_FUZZ_FORMAT` names the format
//! (`two-stage`, `copositive`, `sessions-csv`, ..., as `evmech_cli::InputFormat::name` gives
//! them). A panic is a crash; a refusal with a typed error is a normal run.
#![no_main]

use evmech_cli::InputFormat;
use std::sync::OnceLock;

fn format() -> InputFormat {
    static FORMAT: OnceLock<InputFormat> = OnceLock::new();
    *FORMAT.get_or_init(|| {
        let name = std::env::var("EVMECH_FUZZ_FORMAT").unwrap_or_default();
        InputFormat::from_name(&name).unwrap_or_else(|| {
            let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.name()).collect();
            panic!("set EVMECH_FUZZ_FORMAT to one of {}", names.join(", "))
        })
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    format().check(data);
});
