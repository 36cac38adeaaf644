//! `textDocument/references`: every place a chain's name is written in its
//! table.

use tower_lsp_server::ls_types::{Location, Position};

use crate::convert::Encoding;
use crate::cursor::{chain_refs, item_at, Item};
use crate::docs::Analysis;

pub fn handle(a: &Analysis, enc: Encoding, pos: Position, include_declaration: bool) -> Option<Vec<Location>> {
    let offset = a.lines().offset(pos, enc);
    let Item::Chain { table, name, .. } = item_at(a, offset)? else {
        return None;
    };
    let (decl, refs) = chain_refs(a, table, &name);
    let lines = a.lines();
    let spans = decl.filter(|_| include_declaration).into_iter().chain(refs);
    Some(spans.map(|s| Location { uri: a.uri.clone(), range: lines.range(s, enc) }).collect())
}
