//! `textDocument/completion`: tables after `*`, chain names after `-A`
//! and friends, targets and chains after `-j`/`-g`, modules after `-m`,
//! protocols after `-p`, the options valid after the modules and protocol
//! already on the line, and the values of choice options.

use iptlint_parser::ext::{self, ExtKind, ExtSpec, Family, Hook};
use iptlint_parser::lexer::split_words;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind, Position,
};

use crate::convert::Encoding;
use crate::cursor::table_at;
use crate::docs::Analysis;
use crate::handlers::hover::{builtin_doc, choices, module_doc, option_doc};

fn item(
    label: impl Into<String>,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<String>,
) -> CompletionItem {
    CompletionItem {
        label: label.into(),
        kind: Some(kind),
        detail,
        documentation: doc
            .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
        ..Default::default()
    }
}

const PROTOCOLS_V4: &[&str] = &["tcp", "udp", "icmp", "sctp", "dccp", "udplite", "esp", "ah", "gre", "all"];
const PROTOCOLS_V6: &[&str] = &["tcp", "udp", "ipv6-icmp", "sctp", "dccp", "udplite", "esp", "ah", "gre", "all"];
const RULE_OPTIONS: &[&str] = &["-p", "-s", "-d", "-i", "-o", "-m", "-j", "-g", "-f"];

pub fn handle(a: &Analysis, enc: Encoding, pos: Position) -> Vec<CompletionItem> {
    let offset = a.lines().offset(pos, enc);
    let idx = &a.parsed.ruleset.line_index;
    let line_start = idx.line_start(idx.line_of(offset));
    let before = &a.text[line_start..offset];
    let family = a.family;
    let table = table_at(a, offset);
    let table_name = table.map_or("filter", |t| t.name.as_str());

    if before.starts_with('*') && !before.contains(' ') {
        return ext::TABLES.iter().map(|t| item(*t, CompletionItemKind::MODULE, Some("table".into()), None)).collect();
    }
    let chains = || -> Vec<CompletionItem> {
        let mut names: Vec<(String, bool)> =
            Hook::of_table(table_name).iter().map(|h| (h.chain_name().to_string(), true)).collect();
        if let Some(t) = table {
            for c in &t.chains {
                if !names.iter().any(|(n, _)| *n == c.name) {
                    names.push((c.name.clone(), c.is_builtin()));
                }
            }
        }
        names
            .into_iter()
            .map(|(n, builtin)| {
                item(
                    n,
                    CompletionItemKind::CLASS,
                    Some(if builtin { "built-in chain" } else { "user chain" }.into()),
                    None,
                )
            })
            .collect()
    };
    if before.starts_with(':') && !before.contains(' ') {
        return chains();
    }
    if before.starts_with('#') {
        return Vec::new();
    }
    let words = split_words(before, 0);
    // The word being typed (empty after a blank) and the one before it.
    let typing = if before.ends_with([' ', '\t']) || words.is_empty() {
        ""
    } else {
        words.last().map_or("", |w| w.text.as_str())
    };
    let done = if typing.is_empty() { &words[..] } else { &words[..words.len() - 1] };
    let prev = done.last().map(|w| w.text.as_str());

    match prev {
        Some(
            "-A" | "--append" | "-I" | "--insert" | "-D" | "--delete" | "-R" | "--replace" | "-F" | "--flush" | "-P"
            | "--policy" | "-X" | "--delete-chain" | "-E" | "--rename-chain" | "-Z",
        ) => return chains(),
        Some("-j" | "--jump") => {
            let mut out: Vec<CompletionItem> = ext::targets::all()
                .iter()
                .filter(|s| s.families.has(family) && (s.tables.is_empty() || s.tables.contains(&table_name)))
                .map(|s| item(s.name, CompletionItemKind::FUNCTION, Some(s.summary.to_string()), Some(module_doc(s))))
                .collect();
            out.extend(chains().into_iter().filter(|c| c.detail.as_deref() == Some("user chain")));
            return out;
        }
        Some("-g" | "--goto") => {
            return chains().into_iter().filter(|c| c.detail.as_deref() == Some("user chain")).collect()
        }
        Some("-m" | "--match") => {
            return ext::matches::all()
                .iter()
                .filter(|s| s.families.has(family))
                .map(|s| item(s.name, CompletionItemKind::MODULE, Some(s.summary.to_string()), Some(module_doc(s))))
                .collect()
        }
        Some("-p" | "--protocol") => {
            let list = if family == Family::V6 { PROTOCOLS_V6 } else { PROTOCOLS_V4 };
            return list
                .iter()
                .map(|p| item(*p, CompletionItemKind::ENUM_MEMBER, Some("protocol".into()), None))
                .collect();
        }
        _ => {}
    }
    let loaded = modules_on_line(done, family);
    // A choice option's values.
    if let Some(name) = prev.and_then(|p| p.strip_prefix("--")) {
        for m in &loaded {
            if let Some(o) = m.option(name) {
                if let Some(vals) = choices(&o.arg, family) {
                    let (done_part, _) = typing.rsplit_once(',').unwrap_or(("", typing));
                    let list = !done_part.is_empty();
                    return vals
                        .iter()
                        .map(|v| {
                            let label = if list { format!("{done_part},{v}") } else { v.to_string() };
                            item(label, CompletionItemKind::ENUM_MEMBER, Some(o.help.to_string()), None)
                        })
                        .collect();
                }
                if o.arg.arity() > 0 {
                    return Vec::new();
                }
            }
        }
    }
    if !typing.is_empty() && !typing.starts_with('-') {
        return Vec::new();
    }
    let mut out = Vec::new();
    for m in &loaded {
        for o in m.options {
            out.push(item(
                format!("--{}", o.name),
                CompletionItemKind::PROPERTY,
                Some(format!("{} {}", m.name, o.arg.describe()).trim().to_string()),
                Some(option_doc(o, m, family)),
            ));
        }
    }
    for w in RULE_OPTIONS {
        out.push(item(*w, CompletionItemKind::KEYWORD, None, builtin_doc(w).map(str::to_string)));
    }
    out
}

/// Modules loaded by the words so far: `-m NAME`, the protocol's match
/// after `-p NAME`, and the target after `-j NAME`; newest first.
fn modules_on_line(words: &[iptlint_parser::lexer::Word], family: Family) -> Vec<&'static ExtSpec> {
    let mut out = Vec::new();
    for p in words.windows(2) {
        let spec = match p[0].text.as_str() {
            "-m" | "--match" | "-p" | "--protocol" => ext::find(ExtKind::Match, &p[1].text, family).or_else(|| {
                (p[1].text == "ipv6-icmp" || p[1].text == "icmpv6")
                    .then(|| ext::find(ExtKind::Match, "icmp6", family))
                    .flatten()
            }),
            "-j" | "--jump" => ext::find(ExtKind::Target, &p[1].text, family),
            _ => None,
        };
        if let Some(s) = spec {
            out.push(s);
        }
    }
    out.reverse();
    out
}
