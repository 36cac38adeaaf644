//! `textDocument/documentSymbol`: tables → chains → rules.

use iptlint_parser::model::Policy;
use iptlint_parser::Span;
use tower_lsp_server::ls_types::{DocumentSymbol, SymbolKind};

use crate::convert::Encoding;
use crate::cursor::decl_name_span;
use crate::docs::Analysis;

#[allow(deprecated)]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: tower_lsp_server::ls_types::Range,
    sel: tower_lsp_server::ls_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol { name, detail, kind, tags: None, deprecated: None, range, selection_range: sel, children }
}

pub fn handle(a: &Analysis, enc: Encoding) -> Vec<DocumentSymbol> {
    let lines = a.lines();
    let mut out = Vec::new();
    for t in &a.parsed.ruleset.tables {
        let mut chains = Vec::new();
        for c in &t.chains {
            let rules: Vec<DocumentSymbol> = c
                .rules
                .iter()
                .map(|&ri| &t.rules[ri])
                .map(|r| {
                    let spec = iptlint_parser::save::rule_spec(r, a.family);
                    let name = if spec.is_empty() { "(empty rule)".to_string() } else { spec };
                    let range = lines.range(r.span, enc);
                    symbol(name, None, SymbolKind::FIELD, range, range, None)
                })
                .collect();
            let name_span = c.decl.map(|d| decl_name_span(&a.text, d, &c.name));
            let mut cover: Option<Span> = c.decl;
            for &ri in &c.rules {
                let s = t.rules[ri].span;
                cover = Some(cover.map_or(s, |c| c.cover(s)));
            }
            let Some(cover) = cover else { continue };
            let sel = name_span.unwrap_or_else(|| Span::new(cover.start, cover.start));
            let detail = match c.policy.as_ref().map(|p| &p.0) {
                Some(Policy::Drop) => Some("policy DROP".to_string()),
                Some(Policy::Accept) => Some("policy ACCEPT".to_string()),
                None => None,
            };
            let kind = if c.is_builtin() { SymbolKind::CLASS } else { SymbolKind::FUNCTION };
            chains.push(symbol(
                c.name.clone(),
                detail,
                kind,
                lines.range(cover, enc),
                lines.range(sel, enc),
                Some(rules),
            ));
        }
        let end = t.commit.map_or_else(|| t.rules.last().map_or(t.span.end, |r| r.span.end), |c| c.end);
        let range = lines.range(Span::new(t.span.start, end.max(t.span.end)), enc);
        let sel = lines.range(t.span, enc);
        out.push(symbol(t.name.clone(), None, SymbolKind::NAMESPACE, range, sel, Some(chains)));
    }
    out
}
