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

/// The text of a word: kept inline when short (most words are), else on
/// the heap. Reads like a `&str` (`Deref`, `as_str`, comparisons with
/// `str` and `String`).
#[derive(Clone, PartialEq, Eq)]
pub enum WordText {
    Inline { len: u8, buf: [u8; WordText::INLINE] },
    Heap(Box<str>),
}

impl WordText {
    const INLINE: usize = 22;

    pub fn as_str(&self) -> &str {
        match self {
            WordText::Inline { len, buf } => std::str::from_utf8(&buf[..*len as usize]).expect("inline text is UTF-8"),
            WordText::Heap(s) => s,
        }
    }

    /// Append a character (the newline an unclosed quote takes in).
    pub fn push(&mut self, c: char) {
        let mut s = self.as_str().to_string();
        s.push(c);
        *self = WordText::from(s.as_str());
    }
}

impl From<&str> for WordText {
    fn from(s: &str) -> Self {
        if s.len() <= WordText::INLINE {
            let mut buf = [0u8; WordText::INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            WordText::Inline { len: s.len() as u8, buf }
        } else {
            WordText::Heap(s.into())
        }
    }
}

impl From<String> for WordText {
    fn from(s: String) -> Self {
        if s.len() <= WordText::INLINE {
            WordText::from(s.as_str())
        } else {
            WordText::Heap(s.into_boxed_str())
        }
    }
}

impl std::ops::Deref for WordText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for WordText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for WordText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for WordText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for WordText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for WordText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for WordText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for WordText {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<WordText> for str {
    fn eq(&self, other: &WordText) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<WordText> for &str {
    fn eq(&self, other: &WordText) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<WordText> for String {
    fn eq(&self, other: &WordText) -> bool {
        self == other.as_str()
    }
}

impl From<WordText> for String {
    fn from(w: WordText) -> String {
        w.as_str().to_string()
    }
}

/// One word of a rule line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word as iptables sees it, quotes removed and escapes resolved.
    pub text: WordText,
    /// The raw text in the file, quotes included.
    pub span: Span,
    pub quoted: bool,
    /// The quote was never closed (iptables keeps the rest of the line).
    pub unterminated: bool,
}

/// Split `line` (without its newline) into words; `base` is the line's byte
/// offset in the file, so spans are file-absolute.
pub fn split_words(line: &str, base: usize) -> Vec<Word> {
    // Room for every blank-separated word (quoted blanks only overcount).
    let blanks = line.bytes().filter(|&b| b == b' ' || b == b'\t').count();
    let mut words = Vec::with_capacity(blanks + 1);
    let mut lex = RawToken::lexer(line);
    while let Some(tok) = lex.next() {
        let raw = lex.slice();
        let span = Span::new(base + lex.span().start, base + lex.span().end);
        let (quoted, unterminated) = match tok {
            Ok(RawToken::Bare) => (false, false),
            Ok(RawToken::Quoted) => (true, false),
            Ok(RawToken::Unterminated) | Err(()) => (true, true),
        };
        words.push(Word { text: unquote(raw), span, quoted, unterminated });
    }
    words
}

fn unquote(raw: &str) -> WordText {
    if !raw.contains('"') {
        return WordText::from(raw);
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
    WordText::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split_words(line, 0).into_iter().map(|w| w.text.to_string()).collect()
    }

    #[test]
    fn splits_like_iptables_restore() {
        assert_eq!(texts("-A INPUT  -j\tACCEPT"), ["-A", "INPUT", "-j", "ACCEPT"]);
        assert_eq!(texts(r#"--comment "allow ssh" -j X"#), ["--comment", "allow ssh", "-j", "X"]);
        assert_eq!(texts(r#"--comment "a \"b\" c""#), ["--comment", r#"a "b" c"#]);
        assert_eq!(texts(r#"ab"cd ef""#), ["abcd ef"]);
        assert_eq!(texts("--comment 'two words'"), ["--comment", "'two", "words'"]);
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
