//! The iptlint command line as a library: [`run`] takes the arguments
//! (program name first) and returns the process exit code.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O
//! error (2 wins over 1).

mod config;
mod explain;
mod files;
mod fix;
mod render;
mod rule;

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};

use clap::{Args, Parser, Subcommand, ValueEnum};
use iptlint_parser::{Diagnostic, Family, ParseOptions, Severity};

pub use render::{codes_markdown_table, render_gcc, render_human, render_json, summary_line};

/// Exit code: no findings at or above the threshold.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold (or `save` on a file with errors).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: bad usage, unreadable file.
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "iptlint",
    version,
    about = "Linter for Linux iptables rulesets (iptables-save / iptables-restore format)",
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check files, directories (searched for rules.v4, rules.v6, *.rules) or `-` (stdin).
    Check(CheckArgs),
    /// Print the file as iptables-save would print it after loading it.
    Save(SaveArgs),
    /// Show the documentation of a code (`E201` or `unknown-option`), or list all codes.
    Rule(RuleArgs),
    /// Run the language server (LSP over stdin/stdout).
    Lsp,
    /// Follow a packet through the ruleset: every rule met, the verdict and why.
    Explain(Box<explain::ExplainArgs>),
}

#[derive(Args, Debug, Clone, Copy, Default)]
struct FamilyArgs {
    /// Read the files as IPv6 (ip6tables) rulesets.
    #[arg(long = "ipv6", short = '6', conflicts_with = "ipv4")]
    ipv6: bool,
    /// Read the files as IPv4 (iptables) rulesets.
    #[arg(long = "ipv4", short = '4')]
    ipv4: bool,
}

impl FamilyArgs {
    fn forced(self) -> Option<Family> {
        if self.ipv6 {
            Some(Family::V6)
        } else if self.ipv4 {
            Some(Family::V4)
        } else {
            None
        }
    }
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Files or directories to check; `-` reads stdin. Default: the current directory.
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    #[command(flatten)]
    family: FamilyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = Level::Warning, value_name = "SEVERITY")]
    fail_on: Level,
    /// Name to show (and to guess the family from) for stdin.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    stdin_filename: String,
    /// Run only these codes: codes (`L101`), names (`shadowed-rule`) or code
    /// prefixes (`L1`); comma-separated or repeated. Replaces the
    /// configuration file's `select`. Errors always run.
    #[arg(long, value_name = "CODE,…")]
    select: Vec<String>,
    /// Never report these codes (as for --select); added to the
    /// configuration file's `ignore`. Errors cannot be ignored.
    #[arg(long, value_name = "CODE,…")]
    ignore: Vec<String>,
    /// Use this configuration file for every input instead of the
    /// `iptlint.toml` found upward from each file.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<std::path::PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,
    /// Apply the safe fixes to the files, then report what remains.
    #[arg(long)]
    fix: bool,
}

#[derive(Args, Debug)]
struct SaveArgs {
    /// The file (`-` for stdin).
    #[arg(value_name = "FILE")]
    file: String,
    #[command(flatten)]
    family: FamilyArgs,
    /// When to colour the findings printed on stderr.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
}

#[derive(Args, Debug)]
struct RuleArgs {
    /// A code (`E201`) or name (`unknown-option`).
    #[arg(value_name = "CODE|NAME", required_unless_present = "all")]
    key: Option<String>,
    /// List every code as a table.
    #[arg(long, conflicts_with = "key")]
    all: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Gcc,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
    Info,
    Hint,
}

impl Level {
    fn severity(self) -> Severity {
        match self {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
            Level::Hint => Severity::Hint,
        }
    }
}

/// One checked input: its display name, text and findings (sorted by position).
pub struct Checked {
    pub name: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse a text as `family`, or the family guessed from `name` and the text.
fn parse_text(name: Option<&str>, text: &str, family: Option<Family>) -> iptlint_parser::Parsed {
    let family = family.unwrap_or_else(|| iptlint_parser::detect_family(name, text));
    iptlint_parser::parse(text, &ParseOptions { family: Some(family), ..ParseOptions::default() })
}

/// The other family's file of a pair, already parsed: `rules.v6` for
/// `rules.v4` and so on.
pub struct Companion<'a> {
    pub parsed: &'a iptlint_parser::Parsed,
    pub text: &'a str,
}

/// Every finding of one parsed file under `config`, sorted by position.
/// `companion` is the file of the other family when the two form a pair
/// (`X.v4` and `X.v6`).
fn analyse(
    parsed: &iptlint_parser::Parsed,
    text: &str,
    config: &iptlint_analysis::Config,
    companion: Option<&Companion>,
) -> Vec<Diagnostic> {
    let mut diagnostics =
        iptlint_analysis::check_source_with(parsed, text, config, companion.map(|c| (c.parsed, c.text)));
    diagnostics.sort_by(|a, b| (a.span.start, a.span.end, a.code.code).cmp(&(b.span.start, b.span.end, b.code.code)));
    diagnostics
}

/// Parse and check one text with the default configuration (every code).
/// `name` is used to guess the family unless `family` is given.
pub fn check_text(name: Option<&str>, text: String, family: Option<Family>) -> Checked {
    let parsed = parse_text(name, &text, family);
    let diagnostics = analyse(&parsed, &text, &iptlint_analysis::Config::default(), None);
    Checked { name: name.unwrap_or("<stdin>").to_string(), text, diagnostics }
}

/// Run the command line; returns the exit code. Output goes to the
/// process's stdout and stderr.
pub fn run<I: IntoIterator<Item = OsString>>(args: I) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Check(a) => cmd_check(a),
        Command::Save(a) => cmd_save(a),
        Command::Rule(a) => rule::cmd_rule(a.key.as_deref(), a.all),
        Command::Lsp => iptlint_lsp::run_stdio(),
        Command::Explain(a) => explain::cmd_explain(*a),
    }
}

fn io_error(msg: impl std::fmt::Display) {
    eprintln!("iptlint: error: {msg}");
}

/// Read a path or `-` (stdin) as text. Invalid UTF-8 is replaced.
fn read_input(path: &str) -> std::io::Result<String> {
    let bytes = if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        buf
    } else {
        std::fs::read(path)?
    };
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// One input of `check`, read and parsed.
struct Input {
    /// As shown in the output.
    name: String,
    /// The file; `None` for stdin.
    path: Option<std::path::PathBuf>,
    text: String,
    parsed: iptlint_parser::Parsed,
    config: iptlint_analysis::Config,
    /// The other family's file of its pair.
    companion: Option<CompanionRef>,
}

/// Where the companion of an input is.
#[derive(Clone, Copy)]
enum CompanionRef {
    /// Another checked input.
    Input(usize),
    /// A file beside it that is not checked itself.
    Extra(usize),
}

/// A companion file that is read only for the pair analysis.
struct Extra {
    name: String,
    text: String,
    parsed: iptlint_parser::Parsed,
    config: iptlint_analysis::Config,
    /// The checked input it was found beside.
    partner: usize,
}

fn companion<'a>(inputs: &'a [Input], extras: &'a [Extra], r: Option<CompanionRef>) -> Option<Companion<'a>> {
    match r? {
        CompanionRef::Input(j) => Some(Companion { parsed: &inputs[j].parsed, text: &inputs[j].text }),
        CompanionRef::Extra(k) => Some(Companion { parsed: &extras[k].parsed, text: &extras[k].text }),
    }
}

/// The paths `check` reads: files as given, directories searched, `-`.
fn collect_paths(paths: &[String], failed_io: &mut bool) -> Vec<String> {
    let mut inputs: Vec<String> = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(p.clone());
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => match files::find_rules_files(std::path::Path::new(p)) {
                Ok(found) => {
                    if found.is_empty() {
                        eprintln!("iptlint: warning: no rules files (rules.v4, rules.v6, *.rules) under {p}");
                    }
                    inputs.extend(found);
                }
                Err(e) => {
                    io_error(format_args!("{p}: {e}"));
                    *failed_io = true;
                }
            },
            Ok(_) => inputs.push(p.clone()),
            Err(e) => {
                io_error(format_args!("{p}: {e}"));
                *failed_io = true;
            }
        }
    }
    // A file named twice (or also found in a named directory) is checked
    // once: `--fix` must not write it from a stale text.
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|p| p == "-" || seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.into())));
    inputs
}

fn usage_error(msg: impl std::fmt::Display) -> i32 {
    eprintln!("iptlint: error: {msg}");
    EXIT_ERROR
}

fn cmd_check(a: CheckArgs) -> i32 {
    let select = match config::cli_keys(&a.select, false) {
        Ok(k) => k,
        Err(e) => return usage_error(e),
    };
    let ignore = match config::cli_keys(&a.ignore, true) {
        Ok(k) => k,
        Err(e) => return usage_error(e),
    };
    if a.fix && (a.paths.iter().any(|p| p == "-")) {
        return usage_error("--fix cannot write to stdin; give the files to fix");
    }
    let mut resolver =
        config::Resolver::new(config::CliSettings { select, ignore, config: a.config.clone(), no_config: a.no_config });

    let mut failed_io = false;
    let paths = if a.paths.is_empty() { vec![".".to_string()] } else { a.paths.clone() };
    let names = collect_paths(&paths, &mut failed_io);

    // Configuration first: a broken configuration file is a usage error,
    // reported before any checking.
    let mut configs = Vec::with_capacity(names.len());
    let mut bad_config = false;
    for input in &names {
        let path = (input != "-").then(|| std::path::Path::new(input.as_str()));
        match resolver.for_input(path) {
            Ok((c, _)) => configs.push(c),
            Err(e) => {
                eprintln!("iptlint: error: {e}");
                bad_config = true;
                break;
            }
        }
    }
    if bad_config {
        return EXIT_ERROR;
    }

    let mut inputs: Vec<Input> = Vec::new();
    for (input, config) in names.iter().zip(configs) {
        let text = match read_input(input) {
            Ok(t) => t,
            Err(e) => {
                io_error(format_args!("{input}: {e}"));
                failed_io = true;
                continue;
            }
        };
        let name = if input == "-" { a.stdin_filename.as_str() } else { input.as_str() };
        let parsed = parse_text(Some(name), &text, a.family.forced());
        inputs.push(Input {
            name: name.to_string(),
            path: (input != "-").then(|| std::path::PathBuf::from(input)),
            text,
            parsed,
            config,
            companion: None,
        });
    }

    // Pairs: `X.v4` with `X.v6`, checked together or found beside it.
    let mut extras: Vec<Extra> = Vec::new();
    let mut extra_paths: Vec<std::path::PathBuf> = Vec::new();
    for i in 0..inputs.len() {
        let Some(other) = inputs[i].path.as_deref().and_then(files::companion_path) else {
            continue;
        };
        let family = inputs[i].parsed.ruleset.family;
        let other_canon = std::fs::canonicalize(&other).ok();
        let same =
            |p: &std::path::Path| p == other || (other_canon.is_some() && std::fs::canonicalize(p).ok() == other_canon);
        if let Some(j) = inputs.iter().position(|x| x.path.as_deref().is_some_and(same)) {
            if inputs[j].parsed.ruleset.family != family {
                inputs[i].companion = Some(CompanionRef::Input(j));
            }
        } else if let Some(k) = extra_paths.iter().position(|p| same(p)) {
            if extras[k].parsed.ruleset.family != family {
                inputs[i].companion = Some(CompanionRef::Extra(k));
            }
        } else if other.is_file() {
            // Unreadable: the input is analysed alone.
            let Ok(text) = std::fs::read_to_string(&other) else {
                continue;
            };
            let name = other.to_string_lossy().into_owned();
            let parsed = parse_text(Some(&name), &text, None);
            if parsed.ruleset.family == family {
                continue;
            }
            let config = match resolver.for_input(Some(&other)) {
                Ok((c, _)) => c,
                Err(e) => return usage_error(e),
            };
            extras.push(Extra { name, text, parsed, config, partner: i });
            extra_paths.push(other);
            inputs[i].companion = Some(CompanionRef::Extra(extras.len() - 1));
        }
    }

    let mut checked = Vec::with_capacity(inputs.len());
    let mut fix_reports = Vec::new();
    for i in 0..inputs.len() {
        let input = &inputs[i];
        let comp = companion(&inputs, &extras, input.companion);
        let mut diagnostics = analyse(&input.parsed, &input.text, &input.config, comp.as_ref());
        if a.fix {
            if let Some(path) = input.path.clone() {
                let fixed = fix_file(&inputs, &extras, i, diagnostics);
                fix_reports.extend(fixed.report);
                diagnostics = fixed.remaining;
                if let Some((t, p)) = fixed.new {
                    if let Err(e) = fix::write_atomically(&path, &t) {
                        io_error(format_args!("{}: cannot write the fixes: {e}", path.display()));
                        failed_io = true;
                    } else {
                        inputs[i].text = t;
                        inputs[i].parsed = p;
                    }
                }
            }
        }
        checked.push(Checked { name: inputs[i].name.clone(), text: inputs[i].text.clone(), diagnostics });
    }

    // A companion that was not named itself: only the findings that come
    // from comparing it with its partner (`ipv6-gap`) are reported on it.
    for e in &extras {
        let partner = Companion { parsed: &inputs[e.partner].parsed, text: &inputs[e.partner].text };
        let alone = analyse(&e.parsed, &e.text, &e.config, None);
        let paired: Vec<Diagnostic> = analyse(&e.parsed, &e.text, &e.config, Some(&partner))
            .into_iter()
            .filter(|d| !alone.iter().any(|x| x.code.code == d.code.code && x.span == d.span && x.message == d.message))
            .collect();
        if !paired.is_empty() {
            checked.push(Checked { name: e.name.clone(), text: e.text.clone(), diagnostics: paired });
        }
    }

    for r in &fix_reports {
        eprintln!("{r}");
    }

    let stdout = std::io::stdout();
    let color = a.color.enabled(stdout.is_terminal());
    let out = match a.format {
        Format::Human => render_human(&checked, color),
        Format::Json => render_json(&checked),
        Format::Gcc => render_gcc(&checked),
    };
    let mut lock = stdout.lock();
    let _ = lock.write_all(out.as_bytes());
    let _ = lock.flush();

    let code = exit_code(&checked, a.fail_on.severity(), failed_io);
    // The process ends after the output: freeing large models node by node
    // only costs time.
    std::mem::forget(checked);
    std::mem::forget(inputs);
    std::mem::forget(extras);
    code
}

/// Most rounds of fixing one file: a fix can reveal another (a file that
/// loads only after a structure fix gets its lints).
const FIX_ROUNDS: usize = 10;

/// What `--fix` did to one file.
struct Fixed {
    /// Lines for stderr: what was fixed, what could not be.
    report: Vec<String>,
    /// The new text and model, if anything changed.
    new: Option<(String, iptlint_parser::Parsed)>,
    /// The findings of the fixed text.
    remaining: Vec<Diagnostic>,
}

/// The lines (0-based) a span covers.
fn span_lines(idx: &iptlint_parser::LineIndex, span: iptlint_parser::Span) -> std::ops::RangeInclusive<usize> {
    let first = idx.line_of(span.start);
    let last = idx.line_of(span.end.saturating_sub(1).max(span.start));
    first..=last
}

/// The error fixes of a round that did not make their lines load: after
/// the round, the lines their edits wrote hold as many errors as the lines
/// they replaced (with the finding's own line) held before. A guess such as
/// `-m foo` → `-m tos` trades one error for another and is not applied.
fn unhelpful_fixes(
    old_text: &str,
    before: &[Diagnostic],
    candidates: &[Diagnostic],
    pass: &fix::Pass,
    after: &[Diagnostic],
) -> Vec<usize> {
    let old_idx = iptlint_parser::LineIndex::new(old_text);
    let new_idx = iptlint_parser::LineIndex::new(&pass.text);
    let errors_on = |ds: &[Diagnostic], idx: &iptlint_parser::LineIndex, lines: &[usize]| {
        ds.iter().filter(|d| d.severity == Severity::Error && lines.contains(&idx.line_of(d.span.start))).count()
    };
    let mut bad = Vec::new();
    for (k, moved) in &pass.placed {
        let mut old_lines: Vec<usize> = vec![old_idx.line_of(candidates[*k].span.start)];
        let mut new_lines: Vec<usize> = Vec::new();
        for (old, new) in moved {
            old_lines.extend(span_lines(&old_idx, *old));
            new_lines.extend(span_lines(&new_idx, *new));
        }
        if errors_on(after, &new_idx, &new_lines) >= errors_on(before, &old_idx, &old_lines) {
            bad.push(*k);
        }
    }
    bad
}

/// Fix input `i` in rounds until no safe fix is left (or [`FIX_ROUNDS`]).
fn fix_file(inputs: &[Input], extras: &[Extra], i: usize, mut diagnostics: Vec<Diagnostic>) -> Fixed {
    let input = &inputs[i];
    let comp = companion(inputs, extras, input.companion);
    let family = input.parsed.ruleset.family;
    let reparse = |t: &str| {
        let p = parse_text(Some(&input.name), t, Some(family));
        let d = analyse(&p, t, &input.config, comp.as_ref());
        (p, d)
    };
    let errors_of = |ds: &[Diagnostic]| ds.iter().filter(|d| d.severity == Severity::Error).count();
    let safe = |d: &Diagnostic| d.fix.as_ref().is_some_and(|f| f.safe);
    let mut text = input.text.clone();
    let mut parsed: Option<iptlint_parser::Parsed> = None;
    let mut applied: Vec<&'static iptlint_parser::codes::Code> = Vec::new();
    let mut report = Vec::new();
    // Error fixes found not to help: (code, message).
    let mut refused: Vec<(&'static str, String)> = Vec::new();
    for _ in 0..FIX_ROUNDS {
        let is_refused = |d: &Diagnostic| refused.iter().any(|(c, m)| *c == d.code.code && *m == d.message);
        // Load failures first: the lints' fixes are computed on a file that
        // loads (a CRLF header line would misplace an inserted line).
        let errors: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && safe(d) && !is_refused(d))
            .cloned()
            .collect();
        let lint_round = errors.is_empty();
        let candidates: Vec<Diagnostic> = if lint_round {
            diagnostics.iter().filter(|d| d.severity != Severity::Error && safe(d)).cloned().collect()
        } else {
            errors
        };
        let mut pass = fix::apply_safe_fixes(&text, &candidates);
        if pass.applied.is_empty() || pass.text == text {
            break;
        }
        let (mut p, mut after) = reparse(&pass.text);
        if lint_round {
            if errors_of(&after) > errors_of(&diagnostics) {
                // A lint's fix must keep the file loading; drop this round.
                report.push(format!(
                    "iptlint: not fixed: {}: the remaining fixes would make it fail to load (please report this)",
                    input.name
                ));
                break;
            }
        } else {
            let bad = unhelpful_fixes(&text, &diagnostics, &candidates, &pass, &after);
            if !bad.is_empty() {
                let idx = iptlint_parser::LineIndex::new(&text);
                for &k in &bad {
                    let d = &candidates[k];
                    let pos = idx.line_col(&text, d.span.start.min(text.len()));
                    report.push(format!(
                        "iptlint: not fixed: {}:{}:{}: {}/{}: its fix ({}) would not make the line load",
                        input.name,
                        pos.line + 1,
                        pos.col + 1,
                        d.code.code,
                        d.code.name,
                        d.fix.as_ref().map_or("", |f| f.message.as_str())
                    ));
                    refused.push((d.code.code, d.message.clone()));
                }
                let kept: Vec<Diagnostic> =
                    candidates.iter().enumerate().filter(|(k, _)| !bad.contains(k)).map(|(_, d)| d.clone()).collect();
                pass = fix::apply_safe_fixes(&text, &kept);
                if pass.applied.is_empty() || pass.text == text {
                    continue;
                }
                (p, after) = reparse(&pass.text);
            }
        }
        applied.extend(pass.applied);
        text = pass.text;
        diagnostics = after;
        parsed = Some(p);
    }
    if !applied.is_empty() {
        let mut counts: Vec<(&'static iptlint_parser::codes::Code, usize)> = Vec::new();
        for c in &applied {
            match counts.iter_mut().find(|(k, _)| std::ptr::eq(*k, *c)) {
                Some((_, n)) => *n += 1,
                None => counts.push((c, 1)),
            }
        }
        counts.sort_by_key(|(c, _)| c.code);
        let list: Vec<String> = counts.iter().map(|(c, n)| format!("{n} {}/{}", c.code, c.name)).collect();
        report.insert(
            0,
            format!(
                "iptlint: fixed {} finding{} in {}: {}",
                applied.len(),
                if applied.len() == 1 { "" } else { "s" },
                input.name,
                list.join(", ")
            ),
        );
    }
    // A safe fix still offered now overlapped another one in every round.
    let idx = iptlint_parser::LineIndex::new(&text);
    for d in
        diagnostics.iter().filter(|d| safe(d) && !refused.iter().any(|(c, m)| *c == d.code.code && *m == d.message))
    {
        let pos = idx.line_col(&text, d.span.start.min(text.len()));
        report.push(format!(
            "iptlint: not fixed: {}:{}:{}: {}/{}: its fix overlaps another fix",
            input.name,
            pos.line + 1,
            pos.col + 1,
            d.code.code,
            d.code.name
        ));
    }
    Fixed { report, new: parsed.map(|p| (text, p)), remaining: diagnostics }
}

/// 2 if a path could not be read, else 1 if a finding is at or above
/// `threshold` (`Error` is the highest), else 0.
fn exit_code(checked: &[Checked], threshold: Severity, failed_io: bool) -> i32 {
    let failing = checked.iter().flat_map(|c| &c.diagnostics).any(|d| d.severity <= threshold);
    if failed_io {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn cmd_save(a: SaveArgs) -> i32 {
    let text = match read_input(&a.file) {
        Ok(t) => t,
        Err(e) => {
            io_error(format_args!("{}: {e}", a.file));
            return EXIT_ERROR;
        }
    };
    let name = if a.file == "-" { "<stdin>" } else { &a.file };
    let family = a.family.forced().unwrap_or_else(|| iptlint_parser::detect_family(Some(name), &text));
    let parsed = iptlint_parser::parse(&text, &ParseOptions { family: Some(family), ..ParseOptions::default() });
    let mut diagnostics = iptlint_analysis::check(&parsed);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.retain(|d| d.severity == Severity::Error);
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        let checked = Checked { name: name.to_string(), text, diagnostics };
        let color = a.color.enabled(std::io::stderr().is_terminal());
        let _ = std::io::stderr().write_all(render_human(&[checked], color).as_bytes());
        return EXIT_FINDINGS;
    }
    let out = iptlint_parser::save::save(&parsed.ruleset);
    let _ = std::io::stdout().write_all(out.as_bytes());
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    fn with_severities(sevs: &[Severity]) -> Vec<Checked> {
        let code = &iptlint_parser::codes::UNKNOWN_OPTION;
        vec![Checked {
            name: "x.rules".into(),
            text: String::new(),
            diagnostics: sevs
                .iter()
                .map(|&s| {
                    let mut d = Diagnostic::new(code, iptlint_parser::Span::new(0, 0), "m");
                    d.severity = s;
                    d
                })
                .collect(),
        }]
    }

    #[test]
    fn fail_on_thresholds() {
        use Severity::*;
        let info = with_severities(&[Info, Hint]);
        assert_eq!(exit_code(&info, Warning, false), EXIT_OK);
        assert_eq!(exit_code(&info, Error, false), EXIT_OK);
        assert_eq!(exit_code(&info, Info, false), EXIT_FINDINGS);
        assert_eq!(exit_code(&info, Hint, false), EXIT_FINDINGS);
        let hint = with_severities(&[Hint]);
        assert_eq!(exit_code(&hint, Info, false), EXIT_OK);
        assert_eq!(exit_code(&hint, Hint, false), EXIT_FINDINGS);
        let warning = with_severities(&[Warning]);
        assert_eq!(exit_code(&warning, Warning, false), EXIT_FINDINGS);
        assert_eq!(exit_code(&warning, Error, false), EXIT_OK);
        let none = with_severities(&[]);
        assert_eq!(exit_code(&none, Hint, false), EXIT_OK);
        // An unreadable path wins.
        assert_eq!(exit_code(&warning, Warning, true), EXIT_ERROR);
        assert_eq!(exit_code(&none, Warning, true), EXIT_ERROR);
    }

    #[test]
    fn severity_threshold_order() {
        assert!(Severity::Error <= Level::Warning.severity());
        assert!(Severity::Info > Level::Warning.severity());
        assert!(Severity::Hint <= Level::Hint.severity());
    }
}
