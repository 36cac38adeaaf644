//! `unreachable-chain`: a user chain whose every jump can never fire.

use iptlint_parser::Diagnostic;

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a user chain that rules do jump to, but no packet ever gets
    /// there: every jumping rule is itself dead, or sits in a chain no packet
    /// reaches.
    ///
    /// ## Why is this bad?
    /// The chain's rules look active and are not. The dead-rule findings of
    /// its rules are not repeated; this finding covers them.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :WEB - [0:0]
    /// -A INPUT -j DROP
    /// -A INPUT -p tcp --dport 80 -j WEB
    /// -A WEB -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :WEB - [0:0]
    /// -A INPUT -p tcp --dport 80 -j WEB
    /// -A INPUT -j DROP
    /// -A WEB -j ACCEPT
    /// COMMIT
    /// ```
    pub UNREACHABLE_CHAIN = ("L105", "unreachable-chain", Warning, "no packet can reach the chain");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (ti, table) in cx.parsed.ruleset.tables.iter().enumerate() {
        let facts = &cx.facts()[ti];
        if facts.incomplete {
            continue;
        }
        for chain in table.chains.iter().filter(|c| !c.is_builtin()) {
            let jumps: Vec<usize> = (0..table.rules.len())
                .filter(|&i| {
                    table.rules[i].valid
                        && table.rules[i].target.as_ref().and_then(|t| t.chain()) == Some(chain.name.as_str())
                })
                .collect();
            if jumps.is_empty() {
                continue; // unused-chain
            }
            if facts.entered.get(&chain.name).is_some_and(|s| !s.is_empty()) {
                continue;
            }
            let span = chain.decl.unwrap_or(table.span);
            let lines: Vec<String> = jumps.iter().map(|&j| cx.line(table.rules[j].span).to_string()).collect();
            let mut d = Diagnostic::new(
                &UNREACHABLE_CHAIN,
                span,
                format!(
                    "chain `{}` is never entered: its jumps (line{} {}) can never fire",
                    chain.name,
                    if lines.len() > 1 { "s" } else { "" },
                    lines.join(", ")
                ),
            );
            for &j in jumps.iter().take(8) {
                d = d.related(table.rules[j].span, "this jump never fires");
            }
            out.push(d);
        }
    }
    out
}
