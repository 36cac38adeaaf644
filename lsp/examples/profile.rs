//! Where the time of one analysis of a 10,000-rule file goes.
#[path = "../benches/edit_latency.rs"]
#[allow(dead_code)]
mod bench;

use std::time::Instant;

fn main() {
    let text = bench::big_ruleset(10_000);
    let t = Instant::now();
    let parsed = iptlint_parser::parse(
        &text,
        &iptlint_parser::ParseOptions { family: Some(iptlint_parser::Family::V4), table: None },
    );
    println!("parse: {:?}", t.elapsed());
    for lint in iptlint_analysis::lints::ALL {
        let t = Instant::now();
        let cx = iptlint_analysis::LintCx::new(&parsed, &text);
        let n = (lint.check)(&cx).len();
        println!("{}: {:?} ({n})", lint.code.name, t.elapsed());
    }
}
