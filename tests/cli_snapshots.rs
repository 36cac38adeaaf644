//! Snapshots of the three output formats (human without colour, JSON, gcc)
//! of the built binary on example files.

mod common;

use std::process::Command;

/// Run `iptlint ARGS` in the repository root; (stdout, exit code).
fn iptlint(args: &[&str]) -> (String, i32) {
    let out = Command::new(common::iptlint_bin())
        .args(args)
        .current_dir(common::repo_root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run iptlint");
    (String::from_utf8(out.stdout).expect("utf-8 output"), out.status.code().expect("exit code"))
}

fn snap(name: &str, args: &[&str], code: i32) {
    let (out, rc) = iptlint(args);
    assert_eq!(rc, code, "exit code of iptlint {args:?}; output:\n{out}");
    assert!(!out.contains('\x1b'), "colour codes in --color never output");
    insta::with_settings!({ description => format!("iptlint {}", args.join(" ")), omit_expression => true }, {
        insta::assert_snapshot!(name, out);
    });
}

#[test]
fn broken_human() {
    snap("broken_human", &["check", "--color", "never", "examples/broken.rules"], 1);
}

#[test]
fn broken_json() {
    snap("broken_json", &["check", "--format", "json", "examples/broken.rules"], 1);
}

#[test]
fn broken_gcc() {
    snap("broken_gcc", &["check", "--format", "gcc", "examples/broken.rules"], 1);
}

#[test]
fn related_human() {
    snap("related_human", &["check", "--color", "never", "tests/cli_fixtures/related.rules"], 1);
}

#[test]
fn related_json() {
    snap("related_json", &["check", "--format", "json", "tests/cli_fixtures/related.rules"], 1);
}

#[test]
fn several_files_gcc_and_human() {
    snap(
        "several_gcc",
        &[
            "check",
            "--format",
            "gcc",
            "tests/cli_fixtures/related.rules",
            "tests/cli_fixtures/mixed.v4",
            "tests/cli_fixtures/web.rules",
        ],
        1,
    );
    snap(
        "several_human",
        &["check", "--color", "never", "tests/cli_fixtures/mixed.v4", "tests/cli_fixtures/web.rules"],
        1,
    );
}

#[test]
fn clean_file() {
    snap("clean_human", &["check", "--color", "never", "tests/cli_fixtures/web.rules"], 0);
    snap("clean_json", &["check", "--format", "json", "tests/cli_fixtures/web.rules"], 0);
}

#[test]
fn save_output() {
    snap("save_web", &["save", "tests/cli_fixtures/web.rules"], 0);
}

#[test]
fn rule_docs() {
    snap("rule_e201", &["rule", "E201"], 0);
    snap("rule_by_name", &["rule", "old-negation-syntax"], 0);
}

#[test]
fn lint_findings() {
    snap("lints_human", &["check", "--color", "never", "tests/cli_fixtures/lints.rules"], 1);
    snap("lints_gcc", &["check", "--format", "gcc", "tests/cli_fixtures/lints.rules"], 1);
    // Dead rules only, without the textual copy; the hint alone does not
    // fail at the default --fail-on warning.
    snap(
        "lints_select_ignore",
        &[
            "check",
            "--format",
            "gcc",
            "--select",
            "L1",
            "--ignore",
            "duplicate-rule,L101,L102",
            "tests/cli_fixtures/lints.rules",
        ],
        0,
    );
}

#[test]
fn rule_docs_of_lints() {
    // (`rule --all` is checked in cli_e2e: a snapshot would go stale with
    // every new lint.)
    snap("rule_shadowed", &["rule", "shadowed-rule"], 0);
}

/// `check --fix` on a copy of the lint fixture: what it reports on stderr,
/// the file it writes, and the findings that remain.
#[test]
fn fix_lint_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lints.rules");
    std::fs::copy(common::repo_root().join("tests/cli_fixtures/lints.rules"), &f).unwrap();
    let out = Command::new(common::iptlint_bin())
        .args(["check", "--fix", "--format", "gcc", "lints.rules"])
        .current_dir(dir.path())
        .output()
        .expect("run iptlint");
    assert_eq!(out.status.code(), Some(1));
    let text = format!(
        "--- stderr\n{}--- lints.rules after the fixes\n{}--- stdout\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(&f).unwrap(),
        String::from_utf8_lossy(&out.stdout)
    );
    insta::with_settings!({ description => "iptlint check --fix --format gcc lints.rules (a copy of tests/cli_fixtures/lints.rules)", omit_expression => true }, {
        insta::assert_snapshot!("fix_lints", text);
    });
}
