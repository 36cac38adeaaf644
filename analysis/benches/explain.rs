//! `explain` throughput (packets per second) on a kube-proxy-style ruleset
//! of 40,000 rules: a nat table with KUBE-SERVICES (one rule per service
//! port, `-d CLUSTER-IP/32 -p tcp --dport P`), KUBE-SVC-* chains picking an
//! endpoint with `-m statistic --mode random` (an undecidable match: each
//! packet also gets its alternative verdict), KUBE-SEP-* chains with
//! KUBE-MARK-MASQ and DNAT, KUBE-POSTROUTING with MARK and MASQUERADE, and
//! a filter table with the usual KUBE-FORWARD rules.
//!
//! Packets are the batch mode's: only matched rules in the trace.
//! Run: `cargo bench -p iptlint-analysis --bench explain`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iptlint_analysis::explain::{Explainer, Options, Packet, PacketFields};
use iptlint_parser::{Family, ParseOptions};

/// `services` services with two endpoints each: 8 nat rules per service.
pub fn kube_proxy(services: usize) -> (String, Vec<(String, u16)>) {
    let mut chains = String::new();
    let mut rules = String::new();
    let mut svcs = Vec::new();
    for i in 0..services {
        let ip = format!("10.96.{}.{}", i / 250, i % 250 + 1);
        let port = [80u16, 443, 8080][i % 3];
        let svc = format!("KUBE-SVC-{i:016X}");
        chains.push_str(&format!(":{svc} - [0:0]\n"));
        rules.push_str(&format!(
            "-A KUBE-SERVICES -d {ip}/32 -p tcp -m comment --comment \"ns{}/svc{i}:http cluster IP\" -m tcp --dport {port} -j {svc}\n",
            i % 50
        ));
        rules.push_str(&format!(
            "-A {svc} ! -s 10.244.0.0/16 -d {ip}/32 -p tcp -m comment --comment \"ns/svc{i}:http cluster IP\" -m tcp --dport {port} -j KUBE-MARK-MASQ\n"
        ));
        for (k, last) in [(0, false), (1, true)] {
            let sep = format!("KUBE-SEP-{i:015X}{k}");
            let pod = format!("10.244.{}.{}", (2 * i + k) / 250, (2 * i + k) % 250 + 1);
            chains.push_str(&format!(":{sep} - [0:0]\n"));
            if last {
                rules.push_str(&format!("-A {svc} -m comment --comment \"ns/svc{i}:http -> {pod}:8080\" -j {sep}\n"));
            } else {
                rules.push_str(&format!(
                    "-A {svc} -m comment --comment \"ns/svc{i}:http -> {pod}:8080\" -m statistic --mode random --probability 0.50000000000 -j {sep}\n"
                ));
            }
            rules
                .push_str(&format!("-A {sep} -s {pod}/32 -m comment --comment \"ns/svc{i}:http\" -j KUBE-MARK-MASQ\n"));
            rules.push_str(&format!(
                "-A {sep} -p tcp -m comment --comment \"ns/svc{i}:http\" -m tcp -j DNAT --to-destination {pod}:8080\n"
            ));
        }
        svcs.push((ip, port));
    }
    let text = format!(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n\
         :KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n{chains}\
         -A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n\
         -A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n\
         -A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n\
         -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n\
         -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n\
         -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x4000\n\
         -A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE\n\
         {rules}\
         -A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n\
         COMMIT\n\
         *filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-FORWARD - [0:0]\n\
         -A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n\
         -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n\
         -A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT\n\
         -A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
         COMMIT\n"
    );
    (text, svcs)
}

fn packets(svcs: &[(String, u16)], n: usize) -> Vec<Packet> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (ip, port) = &svcs[(x as usize) % svcs.len()];
            let f = PacketFields {
                proto: Some("tcp".into()),
                src: Some(format!("192.168.{}.{}", (x >> 20) % 256, i % 250 + 1)),
                sport: Some(((x >> 32) % 30000 + 30000).to_string()),
                dst: Some(ip.clone()),
                dport: Some(port.to_string()),
                iface: Some("eth0".into()),
                oface: Some("cni0".into()),
                ..PacketFields::default()
            };
            f.build(Some(Family::V4)).expect("packet")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (text, svcs) = kube_proxy(5000);
    let parsed = iptlint_parser::parse(&text, &ParseOptions { family: Some(Family::V4), table: None });
    let rules: usize = parsed.ruleset.tables.iter().map(|t| t.rules.len()).sum();
    assert!(rules >= 40_000, "{rules} rules");
    let ex = Explainer::new(&parsed.ruleset);
    let pkts = packets(&svcs, 10_000);
    let opts = Options { trace_all: false, alternatives: true };
    // Every packet is DNATed to a pod and forwarded.
    let e = ex.explain(&pkts[0], &opts);
    assert_eq!(e.verdict, "ACCEPT");
    eprintln!("rules evaluated for one packet: {}", e.evaluated);
    assert!(e.rewrites.iter().any(|r| &*r.target == "DNAT"), "{:?}", e.rewrites);
    let mut g = c.benchmark_group("explain");
    g.throughput(Throughput::Elements(pkts.len() as u64));
    g.sample_size(10);
    g.bench_function("kube-proxy-40k", |b| {
        b.iter(|| {
            let mut accepted = 0usize;
            for p in &pkts {
                accepted += usize::from(ex.explain(p, &opts).verdict == "ACCEPT");
            }
            accepted
        })
    });
    let plain = Options { trace_all: false, alternatives: false };
    g.bench_function("kube-proxy-40k-no-alternatives", |b| {
        b.iter(|| pkts.iter().filter(|p| ex.explain(p, &plain).verdict == "ACCEPT").count())
    });
    let all = Options { trace_all: true, alternatives: true };
    g.throughput(Throughput::Elements(100));
    g.bench_function("kube-proxy-40k-trace-all", |b| {
        b.iter(|| pkts[..100].iter().map(|p| ex.explain(p, &all).steps.len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
