//! Findings: what every layer reports, with spans, notes and fixes.
//! Rendering lives in `cli/`; this is plain data.

use crate::codes::Code;
use crate::span::Span;

/// How bad a finding is. `Error` means exactly: `iptables-restore` would
/// refuse to load the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

/// A secondary location that explains the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One replacement of a byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

/// A way to make the finding go away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
    /// Safe fixes keep the ruleset's meaning (or make a refused file load
    /// the way it was evidently meant); `--fix` applies only these.
    pub safe: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub related: Vec<Related>,
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            span,
            related: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related { span, message: message.into() });
        self
    }
    pub fn fix(mut self, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix { message: message.into(), edits, safe: true });
        self
    }
    pub fn unsafe_fix(mut self, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix { message: message.into(), edits, safe: false });
        self
    }
    /// A guess ("did you mean …?") that replaces one span: offered, never
    /// applied by `--fix`, since the guess may be wrong.
    pub fn suggest(self, message: impl Into<String>, span: Span, content: impl Into<String>) -> Self {
        self.unsafe_fix(message, vec![Edit { span, content: content.into() }])
    }
    /// A fix that replaces one span.
    pub fn replace(self, message: impl Into<String>, span: Span, content: impl Into<String>) -> Self {
        self.fix(message, vec![Edit { span, content: content.into() }])
    }
}
