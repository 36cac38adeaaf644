//! `shadowed-rule`, `redundant-rule` and `unreachable-rule`: rules no packet
//! can match, found by the reachability walk (`crate::reach`).

use iptlint_parser::model::{Rule, Table, TargetKind};
use iptlint_parser::save::save_options;
use iptlint_parser::Diagnostic;

use crate::reach::TableFacts;
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a rule that no packet can match because earlier rules of its
    /// chain, one or several together, already decided every packet it
    /// would match, with a different verdict.
    ///
    /// ## Why is this bad?
    /// The rule looks like it does something and does nothing. Usually it
    /// was meant to come first: an exception placed after the general rule
    /// it was an exception to.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// -A INPUT -p tcp --dport 1:1024 -j DROP
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -p tcp --dport 1:1024 -j DROP
    /// COMMIT
    /// ```
    ///
    /// ## Known problems
    /// Conditions iptlint does not model (rate limits, ipset contents,
    /// payload matches, unknown modules) make a rule *may match*: such a rule
    /// never hides another, so a rule hidden only by them is not reported.
    pub SHADOWED_RULE = ("L101", "shadowed-rule", Warning, "rule never matches: earlier rules decide all its packets differently");
}

declare_lint! {
    /// ## What it does
    /// Finds a rule that no packet can match because earlier rules already
    /// gave every packet it would match the same verdict.
    ///
    /// ## Why is this bad?
    /// Removing it changes nothing; keeping it makes the ruleset longer and
    /// suggests an intent that is not there.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// -A INPUT -s 10.0.0.0/8 -j ACCEPT
    /// -A INPUT -s 10.1.2.3 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// -A INPUT -s 10.0.0.0/8 -j ACCEPT
    /// COMMIT
    /// ```
    pub REDUNDANT_RULE = ("L102", "redundant-rule", Warning, "rule never matches: earlier rules already give its packets the same verdict");
}

declare_lint! {
    /// ## What it does
    /// Finds a rule no packet can reach: an earlier rule or jump decides
    /// every packet of the chain, or the chain is entered only with packets
    /// the rule can never match (`-p udp` in a chain entered only with
    /// `-p tcp`).
    ///
    /// ## Why is this bad?
    /// Everything after a catch-all rule is dead code, and a rule whose
    /// conditions contradict the jump into its chain is a mistake in one of
    /// the two.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :TCP - [0:0]
    /// -A INPUT -p tcp -j TCP
    /// -A TCP -p udp --dport 53 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :TCP - [0:0]
    /// -A INPUT -p tcp -j TCP
    /// -A INPUT -p udp --dport 53 -j ACCEPT
    /// COMMIT
    /// ```
    pub UNREACHABLE_RULE = ("L103", "unreachable-rule", Warning, "no packet can reach the rule");
}

/// How a rule is dead, if it is.
enum Dead {
    /// The chain never sees a packet the rule matches.
    NeverEntered,
    /// Earlier rules decide every packet before the rule.
    AfterCatchAll(Vec<usize>),
    /// Earlier rules decide every packet the rule matches.
    Covered { covering: Vec<usize>, same_verdict: bool },
}

fn verdict(rule: &Rule) -> String {
    match rule.target.as_ref().map(|t| (&t.kind, t)) {
        Some((TargetKind::Ext(spec), t)) => {
            let mut s = spec.name.to_string();
            save_options(&t.inst, &mut s);
            s
        }
        Some((TargetKind::Chain(c), t)) => format!("{} {c}", if t.goto { "-g" } else { "-j" }),
        _ => String::new(),
    }
}

fn classify(table: &Table, facts: &TableFacts, chain_rules: &[usize], pos: usize) -> Option<Dead> {
    let ri = chain_rules[pos];
    let f = &facts.rules[ri];
    if !f.visited || !f.hit.is_empty() {
        return None;
    }
    let chain = &table.rules[ri].chain;
    let entered = facts.entered.get(chain)?;
    if !entered.intersects_box(&f.matchset.region) {
        return Some(Dead::NeverEntered);
    }
    let earlier = &chain_rules[..pos];
    let deciding = |j: usize| {
        let fj = &facts.rules[j];
        fj.matchset.exact() && fj.reached && table.rules[j].target.is_some()
    };
    if !f.reached {
        // The last deciding rule before this one took what was left.
        let last = earlier.iter().rev().copied().find(|&j| deciding(j) && !facts.rules[j].hit.is_empty());
        return Some(Dead::AfterCatchAll(last.into_iter().collect()));
    }
    let want = entered.intersect_box(&f.matchset.region);
    let covering: Vec<usize> = earlier
        .iter()
        .copied()
        .filter(|&j| deciding(j) && facts.rules[j].hit.boxes().iter().any(|b| want.intersects_box(b)))
        .collect();
    let mine = verdict(&table.rules[ri]);
    let same_verdict = !covering.is_empty() && covering.iter().all(|&j| verdict(&table.rules[j]) == mine);
    Some(Dead::Covered { covering, same_verdict })
}

fn lines(cx: &LintCx, table: &Table, rules: &[usize]) -> String {
    let mut v: Vec<String> = rules.iter().map(|&j| cx.line(table.rules[j].span).to_string()).collect();
    if v.len() > 6 {
        let n = v.len() - 5;
        v.truncate(5);
        v.push(format!("{n} more"));
    }
    v.join(", ")
}

fn each_dead(cx: &LintCx, mut f: impl FnMut(&Table, &TableFacts, usize, Dead)) {
    for (ti, table) in cx.parsed.ruleset.tables.iter().enumerate() {
        let facts = &cx.facts()[ti];
        if facts.incomplete {
            continue;
        }
        for chain in &table.chains {
            for pos in 0..chain.rules.len() {
                if let Some(dead) = classify(table, facts, &chain.rules, pos) {
                    f(table, facts, chain.rules[pos], dead);
                }
            }
        }
    }
}

fn related(d: Diagnostic, table: &Table, rules: &[usize], what: &str) -> Diagnostic {
    rules.iter().take(8).fold(d, |d, &j| d.related(table.rules[j].span, what.to_string()))
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_dead(cx, |table, _, ri, dead| {
        if let Dead::Covered { covering, same_verdict: false } = dead {
            let rule = &table.rules[ri];
            let msg = if covering.len() == 1 {
                format!(
                    "rule never matches: line {} decides every packet it would match first",
                    lines(cx, table, &covering)
                )
            } else {
                format!(
                    "rule never matches: lines {} together decide every packet it would match first",
                    lines(cx, table, &covering)
                )
            };
            let d = Diagnostic::new(&SHADOWED_RULE, rule.span, msg)
                .note("move the rule above the rules that hide it, or delete it");
            out.push(related(d, table, &covering, "decides these packets first"));
        }
    });
    out
}

pub fn check_redundant(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_dead(cx, |table, _, ri, dead| {
        if let Dead::Covered { covering, same_verdict: true } = dead {
            let rule = &table.rules[ri];
            let d = Diagnostic::new(
                &REDUNDANT_RULE,
                rule.span,
                format!(
                    "rule is redundant: line{} {} already give{} its packets the same verdict",
                    if covering.len() > 1 { "s" } else { "" },
                    lines(cx, table, &covering),
                    if covering.len() > 1 { "" } else { "s" }
                ),
            )
            .fix(
                "remove the rule",
                vec![iptlint_parser::Edit { span: cx.whole_line(rule.span), content: String::new() }],
            );
            out.push(related(d, table, &covering, "gives the same verdict first"));
        }
    });
    out
}

pub fn check_unreachable(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_dead(cx, |table, _, ri, dead| {
        let rule = &table.rules[ri];
        match dead {
            Dead::NeverEntered => out.push(
                Diagnostic::new(
                    &UNREACHABLE_RULE,
                    rule.span,
                    format!("rule can never match: no packet entering chain `{}` satisfies its conditions", rule.chain),
                )
                .note("the jumps into this chain (or the hook it runs at) already exclude what this rule matches"),
            ),
            Dead::AfterCatchAll(by) => {
                let d = Diagnostic::new(
                    &UNREACHABLE_RULE,
                    rule.span,
                    if by.is_empty() {
                        format!("rule is never reached: earlier rules of `{}` decide every packet", rule.chain)
                    } else {
                        format!(
                            "rule is never reached: line{} {} decide{} every packet first",
                            if by.len() > 1 { "s" } else { "" },
                            lines(cx, table, &by),
                            if by.len() > 1 { "" } else { "s" }
                        )
                    },
                );
                out.push(related(d, table, &by, "decides every remaining packet"));
            }
            Dead::Covered { .. } => {}
        }
    });
    out
}
