//! Lints and the packet-space engine over the `iptlint-parser` model. This
//! crate does no IO and knows neither LSP nor rendering.
//!
//! Entry point: [`check_source`] (every finding for one file: the parser's
//! and the lints', after directives and configuration). The engine:
//! [`space`] (packet sets), [`matchset`] (a rule's conditions as a box),
//! [`reach`] (which packets reach which rule across chains).

pub mod explain;
pub mod lints;
pub mod matchset;
pub mod reach;
pub mod space;

use std::cell::OnceCell;
use std::collections::HashMap;

pub use iptlint_parser as parser;
use iptlint_parser::codes::Code;
use iptlint_parser::{Diagnostic, Parsed, Severity, Span};

use reach::TableFacts;

/// Every code any layer reports: the parser's, then the lints'.
pub fn registry() -> Vec<&'static Code> {
    let mut v = iptlint_parser::codes::ALL.to_vec();
    v.extend(lints::ALL.iter().map(|l| l.code));
    v
}

/// Look a code up by code (`E201`, `L101`) or name (`shadowed-rule`).
pub fn lookup(key: &str) -> Option<&'static Code> {
    registry().into_iter().find(|c| c.code.eq_ignore_ascii_case(key) || c.name == key)
}

/// The parser's findings only (kept for callers without the source text).
pub fn check(parsed: &Parsed) -> Vec<Diagnostic> {
    parsed.diagnostics.clone()
}

/// Which lints run and how severe they are.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Codes or names to run; empty means all.
    pub select: Vec<String>,
    /// Codes or names never to run.
    pub ignore: Vec<String>,
    /// New default severities by code or name.
    pub severity: HashMap<String, Severity>,
}

fn matches_key(code: &Code, key: &str) -> bool {
    code.code.eq_ignore_ascii_case(key)
        || code.name == key
        || (key.len() < code.code.len() && code.code.starts_with(key))
}

impl Config {
    pub fn enabled(&self, code: &Code) -> bool {
        if code.severity == Severity::Error {
            // Load failures are never switched off by configuration.
            return true;
        }
        (self.select.is_empty() || self.select.iter().any(|k| matches_key(code, k)))
            && !self.ignore.iter().any(|k| matches_key(code, k))
    }
    pub fn severity_of(&self, code: &Code) -> Severity {
        if code.severity == Severity::Error {
            return Severity::Error;
        }
        self.severity.iter().find(|(k, _)| matches_key(code, k)).map_or(code.severity, |(_, s)| *s)
    }
}

/// What a lint sees: the parsed file, its text, and the reachability facts
/// (computed once, on first use). When a `rules.v4`/`rules.v6` pair is
/// checked together, `companion` is the other file of the pair (parsed, and
/// its text); findings are still reported on `parsed` only.
pub struct LintCx<'a> {
    pub parsed: &'a Parsed,
    pub text: &'a str,
    pub companion: Option<(&'a Parsed, &'a str)>,
    facts: OnceCell<Vec<TableFacts>>,
    companion_facts: OnceCell<Vec<TableFacts>>,
}

fn all_facts(parsed: &Parsed) -> Vec<TableFacts> {
    let family = parsed.ruleset.family;
    parsed.ruleset.tables.iter().map(|t| reach::analyse_table(t, family)).collect()
}

impl<'a> LintCx<'a> {
    pub fn new(parsed: &'a Parsed, text: &'a str) -> Self {
        Self::with_companion(parsed, text, None)
    }

    /// A context for one file of a pair, `companion` being the other one.
    pub fn with_companion(parsed: &'a Parsed, text: &'a str, companion: Option<(&'a Parsed, &'a str)>) -> Self {
        LintCx { parsed, text, companion, facts: OnceCell::new(), companion_facts: OnceCell::new() }
    }

    /// Reachability facts of the companion file, indexed like its tables.
    pub fn companion_facts(&self) -> Option<&[TableFacts]> {
        let (p, _) = self.companion?;
        Some(self.companion_facts.get_or_init(|| all_facts(p)))
    }

    pub fn facts(&self) -> &[TableFacts] {
        self.facts.get_or_init(|| all_facts(self.parsed))
    }

    /// 1-based line of a span's start.
    pub fn line(&self, span: Span) -> usize {
        self.parsed.ruleset.line_of(span.start)
    }

    /// The span's line including its newline, for fixes that delete it.
    pub fn whole_line(&self, span: Span) -> Span {
        let start = self.text[..span.start.min(self.text.len())].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[span.end.min(self.text.len())..].find('\n').map_or(self.text.len(), |i| span.end + i + 1);
        Span::new(start, end)
    }

    /// Where `needle` occurs inside `span`.
    pub fn find_in(&self, span: Span, needle: &str) -> Option<Span> {
        let hay = self.text.get(span.start..span.end)?;
        hay.find(needle).map(|i| Span::new(span.start + i, span.start + i + needle.len()))
    }
}

/// `# iptlint: disable=…` and `# iptlint: disable-file=…` directives.
struct Directives {
    file: Vec<String>,
    /// 0-based line → codes disabled on it.
    lines: HashMap<usize, Vec<String>>,
}

fn directives(parsed: &Parsed, text: &str) -> Directives {
    let idx = &parsed.ruleset.line_index;
    let mut d = Directives { file: Vec::new(), lines: HashMap::new() };
    let lines: Vec<&str> = text.split('\n').collect();
    for c in &parsed.ruleset.comments {
        let body = c.text.trim_start_matches('#').trim();
        let Some(rest) = body.strip_prefix("iptlint:") else {
            continue;
        };
        let rest = rest.trim();
        let (file_wide, list) = if let Some(l) = rest.strip_prefix("disable-file=") {
            (true, l)
        } else if let Some(l) = rest.strip_prefix("disable=") {
            (false, l)
        } else {
            continue;
        };
        let keys: Vec<String> = list
            .split(',')
            .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if file_wide {
            d.file.extend(keys);
            continue;
        }
        // Applies to the next line that is not a comment.
        let mut line = idx.line_of(c.span.start) + 1;
        while lines.get(line).is_some_and(|l| l.starts_with('#')) {
            line += 1;
        }
        d.lines.entry(line).or_default().extend(keys);
    }
    d
}

/// Every finding for one file: the parser's errors, then the lints, with
/// directives and configuration applied, sorted by position.
pub fn check_source(parsed: &Parsed, text: &str, config: &Config) -> Vec<Diagnostic> {
    check_source_with(parsed, text, config, None)
}

/// [`check_source`] for one file of a `rules.v4`/`rules.v6` pair: the lints
/// that compare the two families (`ipv6-gap`) see `companion`, the other
/// file (parsed, and its text). Findings are about `parsed` only.
pub fn check_source_with(
    parsed: &Parsed,
    text: &str,
    config: &Config,
    companion: Option<(&Parsed, &str)>,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = parsed.diagnostics.clone();
    let cx = LintCx::with_companion(parsed, text, companion);
    for lint in lints::ALL {
        if config.enabled(lint.code) {
            out.extend((lint.check)(&cx));
        }
    }
    let dirs = directives(parsed, text);
    let idx = &parsed.ruleset.line_index;
    out.retain(|d| {
        if d.severity == Severity::Error || !config.enabled(d.code) {
            return d.severity == Severity::Error;
        }
        if dirs.file.iter().any(|k| matches_key(d.code, k)) {
            return false;
        }
        let line = idx.line_of(d.span.start);
        !dirs.lines.get(&line).is_some_and(|keys| keys.iter().any(|k| matches_key(d.code, k)))
    });
    for d in &mut out {
        // A lint may lower one finding below its code's default (an info
        // case of a warning code); only configuration overrides that.
        if d.severity != Severity::Error && config.severity.keys().any(|k| matches_key(d.code, k)) {
            d.severity = config.severity_of(d.code);
        }
    }
    out.sort_by_key(|d| (d.span.start, d.span.end, d.code.code));
    out
}

/// Check a `rules.v4` and the `rules.v6` beside it together: the findings
/// of each file, each file seeing the other as its companion.
pub fn check_pair(v4: (&Parsed, &str), v6: (&Parsed, &str), config: &Config) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    (check_source_with(v4.0, v4.1, config, Some(v6)), check_source_with(v6.0, v6.1, config, Some(v4)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{parse, Family, ParseOptions};

    /// Findings of the dead-rule and hygiene lints (`L1xx`, `L4xx`).
    /// (`log-without-limit` aside: these tests log freely.)
    fn run(text: &str) -> Vec<(usize, &'static str)> {
        run_selected(text, &["L1", "L4"]).into_iter().filter(|f| f.1 != "log-without-limit").collect()
    }

    fn run_selected(text: &str, select: &[&str]) -> Vec<(usize, &'static str)> {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let config = Config { select: select.iter().map(|s| s.to_string()).collect(), ..Config::default() };
        check_source(&p, text, &config).iter().map(|d| (p.ruleset.line_of(d.span.start), d.code.name)).collect()
    }

    #[test]
    fn shadowed_redundant_unreachable() {
        let text = "*filter\n\
            -A INPUT -p tcp --dport 1:1024 -j DROP\n\
            -A INPUT -p tcp --dport 22 -j ACCEPT\n\
            -A INPUT -p tcp --dport 80 -j DROP\n\
            -A INPUT -j DROP\n\
            -A INPUT -p udp -j ACCEPT\n\
            COMMIT\n";
        let found = run(text);
        assert!(found.contains(&(3, "shadowed-rule")), "{found:?}");
        assert!(found.contains(&(4, "redundant-rule")), "{found:?}");
        assert!(found.contains(&(6, "unreachable-rule")), "{found:?}");
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn union_of_earlier_rules_shadows() {
        let text = "*filter\n-A INPUT -p tcp --dport 1:100 -j ACCEPT\n-A INPUT -p tcp --dport 50:200 -j ACCEPT\n-A INPUT -p tcp --dport 20:150 -j DROP\nCOMMIT\n";
        let found = run(text);
        assert_eq!(found, vec![(4, "shadowed-rule")]);
    }

    #[test]
    fn jump_context_makes_rule_unreachable() {
        let text = "*filter\n:TCP - [0:0]\n-A INPUT -p tcp -j TCP\n-A TCP -p udp --dport 53 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(text), vec![(4, "unreachable-rule")]);
    }

    #[test]
    fn fragments_escape_port_rules() {
        let text = "*filter\n-A INPUT -p tcp --dport 0:65535 -j ACCEPT\n-A INPUT -p tcp -f -j DROP\nCOMMIT\n";
        assert_eq!(run(text), vec![]);
    }

    #[test]
    fn directives_silence() {
        let text = "# iptlint: disable-file=L102\n*filter\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\n-A INPUT -s 10.1.2.3 -j ACCEPT\n# iptlint: disable=host-bits-set\n-A INPUT -s 192.168.0.5/16 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(text), vec![]);
        let text2 = "*filter\n-A INPUT -s 10.0.0.5/8 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(text2), vec![(2, "host-bits-set")]);
    }

    #[test]
    fn duplicates_are_textual() {
        let text =
            "*filter\n-A INPUT -p tcp --dport 22 -j LOG\n-A INPUT -p tcp -m tcp --destination-port 22 -j LOG\nCOMMIT\n";
        assert_eq!(run(text), vec![(3, "duplicate-rule")]);
    }

    #[test]
    fn policies() {
        let text = "*filter\n# drop everything else\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        let found = run_selected(text, &["L301", "L302"]);
        assert_eq!(
            found,
            vec![
                (1, "missing-policy"),
                (1, "missing-policy"),
                (1, "missing-policy"),
                (1, "permissive-policy"),
                (1, "permissive-policy")
            ]
        );
        let closed =
            "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j DROP\nCOMMIT\n";
        assert_eq!(run_selected(closed, &["L301", "L302"]), vec![]);
    }

    #[test]
    fn pair_reports_on_the_v6_file() {
        let v4 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        let v6 = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        let p4 = parse(v4, &ParseOptions { family: Some(Family::V4), table: None });
        let p6 = parse(v6, &ParseOptions { family: Some(Family::V6), table: None });
        let config = Config { select: vec!["ipv6-gap".into()], ..Config::default() };
        let (f4, f6) = check_pair((&p4, v4), (&p6, v6), &config);
        assert!(f4.is_empty(), "{f4:?}");
        assert_eq!(
            f6.iter().map(|d| (p6.ruleset.line_of(d.span.start), d.code.name)).collect::<Vec<_>>(),
            vec![(2, "ipv6-gap")]
        );
        // Alone, the v6 file has nothing to compare with.
        assert!(check_source(&p6, v6, &config).is_empty());
        // A directive in the v6 file silences it.
        let v6d = format!("# iptlint: disable-file=ipv6-gap\n{v6}");
        let p6d = parse(&v6d, &ParseOptions { family: Some(Family::V6), table: None });
        assert!(check_source_with(&p6d, &v6d, &config, Some((&p4, v4))).is_empty());
    }

    #[test]
    fn chains() {
        let text = "*filter\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A INPUT -j DROP\n-A INPUT -j B\n-A INPUT -j C\n-A B -j ACCEPT\n-A B -j RETURN\nCOMMIT\n";
        let found = run(text);
        assert!(found.contains(&(2, "unused-chain")), "{found:?}");
        assert!(found.contains(&(3, "unreachable-chain")), "{found:?}");
        assert!(found.contains(&(4, "empty-chain")), "{found:?}");
        assert!(found.contains(&(6, "unreachable-rule")), "{found:?}");
        assert!(found.contains(&(9, "return-at-end")), "{found:?}");
        // No dead-rule findings inside the unreachable chain B.
        assert!(!found.iter().any(|f| f.0 >= 8 && f.1 == "unreachable-rule"), "{found:?}");
    }

    #[test]
    fn modules_in_the_packet_space() {
        let text = "*filter\n\
            -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n\
            -A INPUT -m state --state ESTABLISHED -j ACCEPT\n\
            -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT\n\
            -A INPUT -p tcp --dport 80 -j DROP\n\
            -A INPUT -p icmp --icmp-type echo-request -j ACCEPT\n\
            -A INPUT -p icmp --icmp-type 8/0 -j ACCEPT\n\
            -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.50 -j DROP\n\
            -A INPUT -s 10.0.0.7 -j DROP\n\
            -A INPUT -m mark --mark 0x1 -j ACCEPT\n\
            -A INPUT -m mark --mark 0x1/0x1 -j ACCEPT\n\
            -A INPUT -p tcp -m limit --limit 5/min -j ACCEPT\n\
            -A INPUT -p tcp -m limit --limit 5/min -j ACCEPT\n\
            COMMIT\n";
        let found = run(text);
        assert_eq!(
            found,
            // Line 9's packets are partly accepted by line 2 (established
            // traffic), partly dropped by line 8: shadowed, not redundant.
            // The identical limit rules each hold their own budget: only the
            // textual duplicate is reported.
            vec![
                (3, "redundant-rule"),
                (5, "shadowed-rule"),
                (7, "redundant-rule"),
                (9, "shadowed-rule"),
                (13, "duplicate-rule")
            ],
            "{found:?}"
        );
    }
}
