//! `textDocument/formatting`: each rule line in its canonical spelling
//! (the way iptables-save prints it), comments, blank lines and every other
//! line kept in place. Refused while the file has errors, since a line
//! that does not parse has no canonical form.

use iptlint_parser::model::Command;
use tower_lsp_server::ls_types::TextEdit;

use crate::convert::Encoding;
use crate::docs::Analysis;

pub fn handle(a: &Analysis, enc: Encoding) -> Result<Vec<TextEdit>, String> {
    if a.has_errors() {
        let n = a.diagnostics.iter().filter(|d| d.severity == iptlint_parser::Severity::Error).count();
        return Err(format!("not formatting: the file has {n} error(s); fix them first"));
    }
    let lines = a.lines();
    let mut edits = Vec::new();
    for t in &a.parsed.ruleset.tables {
        for r in &t.rules {
            if !r.valid {
                continue;
            }
            let Some(old) = a.text.get(r.span.range()) else { continue };
            let prefix = match &r.counters {
                Some(c) => a.text.get(c.span.range()).map(|s| format!("{s} ")).unwrap_or_default(),
                None => String::new(),
            };
            let specs = iptlint_parser::save::rule_lines(r, a.family);
            let new = match &r.command {
                Command::Append => specs
                    .iter()
                    .map(|s| format!("{prefix}-A {} {s}", r.chain).trim_end().to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
                Command::Insert(n) if specs.len() == 1 => {
                    let explicit = r.words.iter().take(3).any(|w| w.text == n.to_string());
                    let pos = if explicit { format!(" {n}") } else { String::new() };
                    format!("{prefix}-I {}{pos} {}", r.chain, specs[0]).trim_end().to_string()
                }
                _ => continue,
            };
            if new != old {
                edits.push(TextEdit { range: lines.range(r.span, enc), new_text: new });
            }
        }
    }
    Ok(edits)
}
