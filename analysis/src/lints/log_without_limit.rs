//! `log-without-limit`: a `-j LOG` rule with no rate limit.

use std::collections::HashMap;

use iptlint_parser::model::{Rule, Table};
use iptlint_parser::{Diagnostic, Edit, Severity, Span};

use crate::lints::established_misuse::established_flags;
use crate::space::{state, Dim, Intervals, PBox};
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a `-j LOG` rule that has no `-m limit` or `-m hashlimit` and is
    /// not reached only through rate-limited jumps.
    ///
    /// It is a warning when the rule logs packets of established
    /// connections (one line per packet of every conversation it sees), and
    /// `info` when it logs only packets that open or break connections
    /// (such as a `LOG` before the final `DROP`): those are few until
    /// someone scans or floods the host.
    ///
    /// ## Why is this bad?
    /// `LOG` writes one kernel log line per packet. Without a limit, a port
    /// scan, a flood or ordinary traffic fills the kernel ring buffer and
    /// the disk, hides other messages, and costs CPU on every packet. A
    /// limit such as `-m limit --limit 5/min --limit-burst 10` keeps the log
    /// readable and still shows that something is happening.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -j LOG
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -m limit --limit 5/min -j LOG
    /// COMMIT
    /// ```
    ///
    /// ## Exceptions
    /// A `LOG` rule in a user chain is fine when every jump into that chain
    /// is rate-limited (`-A INPUT -m limit --limit 5/min -j LOGDROP`).
    /// `NFLOG` is not reported: it hands packets to a user-space daemon in
    /// batches (`--nflog-threshold`) rather than to the kernel log.
    ///
    /// ## Fix safety
    /// The fix adds `-m limit --limit 5/min` before the target. It is not
    /// applied by `--fix`: the rule then logs fewer packets, by design.
    pub LOG_WITHOUT_LIMIT = ("L402", "log-without-limit", Warning, "`-j LOG` without a rate limit");
}

/// Match modules that bound how often the rule matches.
const LIMITS: &[&str] = &["limit", "hashlimit"];

fn limited_rule(rule: &Rule) -> bool {
    rule.matches.iter().any(|m| LIMITS.contains(&m.name.as_str()))
}

/// User chains entered only through rate-limited jumps (or from chains
/// that are).
fn limited_chains(table: &Table) -> HashMap<&str, bool> {
    let mut callers: HashMap<&str, Vec<&Rule>> = HashMap::new();
    for c in &table.chains {
        for &ri in &c.rules {
            let rule = &table.rules[ri];
            if let Some(callee) = rule.target.as_ref().and_then(|t| t.chain()) {
                callers.entry(callee).or_default().push(rule);
            }
        }
    }
    // Start from "limited" for every user chain with callers and lower to
    // false until nothing changes (a greatest fixpoint: cycles of limited
    // chains stay limited).
    let mut limited: HashMap<&str, bool> = table
        .chains
        .iter()
        .map(|c| (c.name.as_str(), !c.is_builtin() && callers.contains_key(c.name.as_str())))
        .collect();
    loop {
        let mut changed = false;
        for c in table.chains.iter().filter(|c| !c.is_builtin()) {
            if !limited[c.name.as_str()] {
                continue;
            }
            let ok = callers
                .get(c.name.as_str())
                .is_some_and(|rs| rs.iter().all(|r| limited_rule(r) || limited.get(r.chain.as_str()) == Some(&true)));
            if !ok {
                limited.insert(c.name.as_str(), false);
                changed = true;
            }
        }
        if !changed {
            return limited;
        }
    }
}

/// Where to insert the limit: before the `-j` word.
fn insert_at(rule: &Rule) -> Option<usize> {
    let t = rule.target.as_ref()?;
    let i = rule.words.iter().position(|w| w.span == t.name_span)?;
    let jump = rule.words.get(i.checked_sub(1)?)?;
    matches!(jump.text.as_str(), "-j" | "--jump").then_some(jump.span.start)
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let family = cx.parsed.ruleset.family;
    for (ti, table) in cx.parsed.ruleset.tables.iter().enumerate() {
        let facts = &cx.facts()[ti];
        let limited = limited_chains(table);
        for chain in &table.chains {
            if limited.get(chain.name.as_str()) == Some(&true) {
                continue;
            }
            for &ri in &chain.rules {
                let rule = &table.rules[ri];
                let Some(t) = &rule.target else { continue };
                if t.name != "LOG" || t.chain().is_some() || limited_rule(rule) {
                    continue;
                }
                let f = &facts.rules[ri];
                if !facts.incomplete && (!f.visited || f.hit.is_empty()) {
                    // Dead or in an unused chain: other lints' business.
                    continue;
                }
                let mut est = PBox::full(family);
                est.set(Dim::State, Intervals::point(state::ESTABLISHED));
                est.set(Dim::TcpFlags, established_flags());
                let busy = facts.incomplete || f.hit.intersects_box(&est);
                let mut d = if busy {
                    Diagnostic::new(
                        &LOG_WITHOUT_LIMIT,
                        t.name_span,
                        "`-j LOG` without a rate limit logs every packet of the connections it sees",
                    )
                    .note("it writes one kernel log line per packet, established traffic included")
                } else {
                    let mut d = Diagnostic::new(
                        &LOG_WITHOUT_LIMIT,
                        t.name_span,
                        "`-j LOG` without a rate limit: a scan or flood writes one kernel log line per packet",
                    );
                    d.severity = Severity::Info;
                    d
                };
                if let Some(at) = insert_at(rule) {
                    d = d.unsafe_fix(
                        "log at most 5 packets a minute",
                        vec![Edit { span: Span::new(at, at), content: "-m limit --limit 5/min ".into() }],
                    );
                }
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{check_source, Config};
    use iptlint_parser::{parse, Family, ParseOptions, Severity};

    fn run(text: &str) -> Vec<(usize, Severity)> {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let config = Config { select: vec!["log-without-limit".into()], ..Config::default() };
        check_source(&p, text, &config).iter().map(|d| (p.ruleset.line_of(d.span.start), d.severity)).collect()
    }

    #[test]
    fn limited_jumps_and_rules_are_silent() {
        let t = "*filter\n:INPUT DROP [0:0]\n:LOGDROP - [0:0]\n:INNER - [0:0]\n\
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
            -A INPUT -m limit --limit 5/min -j LOGDROP\n\
            -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x -j LOG\n\
            -A LOGDROP -j INNER\n\
            -A LOGDROP -j LOG\n\
            -A LOGDROP -j DROP\n\
            -A INNER -j LOG\n\
            COMMIT\n";
        assert_eq!(run(t), vec![]);
    }

    #[test]
    fn unlimited_jump_makes_chain_busy() {
        let t = "*filter\n:LOGDROP - [0:0]\n-A INPUT -m limit --limit 5/min -j LOGDROP\n-A FORWARD -j LOGDROP\n-A LOGDROP -j LOG\nCOMMIT\n";
        assert_eq!(run(t), vec![(5, Severity::Warning)]);
    }

    #[test]
    fn severity_by_traffic() {
        // After the established accept: info. Before it: warning.
        let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j LOG\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --syn --dport 22 -j LOG\n-A INPUT -j LOG\nCOMMIT\n";
        assert_eq!(run(t), vec![(3, Severity::Warning), (5, Severity::Info), (6, Severity::Info)]);
    }

    #[test]
    fn dead_log_rule_is_left_to_other_lints() {
        let t = "*filter\n-A INPUT -j DROP\n-A INPUT -j LOG\nCOMMIT\n";
        assert_eq!(run(t), vec![]);
    }
}
