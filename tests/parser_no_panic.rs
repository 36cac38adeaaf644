//! The parser never panics, whatever the input: every corpus file (valid,
//! invalid, pending) cut at every byte offset, the mutants of the valid
//! ones, and token soups and byte mixes from a fixed seed, go through
//! `iptlint_parser::parse` and the printer, for both families.

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{Case, Rng};
use iptlint_parser::{parse, save, Family, ParseOptions};

fn run(text: &str, family: Family, what: &str) {
    let opts = ParseOptions { family: Some(family), table: None };
    let r = std::panic::catch_unwind(|| {
        let p = parse(text, &opts);
        let _ = save::save(&p.ruleset);
        for d in &p.diagnostics {
            // Every span must be a valid range of the input.
            assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "diagnostic span out of range");
            if let Some(f) = &d.fix {
                for e in &f.edits {
                    assert!(e.span.start <= e.span.end && e.span.end <= text.len());
                }
            }
        }
    });
    if r.is_err() {
        panic!("parser panicked on {what}: {text:?}");
    }
}

fn corpus_files() -> Vec<Case> {
    let mut cases = Vec::new();
    for sub in ["valid", "invalid", "pending/valid", "pending/invalid"] {
        cases.extend(corpus::load_dir(sub));
    }
    cases
}

#[test]
fn mutants_whole() {
    let mutants: Vec<Case> = corpus::load_dir("valid").iter().flat_map(|c| corpus::mutants(c, 4)).collect();
    for c in &mutants {
        run(&c.text, c.family, &c.name);
        let other = match c.family {
            Family::V4 => Family::V6,
            Family::V6 => Family::V4,
        };
        run(&c.text, other, &c.name);
    }
}

#[test]
fn corpus_truncated_at_every_byte() {
    let cases = corpus_files();
    assert!(!cases.is_empty());
    // Quadratic work in debug builds: spread the files over the cores.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let n: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let cases = &cases;
                s.spawn(move || {
                    let mut n = 0;
                    for c in cases.iter().skip(t).step_by(threads) {
                        let bytes = c.text.as_bytes();
                        // Every byte offset of the first 768 bytes; past that
                        // (the big files), every line end and every 16th
                        // byte, which still cuts nearly every line
                        // mid-word.
                        for cut in 0..=bytes.len() {
                            if cut > 768 && cut % 16 != 0 && !matches!(bytes.get(cut), Some(b'\n') | None) {
                                continue;
                            }
                            let text = String::from_utf8_lossy(&bytes[..cut]);
                            run(&text, c.family, &format!("{} cut at {cut}", c.name));
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    eprintln!("parsed {n} truncations of {} files", cases.len());
}

/// Words that steer the parser into its corners.
const TOKENS: &[&str] = &[
    "*filter",
    "*nat",
    "*mangle",
    "*raw",
    "*security",
    "*bogus",
    "*",
    "COMMIT",
    "COMMIT ",
    ":INPUT ACCEPT [0:0]",
    ":X - [0:0]",
    ":",
    ":INPUT",
    "[1:2]",
    "[",
    "]",
    "[:]",
    "-A",
    "-I",
    "-D",
    "-R",
    "-N",
    "-X",
    "-F",
    "-Z",
    "-P",
    "-E",
    "-C",
    "-S",
    "-L",
    "INPUT",
    "X",
    "FORWARD",
    "OUTPUT",
    "PREROUTING",
    "POSTROUTING",
    "-p",
    "tcp",
    "udp",
    "icmp",
    "all",
    "!",
    "! !",
    "-s",
    "-d",
    "10.0.0.0/8",
    "::1",
    "2001:db8::/129",
    "-i",
    "-o",
    "eth+",
    "-j",
    "-g",
    "ACCEPT",
    "DROP",
    "RETURN",
    "LOG",
    "REJECT",
    "-m",
    "tcp",
    "multiport",
    "comment",
    "--comment",
    "\"",
    "\"a b\"",
    "\\",
    "\\\"",
    "--dport",
    "--sport",
    "22",
    "1:2",
    ":",
    "65536",
    "--tcp-flags",
    "SYN,ACK",
    "SYN",
    "--syn",
    "--",
    "-",
    "--=",
    "--dport=",
    "-ptcp",
    "-c",
    "1",
    "2",
    "-f",
    "-4",
    "-6",
    "-w",
    "-t",
    "\r",
    "\t",
    " ",
    "\n",
    "\n",
    "\n",
    "#",
    "é",
    "\u{0}",
    "💥",
];

#[test]
fn token_soup_and_byte_mixes() {
    let mut rng = Rng::new(0x1b7_11e7);
    for i in 0..3000 {
        let mut s = String::new();
        let n = 1 + rng.below(60);
        for _ in 0..n {
            if rng.below(8) == 0 {
                // A raw byte, possibly breaking UTF-8 (made lossy).
                let b = [rng.below(256) as u8];
                s.push_str(&String::from_utf8_lossy(&b));
            } else {
                s.push_str(rng.pick(TOKENS).unwrap());
            }
            if rng.below(3) != 0 {
                s.push(' ');
            }
        }
        let family = if i % 2 == 0 { Family::V4 } else { Family::V6 };
        run(&s, family, &format!("soup #{i}"));
        // The same soup inside a table block.
        let framed = format!("*filter\n-A INPUT {s}\nCOMMIT\n");
        run(&framed, family, &format!("framed soup #{i}"));
    }
}
