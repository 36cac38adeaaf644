//! Soundness of the packet-space analysis against the kernel.
//!
//! Generated filter rulesets (fixed seeds: user chains, `-j`/`-g`/RETURN,
//! negations, TCP/UDP ports, multiport, ICMP types, `-s`/`-d` networks, `-i`
//! with `+`, conntrack/state, ACCEPT/DROP/LOG) are loaded into a private
//! network namespace. A second namespace sends crafted frames over veth
//! pairs (`tests/kernel_sender.py`, AF_PACKET); every destination address is
//! local in the test namespace (`ip route add local 0.0.0.0/0 dev lo`), so
//! INPUT sees them all. After each packet, `iptables-save -c` tells which
//! rule counters moved, and that set must be exactly the set of rules whose
//! `hit` (packets that reach the rule and match it) holds the packet:
//!
//! - every rule iptlint calls shadowed, redundant or unreachable (L101,
//!   L102, L103) gets packets drawn from its own match set, and its counter
//!   never moves (nor does it for any other packet sent);
//! - every other rule the engine says some packet reaches gets the engine's
//!   witness (`hit.witness_in(sendable)`), and its counter moves.
//!
//! Only addresses of private and benchmark ranges are used, and the frames
//! never leave the two test namespaces (the test namespace's OUTPUT policy
//! is DROP, so it does not even answer).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use iptlint_analysis::reach::{analyse_table, TableFacts};
use iptlint_analysis::space::{iface_range, state, Dim, Intervals, PBox, PacketSet, DIMS};
use iptlint_analysis::{check_source, Config};
use iptlint_parser::{parse, Family, ParseOptions};

/// Interfaces of the test namespace, each the end of a veth pair whose other
/// end (`s0`, `s1`, `s2`) is in the sender namespace.
const IFACES: [(&str, &str); 3] = [("eth0", "s0"), ("eth1", "s1"), ("wlan0", "s2")];

/// Address ranges the test sends from and to.
const RANGES: [(u32, u8); 4] = [
    (0x0a00_0000, 8),  // 10.0.0.0/8
    (0xac10_0000, 12), // 172.16.0.0/12
    (0xc0a8_0000, 16), // 192.168.0.0/16
    (0xc612_0000, 15), // 198.18.0.0/15
];

const SEEDS: u64 = 40;

// ---------------------------------------------------------------- generator

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const NETS: &[&str] = &[
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.0/24",
    "10.1.2.3",
    "198.18.0.0/15",
    "198.18.5.0/24",
    "198.19.0.0/16",
    "192.168.0.0/16",
    "192.168.1.0/24",
    "172.16.0.0/12",
];
const PORTS: &[&str] = &["22", "53", "80", "443", "8080", "1:1024", "20:25", "80:90", "1000:2000", "1024:65535"];
const PORT_LISTS: &[&str] = &["22,80,443", "53,8080", "20:25,80", "443,1000:2000"];
const IN_IFACES: &[&str] = &["eth0", "eth1", "eth+", "wlan0", "wl+"];
const STATES: &[&str] = &["NEW", "ESTABLISHED,RELATED", "NEW,ESTABLISHED", "INVALID", "NEW,RELATED"];
const ICMP_TYPES: &[&str] = &["8", "echo-request", "0", "3", "any"];

fn neg(rng: &mut Rng, percent: u64) -> &'static str {
    if rng.chance(percent) {
        "! "
    } else {
        ""
    }
}

/// The conditions of one rule.
fn conditions(rng: &mut Rng, may_match: bool) -> String {
    let mut r = String::new();
    let proto = match rng.below(100) {
        0..=49 => Some("tcp"),
        50..=69 => Some("udp"),
        70..=79 => Some("icmp"),
        80..=84 => {
            r.push_str(" ! -p tcp");
            None
        }
        _ => None,
    };
    if rng.chance(35) {
        r.push_str(&format!(" {}-s {}", neg(rng, 15), rng.pick(NETS)));
    }
    if rng.chance(25) {
        r.push_str(&format!(" {}-d {}", neg(rng, 15), rng.pick(NETS)));
    }
    if rng.chance(30) {
        r.push_str(&format!(" {}-i {}", neg(rng, 20), rng.pick(IN_IFACES)));
    }
    if let Some(p) = proto {
        r.push_str(&format!(" -p {p}"));
        if p == "icmp" {
            if rng.chance(60) {
                r.push_str(&format!(" -m icmp {}--icmp-type {}", neg(rng, 15), rng.pick(ICMP_TYPES)));
            }
        } else if rng.chance(15) {
            r.push_str(&format!(" -m multiport {}--dports {}", neg(rng, 15), rng.pick(PORT_LISTS)));
        } else {
            if rng.chance(20) {
                r.push_str(&format!(" {}--sport {}", neg(rng, 15), rng.pick(PORTS)));
            }
            if rng.chance(55) {
                r.push_str(&format!(" {}--dport {}", neg(rng, 15), rng.pick(PORTS)));
            }
            if p == "tcp" && rng.chance(10) {
                r.push_str(" --syn");
            }
        }
    }
    if may_match && rng.chance(10) {
        // A condition iptlint does not model (so the rule only *may*
        // match) and the test's small packets never meet.
        r.push_str(" -m length --length 60000:65535");
    }
    if rng.chance(15) {
        r.push_str(&format!(" -m conntrack {}--ctstate {}", neg(rng, 20), rng.pick(STATES)));
    } else if rng.chance(5) {
        r.push_str(&format!(" -m state {}--state {}", neg(rng, 10), rng.pick(STATES)));
    }
    r
}

/// A filter ruleset: INPUT plus user chains A, B, C (each may jump only to
/// later ones, so there are no loops).
fn ruleset(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let policy = if rng.chance(50) { "ACCEPT" } else { "DROP" };
    // A third of the rulesets hold rules that only may match.
    let may_match = rng.chance(33);
    let mut text = format!("*filter\n:INPUT {policy} [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT DROP [0:0]\n");
    let chains = ["INPUT", "A", "B", "C"];
    for c in &chains[1..] {
        text.push_str(&format!(":{c} - [0:0]\n"));
    }
    for (ci, chain) in chains.iter().enumerate() {
        let n = if ci == 0 { 12 + rng.below(8) } else { 4 + rng.below(6) };
        let mut earlier: Vec<String> = Vec::new();
        if ci > 0 && rng.chance(40) {
            // A block list: a run of rules differing only in the source,
            // with repeats and nested networks (walked as a batch).
            let verdict = *rng.pick(&["DROP", "ACCEPT", "RETURN"]);
            let tail = if rng.chance(50) { " -p tcp --dport 22" } else { "" };
            for _ in 0..(8 + rng.below(6)) {
                let src = if rng.chance(70) {
                    format!("{}.{}", rng.pick(&["10.1.2", "198.18.5", "192.168.1"]), rng.below(8))
                } else {
                    rng.pick(NETS).to_string()
                };
                text.push_str(&format!("-A {chain} -s {src}{tail} -j {verdict}\n"));
            }
        }
        for k in 0..n {
            // Reuse an earlier rule's conditions now and then: exact
            // repeats and near repeats make shadowed and redundant rules.
            let cond = if !earlier.is_empty() && rng.chance(20) {
                rng.pick(&earlier).clone()
            } else if k + 1 == n && rng.chance(30) {
                String::new()
            } else {
                conditions(&mut rng, may_match)
            };
            let callees = &chains[ci + 1..];
            let target = match rng.below(100) {
                0..=34 => "-j ACCEPT".to_string(),
                35..=59 => "-j DROP".to_string(),
                60..=71 => "-j LOG".to_string(),
                72..=79 if ci > 0 || rng.chance(20) => "-j RETURN".to_string(),
                _ if !callees.is_empty() => {
                    let how = if rng.chance(25) { "-g" } else { "-j" };
                    format!("{how} {}", rng.pick(callees))
                }
                _ => "-j DROP".to_string(),
            };
            text.push_str(&format!("-A {chain}{cond} {target}\n"));
            earlier.push(cond);
        }
    }
    text.push_str("COMMIT\n");
    text
}

// ------------------------------------------------------------- namespaces

fn run(cmd: &[&str]) -> Result<String, String> {
    let out = Command::new(cmd[0]).args(&cmd[1..]).output().map_err(|e| format!("{}: {e}", cmd.join(" ")))?;
    if !out.status.success() {
        return Err(format!("`{}` failed: {}", cmd.join(" "), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The test namespace `t` (holds the ruleset) and the sender namespace `s`;
/// deleted on drop.
struct Netns {
    t: String,
    s: String,
    /// MAC address of each test-namespace interface.
    macs: BTreeMap<&'static str, String>,
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.t]).status();
        let _ = Command::new("ip").args(["netns", "del", &self.s]).status();
    }
}

impl Netns {
    fn new() -> Result<Netns, String> {
        let pid = std::process::id();
        let mut ns = Netns { t: format!("iptl-t-{pid}"), s: format!("iptl-s-{pid}"), macs: BTreeMap::new() };
        run(&["ip", "netns", "add", &ns.t])?;
        run(&["ip", "netns", "add", &ns.s])?;
        let (t, s) = (ns.t.clone(), ns.s.clone());
        run(&["ip", "-n", &t, "link", "set", "lo", "up"])?;
        let sysctl =
            |ns: &str, key: &str| -> Result<String, String> { run(&["ip", "netns", "exec", ns, "sysctl", "-qw", key]) };
        for key in
            ["net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.all.accept_local=1"]
        {
            sysctl(&t, key)?;
        }
        for (ti, si) in IFACES {
            run(&["ip", "-n", &t, "link", "add", ti, "type", "veth", "peer", "name", si, "netns", &s])?;
            // Quiet links: no IPv6 neighbour discovery.
            let _ = sysctl(&t, &format!("net.ipv6.conf.{ti}.disable_ipv6=1"));
            let _ = sysctl(&s, &format!("net.ipv6.conf.{si}.disable_ipv6=1"));
            // Sources may be any address, even one that is local here.
            sysctl(&t, &format!("net.ipv4.conf.{ti}.rp_filter=0"))?;
            sysctl(&t, &format!("net.ipv4.conf.{ti}.accept_local=1"))?;
            run(&["ip", "-n", &t, "link", "set", ti, "up"])?;
            run(&["ip", "-n", &s, "link", "set", si, "up"])?;
            let link = run(&["ip", "-n", &t, "-o", "link", "show", ti])?;
            let mac = link
                .split_whitespace()
                .skip_while(|w| *w != "link/ether")
                .nth(1)
                .ok_or_else(|| format!("no MAC address for {ti}: {link}"))?;
            ns.macs.insert(ti, mac.to_string());
        }
        // Every destination is local: INPUT sees every packet.
        run(&["ip", "-n", &t, "route", "add", "local", "0.0.0.0/0", "dev", "lo"])?;
        Ok(ns)
    }

    fn restore(&self, text: &str) -> Result<(), String> {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.t, "iptables-restore"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        child.stdin.take().unwrap().write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("iptables-restore refused:\n{}\n{text}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(())
    }

    /// Packet counters of the filter table: per chain, the policy (built-in
    /// chains) and each rule in order.
    fn counters(&self) -> BTreeMap<String, (u64, Vec<u64>)> {
        let out = run(&["ip", "netns", "exec", &self.t, "iptables-save", "-c", "-t", "filter"]).expect("iptables-save");
        let mut m: BTreeMap<String, (u64, Vec<u64>)> = BTreeMap::new();
        for line in out.lines() {
            if let Some(rest) = line.strip_prefix(':') {
                let mut w = rest.split_whitespace();
                let chain = w.next().unwrap().to_string();
                let _policy = w.next();
                let pkts = w.next().and_then(packets).unwrap_or(0);
                m.entry(chain).or_default().0 = pkts;
            } else if line.starts_with('[') {
                let mut w = line.split_whitespace();
                let pkts = packets(w.next().unwrap()).expect("counter");
                assert_eq!(w.next(), Some("-A"), "{line}");
                let chain = w.next().unwrap().to_string();
                m.entry(chain).or_default().1.push(pkts);
            }
        }
        m
    }
}

fn packets(counter: &str) -> Option<u64> {
    counter.trim_start_matches('[').split(':').next()?.parse().ok()
}

struct Sender {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Sender {
    fn new(ns: &Netns) -> Result<Sender, String> {
        let script = common::repo_root().join("tests/kernel_sender.py");
        let mut child = Command::new("ip")
            .args(["netns", "exec", &ns.s, "python3"])
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the sender: {e}"))?;
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Ok(Sender { child, stdin, stdout })
    }

    fn send(&mut self, ns: &Netns, p: &Packet) {
        let (ti, si) = IFACES[p.iface];
        let line = format!(
            "{si} {} {} {} {} {} {} {} {} {}\n",
            ns.macs[ti],
            std::net::Ipv4Addr::from(p.src),
            std::net::Ipv4Addr::from(p.dst),
            p.proto,
            p.sport,
            p.dport,
            p.flags,
            p.icmp >> 8,
            p.icmp & 0xff
        );
        self.stdin.write_all(line.as_bytes()).expect("sender stdin");
        self.stdin.flush().unwrap();
        let mut ack = String::new();
        self.stdout.read_line(&mut ack).expect("sender stdout");
        assert_eq!(ack.trim(), "ok", "sender failed on {line}");
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- packets

/// What the test can put on the wire: IPv4 from and to the test ranges,
/// arriving on one of the test interfaces, a first packet of its flow
/// (conntrack NEW: the test namespace never answers), not a fragment, no
/// mark; TCP SYNs, UDP, or ICMP echo requests.
fn sendable() -> PacketSet {
    let family = Family::V4;
    let addrs =
        Intervals::from_ranges(RANGES.iter().map(|&(net, len)| (net as u128, (net | (u32::MAX >> len)) as u128)));
    let ifaces = Intervals::from_ranges(IFACES.iter().map(|(t, _)| iface_range(t)));
    let mut base = PBox::full(family);
    base.set(Dim::Src, addrs.clone());
    base.set(Dim::Dst, addrs);
    base.set(Dim::InIface, ifaces);
    base.set(Dim::OutIface, Intervals::point(iface_range("").0));
    base.set(Dim::State, Intervals::point(state::NEW));
    base.set(Dim::Frag, Intervals::point(0));
    base.set(Dim::Mark, Intervals::point(0));
    base.set(Dim::Sport, Intervals::range(1, 65535));
    base.set(Dim::Dport, Intervals::range(1, 65535));
    let mut set = PacketSet::empty(family);
    let mut tcp = base.clone();
    tcp.set(Dim::Proto, Intervals::point(6));
    tcp.set(Dim::TcpFlags, Intervals::point(0x02));
    let mut udp = base.clone();
    udp.set(Dim::Proto, Intervals::point(17));
    let mut icmp = base;
    icmp.set(Dim::Proto, Intervals::point(1));
    icmp.set(Dim::Icmp, Intervals::point(8 << 8));
    for b in [tcp, udp, icmp] {
        set.union(&PacketSet::from_box(family, b));
    }
    set
}

#[derive(Clone, Debug)]
struct Packet {
    point: [u128; DIMS],
    iface: usize,
    src: u32,
    dst: u32,
    proto: u8,
    sport: u16,
    dport: u16,
    flags: u8,
    icmp: u16,
}

impl Packet {
    fn from_point(point: [u128; DIMS]) -> Packet {
        let iface = IFACES
            .iter()
            .position(|(t, _)| iface_range(t).0 == point[Dim::InIface as usize])
            .expect("sendable interface");
        let proto = point[Dim::Proto as usize] as u8;
        Packet {
            point,
            iface,
            src: point[Dim::Src as usize] as u32,
            dst: point[Dim::Dst as usize] as u32,
            proto,
            sport: point[Dim::Sport as usize] as u16,
            dport: point[Dim::Dport as usize] as u16,
            flags: point[Dim::TcpFlags as usize] as u8,
            icmp: point[Dim::Icmp as usize] as u16,
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} {} -> {} proto {} sport {} dport {} icmp {}/{}",
            IFACES[self.iface].0,
            std::net::Ipv4Addr::from(self.src),
            std::net::Ipv4Addr::from(self.dst),
            self.proto,
            self.sport,
            self.dport,
            self.icmp >> 8,
            self.icmp & 0xff
        )
    }
}

/// TCP and UDP flows the test has sent, as (src, dst, sport, dport, proto).
type Flows = std::collections::HashSet<(u128, u128, u128, u128, u128)>;

/// Conntrack remembers flows across packets and rulesets: a packet that
/// runs opposite to a flow sent before (or is its own reverse: same address
/// and port at both ends) is a reply, ESTABLISHED, not NEW. The test only
/// sends first packets, so move such a point a little in a port or address,
/// staying inside `ok`; `None` if no nearby point is.
fn fresh_flow(p: [u128; DIMS], flows: &Flows, ok: impl Fn(&[u128; DIMS]) -> bool) -> Option<[u128; DIMS]> {
    let (src, dst, sp, dp) = (Dim::Src as usize, Dim::Dst as usize, Dim::Sport as usize, Dim::Dport as usize);
    let proto = p[Dim::Proto as usize];
    let is_reply = |q: &[u128; DIMS]| {
        (proto == 6 || proto == 17)
            && ((q[src] == q[dst] && q[sp] == q[dp]) || flows.contains(&(q[dst], q[src], q[dp], q[sp], proto)))
    };
    if !is_reply(&p) {
        return Some(p);
    }
    for delta in 1..=16i128 {
        for d in [dp, sp, dst, src] {
            for sign in [1i128, -1] {
                let mut q = p;
                q[d] = (q[d] as i128 + sign * delta).max(0) as u128;
                if q[d] != p[d] && ok(&q) && !is_reply(&q) {
                    return Some(q);
                }
            }
        }
    }
    None
}

fn remember(flows: &mut Flows, p: &[u128; DIMS]) {
    let proto = p[Dim::Proto as usize];
    if proto == 6 || proto == 17 {
        flows.insert((
            p[Dim::Src as usize],
            p[Dim::Dst as usize],
            p[Dim::Sport as usize],
            p[Dim::Dport as usize],
            proto,
        ));
    }
}

/// A value of `iv`: its smallest, its largest, or one at random.
fn pick_value(iv: &Intervals, how: usize, rng: &mut Rng) -> u128 {
    let runs = iv.runs();
    match how {
        0 => runs[0].0,
        1 => runs[runs.len() - 1].1,
        _ => {
            let (a, b) = runs[rng.below(runs.len() as u64) as usize];
            let span = b - a;
            if span == 0 {
                a
            } else {
                a + (rng.next() as u128 % span.saturating_add(1).max(1))
            }
        }
    }
}

/// Up to `n` sendable packets from a rule's match set.
fn samples(region: &PBox, sendable: &PacketSet, n: usize, rng: &mut Rng) -> Vec<([u128; DIMS], PBox)> {
    let boxes: Vec<PBox> = sendable.boxes().iter().filter_map(|b| b.intersect(region)).collect();
    let mut out = Vec::new();
    for k in 0..n {
        if boxes.is_empty() {
            break;
        }
        let b = &boxes[k % boxes.len()];
        let mut p = [0u128; DIMS];
        for d in Dim::ALL {
            p[d as usize] = pick_value(b.get(d), k.min(2), rng);
        }
        out.push((p, b.clone()));
    }
    out
}

// ------------------------------------------------------------------ checks

#[derive(Default)]
struct Stats {
    rulesets: usize,
    rules: usize,
    dead: usize,
    dead_sampled: usize,
    live_witnessed: usize,
    live_unsendable: usize,
    packets: usize,
    /// Points left unsent: every nearby point was a reply to an earlier flow.
    skipped_replies: usize,
}

/// Rules (by index) and the policy whose counters the packet moved.
fn moved(
    before: &BTreeMap<String, (u64, Vec<u64>)>,
    after: &BTreeMap<String, (u64, Vec<u64>)>,
    table: &iptlint_parser::model::Table,
) -> (BTreeSet<usize>, bool) {
    let mut rules = BTreeSet::new();
    for chain in &table.chains {
        let (b, a) = (&before[&chain.name], &after[&chain.name]);
        assert_eq!(a.1.len(), chain.rules.len(), "rule count of chain {}", chain.name);
        for (k, &ri) in chain.rules.iter().enumerate() {
            if a.1[k] != b.1[k] {
                rules.insert(ri);
            }
        }
    }
    (rules, after["INPUT"].0 != before["INPUT"].0)
}

fn check_ruleset(
    seed: u64,
    ns: &Netns,
    sender: &mut Sender,
    flows: &mut Flows,
    stats: &mut Stats,
    failures: &mut Vec<String>,
) {
    let text = ruleset(seed);
    let parsed = parse(&text, &ParseOptions { family: Some(Family::V4), table: None });
    assert!(
        parsed.diagnostics.iter().all(|d| d.severity != iptlint_parser::Severity::Error),
        "{:?}\n{text}",
        parsed.diagnostics
    );
    ns.restore(&text).unwrap_or_else(|e| panic!("{e}"));
    let table = &parsed.ruleset.tables[0];
    let facts: TableFacts = analyse_table(table, Family::V4);
    assert!(!facts.incomplete, "seed {seed}: analysis incomplete on a small ruleset");
    let config = Config { select: vec!["L101".into(), "L102".into(), "L103".into()], ..Config::default() };
    let dead: BTreeSet<usize> = check_source(&parsed, &text, &config)
        .iter()
        .filter_map(|d| table.rules.iter().position(|r| r.span.start <= d.span.start && d.span.end <= r.span.end))
        .collect();
    let line = |ri: usize| parsed.ruleset.line_of(table.rules[ri].span.start);
    let sendable = sendable();
    let all_exact = facts.rules.iter().all(|f| f.matchset.exact());
    let mut rng = Rng(seed ^ 0x5eed);
    // Packets to send: the point, the rule it was chosen for, and whether
    // that rule was reported dead (then the point was drawn from this box).
    let mut plan: Vec<([u128; DIMS], usize, Option<PBox>)> = Vec::new();
    for (ri, f) in facts.rules.iter().enumerate() {
        stats.rules += 1;
        if dead.contains(&ri) {
            stats.dead += 1;
            let pts = samples(&f.matchset.region, &sendable, 3, &mut rng);
            if !pts.is_empty() {
                stats.dead_sampled += 1;
            }
            plan.extend(pts.into_iter().map(|(p, b)| (p, ri, Some(b))));
        } else if !f.hit.is_empty() && all_exact {
            match f.hit.witness_in(&sendable) {
                Some(w) => plan.push((w, ri, None)),
                None => stats.live_unsendable += 1,
            }
        }
    }
    let policy = &facts.to_policy["INPUT"];
    let mut before = ns.counters();
    for (point, ri, drawn_from) in &plan {
        let is_dead = drawn_from.is_some();
        let point = match drawn_from {
            Some(b) => fresh_flow(*point, flows, |q| b.contains(q)),
            None => fresh_flow(*point, flows, |q| facts.rules[*ri].hit.contains(q) && sendable.contains(q)),
        };
        let Some(point) = point else {
            stats.skipped_replies += 1;
            continue;
        };
        if !is_dead {
            stats.live_witnessed += 1;
        }
        remember(flows, &point);
        let p = &Packet::from_point(point);
        sender.send(ns, p);
        stats.packets += 1;
        let after = ns.counters();
        let (got, got_policy) = moved(&before, &after, table);
        before = after;
        let want: BTreeSet<usize> = (0..table.rules.len()).filter(|&j| facts.rules[j].hit.contains(&p.point)).collect();
        let want_policy = policy.contains(&p.point);
        let why = if is_dead { "drawn from dead rule" } else { "witness of rule" };
        if is_dead && got.contains(ri) {
            failures.push(format!(
                "seed {seed}: line {} was reported dead but the kernel matched {} ({why} at line {})",
                line(*ri),
                p.describe(),
                line(*ri)
            ));
        }
        if !is_dead && all_exact && !got.contains(ri) {
            failures.push(format!(
                "seed {seed}: the engine's witness {} does not reach line {}",
                p.describe(),
                line(*ri)
            ));
        }
        // With rules that only may match (unmodelled conditions), hits
        // over-approximate, here and after them: the kernel may match less,
        // never more.
        let agree = if all_exact {
            got == want && got_policy == want_policy
        } else {
            got.is_subset(&want) && (want_policy || !got_policy)
        };
        if !agree {
            let show = |s: &BTreeSet<usize>| s.iter().map(|&j| line(j).to_string()).collect::<Vec<_>>().join(",");
            failures.push(format!(
                "seed {seed}: {} ({why} at line {}): kernel moved lines [{}] policy {got_policy}, engine predicted [{}] policy {want_policy}",
                p.describe(),
                line(*ri),
                show(&got),
                show(&want)
            ));
        }
    }
    // No packet at all moved a dead rule.
    let end = ns.counters();
    for &ri in &dead {
        let chain = &table.rules[ri].chain;
        let k = table.chain(chain).unwrap().rules.iter().position(|&j| j == ri).unwrap();
        if end[chain].1[k] != 0 {
            failures.push(format!("seed {seed}: dead line {} counted {} packets", line(ri), end[chain].1[k]));
        }
    }
    if failures.iter().any(|f| f.starts_with(&format!("seed {seed}:"))) {
        eprintln!("ruleset of seed {seed}:\n{}", numbered(&text));
    }
    stats.rulesets += 1;
}

fn numbered(text: &str) -> String {
    text.lines().enumerate().map(|(i, l)| format!("{:3} {l}\n", i + 1)).collect()
}

#[test]
fn generated_rulesets_agree_with_the_kernel() {
    if let Err(why) = common::kernel_available() {
        return common::skip_or_fail(&why);
    }
    if let Err(why) = run(&["python3", "-c", "import socket; socket.AF_PACKET"]) {
        return common::skip_or_fail(&format!("python3 with AF_PACKET sockets is needed: {why}"));
    }
    let ns = match Netns::new() {
        Ok(ns) => ns,
        Err(why) => return common::skip_or_fail(&format!("cannot build the test namespaces: {why}")),
    };
    let mut sender = Sender::new(&ns).expect("sender");
    let start = Instant::now();
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    let mut flows = Flows::new();
    for seed in 1..=SEEDS {
        check_ruleset(seed, &ns, &mut sender, &mut flows, &mut stats, &mut failures);
    }
    eprintln!(
        "kernel soundness: {} rulesets, {} rules, {} reported dead ({} with sendable packets), {} live rules reached by the engine's witness, {} live only for packets the test cannot send, {} packets ({} points left unsent as replies to earlier flows), {:.1}s",
        stats.rulesets,
        stats.rules,
        stats.dead,
        stats.dead_sampled,
        stats.live_witnessed,
        stats.live_unsendable,
        stats.packets,
        stats.skipped_replies,
        start.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} disagreements with the kernel:\n{}", failures.len(), failures.join("\n"));
    // The generator must exercise both sides.
    assert!(stats.dead_sampled >= 10, "too few dead rules generated");
    assert!(stats.live_witnessed >= 100, "too few live rules generated");
}

/// The generator makes rulesets iptlint parses without errors (no kernel
/// needed).
#[test]
fn generated_rulesets_parse() {
    for seed in 1..=SEEDS {
        let text = ruleset(seed);
        let parsed = parse(&text, &ParseOptions { family: Some(Family::V4), table: None });
        assert!(
            parsed.diagnostics.iter().all(|d| d.severity != iptlint_parser::Severity::Error),
            "{:?}\n{text}",
            parsed.diagnostics
        );
    }
}
