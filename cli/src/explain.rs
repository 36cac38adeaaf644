//! `iptlint explain FILE --packet SPEC`: follow a packet through the
//! ruleset; `--packets FILE.jsonl` for many packets, one JSON result per line.

use std::io::{BufWriter, Write};

use clap::{Args, ValueEnum};
use iptlint_analysis::explain::{
    render_human, DecidedBy, Explainer, Explanation, Matched, Options, PacketFields, Step,
};
use iptlint_parser::{ParseOptions, Severity};
use serde::Serialize;
use serde_json::{json, Value};

use crate::{io_error, read_input, FamilyArgs, EXIT_ERROR, EXIT_OK};

#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The ruleset (iptables-save format; `-` for stdin).
    #[arg(value_name = "FILE")]
    file: String,
    /// The packet in one line: `tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0`
    /// (`in IFACE` alone: delivered locally; `out IFACE` alone: generated
    /// locally; both: forwarded; then optionally `state S`, `flags F,F`,
    /// `icmp-type T`, `mark M`). The flags below override its fields.
    #[arg(long, value_name = "SPEC")]
    packet: Option<String>,
    /// Explain every packet of a JSON-lines file (keys: proto src dst sport
    /// dport iface oface state flags icmp_type mark); one JSON result per line.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "packet")]
    packets: Option<String>,
    /// Protocol (tcp, udp, icmp, a number…).
    #[arg(long)]
    proto: Option<String>,
    /// Source address.
    #[arg(long)]
    src: Option<String>,
    /// Source port (default 32768).
    #[arg(long)]
    sport: Option<String>,
    /// Destination address.
    #[arg(long)]
    dst: Option<String>,
    /// Destination port.
    #[arg(long)]
    dport: Option<String>,
    /// Input interface.
    #[arg(long = "in", value_name = "IFACE")]
    iface: Option<String>,
    /// Output interface.
    #[arg(long = "out", value_name = "IFACE")]
    oface: Option<String>,
    /// Conntrack state: NEW (default), ESTABLISHED, RELATED, INVALID, UNTRACKED.
    #[arg(long)]
    state: Option<String>,
    /// ICMP type (name or number[/code]; default echo-request).
    #[arg(long)]
    icmp_type: Option<String>,
    /// TCP flags set, comma-separated (default SYN for NEW, ACK otherwise).
    #[arg(long)]
    tcp_flags: Option<String>,
    /// Packet mark (default 0).
    #[arg(long)]
    mark: Option<String>,
    #[command(flatten)]
    family: FamilyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    format: ExplainFormat,
    /// Which rules the trace holds: all rules met, or only those that
    /// matched (default: all for one packet, matched for --packets).
    #[arg(long, value_enum)]
    trace: Option<TraceMode>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExplainFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum TraceMode {
    All,
    Matched,
}

#[derive(Serialize)]
#[serde(untagged)]
enum DecidedJson<'a> {
    Rule { line: usize, table: &'a str, chain: &'a str, rule: usize },
    Policy { policy: &'a str, table: &'a str, chain: &'a str },
}

fn decided(d: &DecidedBy) -> DecidedJson<'_> {
    match d {
        DecidedBy::Rule { table, chain, line, rule } => DecidedJson::Rule { line: *line, table, chain, rule: *rule },
        DecidedBy::Policy { table, chain, policy } => DecidedJson::Policy { policy, table, chain },
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum MatchedJson {
    Known(bool),
    Unknown(&'static str),
}

#[derive(Serialize)]
struct TraceJson<'a> {
    table: &'a str,
    chain: &'a str,
    line: usize,
    rule: usize,
    matched: MatchedJson,
    target: &'a str,
    failed: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unknown: &'a [String],
}

#[derive(Serialize)]
struct RewriteJson<'a> {
    table: &'a str,
    chain: &'a str,
    line: usize,
    target: &'a str,
    field: &'a str,
    from: &'a str,
    to: &'a str,
}

#[derive(Serialize)]
struct AlternativeJson<'a> {
    verdict: &'a str,
    decided_by: Option<DecidedJson<'a>>,
    if_matches: DecidedJson<'a>,
}

#[derive(Serialize)]
struct NearJson<'a> {
    line: usize,
    table: &'a str,
    chain: &'a str,
    rule: usize,
    failed: &'a [String],
}

/// The JSON form of an explanation (borrowing from it).
#[derive(Serialize)]
pub struct ExplanationJson<'a> {
    verdict: &'a str,
    decided_by: Option<DecidedJson<'a>>,
    trace: Vec<TraceJson<'a>>,
    rewrites: Vec<RewriteJson<'a>>,
    alternatives: Vec<AlternativeJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    nearest_accepts: Vec<NearJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<&'a str>,
    packet: String,
    path: &'static str,
}

/// The JSON form of an explanation.
pub fn explanation_json(e: &Explanation) -> ExplanationJson<'_> {
    ExplanationJson {
        verdict: &e.verdict,
        decided_by: e.decided_by.as_ref().map(decided),
        trace: e
            .trace()
            .map(|r| TraceJson {
                table: &r.table,
                chain: &r.chain,
                line: r.line,
                rule: r.rule,
                matched: match r.matched {
                    Matched::Yes => MatchedJson::Known(true),
                    Matched::No => MatchedJson::Known(false),
                    Matched::Unknown => MatchedJson::Unknown("unknown"),
                },
                target: &r.target,
                failed: r.failed.as_deref(),
                unknown: &r.unknown,
            })
            .collect(),
        rewrites: e
            .rewrites
            .iter()
            .map(|r| RewriteJson {
                table: &r.table,
                chain: &r.chain,
                line: r.line,
                target: &r.target,
                field: r.field,
                from: &r.from,
                to: &r.to,
            })
            .collect(),
        alternatives: e
            .alternatives
            .iter()
            .map(|a| AlternativeJson {
                verdict: &a.verdict,
                decided_by: a.decided_by.as_ref().map(decided),
                if_matches: decided(&a.if_fires),
            })
            .collect(),
        nearest_accepts: e
            .nearest_accepts
            .iter()
            .map(|n| NearJson { line: n.line, table: &n.table, chain: &n.chain, rule: n.rule, failed: &n.failed })
            .collect(),
        notes: e
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Note(n) => Some(n.as_str()),
                _ => None,
            })
            .collect(),
        packet: e.packet.to_string(),
        path: e.path.describe(),
    }
}

/// A JSON object of packet fields (strings or numbers).
fn fields_from_json(v: &Value) -> Result<PacketFields, String> {
    let obj = v.as_object().ok_or("expected a JSON object")?;
    let mut f = PacketFields::default();
    for (k, v) in obj {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null => continue,
            other => return Err(format!("`{k}`: expected a string or number, got {other}")),
        };
        let slot = match k.as_str() {
            "proto" => &mut f.proto,
            "src" => &mut f.src,
            "dst" => &mut f.dst,
            "sport" => &mut f.sport,
            "dport" => &mut f.dport,
            "iface" | "in" => &mut f.iface,
            "oface" | "out" => &mut f.oface,
            "state" => &mut f.state,
            "flags" | "tcp_flags" => &mut f.flags,
            "icmp_type" => &mut f.icmp_type,
            "mark" => &mut f.mark,
            other => {
                return Err(format!(
                    "unknown key `{other}` (valid: proto src dst sport dport iface oface state flags icmp_type mark)"
                ))
            }
        };
        *slot = Some(s);
    }
    Ok(f)
}

pub(crate) fn cmd_explain(a: ExplainArgs) -> i32 {
    let text = match read_input(&a.file) {
        Ok(t) => t,
        Err(e) => {
            io_error(format_args!("{}: {e}", a.file));
            return EXIT_ERROR;
        }
    };
    let name = if a.file == "-" { "<stdin>" } else { &a.file };
    let family = a.family.forced().unwrap_or_else(|| iptlint_parser::detect_family(Some(name), &text));
    let parsed = iptlint_parser::parse(&text, &ParseOptions { family: Some(family), ..ParseOptions::default() });
    let errors = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if errors > 0 {
        eprintln!(
            "iptlint: warning: {name} has {errors} error(s) (`iptlint check {name}`): iptables-restore would refuse it; appended lines with errors are explained as written"
        );
    }
    let explainer = Explainer::new(&parsed.ruleset);
    let flags = PacketFields {
        proto: a.proto.clone(),
        src: a.src.clone(),
        sport: a.sport.clone(),
        dst: a.dst.clone(),
        dport: a.dport.clone(),
        iface: a.iface.clone(),
        oface: a.oface.clone(),
        state: a.state.clone(),
        flags: a.tcp_flags.clone(),
        icmp_type: a.icmp_type.clone(),
        mark: a.mark.clone(),
    };
    if let Some(path) = &a.packets {
        return batch(&explainer, path, &a, flags);
    }
    let mut fields = match &a.packet {
        Some(spec) => match PacketFields::parse_spec(spec) {
            Ok(f) => f,
            Err(e) => {
                io_error(format_args!("--packet: {e}"));
                return EXIT_ERROR;
            }
        },
        None => PacketFields::default(),
    };
    fields.merge(flags);
    let packet = match fields.build(Some(explainer.family())) {
        Ok(p) => p,
        Err(e) => {
            io_error(format_args!("the packet: {e}"));
            return EXIT_ERROR;
        }
    };
    let opts = Options { trace_all: a.trace != Some(TraceMode::Matched), alternatives: true };
    let e = explainer.explain(&packet, &opts);
    let out = match a.format {
        ExplainFormat::Human => render_human(&e, name, &text),
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&explanation_json(&e)).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    EXIT_OK
}

fn batch(explainer: &Explainer, path: &str, a: &ExplainArgs, flags: PacketFields) -> i32 {
    let input = match read_input(path) {
        Ok(t) => t,
        Err(e) => {
            io_error(format_args!("{path}: {e}"));
            return EXIT_ERROR;
        }
    };
    let opts = Options { trace_all: a.trace == Some(TraceMode::All), alternatives: true };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<Value>(line)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|v| fields_from_json(&v))
            .and_then(|f| {
                let mut base = flags.clone();
                base.merge(f);
                base.build(Some(explainer.family()))
            });
        let _ = match result {
            Ok(p) => serde_json::to_writer(&mut out, &explanation_json(&explainer.explain(&p, &opts))),
            Err(e) => serde_json::to_writer(&mut out, &json!({"line": n + 1, "error": e})),
        };
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
    EXIT_OK
}
