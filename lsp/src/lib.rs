//! The language server (`iptlint lsp`). Only this crate will depend on
//! `tower-lsp-server`; the language-server issue fills it in.
