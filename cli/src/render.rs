//! The output formats: human (ariadne), JSON and gcc-style lines.

use std::fmt::Write;
use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use iptlint_parser::{Diagnostic, LineIndex, Severity, Span};
use serde::Serialize;

use crate::Checked;

fn kind(sev: Severity) -> ReportKind<'static> {
    match sev {
        Severity::Error => ReportKind::Custom("error", Color::Red),
        Severity::Warning => ReportKind::Custom("warning", Color::Yellow),
        Severity::Info => ReportKind::Custom("info", Color::Cyan),
        Severity::Hint => ReportKind::Custom("hint", Color::Fixed(147)),
    }
}

fn kind_color(sev: Severity) -> Color {
    match sev {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Info => Color::Cyan,
        Severity::Hint => Color::Fixed(147),
    }
}

/// A span clamped to the text and to character boundaries.
fn clamp(text: &str, span: Span) -> Range<usize> {
    let fix = |mut o: usize| {
        o = o.min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let start = fix(span.start);
    let end = fix(span.end).max(start);
    start..end
}

/// Counts per severity as "2 errors, 1 warning".
fn counts(diags: &[&Diagnostic]) -> String {
    let mut parts = Vec::new();
    for (sev, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "info"),
        (Severity::Hint, "hint", "hints"),
    ] {
        let n = diags.iter().filter(|d| d.severity == sev).count();
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    parts.join(", ")
}

/// "2 errors, 1 warning in rules.v4", or "no problems in rules.v4".
pub fn summary_line(c: &Checked) -> String {
    let diags: Vec<_> = c.diagnostics.iter().collect();
    if diags.is_empty() {
        format!("no problems in {}", c.name)
    } else {
        format!("{} in {}", counts(&diags), c.name)
    }
}

/// The human format: one ariadne report per finding, then a summary line
/// per file with findings, and a total when several files were checked.
pub fn render_human(files: &[Checked], color: bool) -> String {
    let mut out = String::new();
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    for c in files {
        // One line table per file, not per finding.
        let source = Source::from(c.text.as_str());
        for d in &c.diagnostics {
            let primary = clamp(&c.text, d.span);
            // ariadne starts a new snippet whenever a label lies above the
            // previous one; give the labels in file order so one snippet
            // shows them all.
            let mut labels = vec![(
                primary.clone(),
                d.code.summary,
                color.then(|| kind_color(d.severity)),
            )];
            for r in &d.related {
                labels.push((
                    clamp(&c.text, r.span),
                    r.message.as_str(),
                    color.then_some(Color::Fixed(246)),
                ));
            }
            labels.sort_by_key(|(r, _, _)| (r.start, r.end));
            let mut report = Report::build(kind(d.severity), (c.name.clone(), primary))
                .with_config(config)
                .with_code(format!("{}/{}", d.code.code, d.code.name))
                .with_message(&d.message);
            for (i, (range, msg, col)) in labels.into_iter().enumerate() {
                let mut l = Label::new((c.name.clone(), range))
                    .with_message(msg)
                    .with_order(i as i32);
                if let Some(col) = col {
                    l = l.with_color(col);
                }
                report = report.with_label(l);
            }
            for n in &d.notes {
                report = report.with_note(n);
            }
            if let Some(f) = &d.fix {
                report = report.with_help(fix_text(&c.text, f));
            }
            let mut buf = Vec::new();
            let _ = report.finish().write((c.name.clone(), &source), &mut buf);
            let text = String::from_utf8_lossy(&buf);
            let text = if color {
                text.into_owned()
            } else {
                strip_ansi(&text)
            };
            out.push_str(&lowercase_help_note(&text));
        }
        if !c.diagnostics.is_empty() {
            let _ = writeln!(out, "{}", summary_line(c));
            if files.len() > 1 {
                out.push('\n');
            }
        }
    }
    if files.len() > 1 {
        let all: Vec<_> = files.iter().flat_map(|c| &c.diagnostics).collect();
        let with = files.iter().filter(|c| !c.diagnostics.is_empty()).count();
        if all.is_empty() {
            let _ = writeln!(out, "no problems in {} files", files.len());
        } else {
            let _ = writeln!(out, "{} in {with} of {} files", counts(&all), files.len());
        }
    } else if files.len() == 1 && files[0].diagnostics.is_empty() {
        let _ = writeln!(out, "{}", summary_line(&files[0]));
    }
    out
}

/// ariadne writes a custom kind's colour even without colour; remove every
/// `ESC [ … m` sequence.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// ariadne capitalises `Help:` and `Note:`; iptlint prints `help:` and
/// `note:` like rustc. Only the margin lines (no line number) are touched.
fn lowercase_help_note(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('│') || trimmed.starts_with("\x1b") {
            out.push_str(
                &line
                    .replacen("│ Help", "│ help", 1)
                    .replacen("│ Note", "│ note", 1)
                    .replacen("mHelp\x1b", "mhelp\x1b", 1)
                    .replacen("mNote\x1b", "mnote\x1b", 1),
            );
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The fix as a `help:` text: its message, and for a single edit what it
/// writes.
fn fix_text(text: &str, f: &iptlint_parser::Fix) -> String {
    let mut s = f.message.clone();
    if let [e] = f.edits.as_slice() {
        let old = &text[clamp(text, e.span)];
        if e.content.is_empty() && !old.is_empty() && !s.contains(old.trim()) {
            let _ = write!(s, " (delete `{}`)", old.trim_end_matches('\n'));
        } else if !e.content.is_empty() && !s.contains(e.content.trim()) {
            let _ = write!(s, ": `{}`", e.content.trim_end_matches('\n'));
        }
    }
    if !f.safe {
        s.push_str(" (unsafe fix: may change what the ruleset does)");
    }
    s
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'static str,
    code: &'static str,
    name: &'static str,
    message: &'a str,
    notes: &'a [String],
    related: Vec<JsonRelated<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

/// 1-based (line, column, end_line, end_column) of a span; columns count
/// characters, the end is exclusive.
fn positions(idx: &LineIndex, text: &str, span: Span) -> (usize, usize, usize, usize) {
    let r = clamp(text, span);
    let s = idx.line_col(text, r.start);
    let e = idx.line_col(text, r.end);
    (s.line + 1, s.col + 1, e.line + 1, e.col + 1)
}

/// The JSON format: one array of every finding, sorted by file, line, column.
pub fn render_json(files: &[Checked]) -> String {
    let mut all = Vec::new();
    for c in files {
        let idx = LineIndex::new(&c.text);
        for d in &c.diagnostics {
            let (line, column, end_line, end_column) = positions(&idx, &c.text, d.span);
            let related = d
                .related
                .iter()
                .map(|r| {
                    let (line, column, end_line, end_column) = positions(&idx, &c.text, r.span);
                    JsonRelated {
                        file: &c.name,
                        line,
                        column,
                        end_line,
                        end_column,
                        message: &r.message,
                    }
                })
                .collect();
            let fix = d.fix.as_ref().map(|f| JsonFix {
                message: &f.message,
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        let (line, column, end_line, end_column) = positions(&idx, &c.text, e.span);
                        JsonEdit {
                            line,
                            column,
                            end_line,
                            end_column,
                            content: &e.content,
                        }
                    })
                    .collect(),
            });
            all.push(JsonFinding {
                file: &c.name,
                line,
                column,
                end_line,
                end_column,
                severity: d.severity.as_str(),
                code: d.code.code,
                name: d.code.name,
                message: &d.message,
                notes: &d.notes,
                related,
                fix,
            });
        }
    }
    all.sort_by(|a, b| (a.file, a.line, a.column).cmp(&(b.file, b.line, b.column)));
    let mut s = serde_json::to_string_pretty(&all).expect("findings serialize");
    s.push('\n');
    s
}

/// The gcc format: `file:line:col: severity: message [code/name]`.
pub fn render_gcc(files: &[Checked]) -> String {
    let mut out = String::new();
    for c in files {
        let idx = LineIndex::new(&c.text);
        for d in &c.diagnostics {
            let (line, col, _, _) = positions(&idx, &c.text, d.span);
            let msg = d.message.replace('\n', " ");
            let _ = writeln!(
                out,
                "{}:{line}:{col}: {}: {msg} [{}/{}]",
                c.name,
                d.severity.as_str(),
                d.code.code,
                d.code.name
            );
        }
    }
    out
}

/// The README's table of codes, in Markdown, from the registry.
pub fn codes_markdown_table() -> String {
    let mut out = String::from("| Code | Name | Default severity | Summary |\n|---|---|---|---|\n");
    for c in iptlint_analysis::registry() {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            c.code,
            c.name,
            c.severity.as_str(),
            c.summary.replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::codes;

    fn checked(sevs: &[Severity]) -> Checked {
        let text = "*filter\n-A INPUT -m set --match-set x src -j ACCEPT\nCOMMIT\n".to_string();
        let start = text.find("x src").unwrap();
        let diagnostics = sevs
            .iter()
            .map(|&s| {
                let mut d = Diagnostic::new(
                    &codes::HOST_REQUIREMENT,
                    Span::new(start, start + 1),
                    "the ipset `x` must exist",
                )
                .note("create it with `ipset create x hash:ip`");
                d.severity = s;
                d
            })
            .collect();
        Checked {
            name: "fw.rules".into(),
            text,
            diagnostics,
        }
    }

    #[test]
    fn summary_counts_every_severity() {
        use Severity::*;
        let c = checked(&[Error, Error, Warning, Info, Info, Info, Hint]);
        assert_eq!(
            summary_line(&c),
            "2 errors, 1 warning, 3 info, 1 hint in fw.rules"
        );
        assert_eq!(summary_line(&checked(&[])), "no problems in fw.rules");
    }

    #[test]
    fn gcc_and_human_name_the_severity() {
        let c = checked(&[Severity::Warning, Severity::Info, Severity::Hint]);
        let gcc = render_gcc(std::slice::from_ref(&c));
        assert_eq!(
            gcc.lines().collect::<Vec<_>>(),
            [
                "fw.rules:2:29: warning: the ipset `x` must exist [I401/host-requirement]",
                "fw.rules:2:29: info: the ipset `x` must exist [I401/host-requirement]",
                "fw.rules:2:29: hint: the ipset `x` must exist [I401/host-requirement]",
            ]
        );
        let human = render_human(&[c], false);
        assert!(human.contains("[I401/host-requirement] warning: the ipset"));
        assert!(human.contains("[I401/host-requirement] info: the ipset"));
        assert!(human.contains("[I401/host-requirement] hint: the ipset"));
        assert!(human.contains("│ note: create it with `ipset create x hash:ip`"));
        assert!(human.ends_with("1 warning, 1 info, 1 hint in fw.rules\n"));
        assert!(!human.contains('\x1b'));
    }

    #[test]
    fn spans_past_the_end_or_inside_a_character_are_clamped() {
        let text = "é\n";
        assert_eq!(clamp(text, Span::new(1, 99)), 0..3);
        assert_eq!(clamp(text, Span::new(5, 2)), 3..3);
    }
}
