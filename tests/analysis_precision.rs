//! Precision traps of the dead-rule analysis: rules that look dead to a
//! naive comparison but are not. Stateful matches (limit, quota, statistic,
//! recent) keep their own state per rule, so an identical rule after one of
//! them still sees packets; fragments escape port matches; two state matches
//! in one rule intersect; a target the analysis does not know decides
//! nothing. Each case is also checked the other way round where a finding is
//! right, so the tests cannot pass by the analysis saying nothing at all.

use iptlint_analysis::{check_source, Config};
use iptlint_parser::{parse, Family, ParseOptions};

/// (line, lint name) of every dead-rule finding (L101, L102, L103).
fn dead(rules: &[&str]) -> Vec<(usize, &'static str)> {
    let mut text = String::from(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:sub - [0:0]\n:sub2 - [0:0]\n",
    );
    for r in rules {
        text.push_str(r);
        text.push('\n');
    }
    text.push_str("COMMIT\n");
    let p = parse(&text, &ParseOptions { family: Some(Family::V4), table: None });
    let config = Config { select: vec!["L101".into(), "L102".into(), "L103".into()], ..Config::default() };
    check_source(&p, &text, &config)
        .iter()
        .filter(|d| d.code.code.starts_with("L10"))
        // Line numbers counted from the first rule (1-based).
        .map(|d| (p.ruleset.line_of(d.span.start) - 6, d.code.name))
        .collect()
}

const STATEFUL: &[&str] = &[
    "-m limit --limit 5/min --limit-burst 3",
    "-m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name h1",
    "-m quota --quota 100000",
    "-m statistic --mode random --probability 0.5",
    "-m statistic --mode nth --every 3 --packet 0",
    "-m recent --rcheck --seconds 60 --name ssh",
    "-m recent --update --seconds 60 --hitcount 4 --name ssh",
    "-m connlimit --connlimit-above 10",
];

#[test]
fn identical_stateful_rules_are_not_dead() {
    for m in STATEFUL {
        for target in ["ACCEPT", "DROP"] {
            let rule = format!("-A INPUT -p tcp --dport 22 {m} -j {target}");
            assert_eq!(dead(&[&rule, &rule]), vec![], "{rule}");
            // Nor is a broader rule after it, nor the same rule without the
            // stateful match.
            let plain = "-A INPUT -p tcp --dport 22 -j DROP";
            assert_eq!(dead(&[&rule, plain]), vec![], "{rule}");
        }
    }
}

#[test]
fn stateful_rule_after_a_deciding_rule_is_dead() {
    // The other way round the finding is right: the plain rule decides
    // every packet the stateful one would see.
    for m in STATEFUL {
        let rule = format!("-A INPUT -p tcp --dport 22 {m} -j ACCEPT");
        assert_eq!(dead(&["-A INPUT -p tcp --dport 22 -j ACCEPT", &rule]), vec![(2, "redundant-rule")], "{rule}");
        assert_eq!(dead(&["-A INPUT -p tcp --dport 22 -j DROP", &rule]), vec![(2, "shadowed-rule")], "{rule}");
    }
}

#[test]
fn fragments_escape_port_matches() {
    // Port matches never match a non-first fragment, so `-f` rules after
    // them, and rules after `-f` rules, are live.
    assert_eq!(dead(&["-A INPUT -p tcp --dport 0:65535 -j ACCEPT", "-A INPUT -p tcp -f -j DROP"]), vec![]);
    assert_eq!(dead(&["-A INPUT -p tcp -m multiport --dports 1:65535,0 -j ACCEPT", "-A INPUT -f -j DROP"]), vec![]);
    assert_eq!(dead(&["-A INPUT -p udp --sport 0:65535 -j DROP", "-A INPUT -p udp -j ACCEPT"]), vec![]);
    assert_eq!(dead(&["-A INPUT -p icmp --icmp-type any -j DROP", "-A INPUT -p icmp -j ACCEPT"]), vec![]);
    assert_eq!(dead(&["-A INPUT -f -j DROP", "-A INPUT -j ACCEPT"]), vec![]);
    assert_eq!(dead(&["-A INPUT ! -f -j DROP", "-A INPUT -j ACCEPT"]), vec![]);
    // Identical `-f` rules with a verdict: the second is dead.
    assert_eq!(dead(&["-A INPUT -f -j DROP", "-A INPUT -f -j DROP"]), vec![(2, "redundant-rule")]);
    // Both halves decided: everything after is unreachable.
    assert_eq!(
        dead(&["-A INPUT -f -j DROP", "-A INPUT ! -f -j ACCEPT", "-A INPUT -p tcp -j DROP"]),
        vec![(3, "unreachable-rule")]
    );
    // A port rule after one that covers fragments too is dead.
    assert_eq!(dead(&["-A INPUT -p tcp -j DROP", "-A INPUT -p tcp --dport 22 -j ACCEPT"]), vec![(2, "shadowed-rule")]);
}

#[test]
fn two_state_matches_in_one_rule_intersect() {
    // NEW ∩ {NEW, ESTABLISHED} = NEW: established packets go on.
    let both = "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate NEW,ESTABLISHED -j DROP";
    assert_eq!(dead(&[both, "-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT"]), vec![]);
    let mixed = "-A INPUT -m state --state NEW,ESTABLISHED -m conntrack --ctstate ESTABLISHED,RELATED -j DROP";
    assert_eq!(dead(&[mixed, "-A INPUT -m state --state NEW -j ACCEPT"]), vec![]);
    assert_eq!(dead(&[mixed, "-A INPUT -m state --state RELATED -j ACCEPT"]), vec![]);
    assert_eq!(dead(&[mixed, "-A INPUT -m state --state ESTABLISHED -j ACCEPT"]), vec![(2, "shadowed-rule")]);
    // Identical rules with two state matches: the second is dead, and
    // nothing else is.
    assert_eq!(dead(&[mixed, mixed, "-A INPUT -j ACCEPT"]), vec![(2, "redundant-rule")]);
    // Disjoint states match nothing: the rule hides nothing after it.
    let none = "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate ESTABLISHED -j DROP";
    assert_eq!(dead(&[none, "-A INPUT -m conntrack --ctstate NEW -j ACCEPT"]).iter().filter(|f| f.0 == 2).count(), 0);
    // Negated state: everything but INVALID.
    let not_invalid = "-A INPUT -m conntrack ! --ctstate INVALID -j ACCEPT";
    assert_eq!(dead(&[not_invalid, "-A INPUT -m conntrack --ctstate INVALID -j DROP"]), vec![]);
    assert_eq!(dead(&[not_invalid, "-A INPUT -m conntrack --ctstate NEW -j DROP"]), vec![(2, "shadowed-rule")]);
}

#[test]
fn unknown_targets_decide_nothing() {
    // A target with no known verdict, a non-terminating target, and a jump
    // into a chain that decides nothing: the rule after each is live.
    for first in [
        "-A INPUT -p tcp -j LOG",
        "-A INPUT -p tcp -j NFLOG",
        "-A INPUT -p tcp -j MARK --set-mark 1",
        "-A INPUT -p tcp -j CONNMARK --save-mark",
        "-A INPUT -p tcp -j NOSUCHTARGET",
        "-A INPUT -p tcp -j sub",
    ] {
        assert_eq!(dead(&[first, "-A INPUT -p tcp --dport 22 -j ACCEPT"]), vec![], "{first}");
    }
    // Unless the jump's chain does decide them.
    assert_eq!(
        dead(&["-A INPUT -p tcp -j sub", "-A INPUT -p tcp --dport 22 -j ACCEPT", "-A sub -j DROP"]),
        vec![(2, "shadowed-rule")]
    );
}

#[test]
fn unmodelled_matches_decide_nothing() {
    for m in [
        "-m set --match-set blocked src",
        "-m string --string foo --algo bm",
        "-m u32 --u32 \"0>>22&0x3C@0>>16=0x50\"",
        "-m length --length 0:100",
        "-m mark --mark 0x1/0xff",
        "-m owner --uid-owner 0",
    ] {
        let first = format!("-A INPUT -p tcp {m} -j DROP");
        assert_eq!(dead(&[&first, "-A INPUT -p tcp --dport 22 -j ACCEPT"]), vec![], "{first}");
    }
}

#[test]
fn a_may_match_rule_in_a_called_chain_decides_nothing_for_the_caller() {
    for m in ["-m limit --limit 1/s", "-m statistic --mode random --probability 0.5", "-m set --match-set x src"] {
        let sub = format!("-A sub {m} -j DROP");
        assert_eq!(dead(&["-A INPUT -p tcp -j sub", "-A INPUT -p tcp --dport 22 -j ACCEPT", &sub]), vec![], "{sub}");
        // Nested one level deeper, and through a goto.
        assert_eq!(
            dead(&[
                "-A INPUT -p tcp -j sub",
                "-A INPUT -p tcp --dport 22 -j ACCEPT",
                "-A sub -j sub2",
                &sub.replace("-A sub ", "-A sub2 ")
            ]),
            vec![],
            "{sub}"
        );
    }
}
