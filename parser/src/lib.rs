//! iptables-save / iptables-restore input → a semantic model with spans,
//! plus every finding `iptables-restore` would fail the load on.
//!
//! Entry points: [`parse`] (text → [`Parsed`]), [`save::save`] (model →
//! canonical text), [`ext`] (the extension tables), [`codes`].
//!
//! Invariants: parsing never fails and never panics on any input; it never
//! runs anything; every node keeps its byte span; no rule line is dropped
//! from the model, even when it is invalid.

pub mod build;
pub mod cmdline;
pub mod codes;
pub mod diagnostic;
pub mod ext;
pub mod lexer;
pub mod lines;
pub mod model;
pub mod save;
pub mod span;

pub use build::{detect_family, parse, ParseOptions, Parsed};
pub use diagnostic::{Diagnostic, Edit, Fix, Related, Severity};
pub use ext::Family;
pub use model::Ruleset;
pub use span::{LineCol, LineIndex, Span};
