//! `textDocument/prepareRename` and `textDocument/rename`: rename a user
//! chain everywhere in its table. Built-in chains cannot be renamed.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{Position, PrepareRenameResponse, TextEdit, WorkspaceEdit};

use crate::convert::Encoding;
use crate::cursor::{chain_refs, item_at, Item};
use crate::docs::Analysis;

pub fn prepare(a: &Analysis, enc: Encoding, pos: Position) -> Result<PrepareRenameResponse, String> {
    let offset = a.lines().offset(pos, enc);
    match item_at(a, offset) {
        Some(Item::Chain { table, name, span }) => {
            if table.chain(&name).is_some_and(|c| c.is_builtin()) {
                return Err(format!("{name} is a built-in chain and cannot be renamed"));
            }
            Ok(PrepareRenameResponse::RangeWithPlaceholder { range: a.lines().range(span, enc), placeholder: name })
        }
        _ => Err("only chain names can be renamed".into()),
    }
}

/// A valid user chain name: 1 to 28 bytes, no blanks, not starting with
/// `-` or `!`, not a built-in target name.
pub fn check_name(new: &str) -> Result<(), String> {
    if new.is_empty() || new.len() > 28 {
        return Err(format!("`{new}`: a chain name has 1 to 28 characters"));
    }
    if new.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') || new.starts_with(['-', '!']) {
        return Err(format!("`{new}` is not a valid chain name"));
    }
    if matches!(new, "ACCEPT" | "DROP" | "RETURN" | "QUEUE") || iptlint_parser::ext::Hook::from_chain(new).is_some() {
        return Err(format!("`{new}` is reserved"));
    }
    Ok(())
}

pub fn handle(a: &Analysis, enc: Encoding, pos: Position, new_name: &str) -> Result<Option<WorkspaceEdit>, String> {
    let offset = a.lines().offset(pos, enc);
    let Some(Item::Chain { table, name, .. }) = item_at(a, offset) else {
        return Ok(None);
    };
    if table.chain(&name).is_some_and(|c| c.is_builtin()) {
        return Err(format!("{name} is a built-in chain and cannot be renamed"));
    }
    check_name(new_name)?;
    if table.chain(new_name).is_some() {
        return Err(format!("table {} already has a chain {new_name}", table.name));
    }
    let (decl, refs) = chain_refs(a, table, &name);
    let lines = a.lines();
    let edits: Vec<TextEdit> = decl
        .into_iter()
        .chain(refs)
        .map(|s| TextEdit { range: lines.range(s, enc), new_text: new_name.to_string() })
        .collect();
    Ok(Some(WorkspaceEdit { changes: Some(HashMap::from([(a.uri.clone(), edits)])), ..Default::default() }))
}
