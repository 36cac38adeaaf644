//! `iptlint rule`: the documentation of the codes.

use std::fmt::Write;

use crate::{EXIT_ERROR, EXIT_OK};

/// The documentation of one code, as `iptlint rule CODE` prints it.
pub fn rule_doc(c: &iptlint_parser::codes::Code) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", c.code, c.name);
    let _ = writeln!(out, "Default severity: {}", c.severity.as_str());
    let _ = writeln!(out, "Summary: {}", c.summary);
    // The doc comments keep the space after `///`: strip exactly one per
    // line (indented code keeps the rest), then blank lines at both ends.
    let lines: Vec<&str> = c.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end()).collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    if let (Some(start), Some(end)) = (start, end) {
        out.push('\n');
        for line in &lines[start..=end] {
            let _ = writeln!(out, "{line}");
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
    let _ = writeln!(out, "{:w_code$}  {:w_name$}  {:8}  SUMMARY", "CODE", "NAME", "SEVERITY");
    for c in codes {
        let _ = writeln!(out, "{:w_code$}  {:w_name$}  {:8}  {}", c.code, c.name, c.severity.as_str(), c.summary);
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
            eprintln!("iptlint: error: no code or name `{key}`; `iptlint rule --all` lists them all");
            EXIT_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code's documentation prints without the `///` blank, without
    /// trailing blanks, and with its sections.
    #[test]
    fn docs_print_cleanly() {
        for c in iptlint_analysis::registry() {
            let doc = rule_doc(c);
            assert!(doc.starts_with(&format!("{} {}\nDefault severity: ", c.code, c.name)));
            let mut in_code = false;
            for line in doc.lines() {
                if line.starts_with("```") {
                    in_code = !in_code;
                    continue;
                }
                assert_eq!(line, line.trim_end(), "{}: trailing blank in {line:?}", c.code);
                if !in_code {
                    // The `///` blank is gone; list items continue with two.
                    let one_blank = line.starts_with(' ') && !line.starts_with("  ");
                    assert!(!one_blank, "{}: line keeps the doc comment's blank: {line:?}", c.code);
                }
            }
            assert!(!in_code, "{}: unclosed code block", c.code);
            assert!(!doc.ends_with("\n\n"), "{}", c.code);
            if !c.doc.trim().is_empty() {
                assert!(doc.contains("\n## "), "{}: no section heading", c.code);
            }
        }
    }

    #[test]
    fn table_lists_every_code_once() {
        let t = rule_table();
        let codes = iptlint_analysis::registry();
        assert_eq!(t.lines().count(), codes.len() + 1);
        for c in codes {
            let line = t.lines().find(|l| l.starts_with(&format!("{} ", c.code))).unwrap();
            assert!(line.contains(c.name) && line.contains(c.severity.as_str()) && line.ends_with(c.summary));
        }
    }
}
