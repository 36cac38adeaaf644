//! Directory search for rules files.

use std::path::Path;

/// Is this a file name iptlint checks when searching a directory?
/// `rules.v4`, `rules.v6` (the Debian iptables-persistent names) and `*.rules`.
pub fn is_rules_file_name(name: &str) -> bool {
    name == "rules.v4" || name == "rules.v6" || (name.ends_with(".rules") && name.len() > 6)
}

/// Every rules file under `dir`, recursively, sorted. Hidden entries
/// (`.git`, …) are skipped and symbolic links to directories are not
/// followed.
pub fn find_rules_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if is_rules_file_name(&name) {
            let is_file = if ft.is_symlink() {
                std::fs::metadata(&path).map(|m| m.is_file()).unwrap_or(false)
            } else {
                ft.is_file()
            };
            if is_file {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    Ok(())
}

/// The other family's file of a pair: `X.v6` for `X.v4` (`rules.v4` and
/// `rules.v6`, the iptables-persistent names) and the reverse.
pub fn companion_path(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?.to_str()?;
    let other = if let Some(stem) = name.strip_suffix(".v4") {
        format!("{stem}.v6")
    } else if let Some(stem) = name.strip_suffix(".v6") {
        format!("{stem}.v4")
    } else {
        return None;
    };
    if other.len() <= 3 {
        return None;
    }
    Some(path.with_file_name(other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companions() {
        let c = |p: &str| companion_path(Path::new(p)).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(c("/etc/iptables/rules.v4").as_deref(), Some("/etc/iptables/rules.v6"));
        assert_eq!(c("rules.v6").as_deref(), Some("rules.v4"));
        assert_eq!(c("fw/web.v4").as_deref(), Some("fw/web.v6"));
        assert_eq!(c("web.rules"), None);
        assert_eq!(c(".v4"), None);
    }

    #[test]
    fn names() {
        assert!(is_rules_file_name("rules.v4"));
        assert!(is_rules_file_name("rules.v6"));
        assert!(is_rules_file_name("web.rules"));
        assert!(!is_rules_file_name(".rules"));
        assert!(!is_rules_file_name("rules.v5"));
        assert!(!is_rules_file_name("rules"));
        assert!(!is_rules_file_name("x.rules.bak"));
    }
}
