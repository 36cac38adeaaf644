//! Complete shadowing analysis on generated rulesets of 1,000, 10,000 and
//! 100,000 rules: a fail2ban-style block list (one chain of single-address
//! DROP rules), random multi-field rules over user chains, and a
//! kube-proxy-style nat table (thousands of small chains).
//!
//! Before the criterion runs, a summary table prints, for each ruleset, the
//! parse time, the reachability walk alone, the whole `check_source` (every
//! lint), and the time `iptables-restore --test` takes to load the same
//! text in a private network namespace, with the ratio
//! (parse + check) / restore. `cargo bench -p iptlint-analysis -- --summary`
//! prints only the table.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use iptlint_analysis::reach::analyse_table;
use iptlint_analysis::{check_source, Config};
use iptlint_parser::{parse, Family, ParseOptions};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn ip(v: u32) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::from(v)
}

/// `-A f2b -s A.B.C.D/32 -j DROP`, `n` times, behind an ssh jump.
pub fn block_list(n: usize) -> String {
    let mut rng = Rng(0x1234_5678);
    let mut t = String::with_capacity(n * 40);
    t.push_str("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:f2b - [0:0]\n");
    t.push_str("-A INPUT -p tcp -m multiport --dports 22 -j f2b\n");
    for _ in 0..n {
        let _ = writeln!(t, "-A f2b -s {}/32 -j DROP", ip(rng.next() as u32));
    }
    t.push_str("-A f2b -j RETURN\nCOMMIT\n");
    t
}

/// Random rules over several fields, 50 to a user chain, INPUT jumping to
/// each chain by destination network.
pub fn random_rules(n: usize) -> String {
    let mut rng = Rng(0xdead_beef);
    let chains = n.div_ceil(50);
    let mut t = String::with_capacity(n * 80);
    t.push_str("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for c in 0..chains {
        let _ = writeln!(t, ":c{c} - [0:0]");
    }
    t.push_str("-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n");
    for c in 0..chains {
        let _ = writeln!(t, "-A INPUT -d 10.{}.{}.0/24 -j c{c}", c / 256, c % 256);
    }
    let ports = ["22", "80", "443", "53", "1000:2000", "8080", "3306", "5432", "1:1024", "6000:6100"];
    let ifaces = ["eth0", "eth1", "eth+", "wlan0", "br-+"];
    for c in 0..chains {
        for _ in 0..50 {
            let mut r = format!("-A c{c}");
            if rng.below(100) < 60 {
                let len = [8, 16, 24, 32, 28][rng.below(5) as usize];
                let a = (rng.next() as u32) & (u32::MAX << (32 - len));
                let _ = write!(r, "{} -s {}/{len}", if rng.below(10) == 0 { " !" } else { "" }, ip(a));
            }
            if rng.below(100) < 20 {
                let _ = write!(r, " -i {}", ifaces[rng.below(5) as usize]);
            }
            match rng.below(10) {
                0..=5 => {
                    let _ = write!(r, " -p tcp --dport {}", ports[rng.below(10) as usize]);
                }
                6..=7 => {
                    let _ = write!(r, " -p udp --dport {}", ports[rng.below(10) as usize]);
                }
                8 => r.push_str(" -p icmp --icmp-type 8"),
                _ => {}
            }
            if rng.below(100) < 10 {
                r.push_str(" -m conntrack --ctstate NEW");
            }
            let target = ["ACCEPT", "DROP", "RETURN", "LOG"][rng.below(4) as usize];
            let _ = writeln!(t, "{r} -j {target}");
        }
    }
    t.push_str("COMMIT\n");
    t
}

/// kube-proxy's nat table: a service chain per service (cluster IP and
/// port), an endpoint chain per endpoint, random load balancing.
pub fn kube_proxy(services: usize) -> String {
    let mut rng = Rng(0x6b75_6265);
    let mut decl = String::new();
    let mut body = String::new();
    decl.push_str(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n",
    );
    decl.push_str(
        ":KUBE-SERVICES - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n",
    );
    body.push_str("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    body.push_str("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    body.push_str("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
    body.push_str("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
    body.push_str("-A KUBE-POSTROUTING -j MASQUERADE\n");
    body.push_str("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n");
    let mut sep = 0usize;
    for s in 0..services {
        let svc = format!("KUBE-SVC-{s:016X}");
        let _ = writeln!(decl, ":{svc} - [0:0]");
        let cip = ip(0x0a60_0000 + s as u32 + 1);
        let port = [80, 443, 8080, 53, 9090][s % 5];
        let _ = writeln!(
            body,
            "-A KUBE-SERVICES -d {cip}/32 -p tcp -m comment --comment \"ns{}/svc{s}:http cluster IP\" -m tcp --dport {port} -j {svc}",
            s % 17
        );
        let _ = writeln!(
            body,
            "-A {svc} ! -s 10.244.0.0/16 -d {cip}/32 -p tcp -m comment --comment \"ns/svc{s} cluster IP\" -m tcp --dport {port} -j KUBE-MARK-MASQ"
        );
        let eps = 1 + rng.below(3) as usize;
        for e in 0..eps {
            let sep_name = format!("KUBE-SEP-{sep:016X}");
            sep += 1;
            let _ = writeln!(decl, ":{sep_name} - [0:0]");
            let pod = ip(0x0af4_0000 + rng.below(65536) as u32);
            if e + 1 < eps {
                let p = 1.0 / (eps - e) as f64;
                let _ = writeln!(
                    body,
                    "-A {svc} -m comment --comment \"ns/svc{s} -> {pod}:{port}\" -m statistic --mode random --probability {p:.11} -j {sep_name}"
                );
            } else {
                let _ = writeln!(body, "-A {svc} -m comment --comment \"ns/svc{s} -> {pod}:{port}\" -j {sep_name}");
            }
            let _ = writeln!(body, "-A {sep_name} -s {pod}/32 -m comment --comment \"ns/svc{s}\" -j KUBE-MARK-MASQ");
            let _ = writeln!(
                body,
                "-A {sep_name} -p tcp -m comment --comment \"ns/svc{s}\" -m tcp -j DNAT --to-destination {pod}:{port}"
            );
        }
    }
    body.push_str("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
    format!("{decl}{body}COMMIT\n")
}

fn rules_of(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with("-A ")).count()
}

/// CPU time of this thread so far (Linux `schedstat`; zero elsewhere).
fn cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// Median of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

/// `iptables-restore --test` loading the text in a private namespace.
fn restore_test(text: &str) -> Option<Duration> {
    let mut best: Option<Duration> = None;
    for _ in 0..3 {
        let t = Instant::now();
        let mut child = Command::new("unshare")
            .args(["-n", "iptables-restore", "--test"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(text.as_bytes()).ok()?;
        if !child.wait().ok()?.success() {
            return None;
        }
        let d = t.elapsed();
        best = Some(best.map_or(d, |b| b.min(d)));
    }
    best
}

/// The rulesets, by name; only those whose name contains `only`.
fn workloads(only: Option<&str>) -> Vec<(String, String)> {
    let mut v: Vec<(String, Box<dyn Fn() -> String>)> = Vec::new();
    for n in [1_000, 10_000, 100_000] {
        v.push((format!("blocklist/{n}"), Box::new(move || block_list(n))));
    }
    for n in [1_000, 10_000, 100_000] {
        v.push((format!("random/{n}"), Box::new(move || random_rules(n))));
    }
    for s in [300, 3_000] {
        v.push((format!("kube-proxy/{s}svc"), Box::new(move || kube_proxy(s))));
    }
    v.into_iter().filter(|(n, _)| only.is_none_or(|o| n.contains(o))).map(|(n, f)| (n, f())).collect()
}

fn opts() -> ParseOptions {
    ParseOptions { family: Some(Family::V4), table: None }
}

fn summary(only: Option<&str>) {
    println!(
        "{:<22} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}  findings",
        "ruleset", "rules", "parse", "walk", "check", "total", "restore", "ratio"
    );
    for (name, text) in workloads(only) {
        let runs = if text.len() > 2_000_000 { 3 } else { 5 };
        let parsed = parse(&text, &opts());
        let parse_t = time(runs, || parse(&text, &opts()));
        let walk_t = time(runs, || {
            parsed.ruleset.tables.iter().map(|t| analyse_table(t, parsed.ruleset.family)).collect::<Vec<_>>()
        });
        let check_t = time(runs, || check_source(&parsed, &text, &Config::default()));
        let findings = check_source(&parsed, &text, &Config::default());
        let incomplete = findings.iter().any(|d| d.code.code == "L109");
        let total = parse_t + check_t;
        let restore = restore_test(&text);
        let ms = |d: Duration| format!("{:.1}ms", d.as_secs_f64() * 1e3);
        println!(
            "{:<22} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}  {}{}",
            name,
            rules_of(&text),
            ms(parse_t),
            ms(walk_t),
            ms(check_t),
            ms(total),
            restore.map_or("n/a".into(), ms),
            restore.map_or("n/a".into(), |r| format!("{:.2}x", total.as_secs_f64() / r.as_secs_f64())),
            findings.len(),
            if incomplete { " (incomplete)" } else { "" }
        );
    }
}

fn benches(c: &mut Criterion, only: Option<&str>) {
    for (name, text) in workloads(only) {
        let mut g = c.benchmark_group(name.clone());
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(if text.len() > 2_000_000 { 8 } else { 3 }));
        g.warm_up_time(Duration::from_millis(500));
        let parsed = parse(&text, &opts());
        g.bench_function(BenchmarkId::new("parse", ""), |b| b.iter(|| parse(&text, &opts())));
        g.bench_function(BenchmarkId::new("walk", ""), |b| {
            b.iter(|| parsed.ruleset.tables.iter().map(|t| analyse_table(t, parsed.ruleset.family)).collect::<Vec<_>>())
        });
        g.bench_function(BenchmarkId::new("check", ""), |b| {
            b.iter(|| check_source(&parsed, &text, &Config::default()))
        });
        g.finish();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --benches` runs benches with `--test`: build check only.
    if args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let only = args.iter().skip(1).find(|a| !a.starts_with('-')).cloned();
    // `--once NAME`: one parse, one walk and one check, with the CPU time
    // each took (less disturbed by other load than wall time), for
    // profilers and busy machines.
    if args.iter().any(|a| a == "--once") {
        for (name, text) in workloads(only.as_deref()) {
            let c0 = cpu_time();
            let parsed = parse(&text, &opts());
            let c1 = cpu_time();
            let facts: Vec<_> = parsed.ruleset.tables.iter().map(|t| analyse_table(t, parsed.ruleset.family)).collect();
            let c2 = cpu_time();
            let findings = check_source(&parsed, &text, &Config::default());
            let c3 = cpu_time();
            let ms = |a: Duration, b: Duration| format!("{:.1}ms", (b - a).as_secs_f64() * 1e3);
            println!(
                "{name}: cpu parse {}, walk {}, check {} (walk included), {} findings, incomplete: {}",
                ms(c0, c1),
                ms(c1, c2),
                ms(c2, c3),
                findings.len(),
                facts.iter().any(|f| f.incomplete)
            );
            for (t, f) in parsed.ruleset.tables.iter().zip(&facts) {
                if let Some(l) = &f.limit {
                    let line = l.rule.map(|r| parsed.ruleset.line_of(t.rules[r].span.start));
                    println!("  table {}: {:?} in chain {} at line {:?}", t.name, l.kind, l.chain, line);
                }
            }
        }
        return;
    }
    summary(only.as_deref());
    if args.iter().any(|a| a == "--summary") {
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, only.as_deref());
    c.final_summary();
}
