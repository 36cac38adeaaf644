//! `analysis-incomplete`: the packet-space analysis of a table hit one of
//! its limits, so its dead-rule findings are left out.

use iptlint_parser::Diagnostic;

use crate::reach::{LimitKind, BUDGET_PER_RULE, MAX_DEPTH, WORK_BUDGET};
use crate::space::DEFAULT_CAP;
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Says that iptlint could not analyse a table completely: a set of
    /// packets it tracks split into more pieces than its cap allows, the
    /// walk over the table ran out of its work budget, or jumps nest too
    /// deep. The finding names the rule where that happened.
    ///
    /// ## Why is this bad?
    /// Nothing is wrong with the ruleset because of it. But the dead-rule
    /// lints (`shadowed-rule`, `redundant-rule`, `unreachable-rule`) make no
    /// finding for that table, since without the full picture they could
    /// call a live rule dead. A clean result is then not a proof that every
    /// rule can match.
    ///
    /// ## Example
    /// Jumps that come back to a chain already being walked (which
    /// `iptables-restore` refuses too) nest without end:
    /// ```text
    /// *filter
    /// :A - [0:0]
    /// :B - [0:0]
    /// -A INPUT -p tcp -j A
    /// -A A -j B
    /// -A B -j A
    /// COMMIT
    /// ```
    /// More often the cause is thousands of rules in one chain that each cut
    /// the traffic still going on in several fields at once (sources,
    /// destinations, ports), so what is left splits into more pieces than
    /// the cap allows.
    ///
    /// ## Use instead
    /// Break the loop; split a very large chain into user chains selected
    /// by one field (for example by destination network or port), which
    /// keeps the pieces few; or silence the finding with
    /// `# iptlint: disable-file=L109`.
    /// ```text
    /// *filter
    /// :A - [0:0]
    /// :B - [0:0]
    /// -A INPUT -p tcp -j A
    /// -A A -j B
    /// -A B -j DROP
    /// COMMIT
    /// ```
    pub ANALYSIS_INCOMPLETE = ("L109", "analysis-incomplete", Info, "the analysis hit a limit: no dead-rule findings for this table");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (table, facts) in cx.parsed.ruleset.tables.iter().zip(cx.facts()) {
        if !facts.incomplete {
            continue;
        }
        let why = match facts.limit.as_ref().map(|l| l.kind) {
            Some(LimitKind::Fragments) | None => {
                format!("the packets it tracks split into more than {DEFAULT_CAP} pieces")
            }
            Some(LimitKind::Budget) => format!(
                "the walk used up its budget of {} steps",
                WORK_BUDGET.max(table.rules.len().saturating_mul(BUDGET_PER_RULE))
            ),
            Some(LimitKind::Depth) => format!("jumps nest deeper than {MAX_DEPTH} chains"),
        };
        let (span, place) = match facts.limit.as_ref() {
            Some(l) => match l.rule {
                Some(ri) => (table.rules[ri].span, format!(" at this rule of chain `{}`", l.chain)),
                None => (
                    table.chain(&l.chain).and_then(|c| c.decl).unwrap_or(table.span),
                    format!(" in chain `{}`", l.chain),
                ),
            },
            None => (table.span, String::new()),
        };
        let d = Diagnostic::new(
            &ANALYSIS_INCOMPLETE,
            span,
            format!(
                "analysis of table `{}` is incomplete: {why}{place}; dead-rule findings (L101-L103) for this table are left out",
                table.name
            ),
        );
        let d = if span != table.span { d.related(table.span, "the table whose analysis is incomplete") } else { d };
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{check_source, Config};
    use iptlint_parser::{parse, Family, ParseOptions};

    fn l109(text: &str) -> Vec<String> {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let config = Config { select: vec!["L109".into()], ..Config::default() };
        check_source(&p, text, &config).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn reported_when_the_cap_is_hit() {
        // Each rule cuts a box out of the (source, sport, dport) space at
        // overlapping offsets: what remains splits into a grid that grows
        // with the cube of the rule count.
        let mut text = String::from("*filter\n");
        let mut x = 12345u32;
        let mut next = |m: u32| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 8) % m
        };
        for _ in 0..120 {
            let (a, b, c) = (next(60000), next(60000), next(200));
            text.push_str(&format!(
                "-A INPUT -p tcp -m iprange --src-range 10.0.0.{c}-10.0.0.{} --sport {a}:{} --dport {b}:{} -j DROP\n",
                c + 50,
                a + 5000,
                b + 5000
            ));
        }
        // The final rule's hit is everything the cuts left: the grid.
        text.push_str("-A INPUT -p tcp -j ACCEPT\nCOMMIT\n");
        let found = l109(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("table `filter` is incomplete"), "{found:?}");
    }

    #[test]
    fn silent_on_a_complete_analysis() {
        let text = "*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n";
        assert!(l109(text).is_empty());
    }
}
