//! One module per LSP request or notification: protocol → analysis →
//! protocol. Each handler takes the analysed document and the negotiated
//! encoding and is a plain function (the async plumbing is in `lib.rs`).

pub mod code_action;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod document_symbol;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod references;
pub mod rename;
