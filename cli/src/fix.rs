//! `check --fix`: apply the safe fixes of the findings, and write the file
//! back atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use iptlint_parser::{Diagnostic, Edit, Span};

/// One pass: which fixes were applied, which were left out because their
/// edits overlap a fix chosen before them.
#[derive(Debug, Default)]
pub struct Pass {
    pub text: String,
    /// The codes of the findings whose fixes were applied.
    pub applied: Vec<&'static iptlint_parser::codes::Code>,
    /// For each applied fix: the index of its finding, and where its edits
    /// were (old text) and are (new text).
    pub placed: Vec<(usize, Vec<(Span, Span)>)>,
    /// Findings whose fix overlaps another fix.
    pub skipped: Vec<Diagnostic>,
}

/// Do two edits touch the same text? Adjacent ranges do not; two
/// insertions at one place do not either (they are applied in order).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a0, a1, b0, b1) = (a.span.start, a.span.end, b.span.start, b.span.end);
    if a0 == a1 || b0 == b1 {
        // An insertion overlaps a replacement that strictly contains its point.
        let (p, s, e) = if a0 == a1 { (a0, b0, b1) } else { (b0, a0, a1) };
        return s < p && p < e;
    }
    a0 < b1 && b0 < a1
}

/// Apply the safe fixes of `diagnostics` to `text`. A fix is applied whole
/// or not at all; one whose edits overlap an edit already chosen is
/// skipped, except when its edits are the very same (two findings asking
/// for one change, e.g. a duplicate rule that is also redundant).
pub fn apply_safe_fixes(text: &str, diagnostics: &[Diagnostic]) -> Pass {
    let mut chosen: Vec<Edit> = Vec::new();
    let mut pass = Pass::default();
    let mut owners: Vec<usize> = Vec::new();
    for (di, d) in diagnostics.iter().enumerate() {
        let Some(fix) = d.fix.as_ref().filter(|f| f.safe && !f.edits.is_empty()) else {
            continue;
        };
        let bad = fix.edits.iter().any(|e| {
            e.span.start > e.span.end
                || e.span.end > text.len()
                || !text.is_char_boundary(e.span.start)
                || !text.is_char_boundary(e.span.end)
        });
        if bad {
            pass.skipped.push(d.clone());
            continue;
        }
        if fix.edits.iter().all(|e| chosen.contains(e)) {
            pass.applied.push(d.code);
            owners.push(di);
            continue;
        }
        if fix.edits.iter().any(|e| chosen.iter().any(|c| overlaps(c, e)) || chosen.contains(e)) {
            pass.skipped.push(d.clone());
            continue;
        }
        chosen.extend(fix.edits.iter().cloned());
        pass.applied.push(d.code);
        owners.push(di);
    }
    // Where each edit lands: its start moves by what the edits before it
    // (in text order; insertions at one place in the order chosen) add.
    let mut by_pos: Vec<usize> = (0..chosen.len()).collect();
    by_pos.sort_by_key(|&i| (chosen[i].span.start, i));
    let mut new_span = vec![Span::new(0, 0); chosen.len()];
    let mut delta: isize = 0;
    for &i in &by_pos {
        let e = &chosen[i];
        let start = (e.span.start as isize + delta) as usize;
        new_span[i] = Span::new(start, start + e.content.len());
        delta += e.content.len() as isize - (e.span.end - e.span.start) as isize;
    }
    for &di in &owners {
        let edits = &diagnostics[di].fix.as_ref().expect("applied fixes exist").edits;
        let moved = edits
            .iter()
            .map(|e| {
                let i = chosen.iter().position(|c| c == e).expect("chosen edit");
                (e.span, new_span[i])
            })
            .collect();
        pass.placed.push((di, moved));
    }
    // Apply from the end so earlier offsets stay valid; insertions at one
    // place keep the order in which they were chosen.
    let mut order: Vec<usize> = (0..chosen.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(chosen[i].span.start), std::cmp::Reverse(i)));
    let mut out = text.to_string();
    for i in order {
        let e = &chosen[i];
        out.replace_range(e.span.start..e.span.end, &e.content);
    }
    pass.text = out;
    pass
}

/// Replace the file at `path` by `contents` atomically: a temporary file in
/// the same directory, with the original's permissions (and owner, where
/// allowed), renamed over it. A symbolic link is followed: its target is
/// replaced, the link stays.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let target: PathBuf = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = None;
    for i in 0..100 {
        let candidate = dir.join(format!(".{name}.iptlint-fix.{}.{i}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&candidate) {
            Ok(f) => {
                tmp = Some((candidate, f));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    let (tmp_path, mut file) =
        tmp.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free temporary file name"))?;
    let result = (|| {
        file.write_all(contents.as_bytes())?;
        file.set_permissions(meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; elsewhere the owner is ours.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp_path, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{codes, Span};

    fn fix(start: usize, end: usize, content: &str) -> Diagnostic {
        Diagnostic::new(&codes::UNKNOWN_OPTION, Span::new(start, end), "m")
            .fix("f", vec![Edit { span: Span::new(start, end), content: content.into() }])
    }

    #[test]
    fn overlapping_fixes_are_skipped() {
        let text = "abcdef";
        let p = apply_safe_fixes(text, &[fix(0, 2, "X"), fix(1, 3, "Y"), fix(4, 5, "Z")]);
        assert_eq!(p.text, "XcdZf");
        assert_eq!(p.applied.len(), 2);
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].span, Span::new(1, 3));
    }

    #[test]
    fn placed_edits_are_where_they_land() {
        let text = "aa\nbb\ncc\n";
        let p = apply_safe_fixes(text, &[fix(6, 9, ""), fix(0, 0, "x\ny\n"), fix(3, 5, "BBB")]);
        assert_eq!(p.text, "x\ny\naa\nBBB\n");
        let new: Vec<_> = p.placed.iter().map(|(i, m)| (*i, &p.text[m[0].1.start..m[0].1.end])).collect();
        assert_eq!(new, [(0, ""), (1, "x\ny\n"), (2, "BBB")]);
    }

    #[test]
    fn same_edit_twice_is_one_change() {
        let p = apply_safe_fixes("a\nb\nc\n", &[fix(2, 4, ""), fix(2, 4, "")]);
        assert_eq!(p.text, "a\nc\n");
        assert_eq!(p.applied.len(), 2);
        assert!(p.skipped.is_empty());
    }

    #[test]
    fn insertions_at_one_place_keep_their_order() {
        let p = apply_safe_fixes("x\n", &[fix(2, 2, "1\n"), fix(2, 2, "2\n"), fix(0, 2, "")]);
        assert_eq!(p.text, "1\n2\n");
        assert!(p.skipped.is_empty());
        // An insertion inside a replaced range conflicts.
        let p = apply_safe_fixes("abc", &[fix(0, 3, "X"), fix(1, 1, "Y")]);
        assert_eq!(p.text, "X");
        assert_eq!(p.skipped.len(), 1);
    }

    #[test]
    fn unsafe_and_out_of_range_fixes_are_not_applied() {
        let mut u = fix(0, 1, "X");
        u.fix.as_mut().unwrap().safe = false;
        let p = apply_safe_fixes("ab", &[u, fix(1, 9, "")]);
        assert_eq!(p.text, "ab");
        assert!(p.applied.is_empty());
        assert_eq!(p.skipped.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_mode_and_follows_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("rules.v4");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.rules");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        write_atomically(&link, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
