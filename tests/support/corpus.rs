//! The ruleset corpus under `tests/corpus/` and the deterministic mutations
//! made from its valid files. Shared by the kernel agreement test and the
//! no-panic test (included with `#[path]`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use iptlint_parser::Family;

/// One ruleset to check.
#[derive(Clone, Debug)]
pub struct Case {
    /// `valid/desktop.v4`, or `valid/desktop.v4~swap-words#1@12` for a
    /// mutant (operator, attempt, line).
    pub name: String,
    pub text: String,
    pub family: Family,
    /// Codes the file's `# expect: E201 …` line names (any of them must be
    /// reported on the offending line).
    pub expect: Vec<String>,
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// `*.v6` files are IPv6 (`ip6tables-restore`), everything else IPv4.
pub fn family_of(path: &Path) -> Family {
    if path.extension().is_some_and(|e| e == "v6") {
        Family::V6
    } else {
        Family::V4
    }
}

/// The ruleset files of one corpus subdirectory, sorted by name.
pub fn load_dir(sub: &str) -> Vec<Case> {
    load_path(&corpus_dir().join(sub), sub)
}

/// The ruleset files (`*.v4`, `*.v6`) of any directory.
pub fn load_path(dir: &Path, sub: &str) -> Vec<Case> {
    let dir = dir.to_path_buf();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "v4" || e == "v6"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{}: corpus files are UTF-8", p.display()));
            let expect = text
                .lines()
                .filter_map(|l| l.strip_prefix("# expect:"))
                .flat_map(|l| l.split_whitespace().map(str::to_string))
                .collect();
            Case {
                name: format!("{sub}/{}", p.file_name().unwrap().to_string_lossy()),
                family: family_of(&p),
                text,
                expect,
            }
        })
        .collect()
}

/// A small deterministic generator (SplitMix64): the same mutants on every
/// run and every machine, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform-enough in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// A stable seed from a name (FNV-1a), so adding a corpus file does not
/// change the mutants of the others.
pub fn seed_of(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The mutation operators, by name.
pub const OPERATORS: &[&str] = &[
    "drop-commit",
    "swap-words",
    "delete-argument",
    "duplicate-option",
    "misspell-target",
    "blank-only-line",
    "crlf-line",
    "commit-trailing-blank",
    "drop-chain-declaration",
    "drop-word",
    "insert-negation",
    "bad-policy",
    "truncate-line",
    "swap-lines",
    "out-of-range-number",
    "lowercase-word",
    "duplicate-line",
    "delete-line",
    "insert-table-header",
    "old-negation",
    "attach-argument",
    "abbreviate-option",
    "change-chain",
    "move-protocol-last",
    "add-interface",
    "quote-word",
    "add-counters",
];

fn split_lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(|l| l.strip_suffix('\n').unwrap_or(l).to_string()).collect()
}

fn join_lines(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

fn is_rule(l: &str) -> bool {
    l.starts_with("-A ") || l.starts_with("-I ") || l.starts_with('[')
}

fn indexes(lines: &[String], f: impl Fn(&str) -> bool) -> Vec<usize> {
    lines.iter().enumerate().filter(|(_, l)| f(l)).map(|(i, _)| i).collect()
}

/// Apply operator `op` once, at places chosen by `rng`. `None` when the
/// file offers no place for it.
pub fn mutate(text: &str, op: &str, rng: &mut Rng) -> Option<(String, usize)> {
    let mut lines = split_lines(text);
    let rules = indexes(&lines, is_rule);
    let line_no;
    match op {
        "drop-commit" => {
            let i = *rng.pick(&indexes(&lines, |l| l == "COMMIT"))?;
            lines.remove(i);
            line_no = i;
        }
        "swap-words" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            if w.len() < 3 {
                return None;
            }
            let k = 1 + rng.below(w.len() - 2);
            w.swap(k, k + 1);
            lines[i] = w.join(" ");
            line_no = i;
        }
        "delete-argument" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            let args: Vec<usize> =
                (1..w.len()).filter(|&k| w[k - 1].starts_with('-') && !w[k].starts_with('-')).collect();
            let k = *rng.pick(&args)?;
            w.remove(k);
            lines[i] = w.join(" ");
            line_no = i;
        }
        "duplicate-option" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            let opts: Vec<usize> = (0..w.len().saturating_sub(1))
                .filter(|&k| {
                    w[k].starts_with('-')
                        && !w[k + 1].starts_with('-')
                        && !matches!(w[k], "-A" | "-I" | "-j" | "-g" | "-m")
                })
                .collect();
            let k = *rng.pick(&opts)?;
            let (o, a) = (w[k], w[k + 1]);
            w.insert(k + 2, a);
            w.insert(k + 2, o);
            lines[i] = w.join(" ");
            line_no = i;
        }
        "misspell-target" => {
            let with_target: Vec<usize> = rules.iter().copied().filter(|&i| lines[i].contains(" -j ")).collect();
            let i = *rng.pick(&with_target)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let k = w.iter().position(|x| x == "-j")? + 1;
            let t = w.get(k)?.clone();
            w[k] = match rng.below(3) {
                0 => format!("{t}S"),
                1 => t.to_lowercase(),
                _ => t[..t.len().saturating_sub(1)].to_string(),
            };
            lines[i] = w.join(" ");
            line_no = i;
        }
        "blank-only-line" => {
            let i = 1 + rng.below(lines.len().max(1));
            let i = i.min(lines.len());
            lines.insert(i, [" ", "\t", "  \t "][rng.below(3)].to_string());
            line_no = i;
        }
        "crlf-line" => {
            let cands = indexes(&lines, |l| !l.is_empty() && !l.starts_with('#'));
            let i = *rng.pick(&cands)?;
            lines[i].push('\r');
            line_no = i;
        }
        "commit-trailing-blank" => {
            let i = *rng.pick(&indexes(&lines, |l| l == "COMMIT"))?;
            lines[i].push(' ');
            line_no = i;
        }
        "drop-chain-declaration" => {
            let decls = indexes(&lines, |l| l.starts_with(':') && l.contains(" - "));
            let i = *rng.pick(&decls)?;
            lines.remove(i);
            line_no = i;
        }
        "drop-word" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            if w.len() < 2 {
                return None;
            }
            w.remove(rng.below(w.len()));
            lines[i] = w.join(" ");
            line_no = i;
        }
        "insert-negation" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            let opts: Vec<usize> = (2..w.len()).filter(|&k| w[k].starts_with('-')).collect();
            let k = *rng.pick(&opts)?;
            w.insert(k, "!");
            lines[i] = w.join(" ");
            line_no = i;
        }
        "bad-policy" => {
            let decls = indexes(&lines, |l| l.starts_with(':') && (l.contains(" ACCEPT") || l.contains(" DROP")));
            let i = *rng.pick(&decls)?;
            let new = ["REJECT", "accept", "RETURN", ""][rng.below(4)];
            lines[i] = lines[i].replacen(" ACCEPT", &format!(" {new}"), 1).replacen(" DROP", &format!(" {new}"), 1);
            line_no = i;
        }
        "truncate-line" => {
            let i = *rng.pick(&rules)?;
            let w: Vec<&str> = lines[i].split(' ').collect();
            if w.len() < 3 {
                return None;
            }
            let keep = 2 + rng.below(w.len() - 2);
            lines[i] = w[..keep].join(" ");
            line_no = i;
        }
        "swap-lines" => {
            let cands = indexes(&lines, |l| !l.is_empty() && !l.starts_with('#'));
            if cands.len() < 2 {
                return None;
            }
            let k = 1 + rng.below(cands.len() - 1);
            lines.swap(cands[k - 1], cands[k]);
            line_no = cands[k - 1];
        }
        "out-of-range-number" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let nums: Vec<usize> = (0..w.len())
                .filter(|&k| {
                    w[k].bytes().any(|b| b.is_ascii_digit())
                        && w[k].bytes().all(|b| b.is_ascii_digit() || b == b'/' || b == b'.')
                })
                .collect();
            let k = *rng.pick(&nums)?;
            w[k] = if let Some((a, _)) = w[k].split_once('/') {
                format!("{a}/{}", [33, 129, 99][rng.below(3)])
            } else if w[k].contains('.') {
                "300.1.2.3".to_string()
            } else {
                ["65536", "99999", "-1"][rng.below(3)].to_string()
            };
            lines[i] = w.join(" ");
            line_no = i;
        }
        "lowercase-word" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let up: Vec<usize> =
                (0..w.len()).filter(|&k| w[k].len() > 1 && w[k].bytes().all(|b| b.is_ascii_uppercase())).collect();
            let k = *rng.pick(&up)?;
            w[k] = w[k].to_lowercase();
            lines[i] = w.join(" ");
            line_no = i;
        }
        "duplicate-line" => {
            let cands = indexes(&lines, |l| !l.is_empty() && !l.starts_with('#'));
            let i = *rng.pick(&cands)?;
            let l = lines[i].clone();
            lines.insert(i + 1, l);
            line_no = i + 1;
        }
        "delete-line" => {
            let cands = indexes(&lines, |l| !l.is_empty() && !l.starts_with('#'));
            let i = *rng.pick(&cands)?;
            lines.remove(i);
            line_no = i;
        }
        "insert-table-header" => {
            let i = 1 + rng.below(lines.len().max(1));
            let i = i.min(lines.len());
            let t = ["*filter", "*nat", "*mangle", "*raw"][rng.below(4)];
            lines.insert(i, t.to_string());
            line_no = i;
        }
        "old-negation" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            let opts: Vec<usize> = (2..w.len().saturating_sub(1))
                .filter(|&k| w[k].starts_with('-') && !w[k + 1].starts_with('-'))
                .collect();
            let k = *rng.pick(&opts)?;
            w.insert(k + 1, "!");
            lines[i] = w.join(" ");
            line_no = i;
        }
        "attach-argument" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let opts: Vec<usize> = (2..w.len().saturating_sub(1))
                .filter(|&k| w[k].starts_with('-') && !w[k + 1].starts_with('-'))
                .collect();
            let k = *rng.pick(&opts)?;
            let arg = w.remove(k + 1);
            w[k] = if w[k].starts_with("--") { format!("{}={arg}", w[k]) } else { format!("{}{arg}", w[k]) };
            lines[i] = w.join(" ");
            line_no = i;
        }
        "abbreviate-option" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let longs: Vec<usize> = (0..w.len()).filter(|&k| w[k].starts_with("--") && w[k].len() > 4).collect();
            let k = *rng.pick(&longs)?;
            let keep = 3 + rng.below(w[k].len() - 3);
            w[k].truncate(keep);
            lines[i] = w.join(" ");
            line_no = i;
        }
        "change-chain" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let k = w.iter().position(|x| x == "-A" || x == "-I")? + 1;
            let names = ["INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING", "nosuch"];
            *w.get_mut(k)? = names[rng.below(names.len())].to_string();
            lines[i] = w.join(" ");
            line_no = i;
        }
        "move-protocol-last" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            let k = w.iter().position(|x| *x == "-p")?;
            if k + 1 >= w.len() {
                return None;
            }
            let p = w.remove(k + 1);
            w.remove(k);
            w.push("-p");
            w.push(p);
            lines[i] = w.join(" ");
            line_no = i;
        }
        "add-interface" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<&str> = lines[i].split(' ').collect();
            if w.len() < 2 {
                return None;
            }
            let (o, a) = [("-i", "eth0"), ("-o", "eth0"), ("-i", "ppp+"), ("! -o", "lo")][rng.below(4)];
            w.insert(2, a);
            w.insert(2, o);
            lines[i] = w.join(" ");
            line_no = i;
        }
        "quote-word" => {
            let i = *rng.pick(&rules)?;
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            let k = rng.below(w.len());
            w[k] = match rng.below(3) {
                0 => format!("\"{}\"", w[k]),
                1 => format!("\"{}", w[k]),
                _ => format!("'{}'", w[k]),
            };
            lines[i] = w.join(" ");
            line_no = i;
        }
        "add-counters" => {
            let i = *rng.pick(&rules)?;
            if lines[i].starts_with('[') {
                return None;
            }
            let c = ["[1:2] ", "[1:2 ", "[x:y] ", "[3] ", "[0:0]"][rng.below(5)];
            lines[i] = format!("{c}{}", lines[i]);
            line_no = i;
        }
        _ => return None,
    }
    Some((join_lines(&lines), line_no + 1))
}

/// Every mutant of one valid case: each operator `per_op` times, at
/// deterministic places, and pairs of operators; mutants equal to the
/// original are dropped.
pub fn mutants(case: &Case, per_op: usize) -> Vec<Case> {
    // Long lists of one kind of line (`# mutants: none`) add time, not cases.
    if case.text.lines().any(|l| l == "# mutants: none") {
        return Vec::new();
    }
    // Each mutant has its own seed, so changing `per_op` or adding an
    // operator leaves the other mutants (and their names) as they were.
    let mut out: Vec<Case> = Vec::new();
    for op in OPERATORS {
        for k in 0..per_op {
            let mut rng = Rng::new(seed_of(&format!("{}/{op}/{k}", case.name)));
            let Some((text, line)) = mutate(&case.text, op, &mut rng) else {
                continue;
            };
            if text == case.text || out.iter().any(|c| c.text == text) {
                continue;
            }
            out.push(Case {
                name: format!("{}~{op}#{k}@{line}", case.name),
                text,
                family: case.family,
                expect: Vec::new(),
            });
        }
    }
    // Pairs of operators, for interactions (a CRLF on a line that also
    // lost its COMMIT, …).
    for k in 0..OPERATORS.len() * per_op / 2 {
        let mut rng = Rng::new(seed_of(&format!("{}/pair/{k}", case.name)));
        let (a, b) = (rng.pick(OPERATORS).unwrap(), rng.pick(OPERATORS).unwrap());
        let Some((t1, l1)) = mutate(&case.text, a, &mut rng) else {
            continue;
        };
        let Some((text, l2)) = mutate(&t1, b, &mut rng) else {
            continue;
        };
        if text == case.text || out.iter().any(|c| c.text == text) {
            continue;
        }
        out.push(Case {
            name: format!("{}~{a}+{b}#{k}@{l1},{l2}", case.name),
            text,
            family: case.family,
            expect: Vec::new(),
        });
    }
    out
}
