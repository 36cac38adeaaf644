//! `return-at-end`: an unconditional RETURN as the last rule of a chain.

use iptlint_parser::ext::TargetEffect;
use iptlint_parser::Diagnostic;

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a chain whose last rule is `-j RETURN` with no conditions.
    ///
    /// ## Why is this bad?
    /// Falling off the end of a user chain already returns to the caller,
    /// and the end of a built-in chain already applies the policy. The rule
    /// adds nothing; in a built-in chain it often hides the belief that
    /// RETURN accepts or drops.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :CHECKS - [0:0]
    /// -A INPUT -j CHECKS
    /// -A CHECKS -s 203.0.113.0/24 -j DROP
    /// -A CHECKS -j RETURN
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :CHECKS - [0:0]
    /// -A INPUT -j CHECKS
    /// -A CHECKS -s 203.0.113.0/24 -j DROP
    /// COMMIT
    /// ```
    ///
    /// ## Fix safety
    /// Removing the rule keeps the meaning.
    pub RETURN_AT_END = ("L108", "return-at-end", Hint, "unconditional RETURN as the last rule of a chain");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in &cx.parsed.ruleset.tables {
        for chain in &table.chains {
            let Some(&last) = chain.rules.last() else { continue };
            let r = &table.rules[last];
            let unconditional = r.protocol.is_none()
                && r.source.is_none()
                && r.destination.is_none()
                && r.in_iface.is_none()
                && r.out_iface.is_none()
                && r.fragment.is_none()
                && r.matches.iter().all(|m| m.name == "comment");
            let is_return =
                r.target.as_ref().is_some_and(|t| t.effect() == TargetEffect::Return && t.chain().is_none());
            if unconditional && is_return {
                let what = if chain.is_builtin() {
                    "the policy applies at the end of a built-in chain anyway"
                } else {
                    "falling off the end of the chain returns anyway"
                };
                out.push(
                    Diagnostic::new(
                        &RETURN_AT_END,
                        r.span,
                        format!("`-j RETURN` at the end of `{}` does nothing: {what}", chain.name),
                    )
                    .fix(
                        "remove the rule",
                        vec![iptlint_parser::Edit { span: cx.whole_line(r.span), content: String::new() }],
                    ),
                );
            }
        }
    }
    out
}
