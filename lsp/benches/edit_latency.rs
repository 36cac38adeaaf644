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

/// One real edit: rewrite the port of the rule on `line`.
fn edit(line: u32, version: i32) -> TextDocumentContentChangeEvent {
    // `-A CHx -s 10.x.y.z -p tcp -m tcp --dport N …`: replace the whole
    // line prefix up to the port with a new port.
    TextDocumentContentChangeEvent {
        range: Some(Range::new(Position::new(line, 0), Position::new(line + 1, 0))),
        range_length: None,
        text: format!("-A CH1 -s 10.1.0.7 -p tcp -m tcp --dport {} -j ACCEPT\n", 1 + version % 60000),
    }
}

fn bench(c: &mut Criterion) {
    let text = big_ruleset(10_000);
    let lines = text.lines().count() as u32;
    let line = lines / 2;
    let uri: Uri = "file:///bench/rules.v4".parse().unwrap();

    let mut g = c.benchmark_group("lsp_10k_rules");
    g.sample_size(10);
    // What the server itself adds: applying an edit, converting findings.
    g.bench_function("apply_change", |b| {
        let mut t = text.clone();
        let mut v = 0;
        b.iter(|| {
            v += 1;
            iptlint_lsp::convert::apply_changes(&mut t, vec![edit(line, v)], iptlint_lsp::convert::Encoding::Utf16);
        })
    });
    let analysed = iptlint_lsp::analyse("file:///bench/rules.v4", 1, text.clone());
    g.bench_function("diagnostics_to_proto", |b| {
        b.iter(|| {
            black_box(iptlint_lsp::handlers::diagnostics::to_proto(&analysed, iptlint_lsp::convert::Encoding::Utf16))
        })
    });
    // The analysis stages alone.
    g.bench_function("parse_stage", |b| {
        let t = Arc::new(text.clone());
        b.iter(|| black_box(iptlint_lsp::docs::Analysis::parse(uri.clone(), 1, t.clone())))
    });
    g.bench_function("lint_stage", |b| b.iter(|| black_box(analysed.lint())));

    // Through the document actor: edit → model (what requests wait for)
    // and edit → published diagnostics.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let docs = rt.block_on(async { Docs::start(Arc::new(|_r: Report| {})) });
    docs.open(uri.clone(), 0, text.clone());
    rt.block_on(docs.get(&uri, true)).unwrap();
    let mut version = 0;
    g.bench_function("edit_to_model", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                version += 1;
                let start = std::time::Instant::now();
                docs.change(uri.clone(), version, vec![edit(line, version)]);
                let a = rt.block_on(docs.get(&uri, false)).unwrap();
                total += start.elapsed();
                assert_eq!(a.version, version);
                // Let the lints of this version finish (untimed).
                rt.block_on(docs.get(&uri, true)).unwrap();
            }
            total
        })
    });
    g.bench_function("edit_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            docs.change(uri.clone(), version, vec![edit(line, version)]);
            let a = rt.block_on(docs.get(&uri, true)).unwrap();
            assert_eq!(a.version, version);
            black_box(a.diagnostics.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
