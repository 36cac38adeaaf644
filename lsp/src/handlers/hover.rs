//! `textDocument/hover`: an option's help and accepted values, a module's
//! or target's summary, a chain's policy, rule count and callers, a code's
//! documentation.

use std::fmt::Write;

use iptlint_parser::ext::{ArgType, ExtKind, ExtSpec, OptSpec};
use iptlint_parser::model::{Policy, Table};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::convert::Encoding;
use crate::cursor::{item_at, Item};
use crate::docs::Analysis;

pub fn handle(a: &Analysis, enc: Encoding, pos: Position) -> Option<Hover> {
    let offset = a.lines().offset(pos, enc);
    // The documentation of every finding whose span holds the position.
    let mut found = String::new();
    let mut seen = Vec::new();
    for d in a.diagnostics.iter().filter(|d| d.span.start <= offset && offset < d.span.end.max(d.span.start + 1)) {
        if !seen.contains(&d.code.code) {
            seen.push(d.code.code);
            let _ =
                write!(found, "\n\n---\n\n**{}** `{}`: {}\n\n{}", d.code.code, d.code.name, d.code.summary, d.code.doc);
        }
    }
    let Some(item) = item_at(a, offset) else {
        let span = a.diagnostics.iter().find(|d| seen.contains(&d.code.code))?.span;
        let value = found.trim_start_matches("\n\n---\n\n").to_string();
        return Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
            range: Some(a.lines().range(span, enc)),
        });
    };
    // A hover that already is a code's documentation needs no repeat.
    let is_code = matches!(item, Item::Code { .. });
    let (mut md, span) = match item {
        Item::Option { spec, module, span } => (option_doc(spec, module, a.family), span),
        Item::Module { spec, span } => (module_doc(spec), span),
        Item::Chain { table, name, span } => (chain_doc(a, table, &name), span),
        Item::Code { code, span } => (
            format!(
                "**{}** `{}` ({})\n\n{}\n\n{}",
                code.code,
                code.name,
                code.severity.as_str(),
                code.summary,
                code.doc
            ),
            span,
        ),
        Item::Builtin { word, span } => (builtin_doc(&word).unwrap_or_default().to_string(), span),
    };
    if !is_code {
        md.push_str(&found);
    }
    let md = md.trim_start_matches("\n\n---\n\n").to_string();
    if md.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: md }),
        range: Some(a.lines().range(span, enc)),
    })
}

/// Accepted values of an argument type, when it is a fixed set. For a
/// custom parser the set is read from its error message for a word it
/// cannot accept, which by convention ends with the valid words in
/// parentheses: `bad ctstate `x` (valid: NEW, ESTABLISHED, …)`.
pub fn choices(arg: &ArgType, family: iptlint_parser::Family) -> Option<Vec<String>> {
    match arg {
        ArgType::Choice(c) | ArgType::ChoiceList(c) => Some(c.iter().map(|s| s.to_string()).collect()),
        ArgType::Custom(f) => {
            let cx = iptlint_parser::ext::ArgCx { family, proto: None };
            let msg = std::panic::catch_unwind(|| f("\u{7f}", &cx)).ok()?.err()?;
            let inner = msg.trim_end().strip_suffix(')')?;
            let inner = &inner[inner.rfind('(')? + 1..];
            let inner = inner.strip_prefix("valid: ").unwrap_or(inner);
            let words: Vec<String> = inner.split(", ").map(str::to_string).collect();
            let wordlike =
                |w: &String| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
            (words.len() >= 2 && words.iter().all(wordlike)).then_some(words)
        }
        _ => None,
    }
}

pub fn option_doc(o: &OptSpec, module: &ExtSpec, family: iptlint_parser::Family) -> String {
    let mut s = String::new();
    let kind = match module.kind {
        ExtKind::Match => "match",
        ExtKind::Target => "target",
    };
    let _ = write!(s, "**--{}**", o.name);
    let arg = o.arg.describe();
    if !arg.is_empty() {
        let _ = write!(s, " `{arg}`");
    }
    let _ = write!(s, " ({kind} `{}`)\n\n{}", module.name, o.help);
    if let Some(c) = choices(&o.arg, family) {
        let _ = write!(s, "\n\nAccepted values: {}", c.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "));
    }
    let mut facts = Vec::new();
    if o.invertible() {
        facts.push("can be negated with `!`".to_string());
    }
    if !o.aliases.is_empty() {
        facts.push(format!(
            "also spelled {}",
            o.aliases.iter().map(|a| format!("`--{a}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !o.excl.is_empty() {
        facts.push(format!("excludes {}", o.excl.iter().map(|a| format!("`--{a}`")).collect::<Vec<_>>().join(", ")));
    }
    if !facts.is_empty() {
        let _ = write!(s, "\n\n{}", facts.join("; "));
    }
    s
}

pub fn module_doc(m: &ExtSpec) -> String {
    let kind = match m.kind {
        ExtKind::Match => "match",
        ExtKind::Target => "target",
    };
    let mut s = format!("**{}** ({kind})\n\n{}", m.name, m.summary);
    if !m.proto.is_empty() {
        let _ = write!(s, "\n\nNeeds `-p {}`", m.proto.join("|"));
    }
    if !m.tables.is_empty() {
        let _ = write!(s, "\n\nTables: {}", m.tables.join(", "));
    }
    if !m.options.is_empty() {
        s.push_str("\n\nOptions:");
        for o in m.options {
            let _ = write!(s, "\n- `--{}` {}", o.name, o.help);
        }
    }
    s
}

fn chain_doc(a: &Analysis, table: &Table, name: &str) -> String {
    let idx = &a.parsed.ruleset.line_index;
    let mut s = format!("**chain {name}** (table `{}`)", table.name);
    let Some(chain) = table.chain(name) else {
        s.push_str("\n\nNot declared in this table.");
        return s;
    };
    if chain.is_builtin() {
        let policy = match chain.policy.as_ref().map(|p| &p.0) {
            Some(Policy::Drop) => "DROP",
            Some(Policy::Accept) => "ACCEPT",
            None => "ACCEPT (not set in the file)",
        };
        let _ = write!(s, "\n\nBuilt-in chain, policy **{policy}**");
    } else {
        s.push_str("\n\nUser chain (falls back to the caller at its end)");
    }
    let _ = write!(s, "\n\n{} rule{}", chain.rules.len(), if chain.rules.len() == 1 { "" } else { "s" });
    let callers: Vec<String> = table
        .rules
        .iter()
        .filter(|r| r.valid && r.target.as_ref().is_some_and(|t| t.chain() == Some(name)))
        .map(|r| {
            let how = if r.target.as_ref().is_some_and(|t| t.goto) { "goto" } else { "jump" };
            format!("- line {}: {how} from `{}`", idx.line_of(r.span.start) + 1, r.chain)
        })
        .collect();
    if callers.is_empty() {
        if !chain.is_builtin() {
            s.push_str("\n\nNo rule jumps to it.");
        }
    } else {
        let _ = write!(s, "\n\nCalled from:\n{}", callers.join("\n"));
    }
    s
}

pub fn builtin_doc(word: &str) -> Option<&'static str> {
    Some(match word {
        "-A" | "--append" => "**-A CHAIN**: append the rule to the chain",
        "-I" | "--insert" => "**-I CHAIN [N]**: insert the rule at position N (default 1)",
        "-D" | "--delete" => "**-D CHAIN rule|N**: delete a rule",
        "-R" | "--replace" => "**-R CHAIN N**: replace rule N",
        "-N" | "--new-chain" => "**-N CHAIN**: create a user chain",
        "-X" | "--delete-chain" => "**-X [CHAIN]**: delete a user chain",
        "-F" | "--flush" => "**-F [CHAIN]**: delete every rule of the chain",
        "-P" | "--policy" => "**-P CHAIN POLICY**: set a built-in chain's policy",
        "-E" | "--rename-chain" => "**-E OLD NEW**: rename a user chain",
        "-p" | "--protocol" => {
            "**-p** `protocol`: match the protocol (name or number; `all`); loads the protocol's match for its options"
        }
        "-s" | "--source" => "**-s** `address[/mask][,…]`: match the source address",
        "-d" | "--destination" => "**-d** `address[/mask][,…]`: match the destination address",
        "-i" | "--in-interface" => "**-i** `interface[+]`: match the input interface (not in OUTPUT/POSTROUTING)",
        "-o" | "--out-interface" => "**-o** `interface[+]`: match the output interface (not in INPUT/PREROUTING)",
        "-f" | "--fragment" => "**-f**: match second and further fragments only",
        "-j" | "--jump" => "**-j** `target`: what to do with a matching packet (a target or a user chain)",
        "-g" | "--goto" => "**-g** `chain`: continue in a user chain without returning here",
        "-m" | "--match" => "**-m** `module`: load a match module",
        "-c" | "--set-counters" => "**-c** `packets bytes`: set the rule's counters",
        _ => return None,
    })
}
