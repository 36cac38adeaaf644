//! The human form of an explanation: the walk as an indented trace, then
//! the verdict, the rewrites, the alternatives and the nearest accepts.

use std::fmt::Write;

use super::{DecidedBy, Explanation, Matched, Step};

fn line_text(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("").trim()
}

fn decided(d: &Option<DecidedBy>, file: &str, text: &str) -> String {
    match d {
        None => "no table has a chain for this path".into(),
        Some(DecidedBy::Rule { table, chain, line, rule }) => {
            format!("{file}:{line} ({table} {chain}, rule {rule}: {})", line_text(text, *line))
        }
        Some(DecidedBy::Policy { table, chain, policy }) => format!("the policy of {table} {chain} ({policy})"),
    }
}

/// Render for a terminal. `file` names the ruleset in `file:line`
/// references; `text` is its content (for the rule lines).
pub fn render_human(e: &Explanation, file: &str, text: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "packet: {} ({})", e.packet, e.path.describe());
    let mut depth_base = 0;
    for s in &e.steps {
        match s {
            Step::Hook(h) => {
                let _ = writeln!(o, "\n{}", h.chain_name());
            }
            Step::Table { table, chain } => {
                let _ = writeln!(o, "  {table} {chain}");
                depth_base = 0;
            }
            Step::SkipTable { table, reason } => {
                let _ = writeln!(o, "  {table}: skipped, {reason}");
            }
            Step::Enter { chain, depth, goto } => {
                let pad = "  ".repeat(depth_base + depth + 1);
                let how = if *goto { "goto" } else { "jump to" };
                let _ = writeln!(o, "  {pad}→ {how} {chain}");
            }
            Step::Return { chain, depth } => {
                let pad = "  ".repeat(depth_base + depth + 1);
                let _ = writeln!(o, "  {pad}← back from {chain}");
            }
            Step::Rule(r) => {
                let pad = "  ".repeat(r.depth + 2);
                let mark = match r.matched {
                    Matched::Yes => "✓",
                    Matched::No => "✗",
                    Matched::Unknown => "?",
                };
                let _ = writeln!(o, "{pad}{mark} {}: {}", r.line, line_text(text, r.line));
                if r.matched == Matched::Yes {
                    for w in e.rewrites.iter().filter(|w| w.line == r.line && w.chain == r.chain && w.table == r.table)
                    {
                        let _ = writeln!(o, "{pad}    {}: {} → {}", w.field, w.from, w.to);
                    }
                }
                if let Some(f) = &r.failed {
                    let _ = writeln!(o, "{pad}    {f}");
                }
                for u in &r.unknown {
                    let _ = writeln!(o, "{pad}    may match: {u} (followed as not matching)");
                }
            }
            Step::Policy { chain, policy, .. } => {
                let _ = writeln!(o, "    policy of {chain}: {policy}");
            }
            Step::Note(n) => {
                let _ = writeln!(o, "    note: {n}");
            }
        }
    }
    let _ = writeln!(o, "\nverdict: {}, decided by {}", e.verdict, decided(&e.decided_by, file, text));
    if !e.rewrites.is_empty() {
        let _ = writeln!(o, "rewrites:");
        for r in &e.rewrites {
            let _ = writeln!(
                o,
                "  {} {} → {} by {file}:{} ({} {} {})",
                r.field, r.from, r.to, r.line, r.table, r.chain, r.target
            );
        }
    }
    if !e.alternatives.is_empty() {
        let _ = writeln!(o, "other possible verdicts (matches that depend on state the file does not fix):");
        for a in &e.alternatives {
            let cause = match &a.if_fires {
                DecidedBy::Rule { line, .. } => format!("{file}:{line}"),
                DecidedBy::Policy { .. } => "?".into(),
            };
            let _ =
                writeln!(o, "  {} if {cause} matches, decided by {}", a.verdict, decided(&a.decided_by, file, text));
        }
    }
    if !e.nearest_accepts.is_empty() {
        let _ = writeln!(o, "nearest accepts:");
        for n in &e.nearest_accepts {
            let _ = writeln!(o, "  {file}:{} ({} {}): {}", n.line, n.table, n.chain, line_text(text, n.line));
            for f in &n.failed {
                let _ = writeln!(o, "    {f}");
            }
        }
    }
    o
}
