//! `unused-chain`: a user chain nothing jumps or goes to.

use iptlint_parser::Diagnostic;

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a user chain that no rule of its table jumps to (`-j`) or goes
    /// to (`-g`).
    ///
    /// ## Why is this bad?
    /// Its rules never see a packet. Often the jump was forgotten, or the
    /// chain is left over from an old setup.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :SSH - [0:0]
    /// -A SSH -s 192.0.2.0/24 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :SSH - [0:0]
    /// -A INPUT -p tcp --dport 22 -j SSH
    /// -A SSH -s 192.0.2.0/24 -j ACCEPT
    /// COMMIT
    /// ```
    pub UNUSED_CHAIN = ("L104", "unused-chain", Warning, "user chain that nothing jumps to");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in &cx.parsed.ruleset.tables {
        for chain in table.chains.iter().filter(|c| !c.is_builtin()) {
            let used = table
                .rules
                .iter()
                .any(|r| r.valid && r.target.as_ref().and_then(|t| t.chain()) == Some(chain.name.as_str()));
            if used {
                continue;
            }
            let span = chain.decl.unwrap_or(table.span);
            let what = match chain.rules.len() {
                0 => String::new(),
                1 => " (its rule never runs)".to_string(),
                n => format!(" (its {n} rules never run)"),
            };
            out.push(Diagnostic::new(&UNUSED_CHAIN, span, format!("chain `{}` is never jumped to{what}", chain.name)));
        }
    }
    out
}
