//! `comment`: a free-text note on the rule, up to 255 bytes (`libxt_comment.c`).
//! Matches every packet. Also home of [`save_string`], iptables' quoting of
//! string arguments in `iptables-save` output.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// ` value` quoted the way `xtables_save_string` does: bare when it is
/// only letters, digits, `_` and `-`; otherwise in double quotes with `"`,
/// `\` and `'` escaped by a backslash.
pub fn save_string(out: &mut String, value: &str) {
    let plain = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    out.push(' ');
    if plain {
        out.push_str(value);
        return;
    }
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// `XT_MAX_COMMENT_LEN - 1`: longer comments are cut, not refused.
const MAX: usize = 255;

/// The first `max` bytes of `s` (cut back to a character boundary), the
/// way iptables silently truncates an over-long string argument.
pub fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A warning when `--name`'s text is longer than iptables keeps.
pub fn warn_truncated(cx: &mut CheckCx, name: &str, max: usize) {
    let Some(o) = cx.opt(name) else { return };
    let text = o.value.to_string();
    if text.len() > max {
        let d = Diagnostic::new(
            &codes::VALUE_TRUNCATED,
            o.span,
            format!("`--{name}` is {} bytes long; iptables silently keeps only the first {max}", text.len()),
        );
        cx.push(d);
    }
}

pub static OPTIONS: [OptSpec; 1] = [OptSpec::new(
    "comment",
    ArgType::Str { max: usize::MAX },
    "text of the comment (iptables keeps at most 255 bytes)",
)
.mand()];

fn check(cx: &mut CheckCx) {
    warn_truncated(cx, "comment", MAX);
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("comment") {
        out.push_str(" --comment");
        save_string(out, truncate(&o.value.to_string(), MAX));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("comment", ExtKind::Match, "a comment on the rule; matches every packet")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;
    use super::*;

    #[test]
    fn quoting() {
        let q = |s: &str| {
            let mut o = String::new();
            save_string(&mut o, s);
            o
        };
        assert_eq!(q("foo-bar_1"), " foo-bar_1");
        assert_eq!(q("allow ssh"), " \"allow ssh\"");
        assert_eq!(q("a'b\"c"), " \"a\\'b\\\"c\"");
        assert_eq!(q(""), " \"\"");
        assert_eq!(q("a.b"), " \"a.b\"");
    }

    #[test]
    fn length_limit() {
        let v4 = crate::Family::V4;
        let ok = format!("-m comment --comment {}", "x".repeat(255));
        assert!(roundtrip(v4, "filter", &ok).is_ok());
        // Longer comments load, cut to 255 bytes (a warning).
        let long = format!("-m comment --comment {}", "x".repeat(300));
        assert_eq!(
            roundtrip(v4, "filter", &long).unwrap(),
            format!("-A INPUT -m comment --comment {}", "x".repeat(255))
        );
        assert_eq!(
            roundtrip(v4, "filter", "-m comment --comment \"allow ssh\" -j ACCEPT").unwrap(),
            "-A INPUT -m comment --comment \"allow ssh\" -j ACCEPT"
        );
    }
}
