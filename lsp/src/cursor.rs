//! What is at a byte offset of an analysed document: a chain name, an
//! option, a module, a target, a code in a directive. Also the chain
//! cross-reference used by definition, references, rename and hover.

use iptlint_parser::ext::{ExtSpec, OptSpec};
use iptlint_parser::model::{Command, ExtInstance, Rule, Table, TargetKind};
use iptlint_parser::Span;

use crate::docs::Analysis;

pub enum Item<'a> {
    /// A chain name (declaration, `-A NAME`, `-j NAME`), in table `table`.
    Chain { table: &'a Table, name: String, span: Span },
    /// A module's option word.
    Option { spec: &'static OptSpec, module: &'static ExtSpec, span: Span },
    /// A `-m NAME` or `-j TARGET` word naming a module.
    Module { spec: &'static ExtSpec, span: Span },
    /// A built-in option of every rule (`-p`, `-s`, `-j` …).
    Builtin { word: String, span: Span },
    /// A code or lint name inside `# iptlint: disable=…`.
    Code { code: &'static iptlint_parser::codes::Code, span: Span },
}

fn inside(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The span of the chain name on a `:NAME POLICY [p:b]` line.
pub fn decl_name_span(text: &str, decl: Span, name: &str) -> Span {
    if text.get(decl.start..decl.start + 1) == Some(":") {
        Span::new(decl.start + 1, decl.start + 1 + name.len())
    } else {
        // `-N NAME`: find the name after the option.
        let line = text.get(decl.range()).unwrap_or("");
        match line.split_whitespace().skip_while(|w| !w.starts_with('-')).nth(1) {
            Some(w) if w == name => {
                let at = line.find(&format!(" {w}")).map_or(0, |i| i + 1);
                Span::new(decl.start + at, decl.start + at + name.len())
            }
            _ => decl,
        }
    }
}

/// Every place a chain's name is written in a table: declarations, rule
/// chain names and jump/goto targets. The first entry is the declaration
/// when there is one.
pub fn chain_refs(a: &Analysis, table: &Table, name: &str) -> (Option<Span>, Vec<Span>) {
    let mut decl = None;
    if let Some(chain) = table.chain(name) {
        if let Some(d) = chain.decl {
            decl = Some(decl_name_span(&a.text, d, name));
        }
    }
    let mut refs = Vec::new();
    for rule in &table.rules {
        if rule.chain == name && !rule.chain_span.is_empty() && Some(rule.chain_span) != decl {
            refs.push(rule.chain_span);
        }
        if let Some(t) = &rule.target {
            if t.name == name && matches!(t.kind, TargetKind::Chain(_) | TargetKind::Unknown(_)) {
                refs.push(t.name_span);
            }
        }
    }
    refs.sort();
    refs.dedup();
    (decl, refs)
}

pub fn table_at(a: &Analysis, offset: usize) -> Option<&Table> {
    let tables = &a.parsed.ruleset.tables;
    tables.iter().rev().find(|t| t.span.start <= offset).or(tables.first())
}

fn rule_at(table: &Table, offset: usize) -> Option<&Rule> {
    table.rules.iter().find(|r| inside(r.span, offset))
}

fn in_inst(inst: &ExtInstance, offset: usize) -> Option<Item<'static>> {
    let spec = inst.spec?;
    for o in &inst.options {
        if inside(o.span, offset) {
            if let Some(os) = o.spec {
                return Some(Item::Option { spec: os, module: spec, span: o.span });
            }
        }
    }
    None
}

/// What is at `offset`.
pub fn item_at(a: &Analysis, offset: usize) -> Option<Item<'_>> {
    let text = &a.text;
    let line_no = a.parsed.ruleset.line_index.line_of(offset.min(text.len()));
    let line_start = a.parsed.ruleset.line_index.line_start(line_no);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];

    if line.starts_with('#') {
        return code_in_comment(line, line_start, offset);
    }
    let table = table_at(a, offset)?;
    if let Some(rest) = line.strip_prefix(':') {
        let name = rest.split_whitespace().next().unwrap_or("");
        let span = Span::new(line_start + 1, line_start + 1 + name.len());
        if inside(span, offset) {
            return Some(Item::Chain { table, name: name.to_string(), span });
        }
        return None;
    }
    let rule = rule_at(table, offset)?;
    if inside(rule.chain_span, offset) && !rule.chain_span.is_empty() {
        return Some(Item::Chain { table, name: rule.chain.clone(), span: rule.chain_span });
    }
    if let Some(t) = &rule.target {
        if inside(t.name_span, offset) {
            return match &t.kind {
                TargetKind::Ext(spec) => Some(Item::Module { spec, span: t.name_span }),
                TargetKind::Chain(c) | TargetKind::Unknown(c) => {
                    Some(Item::Chain { table, name: c.clone(), span: t.name_span })
                }
            };
        }
        if let Some(i) = in_inst(&t.inst, offset) {
            return Some(i);
        }
    }
    for m in &rule.matches {
        if let Some(i) = in_inst(m, offset) {
            return Some(i);
        }
        if !m.implicit && inside(m.span, offset) {
            if let Some(spec) = m.spec {
                return Some(Item::Module { spec, span: m.span });
            }
        }
    }
    // Fall back to the words (also on lines that did not parse).
    let words = iptlint_parser::lexer::split_words(line, line_start);
    let i = words.iter().position(|w| inside(w.span, offset))?;
    let w = &words[i];
    let prev = i.checked_sub(1).map(|p| words[p].text.as_str());
    let family = a.family;
    use iptlint_parser::ext::{find, ExtKind};
    match prev {
        Some("-m" | "--match") => {
            return find(ExtKind::Match, &w.text, family).map(|spec| Item::Module { spec, span: w.span })
        }
        Some("-j" | "--jump") => {
            if let Some(spec) = find(ExtKind::Target, &w.text, family) {
                return Some(Item::Module { spec, span: w.span });
            }
        }
        _ => {}
    }
    if let Some(name) = w.text.strip_prefix("--") {
        // An option of a module named on the line, else of any module.
        let named: Vec<&'static ExtSpec> = words
            .windows(2)
            .filter_map(|p| match p[0].text.as_str() {
                "-m" | "--match" | "-p" | "--protocol" => find(ExtKind::Match, &p[1].text, family),
                "-j" | "--jump" => find(ExtKind::Target, &p[1].text, family),
                _ => None,
            })
            .collect();
        let all = iptlint_parser::ext::all().filter(|s| s.families.has(family));
        for spec in named.into_iter().chain(all) {
            if let Some(o) = spec.option(name) {
                return Some(Item::Option { spec: o, module: spec, span: w.span });
            }
        }
    }
    if w.text.starts_with('-') {
        return Some(Item::Builtin { word: w.text.to_string(), span: w.span });
    }
    let _ = Command::Append;
    None
}

fn code_in_comment(line: &str, base: usize, offset: usize) -> Option<Item<'static>> {
    let at = line.find("iptlint:")?;
    let mut pos = at;
    for part in line[at..].split(|c: char| c == '=' || c == ',' || c.is_whitespace()) {
        let start = base + pos;
        let span = Span::new(start, start + part.len());
        pos += part.len() + 1;
        if !part.is_empty() && inside(span, offset) {
            if let Some(code) = iptlint_analysis::lookup(part) {
                return Some(Item::Code { code, span });
            }
        }
    }
    None
}
