//! Which codes run and how severe they are: `--select`, `--ignore` and the
//! `iptlint.toml` file found upward from each checked file.
//!
//! ```toml
//! select = ["L1", "missing-policy"]   # codes, names or code prefixes; default: all
//! ignore = ["L106"]                   # never reported; wins over select
//!
//! [severity]
//! shadowed-rule = "info"              # warning, info or hint
//! ```
//!
//! Codes of severity `error` (the file does not load) are always reported
//! and keep their severity: naming one in `ignore` or `[severity]` is an
//! error of the configuration.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use iptlint_analysis::Config;
use iptlint_parser::codes::Code;
use iptlint_parser::Severity;
use serde::Deserialize;

/// The configuration file's name.
pub const FILE_NAME: &str = "iptlint.toml";

/// Does `key` (a code, a name, or a code prefix such as `L1`) name `code`?
/// The same rule as `iptlint_analysis::Config` applies.
pub fn key_matches(code: &Code, key: &str) -> bool {
    code.code.eq_ignore_ascii_case(key)
        || code.name == key
        || (!key.is_empty() && key.len() < code.code.len() && code.code.starts_with(key))
}

/// Every code `key` names.
fn codes_named(key: &str) -> Vec<&'static Code> {
    iptlint_analysis::registry().into_iter().filter(|c| key_matches(c, key)).collect()
}

/// What the select/ignore/severity lists may hold; `Err` says why a key is
/// not accepted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Select,
    Ignore,
    Severity,
}

/// Check a key; returns it as the analysis matches it (codes and code
/// prefixes in capitals: `l1` is `L1`).
fn check_key(key: &str, usage: Use) -> Result<String, String> {
    let upper = key.to_ascii_uppercase();
    let key = if key.bytes().all(|b| b.is_ascii_alphanumeric()) && !codes_named(&upper).is_empty() {
        upper.as_str()
    } else {
        key
    };
    let named = codes_named(key);
    if named.is_empty() {
        return Err(format!("`{key}` is no code, name or code prefix; `iptlint rule --all` lists them"));
    }
    if usage != Use::Select {
        if let Some(e) = named.iter().find(|c| c.severity == Severity::Error) {
            let what = if usage == Use::Ignore { "ignored" } else { "re-graded" };
            return Err(format!(
                "`{key}` names {} ({}), a load failure (severity error): it cannot be {what}",
                e.code, e.name
            ));
        }
    }
    Ok(key.to_string())
}

fn parse_level(value: &str) -> Result<Severity, String> {
    match value {
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        "hint" => Ok(Severity::Hint),
        "error" => Err(
            "severity `error` is reserved for files iptables-restore refuses; use `--fail-on` to fail on lower severities"
                .to_string(),
        ),
        _ => Err(format!(
            "unknown severity `{value}`: use `warning`, `info` or `hint`"
        )),
    }
}

/// Split `--select a,b --select c` into keys, checking each.
pub fn cli_keys(values: &[String], ignore: bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for v in values {
        for k in v.split(',').map(str::trim) {
            if k.is_empty() {
                continue;
            }
            let usage = if ignore { Use::Ignore } else { Use::Select };
            let flag = if ignore { "--ignore" } else { "--select" };
            out.push(check_key(k, usage).map_err(|e| format!("{flag}: {e}"))?);
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    select: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

/// `path:line:column: message` for a byte offset of `text`.
fn located(path: &Path, text: &str, offset: usize, msg: &str) -> String {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    format!("{}:{line}:{column}: {msg}", path.display())
}

/// A configuration file's contents: what it selects, ignores and re-grades.
#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: HashMap<String, Severity>,
}

/// Parse and check a configuration file's text; errors are
/// `path:line:column: message`.
pub fn parse_file(path: &Path, text: &str) -> Result<FileSettings, String> {
    let raw: FileConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        located(path, text, offset, e.message().trim_end())
    })?;
    let err = |span: std::ops::Range<usize>, msg: String| located(path, text, span.start, &msg);
    let mut out = FileSettings::default();
    if let Some(select) = raw.select {
        let mut keys = Vec::new();
        for k in select {
            keys.push(check_key(k.get_ref(), Use::Select).map_err(|m| err(k.span(), m))?);
        }
        out.select = Some(keys);
    }
    for k in raw.ignore {
        out.ignore.push(check_key(k.get_ref(), Use::Ignore).map_err(|m| err(k.span(), m))?);
    }
    for (k, v) in raw.severity {
        let key = check_key(k.get_ref(), Use::Severity).map_err(|m| err(k.span(), m))?;
        let level = parse_level(v.get_ref()).map_err(|m| err(v.span(), m))?;
        out.severity.insert(key, level);
    }
    Ok(out)
}

/// Read and parse a configuration file.
pub fn load_file(path: &Path) -> Result<FileSettings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_file(path, &text)
}

/// The `iptlint.toml` in `dir` or the nearest directory above it.
pub fn find_upward(dir: &Path) -> Option<PathBuf> {
    let mut dir = Some(dir);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// The options of the command line that shape the configuration.
#[derive(Clone, Debug, Default)]
pub struct CliSettings {
    /// `--select`: replaces the file's `select` when given.
    pub select: Vec<String>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<String>,
    /// `--config PATH`: this file for every input, no search.
    pub config: Option<PathBuf>,
    /// `--no-config`: no file at all.
    pub no_config: bool,
}

impl CliSettings {
    fn merge(&self, file: Option<&FileSettings>) -> Config {
        let mut c = Config::default();
        if let Some(f) = file {
            c.select = f.select.clone().unwrap_or_default();
            c.ignore = f.ignore.clone();
            c.severity = f.severity.clone();
        }
        if !self.select.is_empty() {
            c.select = self.select.clone();
        }
        c.ignore.extend(self.ignore.iter().cloned());
        c
    }
}

/// Finds and caches the configuration of each checked file.
pub struct Resolver {
    cli: CliSettings,
    cwd: PathBuf,
    /// Directory → the configuration file that applies there.
    found: HashMap<PathBuf, Option<PathBuf>>,
    /// Configuration file → its merged configuration.
    loaded: HashMap<PathBuf, Config>,
    /// With no file.
    default: Config,
}

impl Resolver {
    pub fn new(cli: CliSettings) -> Self {
        let default = cli.merge(None);
        Resolver {
            cli,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            found: HashMap::new(),
            loaded: HashMap::new(),
            default,
        }
    }

    fn load(&mut self, path: &Path) -> Result<Config, String> {
        if let Some(c) = self.loaded.get(path) {
            return Ok(c.clone());
        }
        let file = load_file(path)?;
        let c = self.cli.merge(Some(&file));
        self.loaded.insert(path.to_path_buf(), c.clone());
        Ok(c)
    }

    /// The configuration for an input: `path` is a checked file, `None`
    /// stdin (searched from the current directory). Returns the
    /// configuration and the file it came from.
    pub fn for_input(&mut self, path: Option<&Path>) -> Result<(Config, Option<PathBuf>), String> {
        if self.cli.no_config {
            return Ok((self.default.clone(), None));
        }
        if let Some(cfg) = self.cli.config.clone() {
            return Ok((self.load(&cfg)?, Some(cfg)));
        }
        let dir = match path {
            Some(p) => {
                let abs = self.cwd.join(p);
                abs.parent().map_or_else(|| self.cwd.clone(), Path::to_path_buf)
            }
            None => self.cwd.clone(),
        };
        let file = match self.found.get(&dir) {
            Some(f) => f.clone(),
            None => {
                let f = find_upward(&dir);
                self.found.insert(dir, f.clone());
                f
            }
        };
        match file {
            Some(f) => Ok((self.load(&f)?, Some(f))),
            None => Ok((self.default.clone(), None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileSettings, String> {
        parse_file(Path::new("iptlint.toml"), text)
    }

    #[test]
    fn full_file() {
        let f = parse(
            "select = [\"L1\", \"missing-policy\"]\nignore = [\"L106\"]\n\n[severity]\nshadowed-rule = \"info\"\nL4 = \"hint\"\n",
        )
        .unwrap();
        assert_eq!(f.select, Some(vec!["L1".into(), "missing-policy".into()]));
        assert_eq!(f.ignore, vec!["L106".to_string()]);
        assert_eq!(f.severity.get("shadowed-rule"), Some(&Severity::Info));
        assert_eq!(f.severity.get("L4"), Some(&Severity::Hint));
        assert!(parse("").unwrap().select.is_none());
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse("select = [\"L1\"]\nignore = [\"nope\"]\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:2:11: `nope` is no code"), "{e}");
        let e = parse("ignore = [\"E201\"]\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:1:11: `E201` names E201 (unknown-option), a load failure"), "{e}");
        let e = parse("ignore = [\"E\"]\n").unwrap_err();
        assert!(e.contains("cannot be ignored"), "{e}");
        let e = parse("[severity]\nshadowed-rule = \"error\"\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:2:17: severity `error` is reserved"), "{e}");
        let e = parse("[severity]\nshadowed-rule = \"loud\"\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:2:17: unknown severity `loud`"), "{e}");
        let e = parse("[severity]\nunknown-option = \"info\"\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:2:1: `unknown-option` names E201"), "{e}");
        let e = parse("selct = []\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:1:1: unknown field `selct`"), "{e}");
        let e = parse("select = \"L1\"\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:1:10: invalid type"), "{e}");
        let e = parse("select = [\n").unwrap_err();
        assert!(e.starts_with("iptlint.toml:"), "{e}");
    }

    #[test]
    fn keys_from_the_command_line() {
        assert_eq!(
            cli_keys(&["L1,missing-policy".into(), "L4".into()], false).unwrap(),
            vec!["L1", "missing-policy", "L4"]
        );
        assert!(cli_keys(&["E201".into()], true).unwrap_err().starts_with("--ignore: `E201` names"));
        assert!(cli_keys(&["zzz".into()], false).unwrap_err().starts_with("--select: `zzz` is no code"));
        // A selected error code is harmless: errors always run.
        assert!(cli_keys(&["E201".into()], false).is_ok());
        // Codes and prefixes in any case.
        assert_eq!(cli_keys(&["l1,l401".into()], false).unwrap(), vec!["L1", "L401"]);
        assert!(cli_keys(&["e2".into()], true).is_err());
    }

    #[test]
    fn merge_cli_over_file() {
        let cli = CliSettings { select: vec!["L4".into()], ignore: vec!["L401".into()], ..CliSettings::default() };
        let file = FileSettings {
            select: Some(vec!["L1".into()]),
            ignore: vec!["L106".into()],
            severity: HashMap::from([("L101".to_string(), Severity::Hint)]),
        };
        let c = cli.merge(Some(&file));
        assert_eq!(c.select, vec!["L4"]);
        assert_eq!(c.ignore, vec!["L106", "L401"]);
        assert_eq!(c.severity.get("L101"), Some(&Severity::Hint));
    }

    #[test]
    fn found_upward() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "ignore = [\"L106\"]\n").unwrap();
        assert_eq!(find_upward(&sub), Some(dir.path().join(FILE_NAME)));
        std::fs::write(sub.join(FILE_NAME), "").unwrap();
        assert_eq!(find_upward(&sub), Some(sub.join(FILE_NAME)));
        let mut r = Resolver::new(CliSettings::default());
        let (c, from) = r.for_input(Some(&dir.path().join("a/x.rules"))).unwrap();
        assert_eq!(c.ignore, vec!["L106"]);
        assert_eq!(from, Some(dir.path().join(FILE_NAME)));
        let mut r = Resolver::new(CliSettings { no_config: true, ..CliSettings::default() });
        assert!(r.for_input(Some(&dir.path().join("a/x.rules"))).unwrap().1.is_none());
    }
}
