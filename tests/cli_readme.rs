//! The README's generated parts are current: the table of codes (from the
//! registry) and the sample outputs (of `examples/broken.rules` and
//! `examples/lints.rules`, with and without `--fix`). Run with `UPDATE_README=1` to rewrite them.

mod common;

use std::process::Command;

fn sample_output(file: &str) -> String {
    let out = Command::new(common::iptlint_bin())
        .args(["check", "--color", "never", "--no-config", file])
        .current_dir(common::repo_root())
        .output()
        .expect("run iptlint");
    assert_eq!(out.status.code(), Some(1));
    // Trailing blanks of ariadne's layout are not kept in the README.
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<_> = text.lines().map(str::trim_end).collect();
    format!("```text\n{}\n```\n", lines.join("\n"))
}

/// `iptlint check --fix --format gcc examples/lints.rules`, run on a copy.
fn fix_output() -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("examples")).unwrap();
    std::fs::copy(common::repo_root().join("examples/lints.rules"), dir.path().join("examples/lints.rules")).unwrap();
    let out = Command::new(common::iptlint_bin())
        .args(["check", "--fix", "--no-config", "--format", "gcc", "examples/lints.rules"])
        .current_dir(dir.path())
        .output()
        .expect("run iptlint");
    format!(
        "```console\n$ iptlint check --fix --format gcc examples/lints.rules\n{}{}```\n",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    )
}

/// Replace what is between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn splice(readme: &str, name: &str, content: &str) -> String {
    let start = format!("<!-- {name}:start -->\n");
    let end = format!("<!-- {name}:end -->");
    let a = readme.find(&start).expect("start marker") + start.len();
    let b = readme.find(&end).expect("end marker");
    format!("{}{}{}", &readme[..a], content, &readme[b..])
}

#[test]
fn readme_generated_parts_are_current() {
    let path = common::repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let mut want = splice(&readme, "codes", &iptlint_cli::codes_markdown_table());
    want = splice(&want, "sample", &sample_output("examples/broken.rules"));
    want = splice(&want, "lint-sample", &sample_output("examples/lints.rules"));
    want = splice(&want, "fix-sample", &fix_output());
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    assert!(
        readme == want,
        "README.md is stale (codes table or sample output); run `UPDATE_README=1 cargo test --test cli_readme`"
    );
}

#[test]
fn readme_has_exactly_two_setup_commands() {
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let setup = &readme[readme.find("## Set-up").unwrap()..];
    let setup = &setup[..setup[3..].find("\n## ").unwrap()];
    let commands: Vec<_> = setup.split("```sh\n").skip(1).map(|b| b.split("```").next().unwrap().trim()).collect();
    assert_eq!(commands, ["cargo run --release -- check examples/rules.v4", "bash .ci/run"]);
}

/// The directives example of the README is silent, and is not without its
/// directives.
#[test]
fn readme_directives_example_is_silent() {
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let section = &readme[readme.find("### Directives").unwrap()..];
    let example = section.split("```text\n").nth(1).unwrap().split("```").next().unwrap();
    let check = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fw.rules"), text).unwrap();
        let out = Command::new(common::iptlint_bin())
            .args(["check", "--format", "gcc", "--no-config", "--fail-on", "hint", "fw.rules"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(check(example), "");
    let without: String = example.lines().filter(|l| !l.starts_with("# iptlint:")).map(|l| format!("{l}\n")).collect();
    let found = check(&without);
    for code in ["L106/duplicate-rule", "L402/log-without-limit", "L302/permissive-policy"] {
        assert!(found.contains(code), "{code} missing:\n{found}");
    }
}
