"""Protocol edge cases of `iptlint lsp`, driven by pytest-lsp.

Run: IPTLINT_BIN=target/debug/iptlint pytest tests/lsp
"""

import asyncio
import os
import sys
import time

import pytest
import pytest_lsp
from lsprotocol import types as t
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

BIN = os.environ.get("IPTLINT_BIN", "target/debug/iptlint")

RULES = """# Pare-feu — «test» 😀
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp --dport 22 -j SSH
-A SSH -p tcp --dport 22 -j ACCEPT
COMMIT
"""


def make_client() -> LanguageClient:
    """The test client, also keeping every publishDiagnostics in order."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []

    def publish(client: LanguageClient, params: t.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=[BIN, "lsp"], client_factory=make_client)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    # VS Code's capabilities: no positionEncodings, so UTF-16.
    params = t.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    result = await lsp_client.initialize_session(params)
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def client8(lsp_client: LanguageClient):
    caps = t.ClientCapabilities(
        general=t.GeneralClientCapabilities(position_encodings=[t.PositionEncodingKind.Utf8, t.PositionEncodingKind.Utf16])
    )
    result = await lsp_client.initialize_session(t.InitializeParams(capabilities=caps))
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


def open_doc(client, uri, text, version=1, language="iptables"):
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(text_document=t.TextDocumentItem(uri=uri, language_id=language, version=version, text=text))
    )


def change(client, uri, version, line, start, end, text):
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                t.TextDocumentContentChangePartial(
                    range=t.Range(start=t.Position(line=line, character=start), end=t.Position(line=line, character=end)),
                    text=text,
                )
            ],
        )
    )


async def wait_version(client, uri, version, timeout=30.0):
    """Wait for diagnostics published for `version` of `uri`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in client.published:
            if p.uri == uri and p.version == version:
                return p
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics for {uri} v{version}; got {[(p.uri, p.version) for p in client.published]}")


def codes(params):
    return sorted(str(d.code) for d in params.diagnostics)


async def test_utf16_negotiated_and_diagnostic_columns(client: LanguageClient):
    assert client.init_result.capabilities.position_encoding in (None, t.PositionEncodingKind.Utf16)
    uri = "file:///work/rules.v4"
    bad = '-A INPUT -m comment --comment "😀😀 é" -j ACCEPTT'
    open_doc(client, uri, RULES.replace("-A INPUT -i lo -j ACCEPT", bad))
    p = await wait_version(client, uri, 1)
    errors = [d for d in p.diagnostics if d.severity == t.DiagnosticSeverity.Error]
    assert errors, p.diagnostics
    d = errors[0]
    utf16_col = len(bad[: bad.index("ACCEPTT")].encode("utf-16-le")) // 2
    assert (d.range.start.line, d.range.start.character) == (6, utf16_col)
    assert d.code_description is not None and "e" in d.code_description.href.lower()
    assert d.source == "iptlint"

    # An incremental edit in UTF-16 units, right after the emoji: fix the target.
    change(client, uri, 2, 6, utf16_col, utf16_col + 7, "ACCEPT")
    p = await wait_version(client, uri, 2)
    assert not [d for d in p.diagnostics if d.severity == t.DiagnosticSeverity.Error], p.diagnostics

    # Hover on the target after the emoji.
    h = await client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=6, character=utf16_col + 2))
    )
    assert h is not None and "ACCEPT" in h.contents.value
    assert h.range.start.character == utf16_col


async def test_utf8_negotiated(client8: LanguageClient):
    assert client8.init_result.capabilities.position_encoding == t.PositionEncodingKind.Utf8
    uri = "file:///work/rules.v4"
    bad = '-A INPUT -m comment --comment "😀 é" -j ACCEPTT'
    open_doc(client8, uri, RULES.replace("-A INPUT -i lo -j ACCEPT", bad))
    p = await wait_version(client8, uri, 1)
    d = [d for d in p.diagnostics if d.severity == t.DiagnosticSeverity.Error][0]
    assert d.range.start.character == len(bad[: bad.index("ACCEPTT")].encode("utf-8"))


async def test_burst_of_changes_never_leaves_stale_diagnostics(client: LanguageClient):
    uri = "file:///work/burst.rules"
    # A file big enough for analyses to overlap the edits.
    rules = "".join(f"-A INPUT -p tcp --dport {1000 + i} -j ACCEPT\n" for i in range(400))
    text = "*filter\n" + rules + "COMMIT\n"
    open_doc(client, uri, text)
    await wait_version(client, uri, 1)
    client.published.clear()
    # 300 rapid edits of line 1's port: each is a valid rule, except that
    # every odd version has a typo in the target.
    n = 300
    line1 = "-A INPUT -p tcp --dport 1000 -j ACCEPT"
    for v in range(2, 2 + n):
        target = "ACCEPTT" if v % 2 else "ACCEPT"
        new = f"-A INPUT -p tcp --dport {2000 + v} -j {target}"
        change(client, uri, v, 1, 0, len(line1), new)
        line1 = new
        if v % 50 == 0:
            await asyncio.sleep(0)
    last = 1 + n
    p = await wait_version(client, uri, last)
    await asyncio.sleep(1.0)
    mine = [q for q in client.published if q.uri == uri]
    versions = [q.version for q in mine]
    assert versions == sorted(versions), versions
    assert versions[-1] == last, versions
    # The final version has the typo (odd) and exactly that error.
    assert last % 2 == 1
    errs = [d for d in client.diagnostics[uri] if d.severity == t.DiagnosticSeverity.Error]
    assert len(errs) == 1 and errs[0].range.start.line == 1, errs
    print(f"{n} changes -> {len(mine)} publications", file=sys.stderr)

    # The server's text is the client's: a hover on line 1's port sees the last edit.
    h = await client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=1, character=18))
    )
    assert h is not None and "dport" in h.contents.value


async def test_close_and_reopen(client: LanguageClient):
    uri = "file:///work/x/rules.v4"
    open_doc(client, uri, RULES.replace("-j SSH\n", "-j SHH\n"))
    p = await wait_version(client, uri, 1)
    assert any(d.severity == t.DiagnosticSeverity.Error for d in p.diagnostics)
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    deadline = time.monotonic() + 10
    while client.diagnostics.get(uri):
        assert time.monotonic() < deadline, "diagnostics not cleared on close"
        await asyncio.sleep(0.02)
    # Requests on the closed document answer nothing.
    h = await client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=6, character=3))
    )
    assert h is None
    # Reopen with other text, at a lower version, then close and reopen at once.
    open_doc(client, uri, RULES, version=1)
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    open_doc(client, uri, RULES.replace("-j SSH\n", "-j NOPE\n"), version=7)
    p = await wait_version(client, uri, 7)
    await asyncio.sleep(0.5)
    last = [q for q in client.published if q.uri == uri][-1]
    assert last.version == 7
    assert any("NOPE" in d.message for d in last.diagnostics), last.diagnostics


async def test_unknown_and_malformed(client: LanguageClient):
    # A file that is not a ruleset is ignored.
    notes = "file:///work/notes.txt"
    open_doc(client, notes, "hello world\n", language="plaintext")
    h = await client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=notes), position=t.Position(line=0, character=1))
    )
    assert h is None
    # A document never opened.
    d = await client.text_document_definition_async(
        t.DefinitionParams(text_document=t.TextDocumentIdentifier(uri="file:///nowhere.rules"), position=t.Position(line=0, character=0))
    )
    assert d is None
    # A change to a document never opened.
    change(client, "file:///nowhere.rules", 2, 0, 0, 0, "x")
    # A file with an iptables-save header but an odd name is a ruleset.
    uri = "file:///work/firewall.conf"
    open_doc(client, uri, "# Generated by iptables-save v1.8.9\n*filter\n-A INPUT -j NOPE\nCOMMIT\n", language="plaintext")
    p = await wait_version(client, uri, 1)
    assert p.diagnostics
    # Positions past the end of the text and inside a surrogate pair are clamped.
    for pos in [t.Position(line=999, character=0), t.Position(line=0, character=999), t.Position(line=0, character=0)]:
        await client.text_document_hover_async(t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos))
        await client.text_document_completion_async(t.CompletionParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos))
    # Random binary-ish text does not kill the server.
    junk = "file:///work/junk.rules"
    open_doc(client, junk, "*filter\n-A \x00\x01 \"unterminated\n:\n[1:2\n-A INPUT -m -j\n\ud7ff COMMIT\n")
    await wait_version(client, junk, 1)
    # The server still answers.
    syms = await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri=uri))
    )
    assert syms and syms[0].name == "filter"


async def test_completion(client: LanguageClient):
    uri = "file:///work/c/rules.v4"
    text = RULES.replace("COMMIT\n", "-A INPUT -m \n-A INPUT -p tcp --\n-A INPUT -m conntrack --ctstate \n-A INPUT -j \nCOMMIT\n")
    open_doc(client, uri, text)
    await wait_version(client, uri, 1)
    lines = text.split("\n")

    async def complete(line_no):
        res = await client.text_document_completion_async(
            t.CompletionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=line_no, character=len(lines[line_no])),
            )
        )
        items = res.items if hasattr(res, "items") else res
        return {i.label for i in items}

    assert {"conntrack", "limit", "multiport"} <= await complete(9)
    assert {"--dport", "--sport", "--tcp-flags"} <= await complete(10)
    assert {"NEW", "ESTABLISHED", "RELATED"} <= await complete(11)
    jump = await complete(12)
    assert {"ACCEPT", "DROP", "LOG", "SSH"} <= jump and "INPUT" not in jump


@pytest_lsp.fixture(config=CONFIG)
async def bare(lsp_client: LanguageClient):
    yield


async def test_shutdown_and_exit(bare: LanguageClient):
    lsp_client = bare
    await lsp_client.initialize_session(t.InitializeParams(capabilities=t.ClientCapabilities()))
    open_doc(lsp_client, "file:///work/rules.v4", RULES)
    await lsp_client.shutdown_async(None)
    lsp_client.exit(None)
    rc = await asyncio.wait_for(lsp_client._server.wait(), 10)
    assert rc == 0
    lsp_client.capabilities = None  # nothing left to shut down


def frame(obj) -> bytes:
    import json

    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def read_message(stdout):
    import json

    length = None
    while True:
        line = await stdout.readline()
        if not line:
            raise EOFError("server closed stdout")
        line = line.strip()
        if not line:
            break
        k, _, v = line.decode().partition(":")
        if k.lower() == "content-length":
            length = int(v)
    return json.loads(await stdout.readexactly(length))


async def test_malformed_messages_raw():
    """Garbage and ill-typed requests on the wire: the server answers with
    errors (or nothing) and goes on; `exit` after `shutdown` ends it with 0."""
    proc = await asyncio.create_subprocess_exec(
        BIN, "lsp", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )

    async def request(id_, method, params):
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": id_, "method": method, "params": params}))
        await proc.stdin.drain()
        while True:
            msg = await asyncio.wait_for(read_message(proc.stdout), 10)
            if msg.get("id") == id_:
                return msg

    def notify(method, params):
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    r = await request(1, "initialize", {"capabilities": {}})
    assert "result" in r
    notify("initialized", {})
    uri = "file:///raw/rules.v4"
    notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "iptables", "version": 1, "text": RULES}})
    # Ill-typed params.
    r = await request(2, "textDocument/hover", {"bogus": True})
    assert "error" in r, r
    r = await request(3, "textDocument/definition", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": "x"}})
    assert "error" in r, r
    # An unknown method.
    r = await request(4, "iptlint/nonsense", {})
    assert "error" in r, r
    # Ill-typed notifications, a change with a range past the end.
    notify("textDocument/didChange", {"textDocument": {"uri": uri}})
    notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 500, "character": 3}, "end": {"line": 2, "character": 0}}, "text": "x"}],
    })
    # Not JSON at all.
    body = b"{this is not json"
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    await proc.stdin.drain()
    # Still alive and answering.
    r = await request(5, "textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert "result" in r and r["result"][0]["name"] == "filter", r
    r = await request(6, "shutdown", None)
    assert r.get("result", "missing") is None, r
    notify("exit", None)
    await proc.stdin.drain()
    rc = await asyncio.wait_for(proc.wait(), 10)
    assert rc == 0
