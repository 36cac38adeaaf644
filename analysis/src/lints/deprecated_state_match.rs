//! `deprecated-state-match`: `-m state --state X` where
//! `-m conntrack --ctstate X` says the same.

use iptlint_parser::model::{ExtInstance, Rule};
use iptlint_parser::{Diagnostic, Edit, Span};

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds the `state` match (`-m state --state …`) and offers the
    /// `conntrack` match with the same states (`-m conntrack --ctstate …`).
    ///
    /// ## Why is this bad?
    /// `state` is a subset of `conntrack`, as the iptables manual says, and
    /// iptables 1.8 no longer has a module of its own for it: `-m state` is
    /// loaded as an alias of `conntrack`, with `--state` as `--ctstate`
    /// (the kernel runs the same `ct state` check either way). Writing
    /// `conntrack` says what is loaded, keeps one spelling across the
    /// ruleset, and leaves room for the options only `conntrack` has
    /// (`--ctstatus`, `--ctorigdst`, …).
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix renames the module and the option and keeps the states
    /// as written (every state name `--state` accepts means the same to
    /// `--ctstate`), so the rule loads into the same kernel match.
    pub DEPRECATED_STATE_MATCH = ("L202", "deprecated-state-match", Hint, "`-m state` is the old alias of `-m conntrack --ctstate`");
}

/// Edits turning one `state` instance into `conntrack`, if every word is
/// where the model says.
fn edits(rule: &Rule, m: &ExtInstance) -> Option<Vec<Edit>> {
    let inside = |w: &Span, outer: &Span| w.start >= outer.start && w.end <= outer.end;
    let module = rule.words.iter().rev().find(|w| inside(&w.span, &m.span) && w.text == "state" && !w.quoted)?;
    let mut out = vec![Edit { span: module.span, content: "conntrack".into() }];
    for o in &m.options {
        // The option's span may start at its `!`.
        let word = rule.words.iter().find(|w| inside(&w.span, &o.span) && w.text.starts_with("--"))?;
        if word.quoted || !word.text.starts_with("--") || !"--state".starts_with(word.text.as_str()) {
            return None;
        }
        out.push(Edit { span: word.span, content: "--ctstate".into() });
    }
    Some(out)
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in &cx.parsed.ruleset.tables {
        for rule in table.rules.iter().filter(|r| r.valid) {
            for m in rule.matches.iter().filter(|m| m.name == "state" && !m.implicit && m.spec.is_some()) {
                let span =
                    m.options.iter().fold(m.span, |s, o| Span::new(s.start.min(o.span.start), s.end.max(o.span.end)));
                let states = m.opt("state").map(|o| o.value.to_string()).unwrap_or_default();
                let neg = if m.opt("state").is_some_and(|o| o.negated) { "! " } else { "" };
                let mut d = Diagnostic::new(
                    &DEPRECATED_STATE_MATCH,
                    span,
                    format!("`-m state` is the old alias of `conntrack`: write `-m conntrack {neg}--ctstate {states}`"),
                );
                if let Some(e) = edits(rule, m) {
                    d = d.fix("use `-m conntrack --ctstate`", e);
                }
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::matchset::rule_match;
    use crate::{check_source, Config};
    use iptlint_parser::{parse, Family, ParseOptions};

    fn fixed(text: &str) -> (usize, String) {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let config = Config { select: vec!["deprecated-state-match".into()], ..Config::default() };
        let found = check_source(&p, text, &config);
        let mut edits: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).flat_map(|f| f.edits.clone()).collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut t = text.to_string();
        for e in edits {
            t.replace_range(e.span.range(), &e.content);
        }
        (found.len(), t)
    }

    /// The fixed file parses cleanly and every rule matches the same
    /// packets.
    fn same_meaning(text: &str, want: &str) {
        let (n, out) = fixed(text);
        assert!(n > 0);
        assert_eq!(out, want);
        let a = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let b = parse(&out, &ParseOptions { family: Some(Family::V4), table: None });
        assert!(b.diagnostics.is_empty(), "{:?}", b.diagnostics);
        for (ra, rb) in a.ruleset.tables[0].rules.iter().zip(&b.ruleset.tables[0].rules) {
            let (ma, mb) = (rule_match(ra, Family::V4), rule_match(rb, Family::V4));
            assert!(ma.exact() && mb.exact());
            assert_eq!(ma.region, mb.region);
        }
        assert_eq!(fixed(&out).0, 0, "fixed file still fires");
    }

    #[test]
    fn fixes_keep_meaning() {
        same_meaning(
            "*filter\n-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n",
            "*filter\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n",
        );
        same_meaning(
            "*filter\n-A INPUT -p tcp --match state ! --sta new,untr --dport 22 -j DROP\nCOMMIT\n",
            "*filter\n-A INPUT -p tcp --match conntrack ! --ctstate new,untr --dport 22 -j DROP\nCOMMIT\n",
        );
        same_meaning(
            "*filter\n-A INPUT -m conntrack --ctstate NEW -m state --state NEW -j ACCEPT\nCOMMIT\n",
            "*filter\n-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n",
        );
    }

    #[test]
    fn conntrack_is_silent() {
        assert_eq!(
            fixed("*filter\n-A INPUT -m conntrack --ctstate NEW -m comment --comment \"-m state\" -j ACCEPT\nCOMMIT\n")
                .0,
            0
        );
    }
}
