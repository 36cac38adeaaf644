//! Byte spans into a source text, and the line index that turns them into
//! 1-based lines and character columns.

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// Line starts of a text, for byte offset → (line, column) conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

/// A position: 0-based line, 0-based column counted in `char`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Position of a byte offset; columns count characters, not bytes.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line];
        let col = text[start..offset].chars().count();
        LineCol { line, col }
    }

    /// Byte offset of a (0-based line, 0-based char column) position,
    /// clamped to the line's end.
    pub fn offset(&self, text: &str, pos: LineCol) -> usize {
        if pos.line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[pos.line];
        let end = self.starts.get(pos.line + 1).copied().unwrap_or(text.len());
        let line = &text[start..end];
        let mut off = start;
        for (n, (i, _)) in line.char_indices().enumerate() {
            if n == pos.col {
                return start + i;
            }
            off = start + i;
        }
        let _ = off;
        let trimmed = line.strip_suffix('\n').unwrap_or(line);
        start + trimmed.len().min(line.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "# héllo\n-A INPUT\n";
        let idx = LineIndex::new(text);
        let off = text.find("llo").unwrap();
        assert_eq!(idx.line_col(text, off), LineCol { line: 0, col: 4 });
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 4 }), off);
        let a = text.find("-A").unwrap();
        assert_eq!(idx.line_col(text, a), LineCol { line: 1, col: 0 });
    }
}
