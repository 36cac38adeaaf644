//! Splits the argument part of a rule line into words exactly as
//! `iptables-restore` does (`add_param_to_argv` in iptables' `xshared.c`):
//! blanks and tabs separate words; a `"` opens a quoted part in which `\`
//! escapes the next character; the closing `"` ends the word; single quotes
//! and backslashes outside double quotes are ordinary characters.

use crate::span::Span;
use logos::Logos;

#[derive(Logos, Debug, PartialEq, Eq, Clone, Copy)]
#[logos(skip r"[ \t\n]+")]
enum RawToken {
    /// Optional bare prefix, then a closed double-quoted part.
    #[regex(r#"[^ \t\n"]*"([^"\\]|\\[\x00-\x{10FFFF}])*""#)]
    Quoted,
    /// A quote that is never closed: iptables keeps the rest of the line.
    #[regex(r#"[^ \t\n"]*"([^"\\]|\\[\x00-\x{10FFFF}])*\\?"#)]
    Unterminated,
    #[regex(r#"[^ \t\n"]+"#)]
    Bare,
}

/// One word of a rule line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word as iptables sees it, quotes removed and escapes resolved.
    pub text: String,
    /// The raw text in the file, quotes included.
    pub span: Span,
    pub quoted: bool,
    /// The quote was never closed (iptables keeps the rest of the line).
    pub unterminated: bool,
}

/// Split `line` (without its newline) into words; `base` is the line's byte
/// offset in the file, so spans are file-absolute.
pub fn split_words(line: &str, base: usize) -> Vec<Word> {
    let mut words = Vec::new();
    let mut lex = RawToken::lexer(line);
    while let Some(tok) = lex.next() {
        let raw = lex.slice();
        let span = Span::new(base + lex.span().start, base + lex.span().end);
        let (quoted, unterminated) = match tok {
            Ok(RawToken::Bare) => (false, false),
            Ok(RawToken::Quoted) => (true, false),
            Ok(RawToken::Unterminated) | Err(()) => (true, true),
        };
        words.push(Word {
            text: unquote(raw),
            span,
            quoted,
            unterminated,
        });
    }
    words
}

fn unquote(raw: &str) -> String {
    if !raw.contains('"') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut in_quote = false;
    let mut escaped = false;
    for c in raw.chars() {
        if in_quote {
            if escaped {
                out.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quote = false;
            } else {
                out.push(c);
            }
        } else if c == '"' {
            in_quote = true;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split_words(line, 0).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn splits_like_iptables_restore() {
        assert_eq!(
            texts("-A INPUT  -j\tACCEPT"),
            ["-A", "INPUT", "-j", "ACCEPT"]
        );
        assert_eq!(
            texts(r#"--comment "allow ssh" -j X"#),
            ["--comment", "allow ssh", "-j", "X"]
        );
        assert_eq!(
            texts(r#"--comment "a \"b\" c""#),
            ["--comment", r#"a "b" c"#]
        );
        assert_eq!(texts(r#"ab"cd ef""#), ["abcd ef"]);
        assert_eq!(
            texts("--comment 'two words'"),
            ["--comment", "'two", "words'"]
        );
        assert_eq!(texts(r"a\b"), [r"a\b"]);
        assert_eq!(texts(r#""""#), [""]);
    }

    #[test]
    fn closing_quote_ends_the_word() {
        assert_eq!(texts(r#""ab"cd"#), ["ab", "cd"]);
    }

    #[test]
    fn unterminated_quote_keeps_rest_of_line() {
        let w = split_words(r#"--comment "open end"#, 0);
        assert_eq!(w[1].text, "open end");
        assert!(w[1].unterminated);
    }

    #[test]
    fn spans_are_raw_and_absolute() {
        let w = split_words(r#"x "y z""#, 10);
        assert_eq!(w[1].span, Span::new(12, 17));
    }
}
