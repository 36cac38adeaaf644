//! `lockout-risk`: INPUT drops new SSH connections or the packets of an
//! established one, so loading the file over SSH cuts the session.

use std::collections::HashMap;

use iptlint_parser::ext::{Family, Hook};
use iptlint_parser::model::{Rule, Table};
use iptlint_parser::{Diagnostic, Severity};

use crate::lints::established_misuse::{established_flags, probe, syn_flags, Verdicts};
use crate::space::{state, Dim, Intervals, PacketSet};
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a filter table whose INPUT chain, from every source, either
    /// accepts no new SSH connection (tcp port 22, or a port that a comment
    /// on its rule calls SSH) or drops the packets of an established one.
    /// The packet engine decides: is some new SSH packet from the network
    /// accepted, and are the established packets of such a connection
    /// accepted from the same source?
    ///
    /// ## Why is this bad?
    /// Rules are usually loaded over SSH. If INPUT drops by default (DROP
    /// policy or a final catch-all drop) and nothing lets SSH in, or only
    /// new connections are let in while their established packets are
    /// dropped, the session that loads the file freezes and the next login
    /// fails: the host is reachable only from its console.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -i lo -j ACCEPT
    /// -A INPUT -p tcp --dport 80 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -i lo -j ACCEPT
    /// -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -p tcp --dport 80 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Known problems
    /// Only connections from the network count (not over `lo`). SSH on a
    /// port other than 22 is recognised only where a comment says so: a
    /// `-m comment --comment` on the rule or a `#` comment on the line
    /// above it mentioning "ssh". Rules iptlint does not model (`-m set`,
    /// `-m recent`, …) count as accepting, so they never cause a finding.
    /// For an IPv6 file the finding is `info`: the host may be managed over
    /// IPv4.
    ///
    /// ## Exceptions
    /// A host managed from its console or not by SSH can silence the lint
    /// with `# iptlint: disable-file=lockout-risk`.
    pub LOCKOUT_RISK = ("L303", "lockout-risk", Warning, "INPUT drops SSH: loading the file over SSH locks you out");
}

/// Lower-cased comments by 1-based line: `#` lines.
fn comment_lines(cx: &LintCx) -> HashMap<usize, String> {
    cx.parsed.ruleset.comments.iter().map(|c| (cx.line(c.span), c.text.to_ascii_lowercase())).collect()
}

/// The comment of a rule, lower-cased: its `-m comment` text and the `#`
/// comment on the line above it.
fn comments_of(cx: &LintCx, lines: &HashMap<usize, String>, rule: &Rule) -> String {
    let mut s = String::new();
    for m in rule.matches.iter().filter(|m| m.name == "comment") {
        for o in &m.options {
            s.push_str(&o.value.to_string().to_ascii_lowercase());
            s.push(' ');
        }
    }
    if let Some(c) = cx.line(rule.span).checked_sub(1).and_then(|l| lines.get(&l)) {
        s.push_str(c);
    }
    s
}

/// Port 22 and the tcp ports of rules whose comment speaks of SSH.
fn ssh_ports(cx: &LintCx, table: &Table, family: Family) -> Intervals {
    let lines = comment_lines(cx);
    let mut ports = Intervals::point(22);
    for rule in &table.rules {
        if !comments_of(cx, &lines, rule).contains("ssh") {
            continue;
        }
        let m = crate::matchset::rule_match(rule, family);
        let dport = m.region.get(Dim::Dport);
        if !dport.is_full(65535) && dport.count() <= 16 && m.region.get(Dim::Proto).contains(6) {
            ports = ports.union(dport);
        }
    }
    ports
}

fn sources(s: &PacketSet) -> Intervals {
    s.boxes().iter().fold(Intervals::empty(), |acc, b| acc.union(b.get(Dim::Src)))
}

/// How INPUT treats SSH, over every SSH port.
enum Ssh {
    /// Some source may open a connection and keep it.
    Fine,
    NoNew,
    NoEstablished,
    DisjointSources,
}

fn ssh_verdict(v: &Verdicts, ports: &Intervals) -> Option<Ssh> {
    let mut any_new = false;
    let mut any_est = false;
    for &(lo, hi) in ports.runs() {
        let mut new = probe(Hook::Input, v.family);
        new.set(Dim::Proto, Intervals::point(6));
        new.set(Dim::Dport, Intervals::range(lo, hi));
        let mut est = new.clone();
        new.set(Dim::State, Intervals::point(state::NEW));
        new.set(Dim::TcpFlags, syn_flags());
        est.set(Dim::State, Intervals::point(state::ESTABLISHED));
        est.set(Dim::TcpFlags, established_flags());
        let (acc_new, acc_est) = (v.may_accept_set(&new), v.may_accept_set(&est));
        if acc_new.truncated() || acc_est.truncated() {
            return None;
        }
        let (src_new, src_est) = (sources(&acc_new), sources(&acc_est));
        any_new |= !src_new.is_empty();
        any_est |= !src_est.is_empty();
        if src_new.intersects(&src_est) {
            return Some(Ssh::Fine);
        }
    }
    Some(match (any_new, any_est) {
        (false, _) => Ssh::NoNew,
        (true, false) => Ssh::NoEstablished,
        (true, true) => Ssh::DisjointSources,
    })
}

fn ports_text(ports: &Intervals) -> String {
    let v: Vec<String> =
        ports.runs().iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}:{b}") }).collect();
    v.join(", ")
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let family = cx.parsed.ruleset.family;
    for (ti, table) in cx.parsed.ruleset.tables.iter().enumerate() {
        if table.name != "filter" {
            continue;
        }
        let Some(v) = Verdicts::new(cx, ti, "INPUT") else { continue };
        let ports = ssh_ports(cx, table, family);
        let Some(verdict) = ssh_verdict(&v, &ports) else { continue };
        let p = ports_text(&ports);
        let msg = match verdict {
            Ssh::Fine => continue,
            Ssh::NoNew => format!(
                "`INPUT` accepts no new SSH connection (tcp port {p}) from the network: loading this file over SSH locks you out"
            ),
            Ssh::NoEstablished => format!(
                "`INPUT` accepts new SSH connections (tcp port {p}) but drops their established packets: the session that loads this file freezes"
            ),
            Ssh::DisjointSources => format!(
                "`INPUT` accepts new SSH connections (tcp port {p}) and their established packets only from different sources: no SSH session can last"
            ),
        };
        let mut all = probe(Hook::Input, family);
        all.set(Dim::Proto, Intervals::point(6));
        all.set(Dim::Dport, ports.clone());
        let span = v.drop_site(&PacketSet::from_box(family, all)).unwrap_or(table.span);
        let mut d = Diagnostic::new(&LOCKOUT_RISK, span, msg);
        d = match verdict {
            Ssh::NoNew => d.note("accept SSH before the rules that drop, e.g. `-A INPUT -p tcp --dport 22 -j ACCEPT`; if SSH listens on another port, say so in a comment on its rule (`-m comment --comment ssh`)"),
            _ => d.note("accept established traffic early: `-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`"),
        };
        if family == Family::V6 {
            d.severity = Severity::Info;
            d = d.note("this is an IPv6 file: it locks you out only if you manage the host over IPv6");
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{check_source, Config};
    use iptlint_parser::{parse, Family, ParseOptions};

    fn run_family(text: &str, family: Family) -> Vec<(usize, String)> {
        let p = parse(text, &ParseOptions { family: Some(family), table: None });
        let config = Config { select: vec!["lockout-risk".into()], ..Config::default() };
        check_source(&p, text, &config).iter().map(|d| (p.ruleset.line_of(d.span.start), d.message.clone())).collect()
    }

    fn run(text: &str) -> Vec<(usize, String)> {
        run_family(text, Family::V4)
    }

    #[test]
    fn open_ssh_is_silent() {
        for rules in [
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n",
            "-A INPUT -p tcp --dport 22 -m state --state NEW,ESTABLISHED -j ACCEPT\n",
            "-A INPUT -p tcp -m multiport --dports ssh,http -j ACCEPT\n",
            "-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n",
            "-A INPUT -i eth1 -j ACCEPT\n",
            // Not modelled, so it may accept.
            "-A INPUT -p tcp --dport 22 -m recent --name ssh --rcheck -j ACCEPT\n",
            // SSH on another port, said in a comment.
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n# ssh\n-A INPUT -p tcp --dport 2222 -j ACCEPT\n",
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 2222 -m comment --comment \"SSH admin\" -j ACCEPT\n",
        ] {
            let t = format!("*filter\n:INPUT DROP [0:0]\n{rules}COMMIT\n");
            assert_eq!(run(&t), vec![], "{rules}");
        }
        // ACCEPT policy with no final drop: nothing is dropped.
        assert_eq!(run("*filter\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n"), vec![]);
    }

    #[test]
    fn closed_ssh() {
        let t = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp --dport 2222 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n";
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 5);
        assert!(f[0].1.contains("no new SSH connection"), "{f:?}");
    }

    #[test]
    fn ssh_blocked_before_accept() {
        let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 1:1024 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(t).len(), 1);
    }

    #[test]
    fn new_only() {
        let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n";
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("drops their established packets"), "{f:?}");
    }

    #[test]
    fn disjoint_sources() {
        let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -s 192.168.0.0/16 -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n";
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("different sources"), "{f:?}");
    }

    #[test]
    fn list_rules_format() {
        let t = "-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n";
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 1);
        assert_eq!(run("-P INPUT ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n"), vec![]);
    }

    #[test]
    fn ipv6_is_info() {
        let t = "*filter\n:INPUT DROP [0:0]\nCOMMIT\n";
        let p = parse(t, &ParseOptions { family: Some(Family::V6), table: None });
        let config = Config { select: vec!["lockout-risk".into()], ..Config::default() };
        let f = check_source(&p, t, &config);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, iptlint_parser::Severity::Info);
        assert_eq!(run_family(t, Family::V4).len(), 1);
    }
}
