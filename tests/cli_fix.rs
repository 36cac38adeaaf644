//! `iptlint check --fix`: the safe fixes make a refused file load, remove
//! only dead rules, and leave what the kernel does with packets unchanged.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn iptlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(common::iptlint_bin()).args(args).current_dir(dir).stdin(Stdio::null()).output().expect("run iptlint")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A ruleset with every kind of safe fix there is today:
/// - structure (severity error, the file does not load): a CRLF line end,
///   a line of blanks, `COMMIT` with a trailing blank, a missing final
///   `COMMIT`;
/// - lints: a duplicate rule that is also redundant (in two tables), an
///   unconditional RETURN at the end of a user chain, a missing FORWARD
///   policy, a network written with host bits;
/// - a `-m state` rule, which deprecated-state-match rewrites to
///   `-m conntrack --ctstate` (the same packets; the comparison below
///   normalises the spelling).
const BROKEN: &str = "*filter\r\n\
:INPUT DROP [0:0]\n\
:OUTPUT ACCEPT [0:0]\n\
:tcp_in - [0:0]\n\
-A INPUT -i lo -j ACCEPT\n\
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\n\
-A INPUT -p tcp -j tcp_in\n\
-A INPUT -p udp --dport 53 -j ACCEPT\n\
-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n \t\n\
-A INPUT -s 192.0.2.10/24 -p tcp --dport 25 -j ACCEPT\n\
-A tcp_in -p tcp --dport 22 -j ACCEPT\n\
-A tcp_in -j RETURN\n\
COMMIT \n\
*nat\n\
:PREROUTING ACCEPT [0:0]\n\
:INPUT ACCEPT [0:0]\n\
:OUTPUT ACCEPT [0:0]\n\
:POSTROUTING ACCEPT [0:0]\n\
-A PREROUTING -p tcp --dport 8080 -j ACCEPT\n\
-A PREROUTING -p tcp --dport 8080 -j ACCEPT\n";

/// What the author evidently meant: BROKEN with only the structure
/// mistakes corrected by hand (LF, no blank line, `COMMIT`s). This is the
/// reference the fixed file is compared with.
const INTENDED: &str = "*filter\n\
:INPUT DROP [0:0]\n\
:OUTPUT ACCEPT [0:0]\n\
:tcp_in - [0:0]\n\
-A INPUT -i lo -j ACCEPT\n\
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\n\
-A INPUT -p tcp -j tcp_in\n\
-A INPUT -p udp --dport 53 -j ACCEPT\n\
-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n\
-A INPUT -s 192.0.2.10/24 -p tcp --dport 25 -j ACCEPT\n\
-A tcp_in -p tcp --dport 22 -j ACCEPT\n\
-A tcp_in -j RETURN\n\
COMMIT\n\
*nat\n\
:PREROUTING ACCEPT [0:0]\n\
:INPUT ACCEPT [0:0]\n\
:OUTPUT ACCEPT [0:0]\n\
:POSTROUTING ACCEPT [0:0]\n\
-A PREROUTING -p tcp --dport 8080 -j ACCEPT\n\
-A PREROUTING -p tcp --dport 8080 -j ACCEPT\n\
COMMIT\n";

/// The lines the lint fixes may remove from a saved form (canonical
/// spelling, as both `iptlint save` and `iptables-save` print them), and
/// why removing them keeps every packet's verdict:
/// - the second udp/53 ACCEPT: the first copy accepts every packet it
///   would see (duplicate-rule, redundant-rule);
/// - `-A tcp_in -j RETURN` as the chain's last rule: falling off the end
///   of a user chain returns anyway (return-at-end);
/// - the second nat PREROUTING ACCEPT: a copy again.
///
/// The other lint fixes do not change the saved form at all:
/// missing-policy writes `:FORWARD ACCEPT`, which nf_tables sets anyway;
/// host-bits-set writes `192.0.2.0/24`, which the kernel stores for
/// `192.0.2.10/24`.
const REMOVED: &[&str] = &[
    "-A INPUT -p udp -m udp --dport 53 -j ACCEPT",
    "-A tcp_in -j RETURN",
    "-A PREROUTING -p tcp -m tcp --dport 8080 -j ACCEPT",
];

/// A saved ruleset without comments, with `-m state --state` spelled as
/// conntrack (the same packets), and with one occurrence of each of
/// `remove` taken out.
fn normalise(saved: &str, remove: &[&str]) -> Vec<String> {
    let mut lines: Vec<String> = saved
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.replace("-m state --state", "-m conntrack --ctstate"))
        .collect();
    for r in remove {
        let pos = lines.iter().rposition(|l| l == r).unwrap_or_else(|| panic!("`{r}` not in\n{}", lines.join("\n")));
        lines.remove(pos);
    }
    lines
}

fn kernel_save(file: &Path) -> Result<String, String> {
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", "iptables-restore < \"$1\" && iptables-save", "sh"])
        .arg(file)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("iptables-restore failed: {}", text(&out.stderr)));
    }
    Ok(text(&out.stdout))
}

#[test]
fn fix_makes_the_file_load_and_keeps_every_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("fw.rules"), BROKEN).unwrap();
    std::fs::write(p.join("intended.rules"), INTENDED).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p.join("fw.rules"), std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    // Every finding with a safe fix before (whatever lints this build has).
    let before = iptlint(p, &["check", "--format", "json", "fw.rules"]);
    let findings: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    let mut fixable: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"]["safe"] == serde_json::Value::Bool(true))
        .map(|f| format!("{}/{}", f["code"].as_str().unwrap(), f["name"].as_str().unwrap()))
        .collect();
    fixable.sort();
    fixable.dedup();
    // And these, some only once the file loads (missing-policy).
    for code in [
        "E101/crlf-line-ending",
        "E102/malformed-commit",
        "E103/whitespace-only-line",
        "E106/missing-commit",
        "L102/redundant-rule",
        "L106/duplicate-rule",
        "L108/return-at-end",
        "L301/missing-policy",
    ] {
        if !fixable.iter().any(|c| c == code) {
            fixable.push(code.to_string());
        }
    }

    let o = iptlint(p, &["check", "--fix", "--format", "gcc", "fw.rules"]);
    let stderr = text(&o.stderr);
    assert!(stderr.starts_with("iptlint: fixed "), "{stderr}");
    for code in &fixable {
        assert!(stderr.contains(code.as_str()), "{code} not fixed: {stderr}");
    }
    assert!(!stderr.contains("not fixed"), "{stderr}");
    let fixed = std::fs::read_to_string(p.join("fw.rules")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.join("fw.rules")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "permissions kept");
    }

    // What remains has no error and no safe fix (checking again changes
    // nothing), and is what the exit code is computed from.
    let remaining = text(&o.stdout);
    assert!(!remaining.contains(": error:"), "{remaining}");
    let again = iptlint(p, &["check", "--fix", "--format", "gcc", "fw.rules"]);
    assert_eq!(text(&again.stdout), remaining);
    assert_eq!(text(&again.stderr), "", "a second --fix has nothing to do");
    assert_eq!(std::fs::read_to_string(p.join("fw.rules")).unwrap(), fixed);
    let failing = remaining.lines().any(|l| l.contains(": error: ") || l.contains(": warning: "));
    let expected_code = if failing { 1 } else { 0 };
    assert_eq!(o.status.code(), Some(expected_code), "{remaining}");

    // iptlint's own saved form: the intended ruleset less the dead rules.
    let save_fixed = iptlint(p, &["save", "fw.rules"]);
    assert_eq!(save_fixed.status.code(), Some(0), "{}", text(&save_fixed.stderr));
    let save_intended = iptlint(p, &["save", "intended.rules"]);
    assert_eq!(save_intended.status.code(), Some(0), "{}", text(&save_intended.stderr));
    assert_eq!(
        normalise(&text(&save_fixed.stdout), &[]),
        normalise(&text(&save_intended.stdout), REMOVED),
        "fixed file:\n{fixed}"
    );

    // The kernel: the fixed file loads, and holds the same ruleset as the
    // intended one less the dead rules.
    if let Err(reason) = common::kernel_available() {
        common::skip_or_fail(&reason);
        return;
    }
    let k_fixed = kernel_save(&p.join("fw.rules")).unwrap_or_else(|e| panic!("{e}\nfixed file:\n{fixed}"));
    let k_intended = kernel_save(&p.join("intended.rules")).unwrap();
    assert_eq!(normalise(&k_fixed, &[]), normalise(&k_intended, REMOVED), "fixed file:\n{fixed}");
}

#[test]
fn fix_refuses_stdin_and_leaves_unsafe_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let o = iptlint(p, &["check", "--fix", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--fix"), "{}", text(&o.stderr));

    // A copied rate limit doubles the budget: its removal is offered, not
    // applied.
    let limited = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -p icmp -m limit --limit 1/sec -j ACCEPT\n\
        -A INPUT -p icmp -m limit --limit 1/sec -j ACCEPT\nCOMMIT\n";
    std::fs::write(p.join("limit.rules"), limited).unwrap();
    let o = iptlint(p, &["check", "--fix", "--format", "gcc", "limit.rules"]);
    assert_eq!(std::fs::read_to_string(p.join("limit.rules")).unwrap(), limited);
    assert!(text(&o.stdout).contains("L106/duplicate-rule"), "{}", text(&o.stdout));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stderr), "");

    // A file that cannot be written: an I/O error (exit 2), the findings
    // are still reported.
    #[cfg(unix)]
    {
        let ro = p.join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::write(
            ro.join("x.rules"),
            "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j RETURN\nCOMMIT\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let o = iptlint(p, &["check", "--fix", "--format", "gcc", "ro/x.rules"]);
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Root writes anyway; only an unprivileged user sees the error.
        if o.status.code() == Some(2) {
            assert!(text(&o.stderr).contains("cannot write the fixes"), "{}", text(&o.stderr));
        }
    }
}

#[test]
fn fix_respects_select_and_directives() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let src = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:c - [0:0]\n:d - [0:0]\n\
        -A INPUT -p tcp --dport 22 -j ACCEPT\n\
        -A INPUT -p tcp --dport 22 -j ACCEPT\n\
        -A INPUT -j c\n\
        -A INPUT -j d\n\
        -A c -p tcp -j LOG\n\
        # iptlint: disable=L108\n\
        -A c -j RETURN\n\
        -A d -p udp -j LOG\n\
        -A d -j RETURN\nCOMMIT\n";
    std::fs::write(p.join("a.rules"), src).unwrap();
    // Only return-at-end is selected (not the copy), and the first RETURN
    // is silenced.
    let o = iptlint(p, &["check", "--fix", "--select", "return-at-end", "a.rules"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(std::fs::read_to_string(p.join("a.rules")).unwrap(), src.replace("-A d -j RETURN\n", ""));
}

#[test]
fn guessed_fixes_are_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let src = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -m foo -j ACCEPT\n\
        -A INPUT -p tcp --dport 80 -j ACCPET\n\
        COMMIT \n";
    std::fs::write(p.join("g.rules"), src).unwrap();
    // Errors only (`E` selects no lint). "Did you mean …?" fixes are guesses:
    // offered, never applied; the trailing blank after COMMIT is fixed.
    let o = iptlint(p, &["check", "--fix", "--select", "E", "--format", "gcc", "g.rules"]);
    let fixed = std::fs::read_to_string(p.join("g.rules")).unwrap();
    assert_eq!(fixed, src.replace("COMMIT \n", "COMMIT\n"));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("E204/unknown-match") && stdout.contains("E205/unknown-target"), "{stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert_eq!(o.status.code(), Some(1));
}
