//! `rules.v4` and `rules.v6` (or `X.v4` and `X.v6`) are analysed as a pair
//! when both are checked or lie side by side: `ipv6-gap` compares them.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn iptlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(common::iptlint_bin()).args(args).current_dir(dir).stdin(Stdio::null()).output().expect("run iptlint")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// SSH only over IPv4; IPv6 left wide open.
const V4: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
-A INPUT -i lo -j ACCEPT\n\
-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
const V6: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
-A INPUT -i lo -j ACCEPT\n\
-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";

/// The files and lines of the `ipv6-gap` findings.
fn gaps(o: &Output) -> Vec<String> {
    out(o)
        .lines()
        .filter(|l| l.contains("/ipv6-gap]"))
        .map(|l| l.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
        .collect()
}

fn lint_present() -> bool {
    if iptlint_analysis::lookup("ipv6-gap").is_none() {
        eprintln!("SKIPPED: no ipv6-gap lint in this build");
        return false;
    }
    true
}

#[test]
fn pair_checked_together_or_found_beside() {
    if !lint_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("etc")).unwrap();
    std::fs::write(p.join("etc/rules.v4"), V4).unwrap();
    std::fs::write(p.join("etc/rules.v6"), V6).unwrap();
    let args = |files: &[&str]| {
        let mut a = vec!["check", "--format", "gcc", "--no-config", "--select", "ipv6-gap"];
        a.extend_from_slice(files);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |files: &[&str]| {
        let a = args(files);
        iptlint(p, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // Both named, or the directory: the gap is reported on the v6 file.
    let both = run(&["etc/rules.v4", "etc/rules.v6"]);
    let found = gaps(&both);
    assert!(!found.is_empty(), "{}", out(&both));
    assert!(found.iter().all(|f| f.starts_with("etc/rules.v6:")), "{found:?}");
    assert_eq!(both.status.code(), Some(1));
    assert_eq!(gaps(&run(&["etc"])), found);
    // Only one named: its companion beside it is read for the comparison,
    // and the pair's findings are reported whichever file was named.
    assert_eq!(gaps(&run(&["etc/rules.v6"])), found);
    assert_eq!(gaps(&run(&["etc/rules.v4"])), found);

    // The same with other names of the pair.
    std::fs::rename(p.join("etc/rules.v4"), p.join("etc/web.v4")).unwrap();
    std::fs::rename(p.join("etc/rules.v6"), p.join("etc/web.v6")).unwrap();
    let o = run(&["etc/web.v4"]);
    assert!(gaps(&o).iter().all(|f| f.starts_with("etc/web.v6:")), "{}", out(&o));
    assert_eq!(gaps(&o).len(), found.len());

    // No companion: nothing to compare.
    std::fs::rename(p.join("etc/web.v4"), p.join("etc/web.rules")).unwrap();
    let o = run(&["etc/web.v6"]);
    assert!(gaps(&o).is_empty(), "{}", out(&o));
    assert_eq!(o.status.code(), Some(0));

    // A closed IPv6 side: no gap.
    std::fs::rename(p.join("etc/web.rules"), p.join("etc/web.v4")).unwrap();
    std::fs::write(p.join("etc/web.v6"), V6.replace(":INPUT ACCEPT", ":INPUT DROP")).unwrap();
    let o = run(&["etc/web.v4", "etc/web.v6"]);
    assert!(gaps(&o).is_empty(), "{}", out(&o));

    // Only the pair's findings are shown for a companion that was not
    // named: its own (a copied rule) are not.
    std::fs::write(p.join("etc/web.v6"), V6.replace("COMMIT", "-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT")).unwrap();
    let o = iptlint(p, &["check", "--format", "gcc", "--no-config", "etc/web.v4"]);
    assert!(!gaps(&o).is_empty(), "{}", out(&o));
    assert!(!out(&o).contains("etc/web.v6:7:"), "{}", out(&o));
    let o = iptlint(p, &["check", "--format", "gcc", "--no-config", "etc/web.v6"]);
    assert!(out(&o).contains("etc/web.v6:7:1: warning: rule repeats line 6"), "{}", out(&o));
}
