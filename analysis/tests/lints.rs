//! Data-driven lint tests.
//!
//! - Fixtures: every file under `tests/fixtures/<lint-name>/` is checked with
//!   only that lint selected and the findings are compared with an `insta`
//!   snapshot (`tests/snapshots/`). Add a case by adding a file. A file
//!   holding `==> rules.v4 <==` and `==> rules.v6 <==` sections is a pair:
//!   the v6 part is checked with the v4 part as its companion.
//! - Docs: every lint's documentation has the required sections, its
//!   `Example` makes the lint fire and its `Use instead` does not.

use std::path::Path;

use iptlint_analysis::{check_source, check_source_with, lints, Config};
use iptlint_parser::{parse, Family, LineIndex, ParseOptions};

/// A pair of files in one text, the way `head` prints several files:
/// `==> rules.v4 <==` and its lines, then `==> rules.v6 <==` and its lines.
/// Returns the two bodies and the offset of the v6 body.
fn split_pair(text: &str) -> Option<(&str, &str, usize)> {
    let h4 = "==> rules.v4 <==\n";
    let h6 = "==> rules.v6 <==\n";
    let rest =
        text.strip_prefix(h4).map(|_| h4.len()).or_else(|| text.find(&format!("\n{h4}")).map(|i| i + 1 + h4.len()))?;
    let six = text.find(&format!("\n{h6}"))? + 1;
    (six > rest).then(|| (&text[rest..six], &text[six + h6.len()..], six + h6.len()))
}

fn render(name: &str, text: &str, path: &str) -> String {
    let config = Config { select: vec![name.to_string()], ..Config::default() };
    // A pair is checked as the v6 file with the v4 file as its companion;
    // findings are shown at their place in the whole text.
    let (diags, base) = if let Some((v4, v6, base)) = split_pair(text) {
        let p4 = parse(v4, &ParseOptions { family: Some(Family::V4), table: None });
        let p6 = parse(v6, &ParseOptions { family: Some(Family::V6), table: None });
        (check_source_with(&p6, v6, &config, Some((&p4, v4))), base)
    } else {
        let opts = ParseOptions { family: Some(iptlint_parser::detect_family(Some(path), text)), table: None };
        (check_source(&parse(text, &opts), text, &config), 0)
    };
    let idx = LineIndex::new(text);
    let pos = |off: usize| {
        let lc = idx.line_col(text, off + base);
        format!("{}:{}", lc.line + 1, lc.col + 1)
    };
    let mut out = String::new();
    for d in diags {
        if d.code.name != name {
            continue;
        }
        out.push_str(&format!("{} {}[{}] {}\n", pos(d.span.start), d.severity.as_str(), d.code.name, d.message));
        let src_line = text[idx.line_start(idx.line_of(d.span.start + base))..].lines().next().unwrap_or("");
        out.push_str(&format!("  | {src_line}\n"));
        for r in &d.related {
            out.push_str(&format!("  related {}: {}\n", pos(r.span.start), r.message));
        }
        for n in &d.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        if let Some(f) = &d.fix {
            out.push_str(&format!("  fix{}: {}\n", if f.safe { "" } else { " (unsafe)" }, f.message));
            let mut fixed = text.to_string();
            let mut edits = f.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
            for e in edits {
                fixed.replace_range(e.span.start + base..e.span.end + base, &e.content);
            }
            for l in diff_lines(text, &fixed) {
                out.push_str(&format!("    {l}\n"));
            }
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

/// Lines removed (`-`) and added (`+`), naively by position.
fn diff_lines(a: &str, b: &str) -> Vec<String> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut start = 0;
    while start < la.len() && start < lb.len() && la[start] == lb[start] {
        start += 1;
    }
    let (mut ea, mut eb) = (la.len(), lb.len());
    while ea > start && eb > start && la[ea - 1] == lb[eb - 1] {
        ea -= 1;
        eb -= 1;
    }
    la[start..ea].iter().map(|l| format!("- {l}")).chain(lb[start..eb].iter().map(|l| format!("+ {l}"))).collect()
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<_> =
        std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    let names: Vec<&str> = lints::ALL.iter().map(|l| l.code.name).collect();
    for dir in dirs {
        let lint = dir.file_name().unwrap().to_string_lossy().to_string();
        assert!(names.contains(&lint.as_str()), "fixture directory `{lint}` names no lint");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let file = f.file_name().unwrap().to_string_lossy().to_string();
            let out = render(&lint, &text, &file);
            insta::with_settings!({ snapshot_suffix => format!("{lint}__{file}"), description => format!("{lint}: {file}"), omit_expression => true }, {
                insta::assert_snapshot!("fixture", out);
            });
        }
    }
}

/// Every lint has at least one fixture directory with a file in it.
#[test]
fn every_lint_has_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let missing: Vec<&str> = lints::ALL
        .iter()
        .map(|l| l.code.name)
        .filter(|n| std::fs::read_dir(root.join(n)).map(|d| d.count() == 0).unwrap_or(true))
        .collect();
    assert!(missing.is_empty(), "lints without fixtures in analysis/tests/fixtures/: {missing:?}");
}

/// The first ```text block after a `## Heading` line.
fn block_after(doc: &str, heading: &str) -> Option<String> {
    let start = doc.find(&format!("## {heading}"))?;
    let rest = &doc[start..];
    let open = rest.find("```")?;
    let body = &rest[open..];
    let body = &body[body.find('\n')? + 1..];
    let close = body.find("```")?;
    // Doc comment lines keep the blank after `///`.
    Some(body[..close].lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n") + "\n")
}

#[test]
fn docs_have_sections_and_examples_that_fire() {
    let mut problems = Vec::new();
    for lint in lints::ALL {
        let c = lint.code;
        for section in ["## What it does", "## Why is this bad?", "## Example", "## Use instead"] {
            if !c.doc.contains(section) {
                problems.push(format!("{}: missing `{section}`", c.name));
            }
        }
        let fires = |text: &str| render(c.name, text, "rules.v4") != "(no findings)\n";
        match block_after(c.doc, "Example") {
            Some(ex) if fires(&ex) => {}
            Some(_) => problems.push(format!("{}: its Example does not fire", c.name)),
            None => problems.push(format!("{}: no ```text block under Example", c.name)),
        }
        match block_after(c.doc, "Use instead") {
            Some(good) if fires(&good) => {
                problems.push(format!("{}: its `Use instead` fires:\n{}", c.name, render(c.name, &good, "rules.v4")))
            }
            Some(_) => {}
            None => problems.push(format!("{}: no ```text block under Use instead", c.name)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
