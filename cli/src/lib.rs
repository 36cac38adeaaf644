//! The iptlint command line as a library: [`run`] takes the arguments
//! (program name first) and returns the process exit code.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O
//! error (2 wins over 1).

mod explain;
mod files;
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
    /// Follow a packet through the ruleset: every rule met, the verdict and why.
    Explain(explain::ExplainArgs),
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
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
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

/// Parse and check one text. `name` is used to guess the family unless
/// `family` is given.
pub fn check_text(name: Option<&str>, text: String, family: Option<Family>) -> Checked {
    check_text_parsed(name, text, family).0
}

/// [`check_text`], also returning the parsed model.
fn check_text_parsed(
    name: Option<&str>,
    text: String,
    family: Option<Family>,
) -> (Checked, iptlint_parser::Parsed) {
    let family = family.unwrap_or_else(|| iptlint_parser::detect_family(name, &text));
    let parsed = iptlint_parser::parse(
        &text,
        &ParseOptions {
            family: Some(family),
            ..ParseOptions::default()
        },
    );
    let mut diagnostics = iptlint_analysis::check(&parsed);
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code.code).cmp(&(b.span.start, b.span.end, b.code.code))
    });
    (
        Checked {
            name: name.unwrap_or("<stdin>").to_string(),
            text,
            diagnostics,
        },
        parsed,
    )
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
        Command::Explain(a) => explain::cmd_explain(a),
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

fn cmd_check(a: CheckArgs) -> i32 {
    let mut failed_io = false;
    let paths = if a.paths.is_empty() {
        vec![".".to_string()]
    } else {
        a.paths.clone()
    };
    let mut inputs: Vec<String> = Vec::new();
    for p in &paths {
        if p == "-" {
            inputs.push(p.clone());
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => match files::find_rules_files(std::path::Path::new(p)) {
                Ok(found) => {
                    if found.is_empty() {
                        eprintln!(
                            "iptlint: warning: no rules files (rules.v4, rules.v6, *.rules) under {p}"
                        );
                    }
                    inputs.extend(found);
                }
                Err(e) => {
                    io_error(format_args!("{p}: {e}"));
                    failed_io = true;
                }
            },
            Ok(_) => inputs.push(p.clone()),
            Err(e) => {
                io_error(format_args!("{p}: {e}"));
                failed_io = true;
            }
        }
    }

    let mut checked = Vec::new();
    for input in &inputs {
        let text = match read_input(input) {
            Ok(t) => t,
            Err(e) => {
                io_error(format_args!("{input}: {e}"));
                failed_io = true;
                continue;
            }
        };
        let name = if input == "-" {
            a.stdin_filename.as_str()
        } else {
            input.as_str()
        };
        let (c, parsed) = check_text_parsed(Some(name), text, a.family.forced());
        // The process ends after the output: freeing a large model node by
        // node only costs time.
        std::mem::forget(parsed);
        checked.push(c);
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
    std::mem::forget(checked);
    code
}

/// 2 if a path could not be read, else 1 if a finding is at or above
/// `threshold` (`Error` is the highest), else 0.
fn exit_code(checked: &[Checked], threshold: Severity, failed_io: bool) -> i32 {
    let failing = checked
        .iter()
        .flat_map(|c| &c.diagnostics)
        .any(|d| d.severity <= threshold);
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
    let family = a
        .family
        .forced()
        .unwrap_or_else(|| iptlint_parser::detect_family(Some(name), &text));
    let parsed = iptlint_parser::parse(
        &text,
        &ParseOptions {
            family: Some(family),
            ..ParseOptions::default()
        },
    );
    let mut diagnostics = iptlint_analysis::check(&parsed);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.retain(|d| d.severity == Severity::Error);
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        let checked = Checked {
            name: name.to_string(),
            text,
            diagnostics,
        };
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
