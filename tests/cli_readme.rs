//! The README's generated parts are current: the table of codes (from the
//! registry) and the sample output (of `examples/broken.rules`). Run with
//! `UPDATE_README=1` to rewrite them.

mod common;

use std::process::Command;

fn sample_output() -> String {
    let out = Command::new(common::iptlint_bin())
        .args(["check", "--color", "never", "examples/broken.rules"])
        .current_dir(common::repo_root())
        .output()
        .expect("run iptlint");
    assert_eq!(out.status.code(), Some(1));
    // Trailing blanks of ariadne's layout are not kept in the README.
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<_> = text.lines().map(str::trim_end).collect();
    format!("```text\n{}\n```\n", lines.join("\n"))
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
    want = splice(&want, "sample", &sample_output());
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
    let commands: Vec<_> = setup
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().trim())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- check examples/rules.v4",
            "bash .ci/run"
        ]
    );
}
