//! The line grammar of iptables-save files (`chumsky`): table headers,
//! chain declarations and rule counters. Each line is parsed on its own, so
//! a bad line never hides the next; which kind a line is follows the same
//! first-character dispatch as `iptables-restore`.

use chumsky::prelude::*;

use crate::span::Span;

type Extra<'a> = extra::Err<Rich<'a, char>>;

/// `*table` (anything after the name is ignored, as by `strtok`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableLine<'a> {
    pub name: &'a str,
    pub name_span: Span,
}

/// `:NAME POLICY [pkts:bytes]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLine<'a> {
    pub name: &'a str,
    pub name_span: Span,
    pub policy: Option<(&'a str, Span)>,
    pub counters: Option<(&'a str, Span)>,
}

/// `[pkts:bytes]` in front of a rule, and where the arguments start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCounters {
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    pub span: Span,
}

fn blank<'a>() -> impl Parser<'a, &'a str, (), Extra<'a>> + Clone {
    one_of(" \t").repeated().ignored()
}

fn field<'a>() -> impl Parser<'a, &'a str, (&'a str, Span), Extra<'a>> + Clone {
    none_of(" \t").repeated().at_least(1).to_slice().map_with(|s: &str, e| {
        let sp: SimpleSpan = e.span();
        (s, Span::new(sp.start, sp.end))
    })
}

fn shift(base: usize, s: Span) -> Span {
    Span::new(base + s.start, base + s.end)
}

/// Parse a `*table` line; `base` is the line's file offset.
pub fn table_line(line: &str, base: usize) -> Option<TableLine<'_>> {
    let p = just('*').ignore_then(blank()).ignore_then(field()).then_ignore(any().repeated());
    p.parse(line).into_result().ok().map(|(name, sp)| TableLine { name, name_span: shift(base, sp) })
}

/// Parse a `:CHAIN POLICY [c]` line. `None` when there is no chain name.
pub fn chain_line(line: &str, base: usize) -> Option<ChainLine<'_>> {
    // The same grammar by hand (the hot path for files with many chains):
    // blanks, then a field of non-blanks, up to three times.
    fn field<'a>(line: &'a str, pos: &mut usize, base: usize) -> Option<(&'a str, Span)> {
        let start = *pos + line[*pos..].bytes().take_while(|&b| b == b' ' || b == b'\t').count();
        let len = line[start..].bytes().take_while(|&b| b != b' ' && b != b'\t').count();
        if len == 0 {
            return None;
        }
        *pos = start + len;
        Some((&line[start..start + len], Span::new(base + start, base + start + len)))
    }
    if line.starts_with(':') {
        let mut pos = 1;
        let (name, name_span) = field(line, &mut pos, base)?;
        let policy = field(line, &mut pos, base);
        let counters = policy.and_then(|_| field(line, &mut pos, base));
        return Some(ChainLine { name, name_span, policy, counters });
    }
    chain_line_slow(line, base)
}

/// `chain_line` with the grammar combinators (kept for reference; only
/// reached for lines that do not start with `:`, where it fails).
fn chain_line_slow(line: &str, base: usize) -> Option<ChainLine<'_>> {
    let p = just(':')
        .ignore_then(blank())
        .ignore_then(field())
        .then(blank().ignore_then(field()).or_not())
        .then(blank().ignore_then(field()).or_not())
        .then_ignore(any().repeated());
    p.parse(line).into_result().ok().map(|(((name, nsp), policy), counters)| ChainLine {
        name,
        name_span: shift(base, nsp),
        policy: policy.map(|(p, s)| (p, shift(base, s))),
        counters: counters.map(|(c, s)| (c, shift(base, s))),
    })
}

/// Why rule counters are malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountersError {
    MissingBracket,
    MissingColon,
}

/// The counters at the start of a rule line, if it starts with `[`, and the
/// offset (within the line) where the arguments start.
pub fn rule_counters(line: &str, base: usize) -> Result<Option<(RuleCounters, usize)>, CountersError> {
    if !line.starts_with('[') {
        return Ok(None);
    }
    let Some(close) = line.find(']') else {
        return Err(CountersError::MissingBracket);
    };
    let inner = &line[1..close];
    if !inner.contains(':') {
        return Err(CountersError::MissingColon);
    }
    let num = text::digits::<_, Extra>(10).to_slice().map(|s: &str| s.parse::<u64>().ok());
    let p = num.then_ignore(just(':')).then(num);
    let (packets, bytes) = p.parse(inner).into_result().unwrap_or((None, None));
    Ok(Some((RuleCounters { packets, bytes, span: Span::new(base, base + close + 1) }, close + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_lines() {
        let c = chain_line(":INPUT DROP [12:345]", 100).unwrap();
        assert_eq!(c.name, "INPUT");
        assert_eq!(c.name_span, Span::new(101, 106));
        assert_eq!(c.policy.unwrap().0, "DROP");
        assert_eq!(c.counters.unwrap().0, "[12:345]");
        let c = chain_line(":X", 0).unwrap();
        assert!(c.policy.is_none());
        assert!(chain_line(":", 0).is_none());
    }

    #[test]
    fn chain_lines_by_hand_match_the_grammar() {
        for line in [
            ":X",
            ":X ",
            ": X",
            ":\tX\t-\t[1:2]",
            ":X  ACCEPT  [0:0] trailing words",
            ":INPUT DROP [12:345]\r",
            ":",
            ": ",
            ":é ü [0:0]",
            "::: :",
        ] {
            assert_eq!(chain_line(line, 7), chain_line_slow(line, 7), "{line:?}");
        }
    }

    #[test]
    fn table_lines() {
        assert_eq!(table_line("*filter", 0).unwrap().name, "filter");
        assert_eq!(table_line("*nat extra", 0).unwrap().name, "nat");
        assert!(table_line("*", 0).is_none());
    }

    #[test]
    fn counters() {
        let (c, rest) = rule_counters("[1:2] -A X", 0).unwrap().unwrap();
        assert_eq!((c.packets, c.bytes, rest), (Some(1), Some(2), 5));
        assert_eq!(rule_counters("[1:2 -A X", 0), Err(CountersError::MissingBracket));
        assert_eq!(rule_counters("[12] -A X", 0), Err(CountersError::MissingColon));
        assert_eq!(rule_counters("-A X", 0), Ok(None));
    }
}
