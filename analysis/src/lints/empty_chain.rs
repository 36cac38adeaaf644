//! `empty-chain`: a user chain that is jumped to and holds no rule.

use iptlint_parser::Diagnostic;

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a user chain with no rules that rules jump to.
    ///
    /// ## Why is this bad?
    /// A jump into an empty chain returns at once: the jump does nothing.
    /// Usually the chain's rules were meant to be added by another script,
    /// or were lost.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :BLOCKLIST - [0:0]
    /// -A INPUT -j BLOCKLIST
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :BLOCKLIST - [0:0]
    /// -A INPUT -j BLOCKLIST
    /// -A BLOCKLIST -s 203.0.113.0/24 -j DROP
    /// COMMIT
    /// ```
    ///
    /// ## Exceptions
    /// Chains filled at run time (fail2ban, Docker) are empty in a saved
    /// file on purpose; disable the lint for them.
    pub EMPTY_CHAIN = ("L107", "empty-chain", Hint, "jumps into a chain that holds no rule");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in &cx.parsed.ruleset.tables {
        for chain in table.chains.iter().filter(|c| !c.is_builtin() && c.rules.is_empty()) {
            let jumps: Vec<_> = table
                .rules
                .iter()
                .filter(|r| r.valid && r.target.as_ref().and_then(|t| t.chain()) == Some(chain.name.as_str()))
                .collect();
            if jumps.is_empty() {
                continue;
            }
            let span = chain.decl.unwrap_or(table.span);
            let mut d = Diagnostic::new(
                &EMPTY_CHAIN,
                span,
                format!("chain `{}` holds no rule: jumps into it do nothing", chain.name),
            );
            for r in jumps.iter().take(8) {
                d = d.related(r.span, "jumps into the empty chain");
            }
            out.push(d);
        }
    }
    out
}
