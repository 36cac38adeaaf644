//! The language server (`iptlint lsp`): LSP over stdio on
//! `tower-lsp-server`. The layer is thin: `docs` keeps the open documents
//! and their analyses (one actor task, strictly ordered edits, only the
//! newest version's diagnostics published); `handlers/` has one function
//! per request converting protocol → analysis → protocol; `convert` does
//! positions in the negotiated encoding (UTF-8 or UTF-16). The server never
//! exits on a bad request or document: a panicking handler is logged and
//! answered with an error or nothing.

pub mod convert;
pub mod cursor;
pub mod docs;
pub mod handlers;
pub mod transport;

use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use convert::Encoding;
use docs::{Analysis, Docs, Report};

pub struct Backend {
    client: Client,
    docs: Docs,
}

/// Serve LSP on stdin/stdout until the client sends `exit`; returns the
/// process exit code.
pub fn run_stdio() -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iptlint lsp: cannot start the runtime: {e}");
            return 2;
        }
    };
    rt.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        Server::new(transport::guard(tokio::io::stdin()), tokio::io::stdout(), socket).serve(service).await;
    });
    // Blocking analyses still running must not hold the process.
    rt.shutdown_background();
    0
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        // Publishing goes through one task so that notifications leave in
        // the order the actor produced them.
        let (tx, mut rx) = mpsc::unbounded_channel::<Report>();
        let c = client.clone();
        let enc = Arc::new(std::sync::Mutex::new(Encoding::Utf16));
        let enc2 = enc.clone();
        tokio::spawn(async move {
            while let Some(r) = rx.recv().await {
                match r {
                    Report::Analysed(a) => {
                        let e = *enc2.lock().unwrap();
                        let diags = catch(|| handlers::diagnostics::to_proto(&a, e)).unwrap_or_default();
                        c.publish_diagnostics(a.uri.clone(), diags, Some(a.version)).await;
                    }
                    Report::Closed(uri) => c.publish_diagnostics(uri, Vec::new(), None).await,
                }
            }
        });
        let mut docs = Docs::start(Arc::new(move |r| {
            let _ = tx.send(r);
        }));
        docs.encoding = enc;
        Backend { client, docs }
    }

    fn enc(&self) -> Encoding {
        self.docs.encoding()
    }

    /// Run a handler on the newest analysis of `uri`; `None` when the
    /// document is not open (or not a rules file) or the handler panicked.
    async fn with<T>(&self, uri: &Uri, f: impl FnOnce(&Analysis, Encoding) -> T) -> Option<T> {
        self.with_lints(uri, false, f).await
    }

    /// Like `with`; with `linted`, waits for the lints too.
    async fn with_lints<T>(&self, uri: &Uri, linted: bool, f: impl FnOnce(&Analysis, Encoding) -> T) -> Option<T> {
        let a = self.docs.get(uri, linted).await?;
        let enc = self.enc();
        catch(move || f(&a, enc))
    }
}

/// Run `f`, turning a panic into `None` (logged).
fn catch<T>(f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| e.downcast_ref::<String>().cloned());
            eprintln!("iptlint-lsp: handler panicked: {}", msg.unwrap_or_default());
            None
        }
    }
}

fn failed(msg: String) -> Error {
    Error { code: ErrorCode::ServerError(-32803), message: msg.into(), data: None }
}

fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate(&params);
        *self.docs.encoding.lock().unwrap() = enc;
        let kind = match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        };
        Ok(InitializeResult {
            server_info: Some(ServerInfo { name: "iptlint".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            capabilities: ServerCapabilities {
                position_encoding: Some(kind),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["-".into(), " ".into(), ",".into()]),
                    ..Default::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..Default::default()
                })),
                document_formatting_provider: Some(OneOf::Left(true)),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client.log_message(MessageType::INFO, "iptlint language server ready").await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        if docs::is_rules_document(&d.uri, Some(&d.language_id), &d.text) {
            self.docs.open(d.uri, d.version, d.text);
        } else {
            eprintln!("iptlint-lsp: not a rules file, ignored: {}", d.uri.as_str());
        }
    }

    async fn did_change(&self, p: DidChangeTextDocumentParams) {
        let d = p.text_document;
        if self.docs.is_open(&d.uri) {
            self.docs.change(d.uri, d.version, p.content_changes);
        }
    }

    async fn did_close(&self, p: DidCloseTextDocumentParams) {
        self.docs.close(p.text_document.uri);
    }

    async fn hover(&self, p: HoverParams) -> Result<Option<Hover>> {
        let pp = p.text_document_position_params;
        Ok(self.with(&pp.text_document.uri, |a, e| handlers::hover::handle(a, e, pp.position)).await.flatten())
    }

    async fn completion(&self, p: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pp = p.text_document_position;
        let items = self.with(&pp.text_document.uri, |a, e| handlers::completion::handle(a, e, pp.position)).await;
        Ok(items.map(CompletionResponse::Array))
    }

    async fn goto_definition(&self, p: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let pp = p.text_document_position_params;
        let loc =
            self.with(&pp.text_document.uri, |a, e| handlers::definition::handle(a, e, pp.position)).await.flatten();
        Ok(loc.map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, p: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pp = p.text_document_position;
        let decl = p.context.include_declaration;
        Ok(self
            .with(&pp.text_document.uri, |a, e| handlers::references::handle(a, e, pp.position, decl))
            .await
            .flatten())
    }

    async fn prepare_rename(&self, p: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        match self.with(&p.text_document.uri, |a, e| handlers::rename::prepare(a, e, p.position)).await {
            Some(Ok(r)) => Ok(Some(r)),
            Some(Err(m)) => Err(failed(m)),
            None => Ok(None),
        }
    }

    async fn rename(&self, p: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pp = p.text_document_position;
        let new = p.new_name;
        match self.with(&pp.text_document.uri, |a, e| handlers::rename::handle(a, e, pp.position, &new)).await {
            Some(Ok(r)) => Ok(r),
            Some(Err(m)) => Err(failed(m)),
            None => Ok(None),
        }
    }

    async fn document_symbol(&self, p: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let syms = self.with(&p.text_document.uri, handlers::document_symbol::handle).await;
        Ok(syms.map(DocumentSymbolResponse::Nested))
    }

    async fn folding_range(&self, p: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(self.with(&p.text_document.uri, |a, _| handlers::folding_range::handle(a)).await)
    }

    async fn code_action(&self, p: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let range = p.range;
        Ok(self.with_lints(&p.text_document.uri, true, |a, e| handlers::code_action::handle(a, e, range)).await)
    }

    async fn formatting(&self, p: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        match self.with(&p.text_document.uri, handlers::formatting::handle).await {
            Some(Ok(edits)) => Ok(Some(edits)),
            Some(Err(m)) => Err(failed(m)),
            None => Ok(None),
        }
    }
}

/// For tests and benchmarks: analyse a text as the server would.
pub fn analyse(uri: &str, version: i32, text: String) -> Analysis {
    let uri: Uri = uri.parse().unwrap_or_else(|_| "file:///unnamed.rules".parse().expect("valid uri"));
    Analysis::new(uri, version, text)
}

#[allow(dead_code)]
fn _assert_send<F: Future + Send>(_: F) {}
