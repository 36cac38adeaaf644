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
                std::fs::metadata(&path)
                    .map(|m| m.is_file())
                    .unwrap_or(false)
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

#[cfg(test)]
mod tests {
    use super::*;

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
