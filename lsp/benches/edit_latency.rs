//! Edit-to-diagnostics latency on a 10,000-rule file: one `didChange` of
//! one rule line through the document actor until the analysis of the new
//! version is ready (what the server then publishes), and the analysis
//! alone.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use iptlint_lsp::docs::{Docs, Report};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// A ruleset with `n` rules over a few user chains.
pub fn big_ruleset(n: usize) -> String {
    let mut s = String::from("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for c in 0..10 {
        s.push_str(&format!(":CH{c} - [0:0]\n"));
    }
    s.push_str("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    for c in 0..10 {
        s.push_str(&format!("-A INPUT -s 10.{c}.0.0/16 -j CH{c}\n"));
    }
    for i in 0..n.saturating_sub(11) {
        let c = i % 10;
        let port = 1 + (i % 60000);
        let host = i % 250 + 1;
        let proto = if i % 3 == 0 { "udp" } else { "tcp" };
        s.push_str(&format!(
            "-A CH{c} -s 10.{c}.{}.{host} -p {proto} -m {proto} --dport {port} -m comment --comment \"rule {i} é\" -j ACCEPT\n",
            (i / 250) % 250
        ));
    }
    s.push_str("COMMIT\n");
    s
}

fn bench(c: &mut Criterion) {
    let text = big_ruleset(10_000);
    let lines = text.lines().count() as u32;
    let mut g = c.benchmark_group("lsp_10k_rules");
    g.sample_size(20);
    g.bench_function("analysis", |b| {
        b.iter(|| black_box(iptlint_lsp::analyse("file:///bench/rules.v4", 1, text.clone())))
    });

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let docs = rt.block_on(async { Docs::start(Arc::new(|_r: Report| {})) });
    let uri: Uri = "file:///bench/rules.v4".parse().unwrap();
    docs.open(uri.clone(), 0, text.clone());
    rt.block_on(docs.get(&uri, true)).unwrap();
    let mut version = 0;
    g.bench_function("edit_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            // Rewrite one port on a line in the middle of the file.
            let line = lines / 2;
            let change = TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(line, 0), Position::new(line, 0))),
                range_length: None,
                text: String::new(),
            };
            docs.change(uri.clone(), version, vec![change]);
            let a = rt.block_on(docs.get(&uri, true)).unwrap();
            assert_eq!(a.version, version);
            black_box(a.diagnostics.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
