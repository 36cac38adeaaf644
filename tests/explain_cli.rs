//! Snapshots of `iptlint explain` (human and JSON) on hand-written rulesets.

mod common;

use std::process::Command;

fn iptlint(args: &[&str]) -> (String, i32) {
    let out =
        Command::new(common::iptlint_bin()).args(args).current_dir(common::repo_root()).output().expect("run iptlint");
    (String::from_utf8(out.stdout).expect("utf-8 output"), out.status.code().expect("exit code"))
}

fn snap(name: &str, file: &str, packet: &str, json: bool) {
    let path = format!("tests/explain_fixtures/{file}");
    let mut args = vec!["explain", path.as_str(), "--packet", packet];
    if json {
        args.extend(["--format", "json"]);
    }
    let (out, rc) = iptlint(&args);
    assert_eq!(rc, 0, "iptlint {args:?}:\n{out}");
    if json {
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert!(v["verdict"].is_string());
    }
    insta::with_settings!({ description => format!("iptlint {}", args.join(" ")), omit_expression => true }, {
        insta::assert_snapshot!(name, out);
    });
}

#[test]
fn host_ssh_dropped() {
    snap("host_ssh_dropped", "host.rules", "tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0", false);
    snap("host_ssh_dropped_json", "host.rules", "tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0", true);
}

#[test]
fn host_ssh_admin() {
    snap("host_ssh_admin", "host.rules", "tcp 10.2.3.4:40000 -> 192.0.2.1:22 in eth0", false);
}

#[test]
fn host_established_output() {
    snap("host_established", "host.rules", "udp 192.0.2.1:5353 -> 8.8.8.8:53 out eth0 state ESTABLISHED", false);
}

#[test]
fn chains_web_goto_block() {
    snap("chains_web", "chains.rules", "tcp 198.51.100.7:5000 -> 203.0.113.80:443 in eth1", false);
    snap("chains_web_json", "chains.rules", "tcp 198.51.100.7:5000 -> 203.0.113.80:443 in eth1", true);
    snap("chains_web_ack", "chains.rules", "tcp 198.51.100.7:5000 -> 203.0.113.80:443 in eth1 flags ACK", false);
    snap("chains_blocked_range", "chains.rules", "tcp 198.51.100.15:5000 -> 203.0.113.80:443 in eth0", false);
    snap("chains_goto_admin", "chains.rules", "tcp 172.16.0.1:5000 -> 203.0.113.1:22 in eth0", false);
    snap("chains_loopback", "chains.rules", "udp 127.0.0.1:5000 -> 127.0.0.1:53 in lo", false);
    snap("chains_udp_reject", "chains.rules", "udp 172.16.0.1:5000 -> 203.0.113.1:53 in eth0", false);
    snap("chains_icmp", "chains.rules", "icmp 192.0.2.9 -> 203.0.113.1 in eth0 icmp-type echo-request", false);
}

#[test]
fn nat_dnat_forward_masquerade() {
    snap("nat_dnat_forward", "nat.rules", "tcp 203.0.113.7:40000 -> 192.0.2.1:8080 in eth0 out eth1", false);
    snap("nat_dnat_forward_json", "nat.rules", "tcp 203.0.113.7:40000 -> 192.0.2.1:8080 in eth0 out eth1", true);
    snap("nat_snat", "nat.rules", "udp 10.1.2.3:5000 -> 8.8.8.8:53 in eth1 out eth0", false);
    snap("nat_masquerade_json", "nat.rules", "tcp 10.1.2.3:5000 -> 1.1.1.1:443 in eth1 out eth0", true);
    snap(
        "nat_established",
        "nat.rules",
        "tcp 1.1.1.1:443 -> 10.1.2.3:5000 in eth0 out eth1 state ESTABLISHED flags ACK",
        false,
    );
}

#[test]
fn unknown_alternatives() {
    snap("unknown_ssh", "unknown.rules", "tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0", false);
    snap("unknown_ssh_json", "unknown.rules", "tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0", true);
}

#[test]
fn flags_instead_of_spec() {
    let (out, rc) = iptlint(&[
        "explain",
        "tests/explain_fixtures/host.rules",
        "--proto",
        "tcp",
        "--src",
        "10.2.3.4",
        "--dst",
        "192.0.2.1",
        "--dport",
        "22",
        "--in",
        "eth0",
        "--format",
        "json",
    ]);
    assert_eq!(rc, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "ACCEPT");
    assert_eq!(v["decided_by"]["line"], 18);
}

#[test]
fn bad_packet_is_a_usage_error() {
    let (_, rc) = iptlint(&["explain", "tests/explain_fixtures/host.rules", "--packet", "tcp 1.2.3.4 -> 5.6.7.8:22"]);
    assert_eq!(rc, 2);
}

#[test]
fn batch_jsonl() {
    let (out, rc) =
        iptlint(&["explain", "tests/explain_fixtures/nat.rules", "--packets", "tests/explain_fixtures/batch.jsonl"]);
    assert_eq!(rc, 0);
    assert_eq!(out.lines().count(), 5);
    for l in out.lines() {
        let _: serde_json::Value = serde_json::from_str(l).expect("one JSON object per line");
    }
    insta::assert_snapshot!("batch_matched", out);
    let (all, _) = iptlint(&[
        "explain",
        "tests/explain_fixtures/nat.rules",
        "--packets",
        "tests/explain_fixtures/batch.jsonl",
        "--trace",
        "all",
    ]);
    // Same verdicts, longer traces.
    for (a, b) in out.lines().zip(all.lines()) {
        let a: serde_json::Value = serde_json::from_str(a).unwrap();
        let b: serde_json::Value = serde_json::from_str(b).unwrap();
        assert_eq!(a["verdict"], b["verdict"]);
        assert_eq!(a["decided_by"], b["decided_by"]);
        let matched = |v: &serde_json::Value| {
            v["trace"].as_array().map(|t| t.iter().filter(|r| r["matched"] != false).cloned().collect::<Vec<_>>())
        };
        assert_eq!(matched(&a), matched(&b));
    }
}
