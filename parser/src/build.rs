//! The file-level pass: dispatches each line the way `iptables-restore`
//! does, builds tables and chains, runs each rule's command, then applies
//! the checks the kernel makes when a table is committed (undefined chains,
//! loops, protocol, table and hook restrictions of modules).
//!
//! Parsing never fails: every problem becomes a diagnostic and the model
//! keeps every line.

use std::collections::{HashMap, HashSet};

use crate::cmdline::{self, LineCx, ParsedLine};
use crate::codes;
use crate::diagnostic::{Diagnostic, Edit};
use crate::ext::{self, CheckCx, ExtKind, Family, Hook, Origin, TABLES};
use crate::lexer;
use crate::lines::{self, CountersError};
use crate::model::*;
use crate::span::{LineIndex, Span};

/// A line of this many bytes or more (without its newline) does not fit
/// iptables-restore's line buffer (`char buffer[10240]` and `fgets`).
pub const RESTORE_LINE_MAX: usize = 10240;

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Family; `None` to guess from the content (IPv6 addresses, `icmp6`).
    pub family: Option<Family>,
    /// Table for `iptables -S` input (default `filter`).
    pub table: Option<String>,
}

/// A parsed file: the model and every finding of the parser.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub ruleset: Ruleset,
    pub diagnostics: Vec<Diagnostic>,
}

/// Guess the family from a path (`*.v6`, `rules6*`, `ip6tables*`) and the
/// content (an `ip6tables-save` header, IPv6 addresses).
pub fn detect_family(path: Option<&str>, text: &str) -> Family {
    if let Some(p) = path {
        let name = p.rsplit('/').next().unwrap_or(p);
        if name.ends_with(".v6") || name.starts_with("rules6") || name.contains("ip6tables") || name.ends_with(".ipv6")
        {
            return Family::V6;
        }
        if name.ends_with(".v4") || name.contains("iptables") {
            return Family::V4;
        }
    }
    if text.lines().take(3).any(|l| l.starts_with('#') && l.contains("ip6tables-save")) {
        return Family::V6;
    }
    // IPv6 content: an address with `::` or a `-p ipv6-icmp`/`icmp6` rule.
    let v6 = text
        .lines()
        .filter(|l| l.starts_with('-') || l.starts_with('['))
        // Every sign below holds a `:` or `icmp`.
        .filter(|l| l.contains(':') || l.contains("icmp"))
        .any(|l| {
            l.split_whitespace().any(|w| {
                w == "icmp6"
                    || w == "ipv6-icmp"
                    || w == "icmpv6"
                    || (w.contains("::") && !w.starts_with("--"))
                    || (w.contains(':') && w.parse::<std::net::Ipv6Addr>().is_ok())
            })
        });
    if v6 {
        Family::V6
    } else {
        Family::V4
    }
}

/// Is this `iptables -S` output (no table header, `-P`/`-N`/`-A` lines)?
fn is_list_rules(text: &str) -> bool {
    let mut saw_rule = false;
    for l in text.lines() {
        // Restore-only lines: a table header, a chain line, COMMIT.
        if l.starts_with('*') || l.starts_with(':') || l.trim_end() == "COMMIT" {
            return false;
        }
        if l.starts_with("-P ") || l.starts_with("-N ") || l.starts_with("-A ") {
            saw_rule = true;
        }
    }
    saw_rule && text.lines().any(|l| l.starts_with("-P "))
}

struct Builder<'t> {
    text: &'t str,
    family: Family,
    diags: Vec<Diagnostic>,
    tables: Vec<Table>,
    comments: Vec<Comment>,
    /// Index of the open table, if inside a `*table` … `COMMIT` block.
    open: Option<usize>,
    /// Parsed lines per (table, rule index), for the commit-time checks.
    parsed: Vec<Vec<RuleInfo>>,
    /// `iptables -S` input rather than restore input.
    list_rules: bool,
    /// A `-V`/`-h` line made iptables-restore exit (with the table then
    /// open): later lines are never read, nothing is committed.
    exited: Option<Option<usize>>,
    /// (table, span) of findings that iptables-restore (nf_tables) makes
    /// only when it runs the block's commands at COMMIT: missing chains,
    /// failing -D/-N/-X/-P, … (a block that is never committed has none).
    cmd_level: Vec<(usize, Span)>,
    /// Per table: chain name → index into `Table::chains`.
    chain_ix: Vec<HashMap<String, usize>>,
    /// (table, built-in chain) named by a command so far (`-A`, `-I`,
    /// `-P`, `-F CHAIN`): nf_tables has created it.
    touched: HashSet<(usize, String)>,
    /// Names of `:NAME` lines so far (iptables' `xtables_announce_chain`).
    announced: HashSet<String>,
}

/// What the commit checks need beyond the model.
struct RuleInfo {
    rule_idx: usize,
    valid: bool,
}

pub fn parse(text: &str, opts: &ParseOptions) -> Parsed {
    let family = opts.family.unwrap_or_else(|| detect_family(None, text));
    let list_rules = is_list_rules(text);
    let mut b = Builder {
        text,
        family,
        diags: Vec::new(),
        tables: Vec::new(),
        comments: Vec::new(),
        open: None,
        parsed: Vec::new(),
        list_rules,
        exited: None,
        cmd_level: Vec::new(),
        chain_ix: Vec::new(),
        touched: HashSet::new(),
        announced: HashSet::new(),
    };
    if list_rules {
        let name = opts.table.clone().unwrap_or_else(|| "filter".into());
        b.open_table(&name, Span::new(0, 0));
    }
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        b.line(line, offset, list_rules);
        offset += raw.len();
        if b.exited.is_some() {
            break;
        }
    }
    if let Some(t) = b.open.filter(|_| b.exited.is_none()) {
        if !list_rules {
            let span = b.tables[t].span;
            let name = b.tables[t].name.clone();
            let insert_at = text.len();
            let prefix = if text.ends_with('\n') || text.is_empty() { "" } else { "\n" };
            let d = Diagnostic::new(
                &codes::MISSING_COMMIT,
                span,
                format!("table `{name}` is never committed: the file ends before `COMMIT`"),
            )
            .fix(
                "add `COMMIT` at the end",
                vec![Edit { span: Span::new(insert_at, insert_at), content: format!("{prefix}COMMIT\n") }],
            );
            b.diags.push(d);
        }
    }
    b.commit_checks();
    let format = if list_rules { Format::ListRules } else { Format::Save };
    let ruleset = Ruleset { family, format, tables: b.tables, comments: b.comments, line_index: LineIndex::new(text) };
    let mut diagnostics = b.diags;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Parsed { ruleset, diagnostics }
}

impl<'t> Builder<'t> {
    fn open_table(&mut self, name: &str, span: Span) {
        let chains = Hook::of_table(name)
            .iter()
            .map(|h| Chain {
                name: h.chain_name().to_string(),
                hook: Some(*h),
                decl: None,
                policy: None,
                rules: Vec::new(),
            })
            .collect();
        self.tables.push(Table { name: name.to_string(), span, commit: None, chains, rules: Vec::new() });
        self.parsed.push(Vec::new());
        self.chain_ix.push(HashMap::new());
        self.open = Some(self.tables.len() - 1);
        self.reindex(self.tables.len() - 1);
    }

    /// Rebuild table `t`'s chain name index (after chains were removed or
    /// renamed).
    fn reindex(&mut self, t: usize) {
        let ix = &mut self.chain_ix[t];
        ix.clear();
        for (i, c) in self.tables[t].chains.iter().enumerate() {
            ix.entry(c.name.clone()).or_insert(i);
        }
    }

    /// Index of chain `name` in table `t`.
    fn chain_pos(&self, t: usize, name: &str) -> Option<usize> {
        self.chain_ix[t].get(name).copied()
    }

    /// One line. A trailing `\r` stays part of the line, as it does for
    /// iptables-restore (it ends up in the last word); when that breaks the
    /// line, the CRLF finding is the error and replaces what the `\r`
    /// caused; when the line still loads (`:INPUT DROP [0:0]\r`, a comment),
    /// it is a warning.
    fn line(&mut self, line: &str, base: usize, list_rules: bool) {
        let Some(stripped) = line.strip_suffix('\r') else {
            self.line_inner(line, base, list_rules);
            return;
        };
        let cr = Span::new(base + stripped.len(), base + line.len());
        let before = self.diags.len();
        self.line_inner(line, base, list_rules);
        let line_span = Span::new(base, base + line.len());
        let broke = self.diags[before..].iter().any(|d| {
            d.severity == crate::diagnostic::Severity::Error
                && d.span.start >= line_span.start
                && d.span.start <= line_span.end
        });
        let mut d = Diagnostic::new(
            &codes::CRLF_LINE_ENDING,
            cr,
            "line ends in CRLF: iptables-restore reads the `\\r` as part of the line",
        )
        .replace("remove the carriage return", cr, "")
        .note("convert the file to LF line endings, e.g. `dos2unix FILE`");
        if broke {
            // What the `\r` caused on this line is noise beside its cause.
            let mut i = before;
            while i < self.diags.len() {
                let x = &self.diags[i];
                if x.severity == crate::diagnostic::Severity::Error
                    && x.span.start >= line_span.start
                    && x.span.start <= line_span.end
                {
                    self.diags.remove(i);
                } else {
                    i += 1;
                }
            }
        } else {
            d.severity = crate::diagnostic::Severity::Warning;
            d = d.note("here the `\\r` happens to be harmless, but on a rule line it becomes part of the last word");
        }
        self.diags.push(d);
    }

    fn line_inner(&mut self, line: &str, base: usize, list_rules: bool) {
        let span = Span::new(base, base + line.len());
        // iptables-restore reads lines with `fgets` into 10240 bytes: a
        // longer line is cut after 10239 bytes and the rest read as a line
        // of its own (which has no command).
        if line.len() >= RESTORE_LINE_MAX && !line.starts_with('#') && !list_rules {
            let cut = (0..=RESTORE_LINE_MAX - 1).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
            self.diags.push(Diagnostic::new(
                &codes::INVALID_COMMAND,
                Span::new(base + cut, span.end),
                format!(
                    "the line is {} bytes long: iptables-restore reads at most {} bytes at a time and takes the rest as a separate line with no command",
                    line.len(),
                    RESTORE_LINE_MAX - 1
                ),
            ));
        }
        if line.is_empty() {
            return;
        }
        if line.starts_with('#') {
            self.comments.push(Comment { span, text: line.to_string() });
            return;
        }
        if line.trim_matches([' ', '\t']).is_empty() {
            self.diags.push(
                Diagnostic::new(
                    &codes::BLANK_LINE_WITH_WHITESPACE,
                    span,
                    "line holds only blanks; iptables-restore reads it as a rule with no command",
                )
                .replace("delete the blanks", span, ""),
            );
            return;
        }
        let in_table = self.open.is_some();
        if in_table && line.starts_with("COMMIT") && !list_rules {
            let rest = &line[6..];
            if rest.is_empty() {
                self.commit(span);
                return;
            }
            if rest.trim_matches([' ', '\t']).is_empty() {
                let trail = Span::new(base + 6, span.end);
                self.diags.push(
                    Diagnostic::new(
                        &codes::MALFORMED_COMMIT,
                        trail,
                        "`COMMIT` followed by blanks is not a commit for iptables-restore",
                    )
                    .replace("remove the trailing blanks", trail, ""),
                );
                self.commit(span);
                return;
            }
        }
        // ` COMMIT`, `commit`, `COMMITX`, `COMMIT # done`: meant as a
        // commit, read as a bad rule line.
        let first = line.split([' ', '\t']).find(|w| !w.is_empty()).unwrap_or("");
        if in_table && !list_rules && (first.eq_ignore_ascii_case("COMMIT") || first.starts_with("COMMIT")) {
            self.diags.push(
                Diagnostic::new(
                    &codes::MALFORMED_COMMIT,
                    span,
                    "not a commit: iptables-restore commits only on a line that is exactly `COMMIT`, and reads this one as a bad rule",
                )
                .replace("write `COMMIT`", span, "COMMIT"),
            );
            self.commit(span);
            return;
        }
        if line.starts_with('*') {
            if let Some(t) = self.open {
                if list_rules {
                    self.stray(line, span);
                    return;
                }
                let prev = self.tables[t].span;
                let name = self.tables[t].name.clone();
                self.diags.push(
                    Diagnostic::new(
                        &codes::MISSING_COMMIT,
                        span,
                        format!("table `{name}` is not committed before the next table starts"),
                    )
                    .related(prev, "this table has no COMMIT")
                    .fix(
                        "add `COMMIT` before this line",
                        vec![Edit { span: Span::new(base, base), content: "COMMIT\n".into() }],
                    ),
                );
                self.commit(Span::new(base, base));
            }
            self.table_header(line, base, span);
            return;
        }
        if line.starts_with(':') {
            match self.open {
                Some(t) => self.chain_decl(t, line, base, span),
                None => self.diags.push(Diagnostic::new(
                    &codes::MISSING_TABLE_HEADER,
                    span,
                    "chain declaration outside a table block: add a `*filter` (or other table) line before it",
                )),
            }
            return;
        }
        match self.open {
            Some(t) => self.rule_line(t, line, base, span),
            None => self.stray(line, span),
        }
    }

    fn stray(&mut self, line: &str, span: Span) {
        let trimmed = line.trim_start();
        let d = if trimmed.starts_with('-') || trimmed.starts_with('[') {
            Diagnostic::new(
                &codes::MISSING_TABLE_HEADER,
                span,
                "rule outside a table block: iptables-restore needs a `*filter` (or other table) line first",
            )
        } else if trimmed == "COMMIT" {
            Diagnostic::new(&codes::STRAY_TEXT, span, "`COMMIT` without an open table").replace(
                "delete the line",
                span,
                "",
            )
        } else {
            Diagnostic::new(
                &codes::STRAY_TEXT,
                span,
                "text outside a table block: iptables-restore accepts only comments and empty lines here",
            )
            .replace("turn it into a comment", Span::new(span.start, span.start), "# ")
            .note("shell prompts, commands and prose pasted around a dump make the load fail")
        };
        self.diags.push(d);
    }

    fn table_header(&mut self, line: &str, base: usize, span: Span) {
        let Some(t) = lines::table_line(line, base) else {
            self.diags.push(Diagnostic::new(&codes::UNKNOWN_TABLE, span, "table line without a table name"));
            self.open_table("filter", span);
            return;
        };
        if !TABLES.contains(&t.name) {
            let mut d = Diagnostic::new(&codes::UNKNOWN_TABLE, t.name_span, format!("unknown table `{}`", t.name));
            let lower = t.name.to_ascii_lowercase();
            let near = TABLES.iter().min_by_key(|n| strsim::damerau_levenshtein(&lower, n)).copied();
            if let Some(n) = near.filter(|n| strsim::damerau_levenshtein(&lower, n) <= 2) {
                d = d.suggest(format!("did you mean `{n}`?"), t.name_span, n);
            }
            d = d.note("tables are filter, nat, mangle, raw and security");
            self.diags.push(d);
        }
        self.open_table(t.name, span);
    }

    fn commit(&mut self, span: Span) {
        if let Some(t) = self.open.take() {
            self.tables[t].commit = Some(span);
        }
    }

    fn chain_decl(&mut self, t: usize, line: &str, base: usize, span: Span) {
        let Some(c) = lines::chain_line(line, base) else {
            self.diags.push(Diagnostic::new(&codes::INVALID_CHAIN_LINE, span, "chain line without a chain name"));
            return;
        };
        if !self.announced.contains(c.name) {
            self.announced.insert(c.name.to_string());
        }
        if !self.valid_chain_name(c.name, c.name_span, true) {
            return;
        }
        let Some((policy, pspan)) = c.policy else {
            self.diags.push(
                Diagnostic::new(&codes::INVALID_CHAIN_LINE, span, format!("chain `{}` has no policy field", c.name))
                    .note("write `:NAME ACCEPT [0:0]` for a built-in chain, `:NAME - [0:0]` for a user chain"),
            );
            return;
        };
        let pos = self.chain_pos(t, c.name);
        let table = &mut self.tables[t];
        if let Some(chain) = pos.map(|i| &mut table.chains[i]) {
            if chain.is_builtin() {
                let parsed = match policy {
                    "ACCEPT" => Some(Some(Policy::Accept)),
                    "DROP" => Some(Some(Policy::Drop)),
                    "-" => Some(None),
                    _ => None,
                };
                match parsed {
                    Some(p) => {
                        chain.decl = Some(span);
                        chain.policy = p.map(|p| (p, pspan));
                    }
                    None => {
                        let mut d = Diagnostic::new(
                            &codes::INVALID_CHAIN_LINE,
                            pspan,
                            format!("`{policy}` is not a policy: built-in chains take ACCEPT or DROP"),
                        );
                        let up = policy.to_ascii_uppercase();
                        if up == "ACCEPT" || up == "DROP" {
                            d = d.replace(format!("write `{up}`"), pspan, up.clone());
                        } else if up == "REJECT" {
                            d = d.note("a policy cannot REJECT: set DROP and end the chain with `-A CHAIN -j REJECT`");
                        }
                        self.diags.push(d);
                        self.cmd_level.push((t, pspan));
                        chain.decl = Some(span);
                    }
                }
                // A `:CHAIN DROP` line in nat loads (only `-P CHAIN DROP`
                // and `-j DROP` are refused there).
            } else {
                // Redeclaring a user chain is allowed (EEXIST is ignored).
                if chain.decl.is_none() {
                    chain.decl = Some(span);
                }
            }
        } else {
            table.chains.push(Chain {
                name: c.name.to_string(),
                hook: None,
                decl: Some(span),
                policy: None,
                rules: Vec::new(),
            });
            let i = table.chains.len() - 1;
            self.chain_ix[t].insert(c.name.to_string(), i);
        }
    }

    /// `assert_valid_chain_name`. For a `:NAME` line iptables-restore first
    /// announces the name as a chain, so only the standard targets clash;
    /// `-N NAME` clashes with every target module (`LOG`, …).
    fn valid_chain_name(&mut self, name: &str, span: Span, decl_line: bool) -> bool {
        let msg = if name.len() >= 29 {
            Some(format!("chain name `{name}` is {} characters long; the limit is 28", name.len()))
        } else if name.contains(char::is_whitespace) {
            Some(format!("chain name `{name}` may not contain blanks"))
        } else if name.starts_with('-') || name.starts_with('!') {
            Some(format!("chain name `{name}` may not start with `{}`", &name[..1]))
        } else if ext::find(ExtKind::Target, name, self.family)
            .is_some_and(|t| !decl_line || matches!(t.name, "ACCEPT" | "DROP" | "RETURN" | "QUEUE"))
        {
            Some(format!("chain name `{name}` clashes with the target of that name"))
        } else {
            None
        };
        match msg {
            Some(m) => {
                self.diags.push(Diagnostic::new(&codes::INVALID_CHAIN_NAME, span, m));
                false
            }
            None => true,
        }
    }

    fn rule_line(&mut self, t: usize, line: &str, base: usize, span: Span) {
        let (counters, args_off) = match lines::rule_counters(line, base) {
            Ok(Some((c, off))) => (Some(c), off),
            Ok(None) => (None, 0),
            Err(e) => {
                let msg = match e {
                    CountersError::MissingBracket => "rule counters `[packets:bytes]` lack the closing `]`",
                    CountersError::MissingColon => "rule counters `[packets:bytes]` lack the `:`",
                };
                self.diags.push(Diagnostic::new(&codes::INVALID_COUNTERS, span, msg));
                self.push_invalid_rule(t, span, counters_none(), Vec::new());
                return;
            }
        };
        let mut words = lexer::split_words(&line[args_off..], base + args_off);
        // An unclosed quote takes the rest of the line, newline included,
        // into its word (`-j "ACCEPT` names the target "ACCEPT\n").
        if let Some(last) = words.last_mut() {
            if last.unterminated && self.text[base + line.len()..].starts_with('\n') {
                last.text.push('\n');
            }
        }
        let table_name = self.tables[t].name.clone();
        let cx = LineCx { family: self.family, table: &table_name, announced: &self.announced };
        let (mut parsed, err) = cmdline::parse_words(&words, &cx, span);
        self.diags.append(&mut parsed.warnings);
        let valid = err.is_none();
        if let Some(d) = err {
            self.diags.push(d);
        }
        if parsed.skipped_family {
            return;
        }
        if let Some(at) = parsed.exits {
            let mut d = Diagnostic::new(
                &codes::INVALID_COMMAND,
                at,
                "iptables-restore prints and exits here, with success: nothing of this file is loaded",
            )
            .note("delete the option; `-V` and `-h` do not belong in a ruleset");
            d.severity = crate::diagnostic::Severity::Warning;
            self.diags.push(d);
            self.exited = Some(self.open);
            // The block's commands run only at COMMIT, which never comes.
            if let Some(open) = self.open {
                let spans: Vec<Span> = self.cmd_level.iter().filter(|(t, _)| *t == open).map(|(_, sp)| *sp).collect();
                self.diags.retain(|d| d.severity != crate::diagnostic::Severity::Error || !spans.contains(&d.span));
            }
            return;
        }
        self.apply(t, parsed, counters, words, span, valid);
    }

    fn push_invalid_rule(
        &mut self,
        t: usize,
        span: Span,
        counters: Option<lines::RuleCounters>,
        words: Vec<lexer::Word>,
    ) {
        let rule = Rule {
            span,
            counters,
            command: Command::Append,
            chain: String::new(),
            chain_span: span,
            protocol: None,
            source: None,
            destination: None,
            in_iface: None,
            out_iface: None,
            fragment: None,
            matches: Vec::new(),
            target: None,
            words,
            valid: false,
        };
        self.tables[t].rules.push(rule);
        let idx = self.tables[t].rules.len() - 1;
        self.parsed[t].push(RuleInfo { rule_idx: idx, valid: false });
    }

    /// Run the rule's command against the table.
    fn apply(
        &mut self,
        t: usize,
        p: ParsedLine,
        counters: Option<lines::RuleCounters>,
        words: Vec<lexer::Word>,
        span: Span,
        mut valid: bool,
    ) {
        let listing = p.listing;
        let zero_rule = p.zero_rule;
        let has_chain = p.chain.is_some();
        let (command, cspan) = p.command.unwrap_or((Command::Append, span));
        let (chain_name, chain_span) = p.chain.unwrap_or_default();
        let chain_span = if has_chain { chain_span } else { cspan };

        if valid && matches!(command, Command::NewChain) && !self.valid_chain_name(&chain_name, chain_span, false) {
            valid = false;
        }
        // The chain a rule command names must exist.
        let exists = self.chain_pos(t, &chain_name).is_some();
        if valid && !chain_name.is_empty() && !exists && !matches!(command, Command::NewChain) {
            let d = self.undefined_chain(t, &chain_name, chain_span, "");
            self.diags.push(d);
            self.cmd_level.push((t, chain_span));
            valid = false;
        }
        // Jump targets must be declared before use.
        let mut target = p.target;
        if let Some(tg) = target.as_mut() {
            if let TargetKind::Chain(name) = &tg.kind {
                let name = name.clone();
                let known = self.chain_pos(t, &name).is_some();
                if !known && valid {
                    let near_target = ext::nearest(ExtKind::Target, &name, self.family);
                    let d = match near_target {
                        Some(n) if !tg.goto => Diagnostic::new(
                            &codes::UNKNOWN_TARGET,
                            tg.name_span,
                            format!("unknown target `{name}`: no target module and no chain of that name"),
                        )
                        .suggest(format!("did you mean `{n}`?"), tg.name_span, n),
                        _ => self.undefined_chain(t, &name, tg.name_span, if tg.goto { "-g " } else { "-j " }),
                    };
                    self.diags.push(d);
                    self.cmd_level.push((t, tg.name_span));
                    valid = false;
                    tg.kind = TargetKind::Unknown(name);
                } else if known
                    && Hook::from_chain(&name).is_some_and(|h| Hook::of_table(&self.tables[t].name).contains(&h))
                    && valid
                {
                    self.diags.push(Diagnostic::new(
                        &codes::WRONG_CHAIN,
                        tg.name_span,
                        format!("cannot jump to the built-in chain `{name}`"),
                    ));
                    self.cmd_level.push((t, tg.name_span));
                    valid = false;
                }
            }
        }
        let rule = Rule {
            span,
            counters,
            command: command.clone(),
            chain: chain_name.clone(),
            chain_span,
            protocol: p.protocol,
            source: p.source,
            destination: p.destination,
            in_iface: p.in_iface,
            out_iface: p.out_iface,
            fragment: p.fragment,
            matches: p.matches,
            target,
            words,
            valid,
        };
        // Host requirements and add-on modules: info, not errors.
        self.host_requirements(&rule);
        // nf_tables creates a built-in chain on first use: a chain line, a
        // rule, a policy or a flush naming it. `-Z` before that fails.
        let builtin_missing = self
            .chain_pos(t, &chain_name)
            .map(|i| &self.tables[t].chains[i])
            .is_some_and(|c| c.is_builtin() && c.decl.is_none())
            && !self.touched.contains(&(t, chain_name.clone()));
        if valid
            && !chain_name.is_empty()
            && matches!(command, Command::Append | Command::Insert(_) | Command::Policy(_) | Command::Flush)
        {
            // Only built-in chains are ever looked up.
            if self.chain_pos(t, &chain_name).is_some_and(|i| self.tables[t].chains[i].is_builtin()) {
                self.touched.insert((t, chain_name.clone()));
            }
        }
        let table = &mut self.tables[t];
        table.rules.push(rule);
        let idx = table.rules.len() - 1;
        self.parsed[t].push(RuleInfo { rule_idx: idx, valid });
        if !valid {
            return;
        }
        let ci = self.chain_ix[t].get(chain_name.as_str()).copied();
        let mut reindex = false;
        let err = match (&command, ci) {
            (Command::Append, Some(ci)) => {
                table.chains[ci].rules.push(idx);
                None
            }
            (Command::Insert(n), Some(ci)) => {
                let len = table.chains[ci].rules.len();
                if *n > len + 1 {
                    Some(format!(
                        "cannot insert at position {n}: chain `{chain_name}` has {len} rule(s)"
                    ))
                } else {
                    table.chains[ci].rules.insert(n - 1, idx);
                    None
                }
            }
            (Command::Replace(_), Some(_)) if !self.list_rules => Some(
                "iptables-restore 1.8.9 (nf_tables) crashes on `-R` in restore input; delete the rule (`-D CHAIN N`) and insert the new one (`-I CHAIN N …`)"
                    .to_string(),
            ),
            (Command::Replace(n), Some(ci)) => {
                let len = table.chains[ci].rules.len();
                if *n > len {
                    Some(format!(
                        "cannot replace rule {n}: chain `{chain_name}` has {len} rules"
                    ))
                } else {
                    table.chains[ci].rules[n - 1] = idx;
                    None
                }
            }
            (Command::Delete(Some(n)), Some(ci)) => {
                let len = table.chains[ci].rules.len();
                if *n > len {
                    Some(format!(
                        "cannot delete rule {n}: chain `{chain_name}` has {len} rules"
                    ))
                } else {
                    table.chains[ci].rules.remove(n - 1);
                    None
                }
            }
            (Command::Check, Some(ci)) if !listing => {
                let key = crate::save::rule_spec(&table.rules[idx], self.family);
                let found = table.chains[ci]
                    .rules
                    .iter()
                    .any(|&r| crate::save::rule_spec(&table.rules[r], self.family) == key);
                (!found).then(|| {
                    format!("`-C` finds no rule like this in chain `{chain_name}`, so the load fails")
                })
            }
            (Command::Delete(None), Some(ci)) => {
                let key = crate::save::rule_spec(&table.rules[idx], self.family);
                let pos = table.chains[ci]
                    .rules
                    .iter()
                    .position(|&r| crate::save::rule_spec(&table.rules[r], self.family) == key);
                match pos {
                    Some(p) => {
                        table.chains[ci].rules.remove(p);
                        None
                    }
                    None => Some(format!(
                        "no rule like this exists in chain `{chain_name}` to delete"
                    )),
                }
            }
            (Command::NewChain, _) => {
                if ci.is_some() {
                    Some(format!("chain `{chain_name}` already exists"))
                } else {
                    table.chains.push(Chain {
                        name: chain_name.clone(),
                        hook: None,
                        decl: Some(span),
                        policy: None,
                        rules: Vec::new(),
                    });
                    self.chain_ix[t].insert(chain_name.clone(), table.chains.len() - 1);
                    None
                }
            }
            (Command::DeleteChain, _) => {
                // The kernel refuses to delete a chain that holds rules or
                // that a rule jumps to ("Device or resource busy").
                let busy = |table: &Table, name: &str| -> Option<String> {
                    let c = table.chain(name)?;
                    if !c.rules.is_empty() {
                        return Some(format!(
                            "cannot delete chain `{name}`: it still holds {} rule(s); flush it first (`-F {name}`)",
                            c.rules.len()
                        ));
                    }
                    let referenced = table.chains.iter().any(|c| {
                        c.rules.iter().any(|&r| {
                            table.rules[r].target.as_ref().and_then(|t| t.chain()) == Some(name)
                        })
                    });
                    referenced.then(|| {
                        format!("cannot delete chain `{name}`: a rule still jumps to it")
                    })
                };
                if chain_name.is_empty() {
                    let user: Vec<String> = table
                        .chains
                        .iter()
                        .filter(|c| !c.is_builtin())
                        .map(|c| c.name.clone())
                        .collect();
                    // The chains leave iptables' cache either way; the
                    // kernel refuses the deletion only at COMMIT, after
                    // every later line was read.
                    let err = user.iter().find_map(|n| busy(table, n));
                    table.chains.retain(|c| c.is_builtin());
                    reindex = true;
                    err
                } else {
                    match ci {
                        Some(ci) if table.chains[ci].is_builtin() => {
                            Some(format!("cannot delete the built-in chain `{chain_name}`"))
                        }
                        Some(ci) => {
                            let err = busy(table, &chain_name);
                            table.chains.remove(ci);
                            reindex = true;
                            err
                        }
                        None => None,
                    }
                }
            }
            (Command::Zero, Some(ci))
                if zero_rule.is_some_and(|n| n <= table.chains[ci].rules.len())
                    && !self.list_rules =>
            {
                Some("iptables-restore 1.8.9 (nf_tables) crashes on `-Z CHAIN N` when rule N exists; zero the whole chain with `-Z CHAIN`".to_string())
            }
            (Command::Zero, Some(_)) if builtin_missing && !self.list_rules => Some(format!(
                "built-in chain `{chain_name}` does not exist yet: iptables-restore (nf_tables) creates it on its first rule, policy or chain line, and `-Z {chain_name}` before that fails"
            )),
            (Command::Zero, _) => {
                // iptables-restore (nf_tables) zeroes a built-in chain's
                // counters by setting it again, and loses its policy: it
                // is ACCEPT afterwards.
                for c in table
                    .chains
                    .iter_mut()
                    .filter(|c| c.is_builtin() && (chain_name.is_empty() || c.name == chain_name))
                {
                    if let Some((Policy::Drop, _)) = c.policy {
                        let mut d = Diagnostic::new(
                            &codes::INVALID_COMMAND,
                            cspan,
                            format!("`-Z` resets the policy of `{}` from DROP to ACCEPT in iptables-restore (nf_tables)", c.name),
                        )
                        .note("set the policy after the `-Z` line, or drop the `-Z` (restored rules start with zero counters anyway)");
                        d.severity = crate::diagnostic::Severity::Warning;
                        self.diags.push(d);
                    }
                    c.policy = None;
                }
                None
            }
            (Command::Flush, _) => {
                for c in table
                    .chains
                    .iter_mut()
                    .filter(|c| chain_name.is_empty() || c.name == chain_name)
                {
                    c.rules.clear();
                }
                None
            }
            (Command::Policy(pol), Some(ci)) => {
                if !table.chains[ci].is_builtin() {
                    Some(format!("`-P` sets the policy of built-in chains only; `{chain_name}` is a user chain"))
                } else {
                    match pol.as_str() {
                        "ACCEPT" => {
                            table.chains[ci].policy = Some((Policy::Accept, span));
                            None
                        }
                        "DROP" => {
                            table.chains[ci].policy = Some((Policy::Drop, span));
                            None
                        }
                        other => Some(format!("`{other}` is not a policy: use ACCEPT or DROP")),
                    }
                }
            }
            (Command::Rename(_), Some(ci))
                if !self.list_rules && !table.chains[ci].is_builtin() =>
            {
                Some(format!("iptables-restore (nf_tables) cannot rename `{chain_name}`: every chain of a restored table is created in the same batch, and `-E` fails on such a chain; declare it under the new name"))
            }
            (Command::Rename(new), Some(ci)) => {
                if table.chains[ci].is_builtin() {
                    Some(format!("cannot rename the built-in chain `{chain_name}`"))
                } else if self.chain_ix[t].contains_key(new.as_str()) {
                    Some(format!("chain `{new}` already exists"))
                } else {
                    table.chains[ci].name = new.clone();
                    reindex = true;
                    None
                }
            }
            _ => None,
        };
        if reindex {
            self.reindex(t);
        }
        if let Some(msg) = err {
            self.diags.push(Diagnostic::new(&codes::INVALID_COMMAND, cspan, msg));
            self.cmd_level.push((t, cspan));
            self.tables[t].rules[idx].valid = false;
            if let Some(info) = self.parsed[t].last_mut() {
                info.valid = false;
            }
        }
    }

    fn undefined_chain(&self, t: usize, name: &str, span: Span, _how: &str) -> Diagnostic {
        let table = &self.tables[t];
        let mut d = Diagnostic::new(
            &codes::UNDEFINED_CHAIN,
            span,
            format!("chain `{name}` is not defined in table `{}` (at this point)", table.name),
        );
        // Declared later in the same table?
        if table.chains.iter().all(|c| c.name != name) {
            let decl_at = table.chains.iter().filter_map(|c| c.decl).map(|s| s.end).max();
            let at = match decl_at {
                Some(end) => end + 1,
                None => {
                    if table.span.is_empty() {
                        0
                    } else {
                        table.span.end + 1
                    }
                }
            };
            let at = at.min(self.text.len());
            d = d.fix(
                format!("declare it: `:{name} - [0:0]`"),
                vec![Edit { span: Span::new(at, at), content: format!(":{name} - [0:0]\n") }],
            );
            // The nearest name within distance 2 (the distance is at least
            // the difference in length).
            let chars = name.chars().count();
            let mut near: Option<(usize, &str)> = None;
            for c in &table.chains {
                if c.name.chars().count().abs_diff(chars) > 2 {
                    continue;
                }
                let dist = strsim::damerau_levenshtein(&c.name, name);
                if dist <= 2 && near.is_none_or(|(b, _)| dist < b) {
                    near = Some((dist, &c.name));
                }
            }
            if let Some((_, near)) = near {
                d = d.note(format!("a chain named `{near}` exists"));
            }
        }
        d
    }

    fn host_requirements(&mut self, rule: &Rule) {
        for f in [&rule.source, &rule.destination].into_iter().flatten() {
            for a in &f.value {
                if let Address::Host(h) = a {
                    self.diags.push(Diagnostic::new(
                        &codes::HOST_REQUIREMENT,
                        f.span,
                        format!("`{h}` is a host name: it is resolved by DNS when the rules load, and the load fails if it does not resolve"),
                    ));
                }
            }
        }
        for m in rule.matches.iter().chain(rule.target.as_ref().map(|t| &t.inst)) {
            if let Some(spec) = m.spec {
                if spec.origin == Origin::XtablesAddons {
                    self.diags.push(Diagnostic::new(
                        &codes::ADDON_MODULE,
                        m.span,
                        format!("`{}` comes from xtables-addons: the host needs the xtables-addons package and its kernel modules", spec.name),
                    ));
                }
            }
        }
    }

    /// The checks the kernel makes when the table is committed.
    fn commit_checks(&mut self) {
        for t in 0..self.tables.len() {
            // The table open when iptables-restore exited is never
            // committed.
            if self.exited == Some(Some(t)) {
                continue;
            }
            let hooks = chain_hooks(&self.tables[t]);
            self.loop_check(t);
            let infos: Vec<(usize, bool)> = self.parsed[t].iter().map(|i| (i.rule_idx, i.valid)).collect();
            for (ri, valid) in infos {
                if !valid {
                    continue;
                }
                self.rule_checks(t, ri, &hooks);
            }
        }
    }

    /// The kernel refuses a jump loop once a built-in chain reaches it
    /// (an unreachable loop loads). It checks as each rule is added, so the
    /// rule it blames is the first, in file order, after which a loop is
    /// reachable: the jump that closes it, or the jump that makes it
    /// reachable.
    fn loop_check(&mut self, t: usize) {
        let table = &self.tables[t];
        let mut in_chains = vec![false; table.rules.len()];
        for c in &table.chains {
            for &r in &c.rules {
                in_chains[r] = true;
            }
        }
        let roots: Vec<&str> = table.chains.iter().filter(|c| c.is_builtin()).map(|c| c.name.as_str()).collect();
        // The jumps in file order. Both faults only grow as jumps are
        // added, so the first jump after which one shows is found by
        // bisection over prefixes of this list.
        let jumps: Vec<(usize, &str, &str)> = table
            .rules
            .iter()
            .enumerate()
            .filter_map(|(ri, rule)| {
                let adds = matches!(rule.command, Command::Append | Command::Insert(_));
                let target = rule.target.as_ref().and_then(|t| t.chain())?;
                (rule.valid && adds && in_chains[ri]).then_some((ri, rule.chain.as_str(), target))
            })
            .collect();
        let fault = |n: usize| -> Option<String> {
            let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
            for &(_, from, to) in &jumps[..n] {
                edges.entry(from).or_default().push(to);
            }
            if reachable_cycle(&roots, &edges) {
                return Some("with this jump a built-in chain reaches a loop of chains; the kernel refuses loops (\"Too many links\")".to_string());
            }
            let depth = max_jump_depth(&roots, &edges);
            (depth > MAX_JUMP_DEPTH).then(|| format!("with this jump a chain is reached through {depth} nested jumps from a built-in chain; the kernel allows {MAX_JUMP_DEPTH} (\"Too many links\")"))
        };
        let mut found: Option<(usize, String)> = None;
        if fault(jumps.len()).is_some() {
            // The smallest prefix length with a fault.
            let (mut lo, mut hi) = (1, jumps.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if fault(mid).is_some() {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            found = fault(lo).map(|msg| (jumps[lo - 1].0, msg));
        }
        if let Some((ri, msg)) = found {
            let span = table.rules[ri].target.as_ref().map_or(table.rules[ri].span, |t| t.name_span);
            self.diags.push(Diagnostic::new(&codes::CHAIN_LOOP, span, msg));
        }
    }

    fn rule_checks(&mut self, t: usize, ri: usize, hooks: &HashMap<String, Vec<Hook>>) {
        let table = &self.tables[t];
        let rule = &table.rules[ri];
        let chain_hooks: &[Hook] = hooks.get(&rule.chain).map_or(&[], |v| v.as_slice());
        let proto = rule.protocol.as_ref().map(|p| (p.value.number, p.negated));
        // What module checks see; built when the first one runs.
        let mut cx: Option<RuleCx> = None;
        let mut out = Vec::new();
        // `-i` on outgoing, `-o` on incoming built-in chains (by name).
        if let Some(i) = &rule.in_iface {
            if rule.chain == "OUTPUT" || rule.chain == "POSTROUTING" {
                out.push(
                    Diagnostic::new(
                        &codes::WRONG_CHAIN,
                        i.span,
                        format!("`-i` cannot be used in {}: packets there have no input interface yet", rule.chain),
                    )
                    .note("use `-o` to match the interface the packet leaves by"),
                );
            }
        }
        if let Some(o) = &rule.out_iface {
            if rule.chain == "INPUT" || rule.chain == "PREROUTING" {
                out.push(
                    Diagnostic::new(
                        &codes::WRONG_CHAIN,
                        o.span,
                        format!("`-o` cannot be used in {}: the output interface is not known yet", rule.chain),
                    )
                    .note("use `-i` to match the interface the packet arrived on"),
                );
            }
        }
        let insts = rule.matches.iter().chain(rule.target.as_ref().map(|t| &t.inst));
        for inst in insts {
            let Some(spec) = inst.spec else { continue };
            let what = if spec.kind == ExtKind::Match { "match" } else { "target" };
            if !spec.proto.is_empty() {
                // The nf_tables backend translates `tcp`/`udp` matches with
                // port or flag options itself and checks only the protocol
                // number (`! -p tcp --dport 22` loads); anything else goes to
                // the kernel's check, which wants the protocol un-negated.
                let native =
                    matches!(spec.name, "tcp" | "udp") && !inst.options.is_empty() && inst.opt("tcp-option").is_none();
                let ok = match proto {
                    Some((n, negated)) => {
                        (!negated || native) && spec.proto.iter().any(|p| cmdline::parse_protocol(p) == Some(n))
                    }
                    None => false,
                };
                if !ok {
                    let want = spec.proto.join(" or ");
                    let mut d = Diagnostic::new(
                        &codes::PROTOCOL_REQUIRED,
                        inst.span,
                        format!("{what} `{}` needs `-p {want}` on the rule", spec.name),
                    );
                    if proto.is_none() && spec.proto.len() == 1 {
                        let at = rule.chain_span.end;
                        d = d.fix(
                            format!("add `-p {want}`"),
                            vec![Edit { span: Span::new(at, at), content: format!(" -p {want}") }],
                        );
                    } else if let Some((_, true)) = proto {
                        d = d.note("the protocol may not be negated here");
                    }
                    out.push(d);
                    continue;
                }
            }
            if !spec.tables.is_empty() && !spec.tables.contains(&table.name.as_str()) {
                out.push(Diagnostic::new(
                    &codes::WRONG_CHAIN,
                    inst.span,
                    format!(
                        "{what} `{}` is allowed only in the {} table, not in `{}`",
                        spec.name,
                        spec.tables.join(" or "),
                        table.name
                    ),
                ));
                continue;
            }
            if !spec.hooks.is_empty() {
                let bad: Vec<Hook> = chain_hooks.iter().copied().filter(|h| !spec.hooks.contains(h)).collect();
                if !bad.is_empty() {
                    let allowed = spec.hooks.iter().map(|h| h.chain_name()).collect::<Vec<_>>().join(", ");
                    let via = if Hook::from_chain(&rule.chain).is_some() {
                        String::new()
                    } else {
                        format!(
                            " (chain `{}` is reached from {})",
                            rule.chain,
                            bad.iter().map(|h| h.chain_name()).collect::<Vec<_>>().join(", ")
                        )
                    };
                    let mut d = Diagnostic::new(
                        &codes::WRONG_CHAIN,
                        inst.span,
                        format!("{what} `{}` is allowed only in {allowed}{via}", spec.name),
                    );
                    // The kernel checks as rules are added: when the jump
                    // that brings the chain under a wrong hook comes after
                    // this rule, that jump is the line it refuses.
                    if let Some(k) = bad
                        .iter()
                        .filter_map(|h| reach_time(table, h.chain_name(), &rule.chain))
                        .min()
                        .filter(|&k| k > ri)
                    {
                        if let Some(tg) = table.rules[k].target.as_ref() {
                            out.push(
                                Diagnostic::new(
                                    &codes::WRONG_CHAIN,
                                    tg.name_span,
                                    format!(
                                        "this jump makes chain `{}` reachable from a hook where its {what} `{}` is not allowed (only in {allowed})",
                                        rule.chain, spec.name
                                    ),
                                )
                                .related(inst.span, format!("the {what}")),
                            );
                            d = d.related(tg.name_span, "the jump that brings it there");
                        }
                    }
                    out.push(d);
                    continue;
                }
            }
            if let Some(check) = spec.check {
                let cx = cx.get_or_insert_with(|| RuleCx {
                    family: self.family,
                    table: table.name.clone(),
                    chain: rule.chain.clone(),
                    hooks: chain_hooks.to_vec(),
                    proto,
                    proto_name: rule.protocol.as_ref().map(|p| p.value.name.clone()),
                    rule_span: rule.span,
                    has_in_iface: rule.in_iface.is_some(),
                    has_out_iface: rule.out_iface.is_some(),
                });
                let mut cc = CheckCx { inst, rule: cx, diags: &mut out };
                check(&mut cc);
            }
        }
        self.diags.extend(out);
    }
}

fn counters_none() -> Option<lines::RuleCounters> {
    None
}

/// nf_tables validates jumps and gotos with a stack of 16 levels, the
/// built-in chain being level 0: at most 15 nested jumps.
const MAX_JUMP_DEPTH: usize = 15;

/// The longest chain of jumps from one of `roots` (the graph reachable
/// from them has no cycle when this is called).
fn max_jump_depth(roots: &[&str], edges: &HashMap<&str, Vec<&str>>) -> usize {
    fn longest<'a>(
        n: &'a str,
        edges: &HashMap<&'a str, Vec<&'a str>>,
        memo: &mut HashMap<&'a str, usize>,
        guard: usize,
    ) -> usize {
        if let Some(&d) = memo.get(n) {
            return d;
        }
        // The graph is acyclic here; the guard only bounds the recursion.
        let d = if guard > 64 {
            guard
        } else {
            edges
                .get(n)
                .map(|v| v.iter().map(|m| 1 + longest(m, edges, memo, guard + 1)).max().unwrap_or(0))
                .unwrap_or(0)
        };
        memo.insert(n, d);
        d
    }
    let mut memo = HashMap::new();
    roots.iter().map(|r| longest(r, edges, &mut memo, 0)).max().unwrap_or(0)
}

/// Does a path from one of `roots` reach a cycle? (Iterative DFS with
/// colours: 1 on the stack, 2 done.)
fn reachable_cycle(roots: &[&str], edges: &HashMap<&str, Vec<&str>>) -> bool {
    let mut state: HashMap<&str, u8> = HashMap::new();
    for &root in roots {
        if state.contains_key(root) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        state.insert(root, 1);
        while let Some((n, i)) = stack.pop() {
            let next = edges.get(n).and_then(|v| v.get(i)).copied();
            match next {
                Some(m) => {
                    stack.push((n, i + 1));
                    match state.get(m).copied().unwrap_or(0) {
                        1 => return true,
                        0 => {
                            state.insert(m, 1);
                            stack.push((m, 0));
                        }
                        _ => {}
                    }
                }
                None => {
                    state.insert(n, 2);
                }
            }
        }
    }
    false
}

/// The index of the rule (in file order) whose jump first lets built-in
/// chain `from` reach chain `to`; `None` if `to` is `from` itself or never
/// reached. Rules count once they are in their chain at the end (valid
/// `-A`/`-I`).
fn reach_time(table: &Table, from: &str, to: &str) -> Option<usize> {
    if from == to {
        return None;
    }
    let in_chains: HashSet<usize> = table.chains.iter().flat_map(|c| c.rules.iter().copied()).collect();
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for (ri, rule) in table.rules.iter().enumerate() {
        let Some(target) = rule.target.as_ref().and_then(|t| t.chain()) else {
            continue;
        };
        if !rule.valid || !in_chains.contains(&ri) {
            continue;
        }
        edges.entry(rule.chain.as_str()).or_default().push(target);
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return Some(ri);
            }
            if seen.insert(n) {
                stack.extend(edges.get(n).into_iter().flatten().copied());
            }
        }
    }
    None
}

/// For each chain, the hooks whose built-in chain reaches it.
pub fn chain_hooks(table: &Table) -> HashMap<String, Vec<Hook>> {
    let mut out: HashMap<String, Vec<Hook>> = HashMap::new();
    let mut by_name: HashMap<&str, &Chain> = HashMap::new();
    for c in &table.chains {
        by_name.entry(c.name.as_str()).or_insert(c);
    }
    for c in &table.chains {
        let Some(h) = c.hook else { continue };
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = vec![c.name.as_str()];
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            out.entry(n.to_string()).or_default().push(h);
            if let Some(ch) = by_name.get(n) {
                for &ri in &ch.rules {
                    if let Some(tc) = table.rules[ri].target.as_ref().and_then(|t| t.chain()) {
                        stack.push(tc);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        let p = parse(text, &ParseOptions::default());
        p.ruleset.tables.into_iter().next().unwrap()
    }

    #[test]
    fn reach_time_finds_the_jump_that_connects() {
        let t = table("*nat\n:a - [0:0]\n:b - [0:0]\n-A b -j RETURN\n-A a -j b\n-A PREROUTING -j a\nCOMMIT\n");
        // Rules: 0 `-A b`, 1 `-A a -j b`, 2 `-A PREROUTING -j a`.
        assert_eq!(reach_time(&t, "PREROUTING", "b"), Some(2));
        assert_eq!(reach_time(&t, "PREROUTING", "a"), Some(2));
        assert_eq!(reach_time(&t, "POSTROUTING", "b"), None);
        assert_eq!(reach_time(&t, "PREROUTING", "PREROUTING"), None);
    }

    #[test]
    fn loops_count_only_when_reachable() {
        let unreachable =
            parse("*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n", &ParseOptions::default());
        assert!(unreachable.diagnostics.is_empty());
        let p = parse(
            "*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\n-A INPUT -j A\nCOMMIT\n",
            &ParseOptions::default(),
        );
        let d: Vec<_> = p.diagnostics.iter().map(|d| (d.code.code, p.ruleset.line_of(d.span.start))).collect();
        assert_eq!(d, [("E304", 6)]);
    }

    #[test]
    fn jump_depth_limit() {
        let mut text = String::from("*filter\n");
        for i in 0..16 {
            text.push_str(&format!(":c{i} - [0:0]\n"));
        }
        text.push_str("-A INPUT -j c0\n");
        for i in 0..15 {
            text.push_str(&format!("-A c{i} -j c{}\n", i + 1));
        }
        text.push_str("COMMIT\n");
        let p = parse(&text, &ParseOptions::default());
        let d: Vec<_> = p.diagnostics.iter().map(|d| (d.code.code, p.ruleset.line_of(d.span.start))).collect();
        // 16 nested jumps: the last one (`-A c14 -j c15`, line 33) fails.
        assert_eq!(d, [("E304", 33)]);
    }

    #[test]
    fn crlf_is_an_error_only_where_it_breaks_the_line() {
        let p = parse("*filter\r\n:INPUT DROP [0:0]\r\n-A INPUT -j ACCEPT\r\nCOMMIT\n", &ParseOptions::default());
        let d: Vec<_> =
            p.diagnostics.iter().map(|d| (d.code.code, d.severity, p.ruleset.line_of(d.span.start))).collect();
        use crate::diagnostic::Severity::*;
        assert_eq!(d, [("E101", Error, 1), ("E101", Warning, 2), ("E101", Error, 3)]);
    }
}
