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
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().expect("exit code"),
    )
}

fn snap(name: &str, args: &[&str], code: i32) {
    let (out, rc) = iptlint(args);
    assert_eq!(rc, code, "exit code of iptlint {args:?}; output:\n{out}");
    assert!(
        !out.contains('\x1b'),
        "colour codes in --color never output"
    );
    insta::with_settings!({ description => format!("iptlint {}", args.join(" ")), omit_expression => true }, {
        insta::assert_snapshot!(name, out);
    });
}

#[test]
fn broken_human() {
    snap(
        "broken_human",
        &["check", "--color", "never", "examples/broken.rules"],
        1,
    );
}

#[test]
fn broken_json() {
    snap(
        "broken_json",
        &["check", "--format", "json", "examples/broken.rules"],
        1,
    );
}

#[test]
fn broken_gcc() {
    snap(
        "broken_gcc",
        &["check", "--format", "gcc", "examples/broken.rules"],
        1,
    );
}

#[test]
fn related_human() {
    snap(
        "related_human",
        &[
            "check",
            "--color",
            "never",
            "tests/cli_fixtures/related.rules",
        ],
        1,
    );
}

#[test]
fn related_json() {
    snap(
        "related_json",
        &[
            "check",
            "--format",
            "json",
            "tests/cli_fixtures/related.rules",
        ],
        1,
    );
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
        &[
            "check",
            "--color",
            "never",
            "tests/cli_fixtures/mixed.v4",
            "tests/cli_fixtures/web.rules",
        ],
        1,
    );
}

#[test]
fn clean_file() {
    snap(
        "clean_human",
        &["check", "--color", "never", "tests/cli_fixtures/web.rules"],
        0,
    );
    snap(
        "clean_json",
        &["check", "--format", "json", "tests/cli_fixtures/web.rules"],
        0,
    );
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
