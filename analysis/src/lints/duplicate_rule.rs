//! `duplicate-rule`: the same rule twice in one chain.

use std::collections::HashMap;

use iptlint_parser::diagnostic::Edit;
use iptlint_parser::save::rule_spec;
use iptlint_parser::Diagnostic;

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a rule that repeats an earlier rule of the same chain word for
    /// word (after canonical spelling: `--dport 22` and
    /// `--destination-port 22` are the same).
    ///
    /// ## Why is this bad?
    /// The second copy never changes what happens to a packet, unless the
    /// rule holds its own state (`limit`, `quota`, `recent`, `statistic`,
    /// …), where two copies double the budget. Copies pile up when scripts
    /// run `iptables -A` on every boot without flushing first.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Fix safety
    /// Removing the copy is safe for stateless rules; for stateful ones the
    /// fix is offered but not applied by `--fix`, since it halves a budget.
    pub DUPLICATE_RULE = ("L106", "duplicate-rule", Warning, "rule repeats an earlier rule of the chain");
}

/// Modules whose two copies are not the same as one.
pub const STATEFUL: &[&str] = &["limit", "hashlimit", "quota", "statistic", "recent", "connlimit", "nfacct", "rateest"];

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let family = cx.parsed.ruleset.family;
    for table in &cx.parsed.ruleset.tables {
        for chain in &table.chains {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for &ri in &chain.rules {
                let rule = &table.rules[ri];
                let key = rule_spec(rule, family);
                match seen.get(&key) {
                    Some(&first) => {
                        let first_span = table.rules[first].span;
                        let stateful = rule.matches.iter().any(|m| STATEFUL.contains(&m.name.as_str()));
                        let line = cx.line(first_span);
                        let mut d = Diagnostic::new(
                            &DUPLICATE_RULE,
                            rule.span,
                            format!("rule repeats line {line} of chain `{}`", chain.name),
                        )
                        .related(first_span, "first copy");
                        let edit = vec![Edit { span: cx.whole_line(rule.span), content: String::new() }];
                        d = if stateful {
                            d.note("the rule keeps its own state, so the copy doubles its budget; remove it only if that was not intended")
                                .unsafe_fix("remove the copy", edit)
                        } else {
                            d.fix("remove the copy", edit)
                        };
                        out.push(d);
                    }
                    None => {
                        seen.insert(key, ri);
                    }
                }
            }
        }
    }
    out
}
