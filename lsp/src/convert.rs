//! Positions: byte offsets (what the analysis speaks) ⇄ LSP positions in
//! the negotiated encoding (UTF-8 or UTF-16 code units), and incremental
//! edits applied to a text.

use iptlint_parser::{LineIndex, Span};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// The position encoding agreed at `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// A text with its line starts, for conversions.
pub struct Lines<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl Lines<'_> {
    /// LSP position of a byte offset (clamped to the text, moved back to a
    /// character boundary).
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(offset);
        let start = self.index.line_start(line);
        let before = &self.text[start..offset];
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, span: Span, enc: Encoding) -> Range {
        Range::new(self.position(span.start, enc), self.position(span.end, enc))
    }

    /// Byte offset of an LSP position; past the end of a line means the
    /// line's end, past the last line the text's end, and a column inside a
    /// character (UTF-16 surrogate half, UTF-8 continuation) the character's start.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.index.line_count() {
            return self.text.len();
        }
        let start = self.index.line_start(line);
        let end =
            if line + 1 < self.index.line_count() { self.index.line_start(line + 1) - 1 } else { self.text.len() };
        let text = &self.text[start..end];
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in text.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units > want {
                return start + i;
            }
        }
        end
    }

    pub fn span(&self, range: Range, enc: Encoding) -> Span {
        let a = self.offset(range.start, enc);
        let b = self.offset(range.end, enc);
        Span::new(a.min(b), a.max(b))
    }
}

/// Apply `didChange` content changes in order (a change without a range
/// replaces the whole text).
pub fn apply_changes(text: &mut String, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
    for change in changes {
        match change.range {
            None => *text = change.text,
            Some(range) => {
                let index = LineIndex::new(text);
                let span = Lines { text, index: &index }.span(range, enc);
                text.replace_range(span.range(), &change.text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> (String, LineIndex) {
        (text.to_string(), LineIndex::new(text))
    }

    #[test]
    fn utf16_and_utf8_columns_on_non_ascii_lines() {
        let (text, index) = lines("# héllo 😀 x\n-A INPUT -j DROP\n");
        let l = Lines { text: &text, index: &index };
        let x = text.find(" x").unwrap() + 1;
        // UTF-16: '#',' ','h','é','l','l','o',' ','😀'(2),' ' = 11
        assert_eq!(l.position(x, Encoding::Utf16), Position::new(0, 11));
        assert_eq!(l.position(x, Encoding::Utf8), Position::new(0, x as u32));
        assert_eq!(l.offset(Position::new(0, 11), Encoding::Utf16), x);
        assert_eq!(l.offset(Position::new(0, x as u32), Encoding::Utf8), x);
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(l.offset(Position::new(0, 9), Encoding::Utf16), emoji);
        // Past the line end: the line end.
        assert_eq!(l.offset(Position::new(0, 99), Encoding::Utf16), text.find('\n').unwrap());
        assert_eq!(l.offset(Position::new(9, 0), Encoding::Utf16), text.len());
        let j = text.find("-j").unwrap();
        assert_eq!(l.position(j, Encoding::Utf16), Position::new(1, 9));
    }

    #[test]
    fn incremental_changes() {
        let mut text = "# é\n-A INPUT -j DROP\n".to_string();
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: t.to_string(),
        };
        apply_changes(&mut text, vec![change(0, 3, 0, 3, "!"), change(1, 12, 1, 16, "ACCEPT")], Encoding::Utf16);
        assert_eq!(text, "# é!\n-A INPUT -j ACCEPT\n");
        apply_changes(&mut text, vec![change(0, 0, 1, 0, "")], Encoding::Utf8);
        assert_eq!(text, "-A INPUT -j ACCEPT\n");
    }
}
