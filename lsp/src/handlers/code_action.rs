//! `textDocument/codeAction`: each finding's fix as a quick fix, and
//! "disable this lint for this rule" (a `# iptlint: disable=NAME` line
//! above the rule).

use std::collections::HashMap;

use iptlint_parser::Severity;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, Range, TextEdit, WorkspaceEdit,
};

use crate::convert::Encoding;
use crate::docs::Analysis;
use crate::handlers::diagnostics;

/// Findings on the lines of the requested range count (a cursor anywhere
/// on a rule's line offers its actions).
fn overlaps(a: Range, b: Range) -> bool {
    a.start.line <= b.end.line && b.start.line <= a.end.line
}

pub fn handle(a: &Analysis, enc: Encoding, range: Range) -> Vec<CodeActionOrCommand> {
    let lines = a.lines();
    let protos = diagnostics::to_proto(a, enc);
    let mut out = Vec::new();
    let mut disabled = std::collections::HashSet::new();
    for (d, proto) in a.diagnostics.iter().zip(protos) {
        if !overlaps(proto.range, range) {
            continue;
        }
        let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(a.uri.clone(), edits)])),
            ..Default::default()
        };
        if let Some(fix) = &d.fix {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit { range: lines.range(e.span, enc), new_text: e.content.clone() })
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.message.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![proto.clone()]),
                edit: Some(edit(edits)),
                is_preferred: Some(fix.safe),
                ..Default::default()
            }));
        }
        if d.severity != Severity::Error && disabled.insert((proto.range.start.line, d.code.name)) {
            let line = proto.range.start.line;
            let at = Position::new(line, 0);
            let text = format!("# iptlint: disable={}\n", d.code.name);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Disable {} for this rule", d.code.name),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![proto.clone()]),
                edit: Some(edit(vec![TextEdit { range: Range::new(at, at), new_text: text }])),
                ..Default::default()
            }));
        }
    }
    out
}
