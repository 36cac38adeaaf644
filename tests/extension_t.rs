//! Runs iptables' own per-extension test files (`extensions/*.t` from the
//! iptables sources, fetched by `.ci/run`, never committed) through the
//! parser: every line OK for the nf_tables backend must parse without error
//! and print back (`iptlint save`) as the file's canonical form; every FAIL
//! line must give an error. Lines that are known not to pass yet are listed,
//! with a reason, in `tests/extension_t_known_failures.txt`; the test fails on
//! any other failure and on any listed line that now passes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iptlint_parser::{parse, save, Family, ParseOptions, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Fail,
    /// Loads, but iptables-save prints something else (not compared).
    NoMatch,
}

/// The expected result for the nf_tables backend (`variant_res` in
/// iptables-test.py).
fn expected(res: &str, variant: Option<&str>, alt: Option<&str>) -> Expect {
    let parse = |s: &str| match s {
        "OK" => Expect::Ok,
        "FAIL" => Expect::Fail,
        _ => Expect::NoMatch,
    };
    match variant {
        None | Some("NFT") => parse(res),
        Some(_) => match alt {
            Some(a) => parse(a),
            None => match parse(res) {
                Expect::Ok => Expect::Fail,
                Expect::Fail | Expect::NoMatch => Expect::Ok,
            },
        },
    }
}

fn source_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("IPTLINT_IPTABLES_SRC") {
        return Some(PathBuf::from(p));
    }
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/iptables-src");
    let entries = std::fs::read_dir(&base).ok()?;
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.is_dir() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("iptables-")))
}

struct Outcome {
    key: String,
    passed: bool,
    detail: String,
}

fn run_line(family: Family, table: &str, chain: &str, rule: &str, save_form: &str, expect: Expect) -> (bool, String) {
    let text = format!("*{table}\n-A {chain} {rule}\nCOMMIT\n");
    let parsed = parse(&text, &ParseOptions { family: Some(family), table: None });
    let errors: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.code.code, d.message))
        .collect();
    match expect {
        Expect::Fail => {
            if errors.is_empty() {
                (false, "expected an error, got none".into())
            } else {
                (true, String::new())
            }
        }
        Expect::NoMatch | Expect::Ok => {
            if !errors.is_empty() {
                return (false, format!("unexpected error: {}", errors.join("; ")));
            }
            if expect == Expect::NoMatch {
                return (true, String::new());
            }
            let out = save::save(&parsed.ruleset);
            let want = format!("-A {chain} {save_form}");
            if out.lines().any(|l| l.contains(&want)) {
                (true, String::new())
            } else {
                let got: Vec<&str> = out.lines().filter(|l| l.starts_with("-A")).collect();
                (false, format!("save differs: want `{want}`, got `{}`", got.join(" | ")))
            }
        }
    }
}

fn run_file(path: &Path, family: Family) -> Vec<Outcome> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let mut table = "filter".to_string();
    let mut chains: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(t) = line.strip_prefix('*') {
            table = t.trim_end().to_string();
            continue;
        }
        if let Some(c) = line.strip_prefix(':') {
            chains = c.trim_end().split(',').map(str::to_string).collect();
            continue;
        }
        let items: Vec<&str> = line.split(';').collect();
        if items.len() < 3 {
            continue;
        }
        let rule = items[0];
        let save_form = if items[1] == "=" { items[0] } else { items[1] };
        let expect =
            expected(items[2].trim_end(), items.get(3).map(|s| s.trim_end()), items.get(4).map(|s| s.trim_end()));
        let mut passed = true;
        let mut detail = String::new();
        for chain in &chains {
            let (ok, d) = run_line(family, &table, chain, rule, save_form, expect);
            if !ok {
                passed = false;
                detail = format!("[{chain}] {d}");
                break;
            }
        }
        out.push(Outcome { key: format!("{name}:{}", lineno + 1), passed, detail: format!("{detail}  <{line}>") });
    }
    out
}

fn known_failures() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/extension_t_known_failures");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        text.push('\n');
    }
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, why) = l.split_once(' ').unwrap_or((l, ""));
            (k.to_string(), why.trim().to_string())
        })
        .collect()
}

#[test]
fn iptables_extension_test_files() {
    let Some(src) = source_dir() else {
        common::skip_or_fail("iptables sources not found (set IPTLINT_IPTABLES_SRC or run `.ci/run`, which fetches them into target/iptables-src)");
        return;
    };
    let dir = src.join("extensions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".t") && (n.starts_with("libxt_") || n.starts_with("libipt_") || n.starts_with("libip6t_"))
        })
        .collect();
    files.sort();
    let known = known_failures();
    let (mut total, mut passed) = (0, 0);
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut per_file = Vec::new();
    for f in &files {
        let n = f.file_name().unwrap().to_string_lossy().to_string();
        let family = if n.starts_with("libip6t_") { Family::V6 } else { Family::V4 };
        let outcomes = run_file(f, family);
        let (t, p) = (outcomes.len(), outcomes.iter().filter(|o| o.passed).count());
        total += t;
        passed += p;
        per_file.push(format!("{n}: {p}/{t}"));
        for o in outcomes {
            match (o.passed, known.contains_key(&o.key)) {
                (false, false) => unexpected.push(format!("{} {}", o.key, o.detail)),
                (true, true) => fixed.push(o.key),
                _ => {}
            }
        }
    }
    println!("iptables extension tests (.t), nf_tables expectations:");
    for l in &per_file {
        println!("  {l}");
    }
    println!("extension .t lines passed: {passed}/{total} ({:.1}%)", 100.0 * passed as f64 / total.max(1) as f64);
    assert!(total > 500, "too few .t lines found in {}: {total}", dir.display());
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{} unexpected failures:\n{}\n{} listed as known failures but now pass (remove them from the list):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        fixed.len(),
        fixed.join("\n")
    );
}
