//! `textDocument/publishDiagnostics`: our findings as LSP diagnostics.
//! `code` is our code, `codeDescription` its documentation, related
//! locations become related information, and the fix travels in `data`.

use iptlint_parser::Severity;
use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use crate::convert::Encoding;
use crate::docs::Analysis;

/// Where a code's documentation lives.
pub const DOCS_URL: &str = "https://github.com/OWNER/iptlint/blob/main/docs/codes.md";

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn to_proto(a: &Analysis, enc: Encoding) -> Vec<Diagnostic> {
    let lines = a.lines();
    a.diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            for n in &d.notes {
                message.push_str("\nnote: ");
                message.push_str(n);
            }
            let related: Vec<DiagnosticRelatedInformation> = d
                .related
                .iter()
                .map(|r| DiagnosticRelatedInformation {
                    location: Location { uri: a.uri.clone(), range: lines.range(r.span, enc) },
                    message: r.message.clone(),
                })
                .collect();
            let fix = d.fix.as_ref().map(|f| {
                json!({
                    "message": f.message,
                    "safe": f.safe,
                    "edits": f.edits.iter().map(|e| json!({
                        "range": lines.range(e.span, enc),
                        "newText": e.content,
                    })).collect::<Vec<_>>(),
                })
            });
            Diagnostic {
                range: lines.range(d.span, enc),
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.code.to_string())),
                code_description: code_href(d.code.code).map(|href| CodeDescription { href }),
                source: Some("iptlint".into()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: Some(json!({ "name": d.code.name, "version": a.version, "fix": fix })),
            }
        })
        .collect()
}

pub fn code_href(code: &str) -> Option<Uri> {
    format!("{DOCS_URL}#{}", code.to_ascii_lowercase()).parse().ok()
}
