use super::*;
use iptlint_parser::{parse, ParseOptions};

fn explain(text: &str, spec: &str) -> Explanation {
    let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
    let ex = Explainer::new(&p.ruleset);
    let pkt = PacketFields::parse_spec(spec).unwrap().build(Some(Family::V4)).unwrap();
    ex.explain(&pkt, &Options::default())
}

fn lines(e: &Explanation, m: Matched) -> Vec<usize> {
    e.trace().filter(|r| r.matched == m).map(|r| r.line).collect()
}

#[test]
fn ssh_accept_and_first_failure() {
    let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    let e = explain(t, "tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0");
    assert_eq!(e.verdict, "ACCEPT");
    let tr: Vec<_> = e.trace().collect();
    assert_eq!(tr[0].failed.as_deref(), Some("-s 10.0.0.0/8: 203.0.113.7 is outside"));
    assert_eq!(e.decided_by, Some(DecidedBy::Rule { table: "filter".into(), chain: "INPUT".into(), line: 4, rule: 2 }));
}

#[test]
fn policy_drop_and_nearest_accepts() {
    let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p udp -j ACCEPT\nCOMMIT\n";
    let e = explain(t, "tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0");
    assert_eq!(e.verdict, "DROP");
    assert!(matches!(e.decided_by, Some(DecidedBy::Policy { .. })));
    assert_eq!(e.nearest_accepts[0].line, 3);
    assert_eq!(e.nearest_accepts[0].failed.len(), 1);
}

#[test]
fn user_chain_return_and_goto() {
    let t = "*filter\n:INPUT DROP [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -p tcp -j A\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A A -p tcp --dport 80 -j RETURN\n-A A -g B\n-A B -j DROP\nCOMMIT\n";
    let e = explain(t, "tcp 1.2.3.4:1000 -> 5.6.7.8:80 in eth0");
    assert_eq!(e.verdict, "ACCEPT");
    assert_eq!(lines(&e, Matched::Yes), vec![5, 7, 6]);
    let e = explain(t, "tcp 1.2.3.4:1000 -> 5.6.7.8:81 in eth0");
    assert_eq!(e.verdict, "DROP");
    assert_eq!(lines(&e, Matched::Yes), vec![5, 8, 9]);
}

#[test]
fn goto_return_goes_to_policy_of_builtin() {
    let t = "*filter\n:INPUT DROP [0:0]\n:G - [0:0]\n-A INPUT -g G\n-A INPUT -j ACCEPT\n-A G -j RETURN\nCOMMIT\n";
    let e = explain(t, "tcp 1.2.3.4:1000 -> 5.6.7.8:80 in eth0");
    assert_eq!(e.verdict, "DROP");
    assert!(matches!(e.decided_by, Some(DecidedBy::Policy { .. })));
}

#[test]
fn dnat_then_forward_sees_new_address() {
    let t = "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -d 192.0.2.1/32 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080\n-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n*filter\n:FORWARD DROP [0:0]\n-A FORWARD -d 10.0.0.5/32 -p tcp --dport 8080 -m conntrack --ctstate DNAT -j ACCEPT\nCOMMIT\n";
    let e = explain(t, "tcp 203.0.113.7:40000 -> 192.0.2.1:80 in eth0 out eth1");
    assert_eq!(e.verdict, "ACCEPT", "{:#?}", e.steps);
    assert_eq!(e.rewrites.len(), 2);
    assert_eq!(e.rewrites[0].to, "10.0.0.5:8080");
    assert_eq!(e.rewrites[1].field, "src");
}

#[test]
fn established_skips_nat() {
    let t = "*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.5\nCOMMIT\n";
    let e = explain(t, "tcp 1.2.3.4:1 -> 5.6.7.8:80 in eth0 state ESTABLISHED flags ACK");
    assert!(e.rewrites.is_empty());
    assert!(e.steps.iter().any(|s| matches!(s, Step::SkipTable { .. })));
}

#[test]
fn unknown_matches_give_alternatives() {
    let t = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m limit --limit 1/sec -j ACCEPT\n-A INPUT -p tcp -m recent --rcheck --name x -j DROP\nCOMMIT\n";
    let e = explain(t, "tcp 1.2.3.4:1 -> 5.6.7.8:80 in eth0");
    assert_eq!(e.verdict, "ACCEPT");
    assert!(matches!(e.decided_by, Some(DecidedBy::Policy { .. })));
    assert_eq!(lines(&e, Matched::Unknown), vec![3, 4]);
    let verdicts: Vec<_> = e.alternatives.iter().map(|a| a.verdict.as_str()).collect();
    assert_eq!(verdicts, vec!["ACCEPT", "DROP"]);
}

#[test]
fn negation_multiport_iprange_iface_wildcard() {
    let t = "*filter\n:INPUT DROP [0:0]\n-A INPUT ! -i eth+ -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 80,443 -m iprange --src-range 1.2.3.0-1.2.3.9 -j ACCEPT\nCOMMIT\n";
    let e = explain(t, "tcp 1.2.3.4:1 -> 5.6.7.8:443 in eth3");
    assert_eq!(e.verdict, "ACCEPT");
    assert_eq!(e.trace().next().unwrap().failed.as_deref(), Some("! -i eth+: packet came in on eth3"));
    let e = explain(t, "tcp 1.2.3.10:1 -> 5.6.7.8:443 in eth3");
    assert_eq!(e.verdict, "DROP");
    let failed = e.trace().nth(1).unwrap().failed.clone().unwrap();
    assert_eq!(failed, "-m iprange --src-range 1.2.3.0-1.2.3.9: 1.2.3.10 is outside");
}

/// The per-condition sets agree with `matchset::rule_match` on the points
/// where the rule is exact.
#[test]
fn conds_agree_with_rule_region() {
    let t = "*filter\n-A INPUT -s 10.0.0.0/8 -i eth+ -p tcp --dport 20:30 -j ACCEPT\n-A INPUT ! -d 1.2.3.4 -p udp ! --sport 53 -j ACCEPT\n-A INPUT -p tcp --tcp-flags SYN,ACK SYN -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\nCOMMIT\n";
    let p = parse(t, &ParseOptions { family: Some(Family::V4), table: None });
    let table = &p.ruleset.tables[0];
    for rule in &table.rules {
        let region = crate::matchset::rule_match(rule, Family::V4).region;
        let conds = rule_conds(rule, Family::V4);
        for (src, dport, flags, st, proto) in [
            (0x0a00_0001u128, 25u128, 2u128, 1u128, 6u128),
            (0x0b00_0001, 25, 2, 1, 6),
            (0x0a00_0001, 35, 0x12, 2, 17),
            (0x0102_0304, 53, 2, 3, 17),
        ] {
            let mut pt = [0u128; DIMS];
            pt[Dim::Src as usize] = src;
            pt[Dim::Dst as usize] = 0x0102_0305;
            pt[Dim::Dport as usize] = dport;
            pt[Dim::Sport as usize] = 1000;
            pt[Dim::TcpFlags as usize] = flags;
            pt[Dim::State as usize] = st;
            pt[Dim::Proto as usize] = proto;
            pt[Dim::InIface as usize] = iface_range("eth0").0;
            let all = conds.iter().all(|c| match &c.test {
                Test::In(d, iv) => iv.contains(pt[*d as usize]) != c.negated,
                Test::CtState { states, .. } => states.contains(pt[Dim::State as usize]) != c.negated,
                _ => panic!("unexpected test"),
            });
            assert_eq!(all, region.contains(&pt));
        }
    }
}

#[test]
fn output_path_tables_order() {
    let t = "*raw\n-A OUTPUT -p udp -j NOTRACK\nCOMMIT\n*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -m state --state UNTRACKED -j ACCEPT\nCOMMIT\n";
    let e = explain(t, "udp 10.0.0.2:5000 -> 8.8.8.8:53 out eth0");
    assert_eq!(e.verdict, "ACCEPT");
    assert_eq!(e.rewrites[0].to, "UNTRACKED");
}

#[test]
fn mark_set_then_matched() {
    let t = "*mangle\n-A PREROUTING -p tcp -j MARK --set-xmark 0x10/0xff\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -m mark --mark 0x10/0xff -j ACCEPT\nCOMMIT\n";
    let e = explain(t, "tcp 1.2.3.4:1 -> 5.6.7.8:80 in eth0");
    assert_eq!(e.verdict, "ACCEPT", "{:#?}", e.steps);
}

#[test]
fn long_chain_index_skips_rules() {
    let mut t = String::from("*nat\n:PREROUTING ACCEPT [0:0]\n:SVC - [0:0]\n-A PREROUTING -j SVC\n");
    for i in 0..500 {
        t.push_str(&format!(
            "-A SVC -d 10.96.{}.{}/32 -p tcp -m comment --comment \"svc {i}\" -m tcp --dport 80 -j DNAT --to-destination 10.244.0.{}:8080\n",
            i / 250,
            i % 250 + 1,
            i % 250 + 1
        ));
    }
    t.push_str("-A SVC -m addrtype --dst-type LOCAL -j RETURN\nCOMMIT\n");
    let p = parse(&t, &ParseOptions { family: Some(Family::V4), table: None });
    let ex = Explainer::new(&p.ruleset);
    let pkt =
        PacketFields::parse_spec("tcp 1.2.3.4:1000 -> 10.96.1.8:80 in eth0 out eth1").unwrap().build(None).unwrap();
    let fast = ex.explain(&pkt, &Options { trace_all: false, alternatives: true });
    let slow = ex.explain(&pkt, &Options::default());
    assert_eq!(fast.verdict, slow.verdict);
    assert_eq!(fast.decided_by, slow.decided_by);
    assert_eq!(fast.rewrites, slow.rewrites);
    assert!(fast.evaluated < 5, "{} rules evaluated", fast.evaluated);
    assert!(slow.evaluated > 250);
}

/// On every rule the packet-space model describes exactly, the explain
/// evaluator agrees with `matchset::rule_match`: a point is in the rule's
/// region exactly when every condition holds. Points are drawn around
/// the region's bounds so both outcomes occur.
#[test]
fn evaluator_agrees_with_rule_regions() {
    let mut text = String::new();
    for f in ["chains.rules", "nat.rules", "host.rules", "unknown.rules"] {
        text.push_str(
            &std::fs::read_to_string(format!("{}/../tests/explain_fixtures/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap(),
        );
    }
    text.push_str(
        "*filter\n-A INPUT ! -s 10.0.0.0/8 -d 192.0.2.0/24 ! -i eth+ -p tcp -m tcp ! --sport 1:1023 --dport 22:25 --tcp-flags SYN,ACK SYN -j ACCEPT\n\
         -A INPUT -p udp -m multiport ! --dports 53,123:125 -m iprange ! --dst-range 10.0.0.1-10.0.0.9 -j DROP\n\
         -A INPUT -p icmp -m icmp ! --icmp-type 3/4 -m conntrack ! --ctstate NEW,INVALID -m mark ! --mark 0x5 -j DROP\n\
         -A FORWARD -o wg+ ! -p tcp -j ACCEPT\nCOMMIT\n",
    );
    let p = parse(&text, &ParseOptions { family: Some(Family::V4), table: None });
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut checked = 0;
    for table in &p.ruleset.tables {
        for rule in &table.rules {
            let m = crate::matchset::rule_match(rule, Family::V4);
            if !m.exact() {
                continue;
            }
            let r = CRule { line: 0, conds: rule_conds(rule, Family::V4), action: Action::Continue, target: "".into() };
            for _ in 0..400 {
                let mut pt = [0u128; DIMS];
                for d in Dim::ALL {
                    let runs = m.region.get(d).runs();
                    let max = d.max(Family::V4);
                    let v = match (rnd() % 4, runs.get(rnd() as usize % runs.len().max(1))) {
                        (0, Some(&(lo, _))) => lo,
                        (1, Some(&(_, hi))) => hi,
                        (2, Some(&(lo, hi))) => {
                            if rnd() % 2 == 0 {
                                lo.saturating_sub(1)
                            } else {
                                hi.saturating_add(1).min(max)
                            }
                        }
                        _ => (rnd() as u128) % (max.min(u64::MAX as u128) + 1),
                    };
                    pt[d as usize] = v;
                }
                pt[Dim::Frag as usize] = 0;
                let cx = Cx {
                    family: Family::V4,
                    path: Path::Forward,
                    hook: Hook::Forward,
                    point: pt,
                    orig: pt,
                    dnat: false,
                    snat: false,
                    iface: pt[Dim::InIface as usize],
                    oface: pt[Dim::OutIface as usize],
                };
                let ev = eval_rule(&r, &cx, false, false);
                assert_ne!(ev.matched, Matched::Unknown, "exact rule, unknown outcome: {:?}", r.conds);
                assert_eq!(
                    ev.matched == Matched::Yes,
                    m.region.contains(&pt),
                    "rule at byte {}: {:?} at {pt:?}",
                    rule.span.start,
                    r.conds.iter().map(|c| &c.text).collect::<Vec<_>>()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}
