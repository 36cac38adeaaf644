//! `missing-policy`: a table block that leaves a built-in chain's policy
//! unset.

use iptlint_parser::model::Format;
use iptlint_parser::{Diagnostic, Edit, Span};

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a table block with a built-in chain that gets no policy: its
    /// `:CHAIN POLICY` line is absent or says `-`.
    ///
    /// ## Why is this bad?
    /// The policy after loading then depends on the backend. Measured with
    /// iptables 1.8.9: `iptables-restore` on nf_tables resets the chain to
    /// ACCEPT, while the legacy backend keeps whatever policy the kernel had
    /// before. A file that says "drop everything else" in a comment and sets
    /// no policy accepts everything else on most current systems.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// # allow ssh, drop everything else
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// :FORWARD DROP [0:0]
    /// :OUTPUT ACCEPT [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes `:CHAIN ACCEPT [0:0]`, which is what nf_tables does
    /// anyway, so the meaning stays; choose DROP yourself where you meant it.
    pub MISSING_POLICY = ("L301", "missing-policy", Warning, "built-in chain without a policy in its table block");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if cx.parsed.ruleset.format != Format::Save {
        return out;
    }
    let says_drop = cx.parsed.ruleset.comments.iter().any(|c| {
        let t = c.text.to_ascii_lowercase();
        t.contains("drop") || t.contains("deny") || t.contains("reject") || t.contains("block")
    });
    for table in &cx.parsed.ruleset.tables {
        if table.name == "nat" || table.span.is_empty() {
            continue;
        }
        for chain in table.chains.iter().filter(|c| c.is_builtin() && c.policy.is_none()) {
            let (span, how) = match chain.decl {
                Some(s) => (s, "declares it with `-`".to_string()),
                None => (table.span, format!("has no `:{} …` line", chain.name)),
            };
            let mut d = Diagnostic::new(
                &MISSING_POLICY,
                span,
                format!("table `{}` {how}: chain `{}` gets no policy", table.name, chain.name),
            )
            .note("nf_tables iptables-restore resets it to ACCEPT; the legacy backend keeps the policy the kernel had before");
            if says_drop && matches!(chain.name.as_str(), "INPUT" | "FORWARD") {
                d = d.note("a comment in this file speaks of dropping, but without a DROP policy nothing is dropped by default");
            }
            let line = format!(":{} ACCEPT [0:0]", chain.name);
            d = match chain.decl {
                Some(s) => d.replace("make the ACCEPT policy explicit", s, line),
                None => {
                    let at = (table.span.end + 1).min(cx.text.len());
                    d.fix(
                        "make the ACCEPT policy explicit",
                        vec![Edit { span: Span::new(at, at), content: format!("{line}\n") }],
                    )
                }
            };
            out.push(d);
        }
    }
    out
}
