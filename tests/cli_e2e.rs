//! End-to-end tests of the built `iptlint` binary: exit codes, stdin,
//! directory search, `--fail-on`, families, `save`, `rule`.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use iptlint_parser::ext::{self, ExtKind};
use iptlint_parser::Family;

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(common::iptlint_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run iptlint");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&common::repo_root(), args, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

const CLEAN: &str = "*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
const BROKEN: &str = "*filter\n-A INPUT --dport 22 -p tcp -j ACCEPT\nCOMMIT\n";

#[test]
fn exit_0_on_clean_file() {
    let o = run(&["check", "tests/cli_fixtures/web.rules"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn exit_1_on_findings() {
    let o = run(&["check", "examples/broken.rules"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("E201/unknown-option"));
    assert!(stdout(&o).contains("errors in examples/broken.rules"));
}

#[test]
fn exit_2_on_missing_file_and_2_wins_over_1() {
    let o = run(&["check", "no/such/rules.v4"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such/rules.v4"), "{}", stderr(&o));

    let o = run(&["check", "examples/broken.rules", "no/such/rules.v4"]);
    assert_eq!(code(&o), 2);
    // The readable file is still checked.
    assert!(stdout(&o).contains("E201/unknown-option"));
}

#[test]
fn exit_2_on_usage_errors() {
    assert_eq!(code(&run(&["check", "--format", "xml", "x"])), 2);
    assert_eq!(code(&run(&["check", "--fail-on", "fatal", "x"])), 2);
    assert_eq!(code(&run(&["check", "--ipv4", "--ipv6", "x"])), 2);
    assert_eq!(code(&run(&["frobnicate"])), 2);
    assert_eq!(code(&run(&[])), 2);
}

#[test]
fn help_and_version() {
    let o = run(&["--version"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o).trim(),
        format!("iptlint {}", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("check"));
    let o = run(&["check", "--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("--fail-on"));
}

#[test]
fn stdin() {
    let root = common::repo_root();
    let o = run_in(&root, &["check", "-"], Some(CLEAN));
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run_in(&root, &["check", "--format", "gcc", "-"], Some(BROKEN));
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).starts_with("<stdin>:2:10: error: unknown option `--dport`"),
        "{}",
        stdout(&o)
    );
    let o = run_in(
        &root,
        &[
            "check",
            "--format",
            "gcc",
            "--stdin-filename",
            "fw/rules.v4",
            "-",
        ],
        Some(BROKEN),
    );
    assert!(
        stdout(&o).starts_with("fw/rules.v4:2:10:"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn family_from_name_flag_and_content() {
    let dir = tempfile::tempdir().unwrap();
    let v6_rule = "*filter\n-A INPUT -s 2001:db8::/32 -j ACCEPT\nCOMMIT\n";
    let v4_rule = "*filter\n-A INPUT -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n";
    std::fs::write(dir.path().join("rules.v6"), v4_rule).unwrap();
    std::fs::write(dir.path().join("rules.v4"), v6_rule).unwrap();
    std::fs::write(dir.path().join("guess.rules"), v6_rule).unwrap();
    // By name: both are the other family.
    for f in ["rules.v6", "rules.v4"] {
        let o = run_in(dir.path(), &["check", "--format", "gcc", f], None);
        assert_eq!(code(&o), 1, "{f}");
        assert!(
            stdout(&o).contains("E211/wrong-address-family"),
            "{f}: {}",
            stdout(&o)
        );
    }
    // The flag wins over the name.
    let o = run_in(dir.path(), &["check", "--ipv4", "rules.v6"], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run_in(dir.path(), &["check", "-6", "rules.v4"], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // By content.
    let o = run_in(dir.path(), &["check", "guess.rules"], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run_in(dir.path(), &["check", "-"], Some(v6_rule));
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn directory_search() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for sub in ["etc/iptables", "srv/fw/deep", ".git", "other"] {
        std::fs::create_dir_all(p.join(sub)).unwrap();
    }
    std::fs::write(p.join("etc/iptables/rules.v4"), BROKEN).unwrap();
    std::fs::write(p.join("etc/iptables/rules.v6"), CLEAN).unwrap();
    std::fs::write(p.join("srv/fw/deep/web.rules"), BROKEN).unwrap();
    // Not searched: other names, hidden directories.
    std::fs::write(p.join("other/rules.txt"), BROKEN).unwrap();
    std::fs::write(p.join("other/rules.v4.bak"), BROKEN).unwrap();
    std::fs::write(p.join(".git/rules.v4"), BROKEN).unwrap();

    let o = run_in(p, &["check", "--format", "gcc", "."], None);
    assert_eq!(code(&o), 1);
    let files: Vec<_> = stdout(&o)
        .lines()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        files,
        ["./etc/iptables/rules.v4", "./srv/fw/deep/web.rules"],
        "{}",
        stdout(&o)
    );
    // No path: the current directory.
    let o = run_in(p, &["check", "--format", "gcc"], None);
    assert_eq!(stdout(&o).lines().count(), 2);

    // Human summary counts the files.
    let o = run_in(p, &["check", "--color", "never", "etc"], None);
    assert!(
        stdout(&o).ends_with("1 error in 1 of 2 files\n"),
        "{}",
        stdout(&o)
    );

    // A directory without rules files: a warning, not a failure.
    let o = run_in(p, &["check", "other"], None);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("no rules files"), "{}", stderr(&o));
}

#[test]
fn fail_on_threshold() {
    let root = common::repo_root();
    for level in ["error", "warning", "info", "hint"] {
        let o = run_in(&root, &["check", "--fail-on", level, "-"], Some(BROKEN));
        assert_eq!(code(&o), 1, "errors fail at --fail-on {level}");
        let o = run_in(&root, &["check", "--fail-on", level, "-"], Some(CLEAN));
        assert_eq!(code(&o), 0, "clean passes at --fail-on {level}");
    }
}

#[test]
fn color_flag() {
    let o = run(&["check", "--color", "always", "examples/broken.rules"]);
    assert!(stdout(&o).contains('\x1b'));
    // Not a terminal: no colour in auto mode.
    let o = run(&["check", "examples/broken.rules"]);
    assert!(!stdout(&o).contains('\x1b'));
}

#[test]
fn json_is_one_sorted_array_with_exact_fields() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "tests/cli_fixtures/related.rules",
        "examples/broken.rules",
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(arr.len() >= 5);
    let keys = |o: &serde_json::Value| {
        let mut k: Vec<_> = o.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let mut finding_keys = vec![
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "name",
        "message",
        "notes",
        "related",
        "fix",
    ];
    finding_keys.sort();
    let mut prev = None;
    for f in arr {
        assert_eq!(keys(f), finding_keys);
        let key = (
            f["file"].as_str().unwrap().to_string(),
            f["line"].as_u64().unwrap(),
            f["column"].as_u64().unwrap(),
        );
        if let Some(p) = &prev {
            assert!(p <= &key, "not sorted: {p:?} then {key:?}");
        }
        prev = Some(key);
        assert!(["error", "warning", "info", "hint"].contains(&f["severity"].as_str().unwrap()));
        for r in f["related"].as_array().unwrap() {
            let mut k = vec![
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
                "message",
            ];
            k.sort();
            assert_eq!(keys(r), k);
        }
        if !f["fix"].is_null() {
            assert_eq!(keys(&f["fix"]), ["edits", "message"]);
            for e in f["fix"]["edits"].as_array().unwrap() {
                let mut k = vec!["line", "column", "end_line", "end_column", "content"];
                k.sort();
                assert_eq!(keys(e), k);
            }
        }
    }
    assert_eq!(arr[0]["file"], "examples/broken.rules");
}

#[test]
fn json_columns_count_characters() {
    let text = "*filter\n:chäin - [0:0]\n-A chäin -i wlän0 --bogus -j ACCEPT\nCOMMIT\n";
    let o = run_in(
        &common::repo_root(),
        &["check", "--format", "json", "-"],
        Some(text),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let bogus = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("--bogus"))
        .expect("a finding on --bogus");
    let line = text.lines().nth(2).unwrap();
    let col = line[..line.find("--bogus").unwrap()].chars().count() + 1;
    assert_eq!(bogus["line"], 3);
    assert_eq!(bogus["column"], col as u64);
    assert_eq!(bogus["end_column"], (col + "--bogus".len()) as u64);
}

#[test]
fn save_prints_canonical_form_or_fails_with_findings() {
    let o = run(&["save", "tests/cli_fixtures/web.rules"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\n"));
    let o = run(&["save", "examples/broken.rules"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("E201/unknown-option"), "{}", stderr(&o));
    let o = run_in(&common::repo_root(), &["save", "-"], Some(CLEAN));
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("*filter\n:INPUT ACCEPT [0:0]\n"));
    assert_eq!(code(&run(&["save", "no/such/file"])), 2);
}

#[test]
fn rule_docs_and_table() {
    let o = run(&["rule", "e201"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.starts_with("E201 unknown-option\nDefault severity: error\n"),
        "{out}"
    );
    let o = run(&["rule", "unknown-option"]);
    assert_eq!(stdout(&o), out);
    let o = run(&["rule", "no-such-rule"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--all"));

    let o = run(&["rule", "--all"]);
    assert_eq!(code(&o), 0);
    let table = stdout(&o);
    assert!(table.starts_with("CODE"));
    for c in iptlint_analysis::registry() {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(c.code) && l.contains(c.name)),
            "{} missing from rule --all",
            c.code
        );
    }
}

/// Names of modules that are still stubs (no summary, no options): their
/// options are reported as unknown until they are described.
fn stub_modules_on(line: &str) -> Vec<String> {
    let words: Vec<_> = line.split_whitespace().collect();
    let mut stubs = Vec::new();
    for w in words.windows(2) {
        let (kind, name) = match w[0] {
            "-m" | "--match" => (ExtKind::Match, w[1]),
            "-p" | "--protocol" => (ExtKind::Match, w[1]),
            "-j" | "--jump" => (ExtKind::Target, w[1]),
            _ => continue,
        };
        if let Some(spec) = ext::find(kind, name, Family::V4) {
            if spec.summary.is_empty() && spec.options.is_empty() {
                stubs.push(name.to_string());
            }
        }
    }
    stubs
}

#[test]
fn example_rules_v4_is_valid() {
    let path = common::repo_root().join("examples/rules.v4");
    let text = std::fs::read_to_string(&path).unwrap();
    match common::kernel_available() {
        Ok(()) => {
            let o = Command::new("unshare")
                .args(["-n", "iptables-restore", "--test"])
                .stdin(std::fs::File::open(&path).unwrap())
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "the kernel refuses examples/rules.v4: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let o = Command::new("unshare")
                .args(["-n", "iptables-restore", "--test"])
                .stdin(
                    std::fs::File::open(common::repo_root().join("examples/broken.rules")).unwrap(),
                )
                .output()
                .unwrap();
            assert!(
                !o.status.success(),
                "the kernel must refuse examples/broken.rules"
            );
        }
        Err(e) => common::skip_or_fail(&e),
    }
    let o = run(&["check", "--format", "json", "examples/rules.v4"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut pending = Vec::new();
    for f in v.as_array().unwrap() {
        let line = text
            .lines()
            .nth(f["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let stubs = stub_modules_on(line);
        assert!(
            f["code"] == "E201" && !stubs.is_empty(),
            "unexpected finding on examples/rules.v4: {f}"
        );
        pending.push(stubs.join(","));
    }
    if pending.is_empty() {
        assert_eq!(code(&o), 0);
    } else {
        eprintln!(
            "examples/rules.v4: findings tolerated while these modules are stubs: {pending:?}"
        );
    }
}

#[test]
fn save_matches_the_kernel() {
    if let Err(e) = common::kernel_available() {
        return common::skip_or_fail(&e);
    }
    let path = common::repo_root().join("tests/cli_fixtures/web.rules");
    let o = Command::new("unshare")
        .args([
            "-n",
            "sh",
            "-c",
            "iptables-restore \"$1\" && iptables-save",
            "sh",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let kernel: String = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let ours = run(&["save", "tests/cli_fixtures/web.rules"]);
    assert_eq!(code(&ours), 0);
    assert_eq!(stdout(&ours), kernel);
}

#[test]
fn color_auto_on_a_terminal() {
    // `script` gives the command a pseudo-terminal as stdout.
    let bin = common::iptlint_bin();
    let cmd = format!("{} check --color auto examples/broken.rules", bin.display());
    let script = |no_color: bool| {
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"])
            .current_dir(common::repo_root())
            .env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        c.output()
    };
    match script(false) {
        Ok(o) => {
            assert!(stdout(&o).contains('\x1b'), "{}", stdout(&o));
            let o = script(true).unwrap();
            assert!(stdout(&o).contains("E201") && !stdout(&o).contains('\x1b'));
        }
        Err(e) => eprintln!("SKIPPED: cannot run `script` for a pseudo-terminal: {e}"),
    }
}
