//! Lints and the packet-space engine over the `iptlint-parser` model. This
//! crate does no IO and knows neither LSP nor rendering.
//!
//! For now it forwards the parser's findings and owns the code registry;
//! the analysis issue adds the packet engine and the lints.

pub mod matchset;
pub mod reach;
pub mod space;

pub use iptlint_parser as parser;
use iptlint_parser::codes::Code;
use iptlint_parser::{Diagnostic, Parsed};

/// Every code any layer reports.
pub fn registry() -> Vec<&'static Code> {
    iptlint_parser::codes::ALL.to_vec()
}

/// Look a code up by code or name.
pub fn lookup(key: &str) -> Option<&'static Code> {
    registry()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(key) || c.name == key)
}

/// All findings for one parsed file.
pub fn check(parsed: &Parsed) -> Vec<Diagnostic> {
    parsed.diagnostics.clone()
}
