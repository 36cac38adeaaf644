//! The handlers on analysed documents, and the document actor under a
//! burst of edits.

use std::sync::{Arc, Mutex};

use iptlint_lsp::convert::Encoding;
use iptlint_lsp::docs::{Docs, Report};
use iptlint_lsp::handlers;
use tower_lsp_server::ls_types::*;

const TEXT: &str = "# Règles «test» 😀\n\
*filter\n\
:INPUT DROP [0:0]\n\
:FORWARD DROP [0:0]\n\
:OUTPUT ACCEPT [0:0]\n\
:SSH - [0:0]\n\
-A INPUT -i lo -j ACCEPT\n\
-A INPUT -p tcp --dport 22 -j SSH\n\
-A INPUT -s 10.0.0.5/8 -j ACCEPT\n\
# comment kept\n\
\n\
-A SSH -m limit --limit 5/min -j ACCEPT\n\
-A SSH -j DROP\n\
COMMIT\n";

fn doc(text: &str) -> iptlint_lsp::docs::Analysis {
    iptlint_lsp::analyse("file:///t/rules.v4", 1, text.to_string())
}

fn pos_of(text: &str, needle: &str, plus: u32) -> Position {
    let (line, l) = text.lines().enumerate().find(|(_, l)| l.contains(needle)).expect(needle);
    let col = l[..l.find(needle).unwrap()].encode_utf16().count() as u32;
    Position::new(line as u32, col + plus)
}

fn hover_text(a: &iptlint_lsp::docs::Analysis, p: Position) -> String {
    match handlers::hover::handle(a, Encoding::Utf16, p).map(|h| h.contents) {
        Some(HoverContents::Markup(m)) => m.value,
        other => panic!("no hover at {p:?}: {other:?}"),
    }
}

#[test]
fn hover_option_module_chain_code() {
    let a = doc(TEXT);
    let h = hover_text(&a, pos_of(TEXT, "--dport", 3));
    assert!(h.contains("--dport") && h.contains("port"), "{h}");
    let h = hover_text(&a, pos_of(TEXT, "-m limit", 4));
    assert!(h.contains("limit") && h.contains("Options"), "{h}");
    let h = hover_text(&a, pos_of(TEXT, "-j SSH", 4));
    assert!(h.contains("chain SSH") && h.contains("2 rules") && h.contains("line 8"), "{h}");
    let h = hover_text(&a, pos_of(TEXT, ":INPUT", 2));
    assert!(h.contains("policy **DROP**"), "{h}");
    let h = hover_text(&a, pos_of(TEXT, "-j ACCEPT", 4));
    assert!(h.contains("ACCEPT"), "{h}");
    let t2 = TEXT.replace("# comment kept", "# iptlint: disable=host-bits-set");
    let a2 = doc(&t2);
    let h = hover_text(&a2, pos_of(&t2, "host-bits-set", 2));
    assert!(h.contains("L401") || h.contains("host-bits-set"), "{h}");
}

#[test]
fn definition_references_rename() {
    let a = doc(TEXT);
    let p = pos_of(TEXT, "-j SSH", 4);
    let def = handlers::definition::handle(&a, Encoding::Utf16, p).unwrap();
    assert_eq!(def.range, Range::new(Position::new(5, 1), Position::new(5, 4)));
    let refs = handlers::references::handle(&a, Encoding::Utf16, p, true).unwrap();
    assert_eq!(refs.len(), 4);
    let refs = handlers::references::handle(&a, Encoding::Utf16, p, false).unwrap();
    assert_eq!(refs.len(), 3);
    let edit = handlers::rename::handle(&a, Encoding::Utf16, p, "SSH_IN").unwrap().unwrap();
    let edits = &edit.changes.unwrap()[&a.uri];
    assert_eq!(edits.len(), 4);
    assert!(handlers::rename::handle(&a, Encoding::Utf16, p, "bad name").is_err());
    assert!(handlers::rename::handle(&a, Encoding::Utf16, p, "INPUT").is_err());
    let input = pos_of(TEXT, "-A INPUT -i", 4);
    assert!(handlers::rename::handle(&a, Encoding::Utf16, input, "X").is_err());
    assert!(handlers::rename::prepare(&a, Encoding::Utf16, input).is_err());
    assert!(handlers::rename::prepare(&a, Encoding::Utf16, p).is_ok());
}

#[test]
fn symbols_and_folding() {
    let a = doc(TEXT);
    let syms = handlers::document_symbol::handle(&a, Encoding::Utf16);
    assert_eq!(syms.len(), 1);
    assert_eq!(syms[0].name, "filter");
    let chains = syms[0].children.as_ref().unwrap();
    let names: Vec<&str> = chains.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"INPUT") && names.contains(&"SSH"), "{names:?}");
    let ssh = chains.iter().find(|c| c.name == "SSH").unwrap();
    assert_eq!(ssh.children.as_ref().unwrap().len(), 2);
    let folds = handlers::folding_range::handle(&a);
    assert!(folds.iter().any(|f| f.start_line == 1 && f.end_line == 13), "{folds:?}");
}

#[test]
fn formatting_keeps_comments_and_refuses_errors() {
    let a = doc(TEXT);
    let edits = handlers::formatting::handle(&a, Encoding::Utf16).unwrap();
    assert_eq!(edits.len(), 2, "{edits:?}");
    assert_eq!(edits[0].new_text, "-A INPUT -p tcp -m tcp --dport 22 -j SSH");
    assert_eq!(edits[1].new_text, "-A INPUT -s 10.0.0.0/8 -j ACCEPT");
    let bad = doc(&TEXT.replace("-j DROP\n", "-j DORP\n"));
    assert!(handlers::formatting::handle(&bad, Encoding::Utf16).is_err());
    // Counters and `-I` positions are kept.
    let t = "*filter\n[5:60] -A INPUT -p tcp --dport 22 -j ACCEPT\n-I INPUT 2 -p udp --dport 53 -j ACCEPT\nCOMMIT\n";
    let edits = handlers::formatting::handle(&doc(t), Encoding::Utf16).unwrap();
    let texts: Vec<&str> = edits.iter().map(|e| e.new_text.as_str()).collect();
    assert_eq!(
        texts,
        ["[5:60] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "-I INPUT 2 -p udp -m udp --dport 53 -j ACCEPT"]
    );
}

#[test]
fn diagnostics_and_code_actions() {
    let a = doc(TEXT);
    let diags = handlers::diagnostics::to_proto(&a, Encoding::Utf16);
    let hb = diags.iter().find(|d| d.data.as_ref().unwrap()["name"] == "host-bits-set").expect("host-bits-set");
    assert_eq!(hb.code, Some(NumberOrString::String("L401".into())));
    assert!(hb.code_description.is_some());
    assert_eq!(hb.data.as_ref().unwrap()["fix"]["edits"][0]["newText"], "10.0.0.0/8");
    let line = hb.range.start.line;
    let actions =
        handlers::code_action::handle(&a, Encoding::Utf16, Range::new(Position::new(line, 0), Position::new(line, 0)));
    let titles: Vec<String> = actions
        .iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a.title.clone(),
            CodeActionOrCommand::Command(c) => c.title.clone(),
        })
        .collect();
    assert!(titles.iter().any(|t| t.contains("10.0.0.0/8")), "{titles:?}");
    assert!(titles.iter().any(|t| t == "Disable host-bits-set for this rule"), "{titles:?}");
    // The disable edit inserts the directive above the rule, and it works.
    let CodeActionOrCommand::CodeAction(dis) = actions
        .iter()
        .find(|a| matches!(a, CodeActionOrCommand::CodeAction(c) if c.title.starts_with("Disable")))
        .unwrap()
    else {
        unreachable!()
    };
    let e = &dis.edit.as_ref().unwrap().changes.as_ref().unwrap()[&a.uri][0];
    assert_eq!(e.new_text, "# iptlint: disable=host-bits-set\n");
    let mut lines: Vec<&str> = TEXT.lines().collect();
    lines.insert(e.range.start.line as usize, "# iptlint: disable=host-bits-set");
    let fixed = doc(&(lines.join("\n") + "\n"));
    assert!(!fixed.diagnostics.iter().any(|d| d.code.name == "host-bits-set"));
}

#[test]
fn completion_contexts() {
    let t = "*filter\n:SSH - [0:0]\n-A INPUT -p tcp --\n-A INPUT -j \n-A \n-A INPUT -m conntrack --ctstate NEW,\n*\nCOMMIT\n";
    let a = doc(t);
    let labels = |line: u32, col: u32| -> Vec<String> {
        handlers::completion::handle(&a, Encoding::Utf16, Position::new(line, col))
            .into_iter()
            .map(|i| i.label)
            .collect()
    };
    let l = labels(2, 18);
    assert!(l.contains(&"--dport".to_string()) && l.contains(&"--syn".to_string()), "{l:?}");
    let l = labels(3, 12);
    assert!(l.contains(&"ACCEPT".to_string()) && l.contains(&"SSH".to_string()), "{l:?}");
    let l = labels(4, 3);
    assert!(l.contains(&"INPUT".to_string()) && l.contains(&"SSH".to_string()), "{l:?}");
    let l = labels(5, 36);
    assert!(l.contains(&"NEW,ESTABLISHED".to_string()), "{l:?}");
    let l = labels(6, 1);
    assert!(l.contains(&"nat".to_string()), "{l:?}");
}

/// Hundreds of edits sent as fast as possible: the last publication is
/// for the last version, publications never go back in version, and the
/// actor's text is the client's.
#[test]
fn burst_of_edits_publishes_only_the_newest() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let published: Arc<Mutex<Vec<(i32, usize)>>> = Arc::default();
    let p2 = published.clone();
    let docs = rt.block_on(async {
        Docs::start(Arc::new(move |r| {
            if let Report::Analysed(a) = r {
                let errors = a.diagnostics.iter().filter(|d| d.severity == iptlint_parser::Severity::Error).count();
                p2.lock().unwrap().push((a.version, errors));
            }
        }))
    });
    let uri: Uri = "file:///t/burst.rules".parse().unwrap();
    let mut text = String::from("*filter\n");
    for i in 0..2000 {
        text.push_str(&format!("-A INPUT -p tcp --dport {} -j ACCEPT\n", 1000 + i));
    }
    text.push_str("COMMIT\n");
    docs.open(uri.clone(), 0, text);
    let mut line = "-A INPUT -p tcp --dport 1000 -j ACCEPT".to_string();
    let n = 500;
    for v in 1..=n {
        let new = format!("-A INPUT -p tcp --dport {} -j {}", 2000 + v, if v % 2 == 1 { "ACCEPTT" } else { "ACCEPT" });
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 0), Position::new(1, line.encode_utf16().count() as u32))),
            range_length: None,
            text: new.clone(),
        };
        docs.change(uri.clone(), v, vec![change]);
        line = new;
    }
    let a = rt.block_on(docs.get(&uri, true)).unwrap();
    assert_eq!(a.version, n);
    assert!(a.text.contains(&format!("--dport {} -j ACCEPT\n", 2000 + n)));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pubs = published.lock().unwrap().clone();
    let versions: Vec<i32> = pubs.iter().map(|p| p.0).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert_eq!(pubs.last().unwrap(), &(n, 0), "{pubs:?}");
    assert!(pubs.len() < n as usize / 2, "stale versions were analysed: {} of {n}", pubs.len());
    eprintln!("{n} edits -> {} publications", pubs.len());
}

#[test]
fn hover_on_a_finding_shows_the_lint_doc() {
    let a = doc(TEXT);
    let h = hover_text(&a, pos_of(TEXT, "10.0.0.5/8", 2));
    assert!(h.contains("L401") && h.contains("host-bits-set"), "{h}");
}
