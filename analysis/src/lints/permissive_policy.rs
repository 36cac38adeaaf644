//! `permissive-policy`: INPUT or FORWARD lets through whatever no rule
//! handled.

use iptlint_parser::ext::TargetEffect;
use iptlint_parser::model::{Policy, TargetKind};
use iptlint_parser::{Diagnostic, Severity};

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds an INPUT or FORWARD chain of the filter table whose policy is
    /// ACCEPT (set or left unset) while some packets reach the end of the
    /// chain: nothing drops or rejects what the rules did not handle.
    ///
    /// ## Why is this bad?
    /// Every service on the host, and on the networks it routes to, is open
    /// unless a rule closes it. A firewall is normally a list of what is
    /// allowed, ending in "drop the rest". FORWARD matters most where the nat
    /// table rewrites addresses (DNAT, MASQUERADE): the host routes.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :INPUT ACCEPT [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// :FORWARD DROP [0:0]
    /// -A INPUT -i lo -j ACCEPT
    /// -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Exceptions
    /// A host that forwards nothing (`net.ipv4.ip_forward=0`) gains little
    /// from a FORWARD policy; that case is reported as `info`.
    pub PERMISSIVE_POLICY = ("L302", "permissive-policy", Warning, "INPUT or FORWARD accepts whatever no rule handled");
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let rs = &cx.parsed.ruleset;
    let routes = rs.table("nat").is_some_and(|nat| {
        nat.chains.iter().flat_map(|c| c.rules.iter()).any(|&ri| {
            nat.rules[ri]
                .target
                .as_ref()
                .is_some_and(|t| matches!(&t.kind, TargetKind::Ext(s) if s.effect == TargetEffect::Rewrite))
        })
    });
    for (ti, table) in rs.tables.iter().enumerate() {
        if table.name != "filter" {
            continue;
        }
        let facts = &cx.facts()[ti];
        for name in ["INPUT", "FORWARD"] {
            let Some(chain) = table.chain(name) else { continue };
            if matches!(chain.policy, Some((Policy::Drop, _))) {
                continue;
            }
            let Some(rest) = facts.to_policy.get(name) else { continue };
            if rest.is_empty() {
                continue;
            }
            let span = chain.policy.as_ref().map(|p| p.1).or(chain.decl).unwrap_or(table.span);
            let mut d = Diagnostic::new(
                &PERMISSIVE_POLICY,
                span,
                format!("`{name}` accepts every packet no rule handled: its policy is ACCEPT and no final rule drops or rejects"),
            )
            .note(format!("set `:{name} DROP [0:0]` (allowing loopback and established traffic first), or end the chain with `-A {name} -j DROP`"));
            if name == "FORWARD" {
                if routes {
                    d = d.note("the nat table rewrites addresses, so this host routes traffic: FORWARD decides what reaches the hosts behind it");
                } else {
                    d.severity = Severity::Info;
                }
            }
            out.push(d);
        }
    }
    out
}
