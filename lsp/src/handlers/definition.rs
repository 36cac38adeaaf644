//! `textDocument/definition`: from a chain name (`-j`, `-g`, `-A`, …) to
//! its declaration.

use tower_lsp_server::ls_types::{Location, Position};

use crate::convert::Encoding;
use crate::cursor::{chain_refs, item_at, Item};
use crate::docs::Analysis;

pub fn handle(a: &Analysis, enc: Encoding, pos: Position) -> Option<Location> {
    let offset = a.lines().offset(pos, enc);
    let Item::Chain { table, name, .. } = item_at(a, offset)? else {
        return None;
    };
    let (decl, _) = chain_refs(a, table, &name);
    Some(Location { uri: a.uri.clone(), range: a.lines().range(decl?, enc) })
}
