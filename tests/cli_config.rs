//! `--select`, `--ignore`, `iptlint.toml` (found upward, `--config`,
//! `--no-config`) and the `# iptlint:` directives, end to end.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn iptlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(common::iptlint_bin()).args(args).current_dir(dir).stdin(Stdio::null()).output().expect("run iptlint")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The codes reported, in order.
fn codes(o: &Output) -> Vec<String> {
    out(o)
        .lines()
        .map(|l| {
            let a = l.rfind('[').unwrap() + 1;
            l[a..l.len() - 1].split('/').next().unwrap().to_string()
        })
        .collect()
}

/// A redundant copy (L102 + L106), a LOG without a limit (L402), a RETURN
/// at the end (L108, a hint) and an unknown option (E201).
const RULES: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:c - [0:0]\n\
-A INPUT -p tcp --dport 22 -j ACCEPT\n\
-A INPUT -p tcp --dport 22 -j ACCEPT\n\
-A INPUT -p tcp --dport 23 -j LOG\n\
-A INPUT -p tcp --dprt 80 -j ACCEPT\n\
-A INPUT -j c\n\
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
-A c -j RETURN\nCOMMIT\n";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("etc/fw")).unwrap();
    std::fs::write(dir.path().join("etc/fw/a.rules"), RULES).unwrap();
    dir
}

#[test]
fn select_and_ignore_flags() {
    let d = setup();
    let p = d.path();
    let all = iptlint(p, &["check", "--format", "gcc", "etc/fw/a.rules"]);
    assert_eq!(codes(&all), ["L102", "L106", "L402", "E201", "L108"], "{}", out(&all));

    // Codes, names, prefixes; comma lists and repeats.
    let o = iptlint(p, &["check", "--format", "gcc", "--select", "L4,return-at-end", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L402", "E201", "L108"]);
    let o =
        iptlint(p, &["check", "--format", "gcc", "--ignore", "L1", "--ignore", "log-without-limit", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["E201"], "errors are never ignored");
    // Only hints left and no error: exit 0 at the default --fail-on.
    let o = iptlint(p, &["check", "--format", "gcc", "--select", "L108", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["E201", "L108"]);

    // Usage errors: unknown keys, ignoring an error.
    for args in [["--select", "L999"], ["--ignore", "E201"], ["--ignore", "E"], ["--select", "nonsense"]] {
        let mut a = vec!["check"];
        a.extend(args);
        a.push("etc/fw/a.rules");
        let o = iptlint(p, &a);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(err(&o).starts_with("iptlint: error: --"), "{}", err(&o));
        assert!(out(&o).is_empty());
    }
}

#[test]
fn config_file_found_upward() {
    let d = setup();
    let p = d.path();
    std::fs::write(
        p.join("etc/iptlint.toml"),
        "# dead rules only, and the copy is fine\nselect = [\"L1\"]\nignore = [\"duplicate-rule\"]\n\n[severity]\nredundant-rule = \"info\"\n",
    )
    .unwrap();
    let o = iptlint(p, &["check", "--format", "gcc", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L102", "E201", "L108"], "{}", out(&o));
    assert!(out(&o).contains(": info: rule is redundant"), "{}", out(&o));
    // From inside the directory too, and for a directory argument.
    let o = iptlint(&p.join("etc/fw"), &["check", "--format", "gcc", "a.rules"]);
    assert_eq!(codes(&o), ["L102", "E201", "L108"]);
    let o = iptlint(p, &["check", "--format", "gcc", "etc"]);
    assert_eq!(codes(&o), ["L102", "E201", "L108"]);
    // stdin: searched from the current directory.
    let mut child = Command::new(common::iptlint_bin())
        .args(["check", "--format", "gcc", "-"])
        .current_dir(p.join("etc/fw"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(RULES.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(codes(&o), ["L102", "E201", "L108"]);

    // --select on the command line replaces the file's; --ignore adds.
    let o = iptlint(p, &["check", "--format", "gcc", "--select", "L4", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L402", "E201"]);
    let o = iptlint(p, &["check", "--format", "gcc", "--ignore", "L108", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L102", "E201"]);

    // --no-config: every code; --config: that file for every input.
    let o = iptlint(p, &["check", "--format", "gcc", "--no-config", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L102", "L106", "L402", "E201", "L108"]);
    std::fs::write(p.join("other.toml"), "select = [\"log-without-limit\"]\n").unwrap();
    let o = iptlint(p, &["check", "--format", "gcc", "--config", "other.toml", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L402", "E201"]);
    let o = iptlint(p, &["check", "--config", "missing.toml", "etc/fw/a.rules"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("missing.toml"), "{}", err(&o));
    let o = iptlint(p, &["check", "--config", "other.toml", "--no-config", "etc/fw/a.rules"]);
    assert_eq!(o.status.code(), Some(2));

    // The nearest file wins.
    std::fs::write(p.join("etc/fw/iptlint.toml"), "ignore = [\"L4\"]\n").unwrap();
    let o = iptlint(p, &["check", "--format", "gcc", "etc/fw/a.rules"]);
    assert_eq!(codes(&o), ["L102", "L106", "E201", "L108"]);
}

#[test]
fn config_errors_are_usage_errors_with_the_place() {
    let d = setup();
    let p = d.path();
    for (toml, want) in [
        ("select = [\"L1\"]\nignore = [\"E201\"]\n", "iptlint.toml:2:11: `E201` names E201 (unknown-option), a load failure (severity error): it cannot be ignored"),
        ("[severity]\nL101 = \"error\"\n", "iptlint.toml:2:8: severity `error` is reserved"),
        ("[severity]\nL101 = \"loud\"\n", "iptlint.toml:2:8: unknown severity `loud`"),
        ("[severity]\nE2 = \"info\"\n", "iptlint.toml:2:1: `E2` names E201"),
        ("selct = [\"L1\"]\n", "iptlint.toml:1:1: unknown field `selct`"),
        ("select = [\"L1\"\n", "iptlint.toml:"),
        ("select = [\"no-such-lint\"]\n", "iptlint.toml:1:11: `no-such-lint` is no code"),
    ] {
        std::fs::write(p.join("etc/iptlint.toml"), toml).unwrap();
        let o = iptlint(p, &["check", "etc/fw/a.rules"]);
        assert_eq!(o.status.code(), Some(2), "{toml}");
        let e = err(&o);
        let want = format!("iptlint: error: {}", p.join("etc").join(want).display());
        assert!(e.starts_with(&want), "{toml}:\n{e}\nwant: {want}");
        assert!(out(&o).is_empty(), "nothing is checked with a broken configuration");
    }
}

#[test]
fn directives_in_the_file() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let text =
        "# iptlint: disable-file=L402,L201\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -p tcp --dport 23 -j LOG\n\
        -A INPUT -p tcp --dport 22 -j ACCEPT\n\
        # iptlint: disable=duplicate-rule,redundant-rule\n\
        -A INPUT -p tcp --dport 22 -j ACCEPT\n\
        -A INPUT -p tcp --dport 22 -j ACCEPT\n\
        COMMIT\n";
    std::fs::write(p.join("d.rules"), text).unwrap();
    let o = iptlint(p, &["check", "--format", "gcc", "d.rules"]);
    // Only the second copy, which no directive covers.
    assert_eq!(codes(&o), ["L102", "L106"], "{}", out(&o));
    assert!(out(&o).starts_with("d.rules:10:1:"), "{}", out(&o));
}
