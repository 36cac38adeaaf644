//! The corpus without the kernel: what `tests/kernel_agreement.rs` checks
//! against `iptables-restore`, reduced to what needs no namespace, so it
//! runs everywhere: valid files give no error; each invalid file gives an
//! error with one of the codes of its `# expect:` line.

#[path = "support/corpus.rs"]
mod corpus;

use iptlint_parser::{parse, ParseOptions, Severity};

fn errors(c: &corpus::Case) -> Vec<(usize, &'static str, String)> {
    let p = parse(&c.text, &ParseOptions { family: Some(c.family), table: None });
    p.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (p.ruleset.line_of(d.span.start), d.code.code, d.message.clone()))
        .collect()
}

#[test]
fn valid_files_have_no_errors() {
    let mut bad = Vec::new();
    for c in corpus::load_dir("valid") {
        for (line, code, msg) in errors(&c) {
            bad.push(format!("{}:{line}: {code} {msg}", c.name));
        }
    }
    assert!(bad.is_empty(), "false errors:\n{}", bad.join("\n"));
}

#[test]
fn invalid_files_report_their_code() {
    let mut bad = Vec::new();
    for c in corpus::load_dir("invalid") {
        let errs = errors(&c);
        if !errs.iter().any(|(_, code, _)| c.expect.iter().any(|e| e == code)) {
            bad.push(format!(
                "{}: expects {}, got [{}]",
                c.name,
                c.expect.join("/"),
                errs.iter().map(|(l, code, m)| format!("{l}: {code} {m}")).collect::<Vec<_>>().join("; ")
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `save::save` against the golden `iptables-save` output of each valid
/// file (`tests/corpus/saved/`, kept equal to the kernel's by
/// `kernel_agreement.rs`): `#` lines dropped, chain counters `[0:0]`.
#[test]
fn save_matches_golden_output() {
    let mut bad = Vec::new();
    for c in corpus::load_dir("valid") {
        let golden = corpus::corpus_dir().join("saved").join(c.name.trim_start_matches("valid/"));
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        let p = parse(&c.text, &ParseOptions { family: Some(c.family), table: None });
        let got: String = iptlint_parser::save::save(&p.ruleset)
            .lines()
            .map(|l| {
                let l = match (l.starts_with(':'), l.rfind(" [")) {
                    (true, Some(i)) => format!("{} [0:0]", &l[..i]),
                    _ => l.to_string(),
                };
                l + "\n"
            })
            .collect();
        if got != want {
            bad.push(format!("{}:\n--- want\n{want}--- got\n{got}", c.name));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
