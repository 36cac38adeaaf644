//! Parse + check speed on two large generated rulesets, and a comparison
//! with `iptables-restore --test` on the same files.
//!
//! - `target/bench-data/f2b-100k.rules`: a fail2ban-style block list,
//!   100,000 `-A f2b-sshd -s A.B.C.D/32 -j REJECT --reject-with
//!   icmp-port-unreachable` rules.
//! - `target/bench-data/kube-40k.rules`: a kube-proxy-style nat table,
//!   40,000 rules over KUBE-SERVICES / KUBE-SVC-* / KUBE-SEP-* chains with
//!   `-m comment`, `-m statistic --mode random --probability`, `-m tcp` and
//!   `-j DNAT --to-destination`.
//!
//! Criterion times iptlint's parse + check in process. The comparison runs
//! both tools as child processes the same way (the built `iptlint check`
//! binary, and `unshare -n iptables-restore --test`), taking the median
//! wall time of a few runs and each child's peak RSS from `wait4`. A
//! child's peak RSS starts from its parent's at fork, so the children are
//! started by a fresh, small copy of this program (`IPTLINT_BENCH_SPAWN`
//! mode), not by the bench process holding the parsed files.
//!
//! Run: `cargo bench --bench parse`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use iptlint_parser::{Family, ParseOptions};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn octet(&mut self) -> u8 {
        (self.next() % 254 + 1) as u8
    }
    fn hash16(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        (0..16).map(|_| ALPHABET[(self.next() % 32) as usize] as char).collect()
    }
}

fn fail2ban(rules: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut s = String::with_capacity(rules * 80);
    s.push_str("# fail2ban-style block list\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:f2b-sshd - [0:0]\n");
    s.push_str("-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd\n");
    let mut seen = std::collections::HashSet::new();
    while seen.len() < rules {
        let a = [rng.octet(), rng.octet(), rng.octet(), rng.octet()];
        if a[0] == 127 || a[0] >= 224 || !seen.insert(a) {
            continue;
        }
        s.push_str(&format!(
            "-A f2b-sshd -s {}.{}.{}.{}/32 -j REJECT --reject-with icmp-port-unreachable\n",
            a[0], a[1], a[2], a[3]
        ));
    }
    s.push_str("-A f2b-sshd -j RETURN\nCOMMIT\n");
    s
}

/// A kube-proxy nat table: per service one KUBE-SERVICES rule, and per
/// endpoint one KUBE-SVC rule and two KUBE-SEP rules (10 rules for a
/// service with 3 endpoints).
fn kube_proxy(rules: usize) -> String {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let endpoints = 3;
    let services = rules / (1 + 3 * endpoints);
    let mut chains = String::new();
    let mut body = String::with_capacity(rules * 200);
    for svc in 0..services {
        let ns = format!("ns-{}", svc % 97);
        let name = format!("svc-{svc}");
        let port_name = if svc % 3 == 0 { "https" } else { "http" };
        let port = if svc % 3 == 0 { 443 } else { 80 };
        let target_port = 8000 + (svc % 1000) as u16;
        let cluster_ip = format!("10.96.{}.{}", (svc / 250) % 256, svc % 250 + 1);
        let svc_chain = format!("KUBE-SVC-{}", rng.hash16());
        chains.push_str(&format!(":{svc_chain} - [0:0]\n"));
        body.push_str(&format!(
            "-A KUBE-SERVICES -d {cluster_ip}/32 -p tcp -m comment --comment \"{ns}/{name}:{port_name} cluster IP\" -m tcp --dport {port} -j {svc_chain}\n"
        ));
        let mut sep_rules = String::new();
        for ep in 0..endpoints {
            let ip = format!("10.244.{}.{}", rng.octet(), rng.octet());
            let sep_chain = format!("KUBE-SEP-{}", rng.hash16());
            chains.push_str(&format!(":{sep_chain} - [0:0]\n"));
            let comment = format!("{ns}/{name}:{port_name} -> {ip}:{target_port}");
            if ep + 1 < endpoints {
                let p = 1.0 / (endpoints - ep) as f64;
                body.push_str(&format!(
                    "-A {svc_chain} -m comment --comment \"{comment}\" -m statistic --mode random --probability {p:.11} -j {sep_chain}\n"
                ));
            } else {
                body.push_str(&format!("-A {svc_chain} -m comment --comment \"{comment}\" -j {sep_chain}\n"));
            }
            sep_rules.push_str(&format!(
                "-A {sep_chain} -s {ip}/32 -m comment --comment \"{ns}/{name}:{port_name}\" -j KUBE-MARK-MASQ\n\
                 -A {sep_chain} -p tcp -m comment --comment \"{ns}/{name}:{port_name}\" -m tcp -j DNAT --to-destination {ip}:{target_port}\n"
            ));
        }
        body.push_str(&sep_rules);
    }
    format!(
        "# kube-proxy-style nat table\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n\
         :KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n{chains}\
         -A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n\
         -A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n\
         -A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n\
         -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n\
         -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n\
         -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000\n\
         -A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n\
         {body}COMMIT\n"
    )
}

struct Input {
    name: &'static str,
    path: PathBuf,
    text: String,
    rules: usize,
}

fn inputs() -> Vec<Input> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    [("f2b-100k", fail2ban(100_000)), ("kube-40k", kube_proxy(40_000))]
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(format!("{name}.rules"));
            std::fs::write(&path, &text).expect("write bench file");
            let rules = text.lines().filter(|l| l.starts_with("-A ")).count();
            Input { name, path, text, rules }
        })
        .collect()
}

/// One child run: wall time, peak RSS in KiB, exit code, stderr head.
struct ChildRun {
    wall: Duration,
    max_rss_kib: i64,
    code: i32,
}

/// Spawn `cmd` with stdin from `stdin` and collect it with `wait4`, which
/// gives this child's own peak RSS.
fn run_child(cmd: &mut Command, stdin: Option<&Path>) -> std::io::Result<ChildRun> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd.stdin(match stdin {
        Some(p) => Stdio::from(File::open(p)?),
        None => Stdio::null(),
    });
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain libc call on our own child; `rusage` is written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    std::mem::forget(child); // already reaped
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    Ok(ChildRun { wall, max_rss_kib: usage.ru_maxrss, code })
}

/// `IPTLINT_BENCH_SPAWN=STDIN_PATH|- bench PROGRAM ARGS…`: run one child
/// and print `wall_ns max_rss_kib exit_code`.
fn spawn_helper(stdin: String) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cmd = Command::new(&args[0]);
    cmd.args(&args[1..]);
    let stdin = (stdin != "-").then(|| PathBuf::from(stdin));
    match run_child(&mut cmd, stdin.as_deref()) {
        Ok(r) => {
            println!("{} {} {}", r.wall.as_nanos(), r.max_rss_kib, r.code);
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("{}: {e}", args[0]);
            std::process::exit(1)
        }
    }
}

/// Run `program args` through the spawn helper.
fn run_via_helper(program: &str, args: &[&str], stdin: Option<&Path>) -> std::io::Result<ChildRun> {
    let out = Command::new(std::env::current_exe()?)
        .env("IPTLINT_BENCH_SPAWN", stdin.map_or("-".into(), |p| p.display().to_string()))
        .arg(program)
        .args(args)
        .stderr(Stdio::inherit())
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<i64> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    if !out.status.success() || f.len() != 3 {
        return Err(std::io::Error::other(format!("cannot run {program}")));
    }
    Ok(ChildRun { wall: Duration::from_nanos(f[0] as u64), max_rss_kib: f[1], code: f[2] as i32 })
}

/// Median wall time and largest peak RSS over `n` runs.
fn measure(n: usize, program: &str, args: &[&str], stdin: Option<&Path>) -> std::io::Result<(Duration, i64, i32)> {
    let mut walls = Vec::new();
    let mut rss = 0;
    let mut code = 0;
    for _ in 0..n {
        let r = run_via_helper(program, args, stdin)?;
        walls.push(r.wall);
        rss = rss.max(r.max_rss_kib);
        code = r.code;
    }
    walls.sort();
    Ok((walls[walls.len() / 2], rss, code))
}

fn mib(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

fn compare(inputs: &[Input], runs: usize) {
    let iptlint = env!("CARGO_BIN_EXE_iptlint");
    let restore_ok = Command::new("iptables-restore")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let unshare_ok = restore_ok && Command::new("unshare").args(["-n", "true"]).status().is_ok_and(|s| s.success());
    println!("\n== iptlint check vs iptables-restore --test (child processes, median of {runs}) ==");
    for input in inputs {
        let path = input.path.to_str().expect("UTF-8 path");
        let ours = measure(runs, iptlint, &["check", "--format", "gcc", path], None).expect("run iptlint");
        let parsed =
            iptlint_parser::parse(&input.text, &ParseOptions { family: Some(Family::V4), ..Default::default() });
        let findings = iptlint_analysis::check(&parsed);
        println!(
            "{}: {} rules, {:.1} MiB; iptlint: {:.1} ms, peak RSS {:.1} MiB, exit {}, {} findings{}",
            input.name,
            input.rules,
            input.text.len() as f64 / 1048576.0,
            ours.0.as_secs_f64() * 1e3,
            mib(ours.1),
            ours.2,
            findings.len(),
            findings.first().map(|d| format!(" (first: {} {})", d.code.code, d.message)).unwrap_or_default()
        );
        if !restore_ok {
            println!("  iptables-restore: not installed, no comparison");
            continue;
        }
        let (program, args): (&str, &[&str]) = if unshare_ok {
            ("unshare", &["-n", "iptables-restore", "--test"])
        } else {
            println!("  (cannot unshare a network namespace: running iptables-restore --test directly)");
            ("iptables-restore", &["--test"])
        };
        match measure(runs, program, args, Some(&input.path)) {
            Ok((wall, rss, code)) => {
                println!(
                    "  iptables-restore --test: {:.1} ms, peak RSS {:.1} MiB, exit {}{}",
                    wall.as_secs_f64() * 1e3,
                    mib(rss),
                    code,
                    if code != 0 { " (refused the file)" } else { "" }
                );
                println!(
                    "  iptlint is {:.1}x faster; peak memory {:.1} MiB vs {:.1} MiB ({})",
                    wall.as_secs_f64() / ours.0.as_secs_f64(),
                    mib(ours.1),
                    mib(rss),
                    if ours.1 < rss { "lower" } else { "NOT lower" }
                );
            }
            Err(e) => println!("  iptables-restore --test: cannot run: {e}"),
        }
    }
    println!();
}

fn bench(c: &mut Criterion, inputs: &[Input]) {
    let mut g = c.benchmark_group("parse+check");
    g.sample_size(10);
    for input in inputs {
        g.throughput(Throughput::Elements(input.rules as u64));
        g.bench_with_input(BenchmarkId::from_parameter(input.name), input, |b, input| {
            b.iter(|| {
                let parsed = iptlint_parser::parse(
                    &input.text,
                    &ParseOptions { family: Some(Family::V4), ..Default::default() },
                );
                let findings = iptlint_analysis::check(&parsed);
                std::hint::black_box((parsed, findings))
            })
        });
    }
    g.finish();
}

fn main() {
    if let Ok(stdin) = std::env::var("IPTLINT_BENCH_SPAWN") {
        spawn_helper(stdin);
    }
    let inputs = inputs();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then criterion runs each benchmark once: compare with one run only.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    compare(&inputs, if bench_mode { 5 } else { 1 });
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &inputs);
    c.final_summary();
}
