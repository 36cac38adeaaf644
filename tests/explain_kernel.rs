//! Kernel differential test of `explain` (two hand-written rulesets, a
//! local and a forwarded path, and ten generated ones; 141 packets): each
//! ruleset is loaded into a private network namespace ("fw"); single
//! packets are sent to it from a second namespace ("peer") over a veth
//! pair (forwarded ones on to a third, "back"); after each packet the
//! per-rule and per-policy counters are read back with `iptables-save -c`.
//! The rules whose counters moved must be exactly the rules iptlint's trace
//! says matched, and the policies that counted must be exactly the ones
//! iptlint says applied. Only addresses of 198.18.0.0/15 (benchmarking
//! range) inside the two test namespaces are used.
//!
//! Needs root, `ip netns`, and iptables in the namespaces; skipped (with
//! the reason printed) elsewhere, required in CI.

mod common;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::time::Duration;

use iptlint_analysis::explain::{Explainer, Matched, Options, PacketFields, Step};
use iptlint_parser::{Family, ParseOptions};

const FW_ADDR: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
const PEER_ADDR: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 2);

struct Netns {
    fw: String,
    peer: String,
    back: String,
}

impl Drop for Netns {
    fn drop(&mut self) {
        for n in [&self.fw, &self.peer, &self.back] {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

fn run(args: &[&str]) -> Result<String, String> {
    let out = Command::new(args[0]).args(&args[1..]).output().map_err(|e| format!("{args:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn setup() -> Result<Netns, String> {
    let id = std::process::id();
    let ns = Netns {
        fw: format!("iptlint-ex-fw-{id}"),
        peer: format!("iptlint-ex-peer-{id}"),
        back: format!("iptlint-ex-back-{id}"),
    };
    run(&["ip", "netns", "add", &ns.fw])?;
    run(&["ip", "netns", "add", &ns.peer])?;
    run(&["ip", "netns", "add", &ns.back])?;
    // peer (198.18.0.2) -- vfw0 [fw] vfw1 -- back (198.18.1.2). The back
    // namespace has no route to the peer, so it never answers: a forwarded
    // packet crosses the fw namespace exactly once.
    run(&["ip", "-n", &ns.fw, "link", "add", "vfw1", "type", "veth", "peer", "name", "vback0", "netns", &ns.back])?;
    run(&["ip", "-n", &ns.fw, "addr", "add", "198.18.1.1/24", "dev", "vfw1"])?;
    run(&["ip", "-n", &ns.fw, "link", "set", "vfw1", "up"])?;
    run(&["ip", "-n", &ns.back, "addr", "add", "198.18.1.2/24", "dev", "vback0"])?;
    run(&["ip", "-n", &ns.back, "link", "set", "vback0", "up"])?;
    run(&["ip", "netns", "exec", &ns.fw, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])?;
    // Nor does it answer the fw namespace's own address (after SNAT).
    run(&["ip", "netns", "exec", &ns.back, "iptables", "-P", "OUTPUT", "DROP"])?;
    run(&["ip", "-n", &ns.fw, "link", "add", "vfw0", "type", "veth", "peer", "name", "vpeer0", "netns", &ns.peer])?;
    for (n, dev, addr) in [(&ns.fw, "vfw0", "198.18.0.1/24"), (&ns.peer, "vpeer0", "198.18.0.2/24")] {
        run(&["ip", "-n", n, "addr", "add", addr, "dev", dev])?;
        run(&["ip", "-n", n, "link", "set", "lo", "up"])?;
        run(&["ip", "-n", n, "link", "set", dev, "up"])?;
    }
    run(&["ip", "-n", &ns.peer, "route", "add", "198.18.1.0/24", "via", "198.18.0.1"])?;
    Ok(ns)
}

/// (table, chain, 1-based position) of rules.
type RuleSet = BTreeSet<(String, String, usize)>;
/// (table, chain) of built-in chains whose policy applied.
type PolicySet = BTreeSet<(String, String)>;

/// Counters of one `iptables-save -c` dump: rules with packets, policies
/// with packets.
fn counters(dump: &str) -> (RuleSet, PolicySet) {
    let mut rules = BTreeSet::new();
    let mut policies = BTreeSet::new();
    let mut table = String::new();
    let mut pos: std::collections::HashMap<String, usize> = Default::default();
    for line in dump.lines() {
        if let Some(t) = line.strip_prefix('*') {
            table = t.to_string();
            pos.clear();
        } else if let Some(decl) = line.strip_prefix(':') {
            let mut w = decl.split_whitespace();
            let (chain, _policy, c) = (w.next().unwrap(), w.next().unwrap(), w.next().unwrap_or("[0:0]"));
            if !c.starts_with("[0:") {
                policies.insert((table.clone(), chain.to_string()));
            }
        } else if let Some(rest) = line.strip_prefix('[') {
            let (c, rule) = rest.split_once("] ").unwrap();
            let chain = rule.split_whitespace().nth(1).unwrap().to_string();
            let n = pos.entry(chain.clone()).or_insert(0);
            *n += 1;
            if !c.starts_with("0:") {
                rules.insert((table.clone(), chain, *n));
            }
        }
    }
    (rules, policies)
}

fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for ch in data.chunks(2) {
        sum += u32::from(u16::from_be_bytes([ch[0], *ch.get(1).unwrap_or(&0)]));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// One packet from the peer namespace.
#[derive(Clone, Debug)]
enum Pkt {
    Tcp { sport: u16, dport: u16 },
    Udp { sport: u16, dport: u16 },
    Icmp { ty: u8, code: u8 },
}

impl Pkt {
    fn spec(&self, dst: Ipv4Addr, out: Option<&str>) -> String {
        let mut s = match self {
            Pkt::Tcp { sport, dport } => format!("tcp {PEER_ADDR}:{sport} -> {dst}:{dport} in vfw0"),
            Pkt::Udp { sport, dport } => format!("udp {PEER_ADDR}:{sport} -> {dst}:{dport} in vfw0"),
            Pkt::Icmp { ty, code } => format!("icmp {PEER_ADDR} -> {dst} in vfw0 icmp-type {ty}/{code}"),
        };
        if let Some(o) = out {
            s.push_str(&format!(" out {o}"));
        }
        s
    }
}

/// Send one packet: a single TCP SYN or ICMP message through a raw
/// socket, or one UDP datagram. Runs in a thread that joined the peer
/// namespace.
fn send(p: &Pkt, to: Ipv4Addr) -> std::io::Result<()> {
    let dst = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr { s_addr: u32::from(to).to_be() },
        sin_zero: [0; 8],
    };
    let raw = |proto: libc::c_int, payload: &[u8]| -> std::io::Result<()> {
        // SAFETY: plain socket calls on a descriptor owned here.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_RAW, proto);
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let r = libc::sendto(
                fd,
                payload.as_ptr().cast(),
                payload.len(),
                0,
                (&dst as *const libc::sockaddr_in).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            );
            libc::close(fd);
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    };
    match *p {
        Pkt::Tcp { sport, dport } => {
            let mut h = [0u8; 20];
            h[0..2].copy_from_slice(&sport.to_be_bytes());
            h[2..4].copy_from_slice(&dport.to_be_bytes());
            h[4..8].copy_from_slice(&1u32.to_be_bytes());
            h[12] = 5 << 4;
            h[13] = 0x02;
            h[14..16].copy_from_slice(&64240u16.to_be_bytes());
            let mut pseudo = Vec::new();
            pseudo.extend(PEER_ADDR.octets());
            pseudo.extend(to.octets());
            pseudo.extend([0, 6, 0, 20]);
            pseudo.extend(h);
            let c = checksum(&pseudo);
            h[16..18].copy_from_slice(&c.to_be_bytes());
            raw(libc::IPPROTO_TCP, &h)
        }
        Pkt::Udp { sport, dport } => {
            let s = UdpSocket::bind((PEER_ADDR, sport))?;
            s.send_to(b"iptlint", (to, dport))?;
            Ok(())
        }
        Pkt::Icmp { ty, code } => {
            // A fresh identifier each time: a repeated echo would belong to
            // the connection of the earlier one.
            static ID: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0x1200);
            let id = ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_be_bytes();
            let mut h = [ty, code, 0, 0, id[0], id[1], 0, 1];
            let c = checksum(&h);
            h[2..4].copy_from_slice(&c.to_be_bytes());
            raw(libc::IPPROTO_ICMP, &h)
        }
    }
}

fn join_netns(name: &str) -> std::io::Result<()> {
    let f = std::fs::File::open(format!("/run/netns/{name}"))?;
    // SAFETY: setns on an open namespace file; affects this thread only.
    if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Load `rules` in the fw namespace, send each packet, compare.
/// A packet, where it is sent, and its output interface in the fw
/// namespace (`None`: delivered there).
type Case = (Pkt, Ipv4Addr, Option<&'static str>);

fn local(p: Pkt) -> Case {
    (p, FW_ADDR, None)
}

fn differential(ns: &Netns, name: &str, rules: &str, packets: &[Case]) -> Vec<String> {
    let path = std::env::temp_dir().join(format!("iptlint-ex-{}-{name}.rules", std::process::id()));
    std::fs::write(&path, rules).unwrap();
    let p = path.to_str().unwrap();
    // Restoring a table replaces it: start every table empty.
    let reset = std::env::temp_dir().join(format!("iptlint-ex-{}-reset.rules", std::process::id()));
    std::fs::write(&reset, "*raw\nCOMMIT\n*mangle\nCOMMIT\n*nat\nCOMMIT\n*filter\nCOMMIT\n").unwrap();
    run(&["ip", "netns", "exec", &ns.fw, "sh", "-c", &format!("iptables-restore < {}", reset.display())]).unwrap();
    let _ = std::fs::remove_file(&reset);
    run(&["ip", "netns", "exec", &ns.fw, "sh", "-c", &format!("iptables-restore < {p}")])
        .unwrap_or_else(|e| panic!("{name}: the kernel refused the ruleset: {e}"));
    let parsed = iptlint_parser::parse(rules, &ParseOptions { family: Some(Family::V4), table: None });
    let ex = Explainer::new(&parsed.ruleset);
    let tables: Vec<String> = parsed.ruleset.tables.iter().map(|t| t.name.clone()).collect();
    let mut failures = Vec::new();
    for (pkt, dst, out) in packets {
        let spec = pkt.spec(*dst, *out);
        let e = ex.explain(
            &PacketFields::parse_spec(&spec).unwrap().build(Some(Family::V4)).unwrap(),
            &Options { trace_all: true, alternatives: false },
        );
        let want_rules: RuleSet = e
            .trace()
            .filter(|r| r.matched == Matched::Yes)
            .map(|r| (r.table.to_string(), r.chain.to_string(), r.rule))
            .collect();
        let want_policies: PolicySet = e
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Policy { table, chain, .. } => Some((table.clone(), chain.clone())),
                _ => None,
            })
            .collect();
        for t in &tables {
            run(&["ip", "netns", "exec", &ns.fw, "iptables", "-t", t, "-Z"]).unwrap();
        }
        let (pk, to) = (pkt.clone(), *dst);
        let peer = ns.peer.clone();
        std::thread::spawn(move || {
            join_netns(&peer).expect("join the peer namespace");
            send(&pk, to).expect("send");
        })
        .join()
        .unwrap();
        std::thread::sleep(Duration::from_millis(60));
        let dump = run(&["ip", "netns", "exec", &ns.fw, "iptables-save", "-c"]).unwrap();
        let (rules_k, mut pol_k) = counters(&dump);
        // The answers the fw namespace sends (RST, ICMP errors, echo
        // replies) count in OUTPUT and POSTROUTING: not this packet's path.
        pol_k.retain(|(_, chain)| chain != "OUTPUT" && (out.is_some() || chain != "POSTROUTING"));
        let got = (rules_k != want_rules || pol_k != want_policies).then_some(((rules_k, pol_k), dump));
        if let Some(((rules_k, pol_k), dump)) = got {
            failures.push(format!(
                "{name}: {}\n  iptlint: verdict {} rules {want_rules:?} policies {want_policies:?}\n  kernel:  rules {rules_k:?} policies {pol_k:?}\n{dump}",
                spec,
                e.verdict
            ));
        }
    }
    let _ = std::fs::remove_file(&path);
    failures
}

const HOST: &str = "*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 5353 -j NOTRACK
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8000:8999 -j MARK --set-xmark 0x7/0xff
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 2222 -j DNAT --to-destination 198.18.0.1:22
-A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:BLOCK - [0:0]
:WEB - [0:0]
:ADMIN - [0:0]
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT ! -i vfw+ -j ACCEPT
-A INPUT -j BLOCK
-A INPUT -m mark --mark 0x7/0xff -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -j WEB
-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate DNAT -g ADMIN
-A INPUT -p tcp -m tcp --dport 22 -j ADMIN
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -m state --state UNTRACKED -j ACCEPT
-A INPUT -m addrtype --dst-type LOCAL -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable
-A BLOCK -m iprange --src-range 198.18.0.100-198.18.0.200 -j DROP
-A BLOCK -p tcp -m tcp --sport 666 -j DROP
-A BLOCK ! -s 198.18.0.0/15 -j DROP
-A BLOCK -j RETURN
-A WEB -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP
-A WEB -p tcp -m tcp --dport 443 -j ACCEPT
-A WEB -j RETURN
-A ADMIN -s 198.19.0.0/16 -j ACCEPT
-A ADMIN -i vfw0 -p tcp -m tcp --sport 40000:40100 -j ACCEPT
-A ADMIN -j RETURN
COMMIT
";

#[test]
fn explain_matches_kernel_counters() {
    if let Err(why) = common::kernel_available() {
        return common::skip_or_fail(&why);
    }
    if !std::path::Path::new("/usr/sbin/ip").exists() && Command::new("ip").arg("-V").output().is_err() {
        return common::skip_or_fail("`ip` (iproute2) is not installed");
    }
    let ns = match setup() {
        Ok(ns) => ns,
        Err(e) => return common::skip_or_fail(&format!("cannot set up the test namespaces: {e}")),
    };
    let packets = [
        local(Pkt::Tcp { sport: 40000, dport: 80 }),
        local(Pkt::Tcp { sport: 40000, dport: 443 }),
        local(Pkt::Tcp { sport: 40050, dport: 22 }),
        local(Pkt::Tcp { sport: 50000, dport: 22 }),
        local(Pkt::Tcp { sport: 40001, dport: 2222 }),
        local(Pkt::Tcp { sport: 50001, dport: 2222 }),
        local(Pkt::Tcp { sport: 40002, dport: 8080 }),
        local(Pkt::Tcp { sport: 40003, dport: 8500 }),
        local(Pkt::Tcp { sport: 666, dport: 443 }),
        local(Pkt::Tcp { sport: 40004, dport: 25 }),
        local(Pkt::Udp { sport: 40005, dport: 53 }),
        local(Pkt::Udp { sport: 40006, dport: 5353 }),
        local(Pkt::Udp { sport: 40007, dport: 123 }),
        local(Pkt::Icmp { ty: 8, code: 0 }),
        local(Pkt::Icmp { ty: 13, code: 0 }),
    ];
    let failures = differential(&ns, "host", HOST, &packets);
    let fwd = [
        (Pkt::Tcp { sport: 41000, dport: 8080 }, FW_ADDR, Some("vfw1")),
        (Pkt::Udp { sport: 41001, dport: 53 }, BACK_ADDR, Some("vfw1")),
        (Pkt::Tcp { sport: 41002, dport: 22 }, BACK_ADDR, Some("vfw1")),
        (Pkt::Tcp { sport: 41003, dport: 443 }, BACK_ADDR, Some("vfw1")),
        (Pkt::Tcp { sport: 41004, dport: 80 }, BACK_ADDR, Some("vfw1")),
        (Pkt::Icmp { ty: 8, code: 0 }, BACK_ADDR, Some("vfw1")),
    ];
    let mut failures = failures;
    failures.extend(differential(&ns, "forward", FORWARD, &fwd));
    let mut total = packets.len() + fwd.len();
    // Generated rulesets: random conditions, negations, user chains with
    // RETURN and goto, against random packets.
    for seed in 1..=10u64 {
        let (rules, pkts) = random_case(seed);
        total += pkts.len();
        failures.extend(differential(&ns, &format!("random-{seed}"), &rules, &pkts));
    }
    assert!(failures.is_empty(), "{} of {total} packets differ:\n{}", failures.len(), failures.join("\n"));
}

const BACK_ADDR: Ipv4Addr = Ipv4Addr::new(198, 18, 1, 2);

const FORWARD: &str = "*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i vfw0 -p udp -j MARK --set-xmark 0x1/0xffffffff
-A POSTROUTING -m mark --mark 0x1 -j MARK --set-xmark 0x3/0xffffffff
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 198.18.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.18.1.2:80
-A POSTROUTING -o vfw1 -p udp -j SNAT --to-source 198.18.1.1
-A POSTROUTING -m mark --mark 0x3 -j ACCEPT
-A POSTROUTING -s 198.18.0.0/24 -o vfw1 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:FWD - [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i vfw+ -o vfw1 -j FWD
-A FWD -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -d 198.18.1.2/32 -j ACCEPT
-A FWD -m mark --mark 0x1 -j ACCEPT
-A FWD -p tcp -m tcp --dport 22 -j DROP
-A FWD -p icmp -j ACCEPT
COMMIT
";

/// A generated filter table and packets for it (deterministic per seed).
fn random_case(seed: u64) -> (String, Vec<Case>) {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut rnd = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let nets = ["198.18.0.0/24", "198.18.0.2/32", "198.18.0.0/31", "198.19.0.0/16", "198.18.0.0/15"];
    let ifaces = ["vfw0", "vfw+", "eth0", "v+"];
    let mut text = String::from(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:U1 - [0:0]\n:U2 - [0:0]\n",
    );
    text = text.replacen(":INPUT ACCEPT", if rnd(2) == 0 { ":INPUT DROP" } else { ":INPUT ACCEPT" }, 1);
    for chain in ["INPUT", "U1", "U2"] {
        for _ in 0..(4 + rnd(6)) {
            let mut r = format!("-A {chain}");
            let neg = |b: bool| if b { "! " } else { "" };
            if rnd(3) == 0 {
                r += &format!(" {}-s {}", neg(rnd(3) == 0), nets[rnd(nets.len() as u64) as usize]);
            }
            if rnd(4) == 0 {
                r += &format!(" {}-i {}", neg(rnd(3) == 0), ifaces[rnd(ifaces.len() as u64) as usize]);
            }
            match rnd(5) {
                0 => {
                    let a = 1000 + rnd(40) as u16;
                    r += &format!(" -p tcp -m tcp {}--dport {a}:{}", neg(rnd(3) == 0), a + rnd(20) as u16);
                }
                1 => r += &format!(" -p udp -m multiport {}--dports 1000,1010:1020,1033", neg(rnd(3) == 0)),
                2 => r += &format!(" {}-p icmp", neg(rnd(4) == 0)),
                3 => r += &format!(" -m iprange {}--src-range 198.18.0.1-198.18.0.{}", neg(rnd(3) == 0), 1 + rnd(3)),
                _ => {}
            }
            if rnd(5) == 0 {
                r += " -m conntrack --ctstate NEW";
            }
            let target = match (chain, rnd(6)) {
                ("INPUT", 0) => "-j U1".to_string(),
                ("INPUT", 1) => "-g U2".to_string(),
                ("U1", 0) => "-j U2".to_string(),
                (_, 2) => "-j DROP".to_string(),
                (_, 3) => "-j RETURN".to_string(),
                (_, 4) => "-j ACCEPT".to_string(),
                _ => String::new(),
            };
            if !target.is_empty() {
                r += &format!(" {target}");
            }
            text += &r;
            text += "\n";
        }
    }
    text += "COMMIT\n";
    let mut pkts = Vec::new();
    for i in 0..12u16 {
        let sport = 42000 + (seed as u16) * 100 + i;
        let p = match rnd(3) {
            0 => Pkt::Tcp { sport, dport: 995 + rnd(70) as u16 },
            1 => Pkt::Udp { sport, dport: [1000, 1015, 1033, 1040][rnd(4) as usize] },
            _ => Pkt::Icmp { ty: [8, 13][rnd(2) as usize], code: 0 },
        };
        pkts.push(local(p));
    }
    (text, pkts)
}
