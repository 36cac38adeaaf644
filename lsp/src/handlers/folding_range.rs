//! `textDocument/foldingRange`: each table block (`*table` … `COMMIT`) and
//! each run of two or more comment lines.

use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

use crate::docs::Analysis;

pub fn handle(a: &Analysis) -> Vec<FoldingRange> {
    let idx = &a.parsed.ruleset.line_index;
    let mut out = Vec::new();
    for t in &a.parsed.ruleset.tables {
        let start = idx.line_of(t.span.start) as u32;
        let end = t.commit.map(|c| idx.line_of(c.start)).or_else(|| t.rules.last().map(|r| idx.line_of(r.span.start)));
        if let Some(end) = end {
            let end = end as u32;
            if end > start {
                out.push(FoldingRange {
                    start_line: start,
                    end_line: end,
                    kind: Some(FoldingRangeKind::Region),
                    collapsed_text: Some(format!("*{} …", t.name)),
                    ..Default::default()
                });
            }
        }
    }
    let mut run: Option<(u32, u32)> = None;
    let flush = |run: Option<(u32, u32)>, out: &mut Vec<FoldingRange>| {
        if let Some((s, e)) = run {
            if e > s {
                out.push(FoldingRange {
                    start_line: s,
                    end_line: e,
                    kind: Some(FoldingRangeKind::Comment),
                    ..Default::default()
                });
            }
        }
    };
    for c in &a.parsed.ruleset.comments {
        let l = idx.line_of(c.span.start) as u32;
        run = match run {
            Some((s, e)) if e + 1 == l => Some((s, l)),
            other => {
                flush(other, &mut out);
                Some((l, l))
            }
        };
    }
    flush(run, &mut out);
    out
}
