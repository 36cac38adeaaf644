//! The kernel is the ground truth: every file of `tests/corpus/valid` and
//! `tests/corpus/invalid`, and deterministic mutants of the valid ones, is
//! really loaded with `iptables-restore` / `ip6tables-restore` (no `--test`)
//! in a fresh network namespace, and iptlint must agree:
//!
//! * the load fails ⇔ iptlint reports a finding of severity `error`;
//! * when it fails, one of iptlint's errors is on the line iptables blames.
//!   iptables names the line (`Error occurred at line: N`, `line N failed`,
//!   `line N: RULE_APPEND failed`), except that nf_tables errors found at
//!   commit time may name the `COMMIT` line; then the test finds the
//!   offending rule by removing rule lines from the end until the load
//!   passes (see `offending_line`). `COMMIT expected at line N` (N past the end) must be matched by
//!   a missing-commit finding.
//!
//! When a file or mutant loads and iptlint agrees, iptlint's printer must
//! also print it the way `iptables-save` does.
//!
//! A load that fails on a line where iptlint reports a host requirement
//! (a host name resolved by DNS, which the namespace cannot do) depends on
//! the host, not on the file: such mutants are counted as skipped.
//!
//! The second test compares `iptlint_parser::save::save` with what
//! `iptables-save` prints after loading each valid file, and keeps the
//! golden copies in `tests/corpus/saved/` (used by `corpus_offline.rs`)
//! equal to it.
//!
//! Outside CI the tests skip (with the reason) where `unshare` or iptables
//! is missing; in CI (`CI=true`) that is a failure.

mod common;
#[path = "support/corpus.rs"]
mod corpus;

use std::io::Write;
use std::process::{Command, Stdio};

use corpus::Case;
use iptlint_parser::{parse, save, Family, ParseOptions, Severity};

/// How many mutants of each operator per valid file.
const MUTANTS_PER_OPERATOR: usize = 3;

/// What `iptables-restore` made of a file.
#[derive(Debug)]
struct Load {
    ok: bool,
    /// The line its message names.
    line: Option<usize>,
    /// It ran out of input inside a table (`COMMIT expected`).
    commit_expected: bool,
    stderr: String,
    /// Output of the commands run after a successful load.
    stdout: String,
}

/// ipsets the file references (`--match-set`, `--add-set`, `--del-set`,
/// `--map-set`), with the number of dimensions of their first use.
fn ipsets(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        for k in 0..w.len() {
            if matches!(w[k], "--match-set" | "--add-set" | "--del-set" | "--map-set") {
                if let Some(name) = w.get(k + 1) {
                    let dims = w.get(k + 2).map_or(1, |f| f.split(',').count());
                    if !out.iter().any(|(n, _)| n == name) {
                        out.push((name.to_string(), dims));
                    }
                }
            }
        }
    }
    out
}

fn restore_cmd(family: Family) -> &'static str {
    match family {
        Family::V4 => "iptables-restore",
        Family::V6 => "ip6tables-restore",
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Load `text` for real in a new network namespace; `after` runs there
/// when the load succeeds (e.g. `iptables-save`).
fn kernel_load(text: &str, family: Family, after: &str) -> Load {
    let inet = if family == Family::V6 { "inet6" } else { "inet" };
    let mut script = String::new();
    for (name, dims) in ipsets(text) {
        let ty = match dims {
            1 => "hash:net",
            2 => "hash:net,net",
            _ => "hash:net,port,net",
        };
        script.push_str(&format!("ipset create {} {ty} family {inet} 2>/dev/null\n", shell_quote(&name)));
    }
    script.push_str(restore_cmd(family));
    // `-L`/`-S` lines print listings: keep them out of `after`'s output.
    script.push_str(" >/dev/null || exit 111\n");
    script.push_str(after);
    let mut child = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn unshare");
    child.stdin.take().unwrap().write_all(text.as_bytes()).expect("write to iptables-restore");
    let out = child.wait_with_output().expect("wait for unshare");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let failed = out.status.code() == Some(111);
    assert!(failed || out.status.success(), "namespace commands failed ({:?}): {stderr}", out.status);
    Load {
        ok: !failed,
        line: if failed { blamed_line(&stderr) } else { None },
        commit_expected: stderr.contains("COMMIT expected"),
        stderr,
        stdout,
    }
}

/// iptables-restore counts the lines it reads with `fgets` into 10240
/// bytes: a longer line counts as several. Its line `n` → the file's line.
fn physical_line(text: &str, n: usize) -> usize {
    let mut counted = 0;
    for (i, line) in text.split('\n').enumerate() {
        counted += 1 + line.len() / 10239;
        if counted >= n {
            return i + 1;
        }
    }
    n
}

/// The first line number in iptables-restore's messages.
fn blamed_line(stderr: &str) -> Option<usize> {
    for (i, _) in stderr.match_indices("line") {
        let rest = stderr[i + 4..].trim_start_matches([':', ' ']);
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(n) = digits.parse() {
            return Some(n);
        }
    }
    None
}

/// The line iptables blames. When its message names the `COMMIT` line (an
/// error nf_tables finds only when the batch is committed), remove rule
/// lines from the end, keeping the line numbering, until the load passes:
/// the last line removed is the first one the kernel refuses. Done as a
/// binary search over "the file up to rule line k fails", which holds from
/// the offending line on (later lines cannot undo an error).
fn offending_line(case: &Case, load: &Load) -> Option<usize> {
    let all: Vec<&str> = case.text.split('\n').collect();
    let named = physical_line(&case.text, load.line?);
    let named_text = all.get(named - 1).map(|l| l.trim_end_matches('\r'));
    if named_text.is_some_and(|l| l != "COMMIT") {
        return Some(named);
    }
    // iptables stopped at that COMMIT: what follows does not matter (and
    // may hold other errors).
    let lines = &all[..named.min(all.len())];
    let rule_lines: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            // Rule lines: whatever is not empty, a comment, a table or
            // chain line, or COMMIT (`"-A" X …` is a rule line too).
            *i < named
                && !l.trim_matches([' ', '\t', '\r']).is_empty()
                && !l.starts_with(['#', ':', '*'])
                && l.trim_end_matches('\r') != "COMMIT"
        })
        .map(|(i, _)| i)
        .collect();
    // The file with rule lines after `rule_lines[k]` blanked.
    let fails_up_to = |k: usize| -> bool {
        let cut = rule_lines[k];
        let text = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i > cut && i < named && rule_lines.contains(&i) { "" } else { *l })
            .collect::<Vec<_>>()
            .join("\n");
        !kernel_load(&text, case.family, "").ok
    };
    if rule_lines.is_empty() {
        return Some(named);
    }
    // Without any rule line, does it load? If not, the COMMIT line is it.
    let none = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if rule_lines.contains(&i) { "" } else { *l })
        .collect::<Vec<_>>()
        .join("\n");
    if !kernel_load(&none, case.family, "").ok {
        return Some(named);
    }
    let (mut lo, mut hi) = (0, rule_lines.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails_up_to(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(rule_lines[lo] + 1)
}

/// iptlint's view of a file.
struct Lint {
    /// (first line, last line, code, message) of each error.
    errors: Vec<(usize, usize, &'static str, String)>,
    /// Lines with a host-requirement finding.
    host_lines: Vec<usize>,
    all: String,
    ruleset: iptlint_parser::Ruleset,
}

fn lint(case: &Case) -> Result<Lint, String> {
    let family = case.family;
    let text = case.text.clone();
    let parsed = std::panic::catch_unwind(move || parse(&text, &ParseOptions { family: Some(family), table: None }))
        .map_err(|_| "iptlint panicked".to_string())?;
    let rs = &parsed.ruleset;
    let mut lint = Lint { errors: Vec::new(), host_lines: Vec::new(), all: String::new(), ruleset: rs.clone() };
    for d in &parsed.diagnostics {
        let from = rs.line_of(d.span.start);
        let to = rs.line_of(d.span.end.saturating_sub(1).max(d.span.start));
        lint.all.push_str(&format!(
            "    {}:{from} {} {}\n      | {}\n",
            d.severity.as_str(),
            d.code.code,
            d.message,
            case.text.lines().nth(from - 1).unwrap_or("").escape_debug()
        ));
        match d.severity {
            Severity::Error => lint.errors.push((from, to, d.code.code, d.message.clone())),
            _ if d.code.code == "I401" => lint.host_lines.extend(from..=to),
            _ => {}
        }
    }
    Ok(lint)
}

enum Verdict {
    Agree,
    Skip(String),
    Disagree(String),
}

fn judge(case: &Case) -> Verdict {
    let lint = match lint(case) {
        Ok(l) => l,
        Err(e) => return Verdict::Disagree(e),
    };
    if lint.ruleset.format == iptlint_parser::model::Format::ListRules {
        // No table header, no COMMIT, `-P` lines: iptlint reads it as
        // `iptables -S` output, which iptables-restore does not take.
        return Verdict::Skip("iptlint reads it as `iptables -S` output".into());
    }
    let save_cmd = match case.family {
        Family::V4 => "iptables-save",
        Family::V6 => "ip6tables-save",
    };
    let load = kernel_load(&case.text, case.family, save_cmd);
    let report = |what: String, load: &Load| {
        Verdict::Disagree(format!(
            "{what}\n  iptables-restore: {}\n  iptlint:\n{}",
            if load.ok { "loaded".to_string() } else { load.stderr.trim().replace('\n', "\n    ") },
            lint.all
        ))
    };
    if load.ok {
        if lint.errors.is_empty() {
            // It loads and iptlint agrees: it must also print it the way
            // iptables-save does.
            let want = normalise_save(&load.stdout);
            let got = normalise_save(&save::save(&lint.ruleset));
            if got != want {
                return Verdict::Disagree(format!(
                    "iptlint's save differs from iptables-save:\n{}",
                    diff_lines(&want, &got).join("\n")
                ));
            }
            return Verdict::Agree;
        }
        return report("iptlint reports an error, but the file loads".into(), &load);
    }
    if lint.errors.is_empty() {
        if let Some(line) = offending_line(case, &load) {
            if lint.host_lines.contains(&line) {
                return Verdict::Skip(format!("line {line} needs the host (DNS, interfaces)"));
            }
        }
        return report("the load fails, but iptlint reports no error".into(), &load);
    }
    if load.commit_expected {
        if lint.errors.iter().any(|e| e.2 == "E106") {
            return Verdict::Agree;
        }
        return report("iptables wants a COMMIT; iptlint reports no missing-commit".into(), &load);
    }
    let Some(line) = offending_line(case, &load) else {
        // Failed without naming a line: any error will do.
        return Verdict::Agree;
    };
    let report = |what: String, load: &Load| {
        report(format!("{what}\n  line {line}: {}", case.text.lines().nth(line - 1).unwrap_or("").escape_debug()), load)
    };
    let on_line: Vec<&(usize, usize, &str, String)> =
        lint.errors.iter().filter(|e| e.0 <= line && line <= e.1).collect();
    if on_line.is_empty() {
        if lint.host_lines.contains(&line) {
            return Verdict::Skip(format!("line {line} needs the host (DNS, interfaces)"));
        }
        return report(format!("iptables blames line {line}; iptlint reports no error there"), &load);
    }
    if !case.expect.is_empty() && !on_line.iter().any(|e| case.expect.iter().any(|c| c == e.2)) {
        return report(
            format!(
                "line {line}: the file expects {}, iptlint reports {}",
                case.expect.join("/"),
                on_line.iter().map(|e| e.2).collect::<Vec<_>>().join("/")
            ),
            &load,
        );
    }
    Verdict::Agree
}

/// `tests/corpus/known-disagreements.txt`: (case name, reason).
fn known_disagreements() -> Vec<(String, String)> {
    let path = corpus::corpus_dir().join("known-disagreements.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (n, why) = l.split_once(' ').unwrap_or((l, ""));
            (n.to_string(), why.trim().to_string())
        })
        .collect()
}

fn kernel_ready() -> bool {
    match common::kernel_available() {
        Ok(()) => true,
        Err(reason) => {
            common::skip_or_fail(&reason);
            false
        }
    }
}

/// Judge every case, on a few threads (each case is a handful of short
/// processes); print disagreements and totals; return how many disagree.
fn run_cases(title: &str, cases: &[Case], must: Option<bool>) -> usize {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let results: Vec<(String, Verdict)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    cases
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|c| {
                            let mut v = judge(c);
                            if let (Verdict::Agree, Some(should_load)) = (&v, must) {
                                let loads = kernel_load(&c.text, c.family, "").ok;
                                if loads != should_load {
                                    v = Verdict::Disagree(format!(
                                        "corpus file is misfiled: it {} load",
                                        if loads { "does" } else { "does not" }
                                    ));
                                }
                            }
                            (c.name.clone(), v)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let known = known_disagreements();
    let mut bad = Vec::new();
    let (mut agree, mut skipped, mut listed) = (0, 0, 0);
    for (name, v) in &results {
        if let Some(why) = known.iter().find(|(n, _)| n == name).map(|(_, w)| w) {
            match v {
                Verdict::Disagree(_) => {
                    listed += 1;
                    eprintln!("known disagreement {name}: {why}");
                }
                _ => bad
                    .push(format!("{name}: listed in tests/corpus/known-disagreements.txt but agrees now; remove it")),
            }
            continue;
        }
        match v {
            Verdict::Agree => agree += 1,
            Verdict::Skip(why) => {
                skipped += 1;
                eprintln!("skipped {name}: {why}");
            }
            Verdict::Disagree(why) => bad.push(format!("{name}: {why}")),
        }
    }
    // Listed cases of this kind (mutant or file) that no longer exist.
    let mutant_run = cases.iter().any(|c| c.name.contains('~'));
    for (name, _) in &known {
        if name.contains('~') == mutant_run && !results.iter().any(|(n, _)| n == name) {
            bad.push(format!("{name}: listed in tests/corpus/known-disagreements.txt but no such case exists"));
        }
    }
    for b in &bad {
        eprintln!("DISAGREE {b}\n");
    }
    eprintln!(
        "{title}: {} cases, {agree} agree, {skipped} skipped (host-dependent), {listed} known disagreements, {} disagree",
        results.len(),
        bad.len()
    );
    bad.len()
}

#[test]
fn corpus_agrees_with_kernel() {
    if !kernel_ready() {
        return;
    }
    let mut valid = corpus::load_dir("valid");
    let mut invalid = corpus::load_dir("invalid");
    assert!(valid.len() >= 5 && invalid.len() >= 20, "corpus is missing");
    // `IPTLINT_CORPUS_PENDING=1`: also the files waiting for modules, to
    // see how far they are (tests/corpus/pending/README.md).
    if std::env::var_os("IPTLINT_CORPUS_PENDING").is_some() {
        valid.extend(corpus::load_dir("pending/valid"));
        invalid.extend(corpus::load_dir("pending/invalid"));
    }
    for c in &invalid {
        assert!(!c.expect.is_empty(), "{}: no `# expect:` line", c.name);
    }
    let bad = run_cases("valid corpus", &valid, Some(true)) + run_cases("invalid corpus", &invalid, Some(false));
    assert_eq!(bad, 0, "corpus files on which iptlint and the kernel disagree");
}

/// `IPTLINT_CORPUS_EXTRA=DIR`: judge the files of another directory too
/// (for trying out cases before adding them to the corpus).
#[test]
fn extra_files_agree_with_kernel() {
    let Some(dir) = std::env::var_os("IPTLINT_CORPUS_EXTRA") else {
        return;
    };
    if !kernel_ready() {
        return;
    }
    let cases = corpus::load_path(std::path::Path::new(&dir), "extra");
    let bad = run_cases("extra", &cases, None);
    assert_eq!(bad, 0, "extra files on which iptlint and the kernel disagree");
}

#[test]
fn mutants_agree_with_kernel() {
    if !kernel_ready() {
        return;
    }
    let mut cases: Vec<Case> =
        corpus::load_dir("valid").iter().flat_map(|c| corpus::mutants(c, MUTANTS_PER_OPERATOR)).collect();
    assert!(cases.len() > 100, "too few mutants: {}", cases.len());
    // `IPTLINT_MUTATE_INVALID=1`: mutants of the invalid files too (slower;
    // for hunting, not for every run).
    if std::env::var_os("IPTLINT_MUTATE_INVALID").is_some() {
        cases.extend(corpus::load_dir("invalid").iter().flat_map(|c| corpus::mutants(c, 2)));
    }
    let bad = run_cases("mutants", &cases, None);
    assert_eq!(bad, 0, "mutants on which iptlint and the kernel disagree");
}

/// What iptables-save prints, minus what differs between runs or is not
/// part of the ruleset: the `#` header and footer lines, and chain counters
/// (always `[0:0]` after a restore without `-c`, but iptlint prints the
/// file's model, not live counters). Nothing is reordered: iptables-save's
/// order is deterministic (tables in the fixed order mangle, security, raw,
/// filter, nat; built-in chains in hook order; user chains sorted by name;
/// rules grouped by chain in that order), so the printer must match it.
fn normalise_save(text: &str) -> String {
    let mut out = String::new();
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let l = if l.starts_with(':') {
            match l.rfind(" [") {
                Some(i) => format!("{} [0:0]", &l[..i]),
                None => l.to_string(),
            }
        } else {
            l.to_string()
        };
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[test]
fn save_agrees_with_iptables_save() {
    if !kernel_ready() {
        return;
    }
    let mut bad = Vec::new();
    let valid = corpus::load_dir("valid");
    for c in &valid {
        let save_cmd = if c.family == Family::V6 { "ip6tables-save" } else { "iptables-save" };
        let load = kernel_load(&c.text, c.family, save_cmd);
        assert!(load.ok, "{}: does not load: {}", c.name, load.stderr);
        let want = normalise_save(&load.stdout);
        let parsed = parse(&c.text, &ParseOptions { family: Some(c.family), table: None });
        let got = normalise_save(&save::save(&parsed.ruleset));
        // The golden copy for tests/corpus_offline.rs must be what the
        // kernel prints (`IPTLINT_BLESS=1` rewrites it).
        let golden = corpus::corpus_dir().join("saved").join(c.name.trim_start_matches("valid/"));
        if std::env::var_os("IPTLINT_BLESS").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &want).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(want.as_str()) {
            bad.push(format!(
                "{}: {} is missing or differs from iptables-save (rerun with IPTLINT_BLESS=1)",
                c.name,
                golden.display()
            ));
        }
        if got != want {
            let diff: Vec<String> = diff_lines(&want, &got);
            bad.push(format!("{}:\n{}", c.name, diff.join("\n")));
        }
    }
    for b in &bad {
        eprintln!("SAVE DIFFERS {b}\n");
    }
    eprintln!("save agreement: {} files, {} differ", valid.len(), bad.len());
    assert!(bad.is_empty(), "{} files print differently", bad.len());
}

/// A small line diff for the failure message: lines only in one side.
fn diff_lines(want: &str, got: &str) -> Vec<String> {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut out = Vec::new();
    for (i, l) in w.iter().enumerate() {
        if g.get(i) != Some(l) {
            out.push(format!("  line {}: iptables-save `{l}`", i + 1));
            out.push(format!("  line {}: iptlint       `{}`", i + 1, g.get(i).unwrap_or(&"<none>")));
            break;
        }
    }
    for l in &w {
        if !g.contains(l) {
            out.push(format!("  only iptables-save: {l}"));
        }
    }
    for l in &g {
        if !w.contains(l) {
            out.push(format!("  only iptlint:       {l}"));
        }
    }
    out
}

/// `value::parse_portrc` against the kernel: each word as `-p udp --dport
/// WORD` (udp's ports are `XTTYPE_PORTRC`) must load exactly when the
/// parser accepts it, and save as the value it computes.
#[test]
fn portrc_agrees_with_kernel() {
    if !kernel_ready() {
        return;
    }
    let cx = iptlint_parser::ext::ArgCx { family: Family::V4, proto: Some(17) };
    let words = [
        "22",
        "+5",
        "010",
        "0x10",
        "65535",
        "65536",
        "70000",
        "4294967296",
        "99999999999999999999999",
        "80:22",
        "70000:1",
        ":1024",
        "1024:",
        "domain",
        "ssh:http",
        "nosuch",
        "1:2:3",
    ];
    let mut bad = Vec::new();
    for w in words {
        let text = format!("*filter\n-A INPUT -p udp --dport {w} -j ACCEPT\nCOMMIT\n");
        let load = kernel_load(&text, Family::V4, "iptables-save");
        let ours = iptlint_parser::ext::value::parse_portrc(w, &cx);
        match (&ours, load.ok) {
            (Ok(v), true) => {
                let want = load
                    .stdout
                    .lines()
                    .find(|l| l.starts_with("-A INPUT"))
                    .and_then(|l| l.split("--dport ").nth(1))
                    .and_then(|r| r.split(' ').next())
                    .unwrap_or("")
                    .to_string();
                if v.to_string() != want {
                    bad.push(format!("`{w}`: kernel saves {want}, parse_portrc gives {v}"));
                }
            }
            (Err(_), false) => {}
            (Ok(v), false) => bad.push(format!("`{w}`: kernel refuses, parse_portrc gives {v}")),
            (Err(e), true) => bad.push(format!("`{w}`: kernel loads, parse_portrc: {e}")),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
