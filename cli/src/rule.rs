//! `iptlint rule`: the documentation of the codes.

use std::fmt::Write;

use crate::{EXIT_ERROR, EXIT_OK};

/// The documentation of one code, as `iptlint rule CODE` prints it.
pub fn rule_doc(c: &iptlint_parser::codes::Code) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", c.code, c.name);
    let _ = writeln!(out, "Default severity: {}", c.severity.as_str());
    let _ = writeln!(out, "Summary: {}", c.summary);
    let doc = c.doc.trim();
    if !doc.is_empty() {
        out.push('\n');
        // The doc comments keep the space after `///`.
        for line in doc.lines() {
            let _ = writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line));
        }
    }
    out
}

/// Every code as an aligned plain-text table.
pub fn rule_table() -> String {
    let codes = iptlint_analysis::registry();
    let w_name = codes.iter().map(|c| c.name.len()).max().unwrap_or(4).max(4);
    let w_code = codes.iter().map(|c| c.code.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:w_code$}  {:w_name$}  {:8}  SUMMARY",
        "CODE", "NAME", "SEVERITY"
    );
    for c in codes {
        let _ = writeln!(
            out,
            "{:w_code$}  {:w_name$}  {:8}  {}",
            c.code,
            c.name,
            c.severity.as_str(),
            c.summary
        );
    }
    out
}

/// Write to stdout; a closed pipe (`| head`) is not an error.
fn out(s: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

pub(crate) fn cmd_rule(key: Option<&str>, all: bool) -> i32 {
    if all {
        out(&rule_table());
        return EXIT_OK;
    }
    let key = key.unwrap_or_default();
    match iptlint_analysis::lookup(key) {
        Some(c) => {
            out(&rule_doc(c));
            EXIT_OK
        }
        None => {
            eprintln!(
                "iptlint: error: no code or name `{key}`; `iptlint rule --all` lists them all"
            );
            EXIT_ERROR
        }
    }
}
