//! One rule line's words → a rule, the way iptables' `do_parse` reads its
//! argv: `getopt_long` with abbreviated long options over a table that grows
//! as `-m` and `-j` load modules (the newest module's options first), `!`
//! as a separate word before the option it negates, and the protocol match
//! loaded implicitly by `-p` the first time an option is unknown.
//!
//! Like iptables, the first error ends the line; unlike iptables, the line
//! is kept (marked invalid) and the next line is read.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{self, ArgCx, Value};
use crate::ext::{self, ArgType, ExtKind, ExtSpec, Family, OptSpec};
use crate::lexer::Word;
use crate::model::{Address, Command, ExtInstance, Field, OptValue, Protocol, Target, TargetKind};
use crate::span::Span;
use std::collections::HashSet;

/// What a rule line said, before the table-wide checks.
#[derive(Clone, Debug, Default)]
pub struct ParsedLine {
    pub command: Option<(Command, Span)>,
    pub chain: Option<(String, Span)>,
    pub protocol: Option<Field<Protocol>>,
    pub source: Option<Field<Vec<Address>>>,
    pub destination: Option<Field<Vec<Address>>>,
    pub in_iface: Option<Field<String>>,
    pub out_iface: Option<Field<String>>,
    pub fragment: Option<Field<()>>,
    pub matches: Vec<ExtInstance>,
    pub target: Option<Target>,
    /// The rule uses `-6` in an IPv4 file (or `-4` in IPv6): iptables-restore
    /// skips the whole line.
    pub skipped_family: bool,
    /// Findings that do not stop the line (iptables prints a warning).
    pub warnings: Vec<Diagnostic>,
    /// The command is `-L` or `-S` (kept as `Command::Check`): it lists,
    /// takes no rule and an optional chain.
    pub listing: bool,
    /// `-V` or `-h`: iptables-restore prints and exits with success here,
    /// committing nothing.
    pub exits: Option<Span>,
    /// `-Z CHAIN N`: the rule number.
    pub zero_rule: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
enum Owner {
    /// A global option, by its short letter.
    Global(char),
    /// Option `opt` of module `spec`; `target` when it is the target's.
    Module { spec: &'static ExtSpec, opt: &'static OptSpec, target: bool },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    name: &'static str,
    /// 0 none, 1 required, 2 optional (attached with `=` only).
    has_arg: u8,
    owner: Owner,
}

const GLOBAL_LONG: &[(&str, u8, char)] = &[
    ("append", 1, 'A'),
    ("delete", 1, 'D'),
    ("check", 1, 'C'),
    ("insert", 1, 'I'),
    ("replace", 1, 'R'),
    ("list", 2, 'L'),
    ("list-rules", 2, 'S'),
    ("flush", 2, 'F'),
    ("zero", 2, 'Z'),
    ("new-chain", 1, 'N'),
    ("delete-chain", 2, 'X'),
    ("rename-chain", 1, 'E'),
    ("policy", 1, 'P'),
    ("source", 1, 's'),
    ("destination", 1, 'd'),
    ("src", 1, 's'),
    ("dst", 1, 'd'),
    ("protocol", 1, 'p'),
    ("in-interface", 1, 'i'),
    ("jump", 1, 'j'),
    ("table", 1, 't'),
    ("match", 1, 'm'),
    ("numeric", 0, 'n'),
    ("out-interface", 1, 'o'),
    ("verbose", 0, 'v'),
    ("wait", 2, 'w'),
    ("wait-interval", 2, 'W'),
    ("exact", 0, 'x'),
    ("fragments", 0, 'f'),
    ("version", 0, 'V'),
    ("help", 2, 'h'),
    ("line-numbers", 0, '0'),
    ("modprobe", 1, 'M'),
    ("set-counters", 1, 'c'),
    ("goto", 1, 'g'),
    ("ipv4", 0, '4'),
    ("ipv6", 0, '6'),
];

/// Short options and whether they take an argument (1) or an optional
/// attached one (2): iptables' `IPT_OPTSTRING`.
fn short_arg(c: char) -> Option<u8> {
    const OPTSTRING: &str = "A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x";
    let b = OPTSTRING.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let ch = b[i] as char;
        let mut n = 0;
        while i + 1 + n < b.len() && b[i + 1 + n] == b':' {
            n += 1;
        }
        if ch == c {
            return Some(n as u8);
        }
        i += 1 + n;
    }
    None
}

/// Protocols iptables knows by name (`xtables_chain_protos` plus the
/// `/etc/protocols` names that matter), and the match `-p` loads for each.
pub const PROTOCOLS: &[(&str, u8)] = &[
    ("tcp", 6),
    ("sctp", 132),
    ("udp", 17),
    ("udplite", 136),
    ("icmp", 1),
    ("ipv6-icmp", 58),
    ("icmpv6", 58),
    ("esp", 50),
    ("ah", 51),
    ("mobility-header", 135),
    ("ipv6-mh", 135),
    ("mh", 135),
    ("all", 0),
    ("ip", 0),
    ("igmp", 2),
    ("ggp", 3),
    ("ipencap", 4),
    ("st", 5),
    ("egp", 8),
    ("igp", 9),
    ("pup", 12),
    ("hmp", 20),
    ("xns-idp", 22),
    ("rdp", 27),
    ("iso-tp4", 29),
    ("dccp", 33),
    ("xtp", 36),
    ("ddp", 37),
    ("idpr-cmtp", 38),
    ("ipv6", 41),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("idrp", 45),
    ("rsvp", 46),
    ("gre", 47),
    ("skip", 57),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("rspf", 73),
    ("vmtp", 81),
    ("eigrp", 88),
    ("ospf", 89),
    ("ax.25", 93),
    ("ipip", 94),
    ("etherip", 97),
    ("encap", 98),
    ("pim", 103),
    ("ipcomp", 108),
    ("vrrp", 112),
    ("l2tp", 115),
    ("isis", 124),
    ("fc", 133),
    ("manet", 138),
    ("hip", 139),
    ("shim6", 140),
    ("wesp", 141),
    ("rohc", 142),
    ("ethernet", 143),
    ("mpls-in-ip", 137),
    // Names whose number is never printed back: hopopt is 0 (`all`), and
    // mptcp is 262 in /etc/protocols, which iptables stores in 8 bits (6,
    // tcp).
    ("hopopt", 0),
    ("mptcp", 6),
];

/// The name iptables-save prints for a protocol number.
pub fn protocol_name(num: u8, family: Family) -> String {
    match num {
        0 => "all".into(),
        58 if family == Family::V6 => "ipv6-icmp".into(),
        58 => "ipv6-icmp".into(),
        _ => match PROTOCOLS.iter().find(|(_, n)| *n == num) {
            Some((name, _)) if !matches!(*name, "ip") => name.to_string(),
            _ => num.to_string(),
        },
    }
}

pub fn parse_protocol(s: &str) -> Option<u8> {
    let lower = s.to_ascii_lowercase();
    if let Some(n) = value::parse_c_uint(&lower) {
        return u8::try_from(n).ok();
    }
    PROTOCOLS.iter().find(|(n, _)| *n == lower).map(|(_, p)| *p)
}

/// The match module `-p` loads implicitly.
fn proto_match(num: u8, family: Family) -> Option<&'static ExtSpec> {
    let name = match num {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "icmp6",
        132 => "sctp",
        33 => "dccp",
        50 => "esp",
        51 => "ah",
        135 => "mh",
        136 => "udplite",
        _ => return None,
    };
    ext::find(ExtKind::Match, name, family)
}

/// The most words iptables-restore reads from one rule line.
pub const MAX_WORDS: usize = 251;

pub struct LineCx<'a> {
    pub family: Family,
    pub table: &'a str,
    /// Chain names announced by `:NAME` lines so far (in any table):
    /// iptables then reads `-j NAME` as a jump to the chain even when a
    /// target module has that name (`:LOG - [0:0]` … `-j LOG`).
    pub announced: &'a HashSet<String>,
}

struct Parser<'w> {
    words: &'w [Word],
    pos: usize,
    family: Family,
    table: String,
    /// Modules whose options are loaded (`merge`), oldest first; getopt
    /// sees the global options, then these newest first.
    mods: Vec<(&'static ExtSpec, bool)>,
    out: ParsedLine,
    /// Indexes of match instances that later `-m` of the same module closed.
    completed: Vec<bool>,
    proto_used: bool,
    /// Short options seen, to refuse repeats (`set_option`).
    seen: Vec<char>,
    diag: Option<Diagnostic>,
    line_span: Span,
    announced: &'w HashSet<String>,
    set_counters: bool,
}

/// Parse a rule line's words (counters already removed).
pub fn parse_words<'w>(words: &'w [Word], cx: &LineCx<'w>, line_span: Span) -> (ParsedLine, Option<Diagnostic>) {
    let mut p = Parser {
        words,
        pos: 0,
        family: cx.family,
        table: cx.table.to_string(),
        mods: Vec::new(),
        out: ParsedLine::default(),
        completed: Vec::new(),
        proto_used: false,
        seen: Vec::new(),
        diag: None,
        line_span,
        set_counters: false,
        announced: cx.announced,
    };
    // iptables-restore's argv holds 254 entries, 3 of them its own
    // (`iptables -t TABLE`): a line may have at most 251 words.
    if words.len() > MAX_WORDS {
        let _ = p.err::<()>(
            &codes::UNKNOWN_OPTION,
            words[MAX_WORDS].span.cover(words[words.len() - 1].span),
            format!(
                "{} words on one line; iptables-restore handles at most {MAX_WORDS} (\"Parser cannot handle more arguments\")",
                words.len()
            ),
        );
        return (p.out, p.diag);
    }
    let _ = p.run();
    (p.out, p.diag)
}

type Res<T> = Result<T, ()>;

impl<'w> Parser<'w> {
    fn fail(&mut self, d: Diagnostic) -> Res<()> {
        if self.diag.is_none() {
            self.diag = Some(d);
        }
        Err(())
    }

    fn err<T>(&mut self, code: &'static codes::Code, span: Span, msg: impl Into<String>) -> Res<T> {
        self.fail(Diagnostic::new(code, span, msg))?;
        Err(())
    }

    fn run(&mut self) -> Res<()> {
        let mut invert: Option<Span> = None;
        while self.pos < self.words.len() {
            let words = self.words;
            let w = &words[self.pos];
            let word: &str = &w.text;
            let wspan = w.span;
            self.pos += 1;
            if word == "!" {
                if invert.is_some() {
                    return self.err(&codes::INVALID_NEGATION, wspan, "two `!` in a row");
                }
                invert = Some(wspan);
                continue;
            }
            if word == "--" {
                // getopt stops here; iptables refuses any word left over.
                if let Some(next) = self.words.get(self.pos) {
                    let (text, span) = (next.text.clone(), next.span);
                    return self.err(
                        &codes::UNKNOWN_OPTION,
                        span,
                        format!("`{text}` follows `--`, which ends option parsing; iptables refuses it"),
                    );
                }
                break;
            }
            if let Some(long) = word.strip_prefix("--") {
                let (name, attached) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                self.long_option(name, attached, wspan, invert)?;
            } else if word.len() > 1 && word.starts_with('-') {
                self.short_options(word, wspan, invert)?;
            } else {
                let (code, msg) = if word.starts_with('!') {
                    (&codes::INVALID_NEGATION, format!("`{word}`: `!` must be a word of its own, followed by a blank"))
                } else {
                    (&codes::UNKNOWN_OPTION, format!("unexpected argument `{word}`: no option takes it"))
                };
                return self.err(code, wspan, msg);
            }
            invert = None;
        }
        if let Some(sp) = invert {
            return self.err(&codes::INVALID_NEGATION, sp, "`!` at the end of the rule negates nothing");
        }
        self.finish()
    }

    /// Find a long option the way glibc's getopt_long does: an exact name
    /// first, else a unique prefix (prefixes of one option under several
    /// names are not ambiguous).
    fn lookup_long(&self, name: &str) -> Result<Option<Entry>, Vec<&'static str>> {
        if let Some(e) = self.entries().find(|e| e.name == name) {
            return Ok(Some(e));
        }
        let mut cands = self.entries().filter(|e| e.name.starts_with(name));
        let Some(first) = cands.next() else {
            return Ok(None);
        };
        if cands.all(|e| same_option(&e, &first)) {
            Ok(Some(first))
        } else {
            Err(self.entries().filter(|e| e.name.starts_with(name)).map(|e| e.name).collect())
        }
    }

    /// The long option table getopt sees: the global options, then each
    /// loaded module's (newest first), every name and alias of an option
    /// in a row.
    fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        let globals = GLOBAL_LONG.iter().map(|&(name, has_arg, c)| Entry { name, has_arg, owner: Owner::Global(c) });
        let modules = self.mods.iter().rev().flat_map(|&(spec, target)| {
            spec.options.iter().flat_map(move |opt| {
                let has_arg = if opt.arg.arity() == 0 { 0 } else { 1 };
                std::iter::once(opt.name).chain(opt.aliases.iter().copied()).map(move |name| Entry {
                    name,
                    has_arg,
                    owner: Owner::Module { spec, opt, target },
                })
            })
        });
        globals.chain(modules)
    }

    fn long_option(&mut self, name: &str, attached: Option<String>, wspan: Span, invert: Option<Span>) -> Res<()> {
        loop {
            match self.lookup_long(name) {
                Ok(Some(e)) => {
                    let arg = match e.has_arg {
                        0 => {
                            if attached.is_some() {
                                return self.err(
                                    &codes::INVALID_VALUE,
                                    wspan,
                                    format!("option `--{}` takes no argument", e.name),
                                );
                            }
                            None
                        }
                        2 => attached.clone().map(|a| (a, wspan)),
                        _ => match &attached {
                            Some(a) => Some((a.clone(), wspan)),
                            None => match self.words.get(self.pos) {
                                Some(w) => {
                                    self.pos += 1;
                                    Some((w.text.to_string(), w.span))
                                }
                                None => {
                                    return self.err(
                                        &codes::MISSING_ARGUMENT,
                                        wspan,
                                        format!("option `--{}` requires an argument", e.name),
                                    )
                                }
                            },
                        },
                    };
                    return self.dispatch(e, arg, wspan, invert);
                }
                Ok(None) => {
                    if self.load_proto() {
                        continue;
                    }
                    return self.unknown_long(name, wspan);
                }
                Err(cands) => {
                    return self.err(
                        &codes::UNKNOWN_OPTION,
                        wspan,
                        format!(
                            "option `--{name}` is ambiguous: it abbreviates {}",
                            cands.iter().map(|c| format!("--{c}")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                }
            }
        }
    }

    fn unknown_long(&mut self, name: &str, wspan: Span) -> Res<()> {
        let mut d = Diagnostic::new(&codes::UNKNOWN_OPTION, wspan, format!("unknown option `--{name}`"));
        // Which module would know it?
        let owners: Vec<&'static str> = ext::all()
            .filter(|s| s.kind == ExtKind::Match && s.families.has(self.family))
            .filter(|s| s.options.iter().any(|o| o.name == name || o.aliases.contains(&name)))
            .map(|s| s.name)
            .collect();
        if !owners.is_empty() {
            let list = owners.iter().take(6).map(|o| format!("`-m {o}`")).collect::<Vec<_>>().join(", ");
            if owners.iter().any(|o| ["tcp", "udp", "sctp", "dccp", "icmp", "icmp6"].contains(o))
                && self.out.protocol.is_none()
            {
                d = d.note(format!("`--{name}` belongs to a protocol match: put `-p {}` before it", owners[0]));
            } else {
                d = d.note(format!("`--{name}` is an option of {list}; load the module before its options"));
            }
        } else {
            let mut best: Option<(usize, &'static str)> = None;
            let chars = name.chars().count();
            for e in self.entries() {
                // The distance is at least the difference in length.
                if e.name.chars().count().abs_diff(chars) > 2 {
                    continue;
                }
                let dist = strsim::damerau_levenshtein(name, e.name);
                if dist <= 2 && best.is_none_or(|(b, _)| dist < b) {
                    best = Some((dist, e.name));
                }
            }
            if let Some((_, n)) = best {
                d = d.suggest(format!("did you mean `--{n}`?"), wspan, format!("--{n}"));
            }
        }
        self.fail(d)
    }

    fn short_options(&mut self, word: &str, wspan: Span, mut invert: Option<Span>) -> Res<()> {
        let cluster = &word[1..];
        // Byte offset of the next option letter in `cluster`.
        let mut i = 0;
        while i < cluster.len() {
            let c = cluster[i..].chars().next().expect("char boundary");
            i += c.len_utf8();
            let Some(has_arg) = short_arg(c) else {
                if self.load_proto() {
                    // The implicit protocol match knows no short options:
                    // unknown as before.
                }
                return self.err(&codes::UNKNOWN_OPTION, wspan, format!("unknown option `-{c}`"));
            };
            let entry = Entry { name: "", has_arg, owner: Owner::Global(c) };
            let rest = &cluster[i..];
            let arg = match has_arg {
                0 => None,
                2 => {
                    i = cluster.len();
                    (!rest.is_empty()).then(|| (rest.to_string(), wspan))
                }
                _ => {
                    i = cluster.len();
                    if !rest.is_empty() {
                        Some((rest.to_string(), wspan))
                    } else if let Some(w) = self.words.get(self.pos) {
                        self.pos += 1;
                        Some((w.text.to_string(), w.span))
                    } else {
                        return self.err(
                            &codes::MISSING_ARGUMENT,
                            wspan,
                            format!("option `-{c}` requires an argument"),
                        );
                    }
                }
            };
            // `!` negates the first option of a cluster only (`! -fj X`).
            self.dispatch(entry, arg, wspan, invert.take())?;
            if self.out.skipped_family {
                // iptables-restore drops the line at once (`-6x` in IPv4).
                return Ok(());
            }
        }
        Ok(())
    }

    /// `load_proto`: when `-p` names a protocol with a match module not yet
    /// in use, load it and retry the option.
    fn load_proto(&mut self) -> bool {
        let Some(p) = &self.out.protocol else {
            return false;
        };
        let Some(spec) = proto_match(p.value.number, self.family) else {
            return false;
        };
        let loaded = self.out.matches.iter().any(|m| m.spec.is_some_and(|s| std::ptr::eq(s, spec)));
        if loaded && self.proto_used {
            return false;
        }
        self.proto_used = true;
        let span = p.span;
        self.add_match(spec, spec.name.to_string(), span, true);
        true
    }

    fn add_match(&mut self, spec: &'static ExtSpec, name: String, span: Span, implicit: bool) {
        let mut first = true;
        for (i, m) in self.out.matches.iter().enumerate() {
            if m.spec.is_some_and(|s| std::ptr::eq(s, spec)) {
                self.completed[i] = true;
                first = false;
            }
        }
        self.out.matches.push(ExtInstance {
            name,
            kind: ExtKind::Match,
            spec: Some(spec),
            span,
            implicit,
            options: Vec::new(),
        });
        self.completed.push(false);
        if first {
            self.merge(spec, false);
        }
    }

    /// Newest module's options go right after the global ones.
    fn merge(&mut self, spec: &'static ExtSpec, target: bool) {
        self.mods.push((spec, target));
    }

    fn arg_cx(&self) -> ArgCx {
        let proto = self.out.protocol.as_ref().filter(|p| !p.negated).map(|p| p.value.number);
        ArgCx { family: self.family, proto }
    }

    fn once(&mut self, c: char, span: Span) -> Res<()> {
        if self.seen.contains(&c) {
            let msg = match c {
                'j' | 'g' => "only one target (`-j`/`-g`) is allowed per rule".to_string(),
                _ => format!("option `-{c}` may be given only once"),
            };
            return self.err(&codes::DUPLICATE_OPTION, span, msg);
        }
        self.seen.push(c);
        Ok(())
    }

    fn no_invert(&mut self, invert: Option<Span>, what: &str) -> Res<()> {
        if let Some(sp) = invert {
            return self.err(&codes::INVALID_NEGATION, sp, format!("`!` cannot negate {what}"));
        }
        Ok(())
    }

    fn set_command(&mut self, cmd: Command, span: Span, invert: Option<Span>) -> Res<()> {
        self.no_invert(invert, "a command")?;
        if let Some((_, prev)) = &self.out.command {
            let prev = *prev;
            self.fail(
                Diagnostic::new(&codes::INVALID_COMMAND, span, "a rule line holds one command; this is the second")
                    .related(prev, "the first command"),
            )?;
        }
        self.out.command = Some((cmd, span));
        Ok(())
    }

    /// Optional positional argument of a command (`xs_has_arg`).
    fn has_arg(&self) -> bool {
        self.words.get(self.pos).is_some_and(|w| !w.text.starts_with('-') && !w.text.starts_with('!'))
    }

    fn take_rulenum(&mut self) -> Res<Option<usize>> {
        if !self.has_arg() {
            return Ok(None);
        }
        let w = self.words[self.pos].clone();
        self.pos += 1;
        match w.text.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => self.err(&codes::INVALID_VALUE, w.span, format!("`{}` is not a rule number (1 or more)", w.text)),
        }
    }

    fn take_optional_chain(&mut self, arg: Option<(String, Span)>) -> Option<(String, Span)> {
        if arg.is_some() {
            return arg;
        }
        if self.has_arg() {
            let w = self.words[self.pos].clone();
            self.pos += 1;
            return Some((w.text.to_string(), w.span));
        }
        None
    }

    fn dispatch(&mut self, e: Entry, arg: Option<(String, Span)>, wspan: Span, invert: Option<Span>) -> Res<()> {
        let full = |a: &Option<(String, Span)>| a.as_ref().map_or(wspan, |(_, s)| wspan.cover(*s));
        match e.owner {
            Owner::Module { spec, opt, target } => self.module_option(spec, opt, target, arg, wspan, invert),
            Owner::Global(c) => {
                let span = full(&arg);
                // For these options iptables reads the value as
                // `argv[optind - 1]`: with an attached argument (`-ptcp`,
                // `--source=10.0.0.1`) that is the whole word.
                let arg = match (c, arg) {
                    ('p' | 's' | 'd' | 'i' | 'o' | 'j', Some((_, s))) if s == wspan => {
                        Some((self.words[self.pos - 1].text.to_string(), s))
                    }
                    (_, arg) => arg,
                };
                match c {
                    'A' | 'C' => {
                        let cmd = if c == 'A' { Command::Append } else { Command::Check };
                        self.set_command(cmd, wspan, invert)?;
                        self.out.chain = arg;
                    }
                    'I' => {
                        self.set_command(Command::Insert(1), wspan, invert)?;
                        self.out.chain = arg;
                        let n = self.take_rulenum()?.unwrap_or(1);
                        self.out.command = Some((Command::Insert(n), wspan));
                    }
                    'D' => {
                        self.set_command(Command::Delete(None), wspan, invert)?;
                        self.out.chain = arg;
                        let n = self.take_rulenum()?;
                        self.out.command = Some((Command::Delete(n), wspan));
                    }
                    'R' => {
                        self.set_command(Command::Replace(1), wspan, invert)?;
                        self.out.chain = arg;
                        match self.take_rulenum()? {
                            Some(n) => self.out.command = Some((Command::Replace(n), wspan)),
                            None => return self.err(&codes::MISSING_ARGUMENT, span, "`-R` needs a rule number"),
                        }
                    }
                    'N' => {
                        self.set_command(Command::NewChain, wspan, invert)?;
                        self.out.chain = arg;
                    }
                    'X' | 'F' | 'Z' | 'L' | 'S' => {
                        let cmd = match c {
                            'X' => Command::DeleteChain,
                            'F' => Command::Flush,
                            'Z' => Command::Zero,
                            _ => Command::Check,
                        };
                        self.set_command(cmd, wspan, invert)?;
                        self.out.listing = matches!(c, 'L' | 'S');
                        self.out.chain = self.take_optional_chain(arg);
                        if matches!(c, 'L' | 'S' | 'Z') {
                            let n = self.take_rulenum()?;
                            if c == 'Z' {
                                self.out.zero_rule = n;
                            }
                        }
                    }
                    'P' => {
                        self.set_command(Command::Policy(String::new()), wspan, invert)?;
                        self.out.chain = arg;
                        if !self.has_arg() {
                            return self.err(&codes::MISSING_ARGUMENT, span, "`-P` needs a chain and a policy");
                        }
                        let w = self.words[self.pos].clone();
                        self.pos += 1;
                        self.out.command = Some((Command::Policy(w.text.to_string()), wspan));
                    }
                    'E' => {
                        self.set_command(Command::Rename(String::new()), wspan, invert)?;
                        self.out.chain = arg;
                        if !self.has_arg() {
                            return self.err(
                                &codes::MISSING_ARGUMENT,
                                span,
                                "`-E` needs the old and the new chain name",
                            );
                        }
                        let w = self.words[self.pos].clone();
                        self.pos += 1;
                        self.out.command = Some((Command::Rename(w.text.to_string()), wspan));
                    }
                    'p' => {
                        self.once('p', wspan)?;
                        let (a, aspan) = arg.expect("-p has an argument");
                        self.old_negation(&a, aspan, wspan, "-p")?;
                        let Some(number) = parse_protocol(&a) else {
                            return self.err(&codes::UNKNOWN_PROTOCOL, aspan, format!("unknown protocol `{a}`"));
                        };
                        if number == 0 && invert.is_some() {
                            return self.err(&codes::INVALID_NEGATION, span, "`! -p all` would never match");
                        }
                        let name = canonical_protocol_name(&a, number, self.family);
                        self.out.protocol = Some(Field {
                            value: Protocol { number, name },
                            negated: invert.is_some(),
                            span: span.cover(invert.unwrap_or(span)),
                        });
                    }
                    's' | 'd' => {
                        self.once(c, wspan)?;
                        let (a, aspan) = arg.expect("-s has an argument");
                        self.old_negation(&a, aspan, wspan, if c == 's' { "-s" } else { "-d" })?;
                        let addrs = self.addresses(&a, aspan)?;
                        if addrs.len() > 1 && invert.is_some() {
                            return self.err(
                                &codes::INVALID_NEGATION,
                                span,
                                "`!` is not allowed with several addresses",
                            );
                        }
                        let zero = addrs.iter().any(|a| matches!(a, Address::Net(n) if n.prefix_len() == 0));
                        if zero && invert.is_some() {
                            return self.err(
                                &codes::INVALID_NEGATION,
                                span,
                                "`!` before a /0 address would never match; the nf_tables kernel refuses the rule",
                            );
                        }
                        let f = Field { value: addrs, negated: invert.is_some(), span };
                        if c == 's' {
                            self.out.source = Some(f);
                        } else {
                            self.out.destination = Some(f);
                        }
                    }
                    'i' | 'o' => {
                        self.once(c, wspan)?;
                        let (a, aspan) = arg.expect("-i has an argument");
                        if a.is_empty() {
                            return self.err(&codes::INVALID_VALUE, aspan, "empty interface name");
                        }
                        self.old_negation(&a, aspan, wspan, if c == 'i' { "-i" } else { "-o" })?;
                        // `xtables_parse_interface`: only the length is
                        // an error; `/` and blanks get a warning.
                        if a.len() > 15 {
                            return self.err(
                                &codes::INVALID_VALUE,
                                aspan,
                                format!("interface name `{a}` is longer than 15 characters"),
                            );
                        }
                        if a.contains(['/', ' ']) {
                            let mut d = Diagnostic::new(
                                &codes::INVALID_VALUE,
                                aspan,
                                format!("`{a}`: the kernel allows no `/` or blank in interface names, so this never matches"),
                            );
                            d.severity = crate::diagnostic::Severity::Warning;
                            self.out.warnings.push(d);
                        }
                        let name = a.clone();
                        let f = Field { value: name, negated: invert.is_some(), span };
                        if c == 'i' {
                            self.out.in_iface = Some(f);
                        } else {
                            self.out.out_iface = Some(f);
                        }
                    }
                    'f' => {
                        self.once('f', wspan)?;
                        if self.family == Family::V6 {
                            return self.err(
                                &codes::WRONG_FAMILY,
                                wspan,
                                "`-f` is not supported for IPv6; use `-m frag`",
                            );
                        }
                        self.out.fragment = Some(Field { value: (), negated: invert.is_some(), span });
                    }
                    'j' | 'g' => {
                        self.no_invert(invert, "a target")?;
                        self.once('j', wspan)?;
                        let (a, aspan) = arg.expect("-j has an argument");
                        self.target(a, aspan, c == 'g')?;
                    }
                    'm' => {
                        self.no_invert(invert, "`-m`")?;
                        let (a, aspan) = arg.expect("-m has an argument");
                        self.match_module(a, wspan.cover(aspan))?;
                    }
                    'c' => {
                        self.no_invert(invert, "`-c`")?;
                        self.once('c', wspan)?;
                        let (a, aspan) = arg.expect("-c has an argument");
                        let mut parts = a.splitn(2, ',');
                        let p = parts.next().unwrap_or("").to_string();
                        let b = match parts.next() {
                            Some(b) => b.to_string(),
                            None if self.has_arg() => {
                                let w = self.words[self.pos].clone();
                                self.pos += 1;
                                w.text.to_string()
                            }
                            None => {
                                return self.err(&codes::MISSING_ARGUMENT, aspan, "`-c` needs packet and byte counters")
                            }
                        };
                        // `sscanf("%llu")`: blanks, a sign, then digits;
                        // anything may follow.
                        let scans = |t: &str| {
                            let t = t.trim_start();
                            let t = t.strip_prefix(['+', '-']).unwrap_or(t);
                            t.starts_with(|c: char| c.is_ascii_digit())
                        };
                        if !scans(&p) || !scans(&b) {
                            return self.err(&codes::INVALID_COUNTERS, aspan, "`-c` counters must be numbers");
                        }
                        self.set_counters = true;
                    }
                    't' => {
                        return self.err(
                            &codes::INVALID_COMMAND,
                            span,
                            "`-t` is not allowed in iptables-restore input; the `*table` line sets the table",
                        );
                    }
                    'w' | 'W' => {
                        return self.err(
                            &codes::INVALID_COMMAND,
                            span,
                            format!("`-{c}` is not allowed in iptables-restore input"),
                        );
                    }
                    '4' | '6' => {
                        let mine = (c == '4') == (self.family == Family::V4);
                        if !mine {
                            self.out.skipped_family = true;
                            // iptables-restore stops reading this line.
                            self.pos = self.words.len();
                        }
                    }
                    'n' | 'v' | 'x' | '0' => {
                        self.no_invert(invert, &format!("`-{c}`"))?;
                        if c != 'v' {
                            self.once(c, wspan)?;
                        }
                    }
                    'V' | 'h' => {
                        // iptables-restore prints and exits with success:
                        // nothing of the file is committed.
                        self.out.exits = Some(span);
                        self.pos = self.words.len();
                    }
                    'M' => {}
                    _ => return self.err(&codes::UNKNOWN_OPTION, wspan, format!("unknown option `-{c}`")),
                }
                Ok(())
            }
        }
    }

    /// `-s ! 10.0.0.0/8`: the negation iptables 1.6 dropped.
    fn old_negation(&mut self, arg: &str, aspan: Span, optspan: Span, opt: &str) -> Res<()> {
        // With nothing after it, `!` is simply the value (`-i !` names an
        // interface "!").
        if arg != "!" || self.words.get(self.pos).is_none() {
            return Ok(());
        }
        let value = self.words.get(self.pos).cloned();
        let mut d = Diagnostic::new(
            &codes::OLD_NEGATION_SYNTAX,
            aspan,
            format!("`{opt} ! …` is the old negation syntax; iptables reads `!` as the value"),
        );
        if let Some(v) = value {
            let text = &v.text;
            d = d.replace(format!("write `! {opt} {text}`"), optspan.cover(v.span), format!("! {opt} {text}"));
        }
        self.fail(d)
    }

    fn addresses(&mut self, a: &str, aspan: Span) -> Res<Vec<Address>> {
        let mut out = Vec::with_capacity(1 + a.bytes().filter(|&b| b == b',').count());
        for part in a.split(',') {
            // "if a null mask is given, the name is ignored, like in
            // any/0" (libxtables): `anything/0` is the whole space.
            if let Some(any) = zero_mask_net(part, self.family) {
                out.push(Address::Net(any));
                continue;
            }
            // `fe80::1%eth0`: getaddrinfo takes the zone, which must name
            // an interface of the host; the rule matches the address.
            if self.family == Family::V6 {
                if let Some((addr, zone)) = part.split_once('%') {
                    let (zone, mask) = match zone.split_once('/') {
                        Some((z, m)) => (z, Some(m)),
                        None => (zone, None),
                    };
                    let plain = match mask {
                        Some(m) => format!("{addr}/{m}"),
                        None => addr.to_string(),
                    };
                    if let Ok(n) = value::parse_net(&plain, self.family) {
                        self.out.warnings.push(Diagnostic::new(
                            &codes::HOST_REQUIREMENT,
                            aspan,
                            format!(
                                "`{part}` names the zone `{zone}`: the load fails unless the host has that interface"
                            ),
                        ));
                        out.push(Address::Net(n));
                        continue;
                    }
                }
            }
            if self.family == Family::V4 {
                match v4_net(part) {
                    Some(Ok(n)) => {
                        out.push(Address::Net(n));
                        continue;
                    }
                    Some(Err(msg)) => return self.err(&codes::INVALID_VALUE, aspan, msg),
                    None => {}
                }
            }
            match value::parse_net(part, self.family) {
                Ok(n) => out.push(Address::Net(n)),
                Err(msg) => {
                    let host = part.split('/').next().unwrap_or(part);
                    let looks_like_host = !host.is_empty()
                        && host
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                        && host.chars().any(|c| c.is_ascii_alphabetic())
                        && !host.contains(':')
                        // DNS labels: non-empty, no `-` at either end.
                        && host.trim_end_matches('.').split('.').all(|l| {
                            !l.is_empty() && !l.starts_with('-') && !l.ends_with('-')
                        });
                    if looks_like_host {
                        out.push(Address::Host(part.to_string()));
                    } else {
                        let code = if msg.contains("IPv6 address in an IPv4") || msg.contains("IPv4 address in an IPv6")
                        {
                            &codes::WRONG_FAMILY
                        } else {
                            &codes::INVALID_VALUE
                        };
                        return self.err(code, aspan, msg);
                    }
                }
            }
        }
        Ok(out)
    }

    fn match_module(&mut self, name: String, span: Span) -> Res<()> {
        match ext::find(ExtKind::Match, &name, self.family) {
            Some(spec) => {
                self.add_match(spec, name, span, false);
                Ok(())
            }
            None => {
                if let Some(other) = ext::find_other_family(ExtKind::Match, &name, self.family) {
                    let fam = if self.family == Family::V4 { "IPv4" } else { "IPv6" };
                    let alt = match other.name {
                        "icmp6" => Some("icmp"),
                        "icmp" => Some("icmp6"),
                        "hl" => Some("ttl"),
                        "ttl" => Some("hl"),
                        _ => None,
                    };
                    let mut d =
                        Diagnostic::new(&codes::WRONG_FAMILY, span, format!("match `{name}` does not exist for {fam}"));
                    if let Some(alt) = alt {
                        d = d.note(format!("the {fam} counterpart is `-m {alt}`"));
                    }
                    return self.fail(d);
                }
                let mut d = Diagnostic::new(&codes::UNKNOWN_MATCH, span, format!("unknown match module `{name}`"));
                if let Some(near) = ext::nearest(ExtKind::Match, &name, self.family) {
                    let start = span.end - self.words[self.pos - 1].span.len();
                    d = d.suggest(format!("did you mean `{near}`?"), Span::new(start, span.end), near);
                }
                // Keep the module, with its remaining words, as opaque.
                self.fail(d)
            }
        }
    }

    fn target(&mut self, name: String, span: Span, goto: bool) -> Res<()> {
        let standard = matches!(name.as_str(), "ACCEPT" | "DROP" | "RETURN" | "QUEUE");
        let spec = if goto || (!standard && self.announced.contains(name.as_str())) {
            None
        } else {
            ext::find(ExtKind::Target, &name, self.family)
        };
        let kind = match spec {
            Some(s) => TargetKind::Ext(s),
            None => {
                if !goto && ext::find_other_family(ExtKind::Target, &name, self.family).is_some() {
                    let fam = if self.family == Family::V4 { "IPv4" } else { "IPv6" };
                    return self.err(&codes::WRONG_FAMILY, span, format!("target `{name}` does not exist for {fam}"));
                }
                if name.is_empty() {
                    return self.err(&codes::MISSING_ARGUMENT, span, "empty target name");
                }
                // A user chain, or an unknown target: decided once the
                // table's chains are known.
                TargetKind::Chain(name.clone())
            }
        };
        let inst =
            ExtInstance { name: name.clone(), kind: ExtKind::Target, spec, span, implicit: false, options: Vec::new() };
        self.out.target = Some(Target { kind, goto, name, name_span: span, inst });
        if let Some(s) = spec {
            self.merge(s, true);
        }
        Ok(())
    }

    fn module_option(
        &mut self,
        spec: &'static ExtSpec,
        opt: &'static OptSpec,
        target: bool,
        arg: Option<(String, Span)>,
        wspan: Span,
        invert: Option<Span>,
    ) -> Res<()> {
        // Which instance: the target, or the first live instance of the module.
        let inst_idx = if target {
            None
        } else {
            let idx = self
                .out
                .matches
                .iter()
                .enumerate()
                .find(|(i, m)| !self.completed[*i] && m.spec.is_some_and(|s| std::ptr::eq(s, spec)))
                .map(|(i, _)| i);
            match idx {
                Some(i) => Some(i),
                None => {
                    return self.err(
                        &codes::UNKNOWN_OPTION,
                        wspan,
                        format!("option `--{}` has no module instance", opt.name),
                    )
                }
            }
        };
        let mut span = arg.as_ref().map_or(wspan, |(_, s)| wspan.cover(*s));
        if let Some(sp) = invert {
            if !opt.invertible() {
                return self.err(
                    &codes::INVALID_NEGATION,
                    sp.cover(wspan),
                    format!("option `--{}` of `{}` cannot be negated", opt.name, spec.name),
                );
            }
            span = sp.cover(span);
        }
        let inst = match inst_idx {
            Some(i) => &self.out.matches[i],
            None => &self.out.target.as_ref().expect("target set").inst,
        };
        if opt.flags & ext::flags::MULTI == 0 {
            if let Some(prev) = inst.options.iter().find(|o| o.spec.is_some_and(|s| std::ptr::eq(s, opt))) {
                let prev = prev.span;
                return self.fail(
                    Diagnostic::new(
                        &codes::DUPLICATE_OPTION,
                        span,
                        format!("option `--{}` of `{}` may be given only once", opt.name, spec.name),
                    )
                    .related(prev, "first given here"),
                );
            }
        }
        let cx = self.arg_cx();
        let mut arg_spans = Vec::with_capacity(opt.arg.arity());
        let value = match opt.arg {
            ArgType::None => Value::Flag,
            ArgType::Optional(f) => {
                match self.words.get(self.pos).filter(|w| !w.text.starts_with('-') && !w.text.starts_with('!')).cloned()
                {
                    None => Value::Flag,
                    Some(w) => {
                        self.pos += 1;
                        span = span.cover(w.span);
                        arg_spans.push(w.span);
                        match f(&w.text, &cx) {
                            Ok(v) => v,
                            Err(m) => return self.err(&codes::INVALID_VALUE, w.span, format!("`--{}`: {m}", opt.name)),
                        }
                    }
                }
            }
            ArgType::Custom2(f) => {
                let (a, aspan) = arg.expect("arity 2 has a first argument");
                let Some(w2) =
                    self.words.get(self.pos).filter(|w| !w.text.starts_with('-') && !w.text.starts_with('!')).cloned()
                else {
                    return self.err(
                        &codes::MISSING_ARGUMENT,
                        span,
                        format!("option `--{}` takes two arguments", opt.name),
                    );
                };
                self.pos += 1;
                span = span.cover(w2.span);
                arg_spans.push(aspan);
                arg_spans.push(w2.span);
                match f(&a, &w2.text, &cx) {
                    Ok(v) => v,
                    Err(m) => {
                        return self.err(&codes::INVALID_VALUE, aspan.cover(w2.span), format!("`--{}`: {m}", opt.name))
                    }
                }
            }
            ref ty => {
                let (a, aspan) = arg.expect("arity 1 has an argument");
                arg_spans.push(aspan);
                if a == "!" && opt.invertible() {
                    let mut d = Diagnostic::new(
                        &codes::OLD_NEGATION_SYNTAX,
                        aspan,
                        format!("`--{} ! …` is the old negation syntax", opt.name),
                    );
                    if let Some(v) = self.words.get(self.pos) {
                        let (wname, vtext) = (&self.words[self.pos - 2].text, &v.text);
                        d = d.replace(
                            format!("write `! {wname} {vtext}`"),
                            wspan.cover(v.span),
                            format!("! {wname} {vtext}"),
                        );
                    }
                    return self.fail(d);
                }
                match value::parse(ty, &a, &cx) {
                    Ok(v) => v,
                    Err(m) => {
                        let code = if m.contains("IPv6 address in an IPv4") || m.contains("IPv4 address in an IPv6") {
                            &codes::WRONG_FAMILY
                        } else if m.starts_with(value::NEEDS_PROTOCOL) {
                            &codes::PROTOCOL_REQUIRED
                        } else {
                            &codes::INVALID_VALUE
                        };
                        return self.err(code, aspan, format!("`--{}`: {m}", opt.name));
                    }
                }
            }
        };
        let ov =
            OptValue { name: opt.name.to_string(), spec: Some(opt), negated: invert.is_some(), value, span, arg_spans };
        let options = match inst_idx {
            Some(i) => &mut self.out.matches[i].options,
            None => &mut self.out.target.as_mut().expect("target set").inst.options,
        };
        // Most modules get one or two options: grow one at a time.
        options.reserve_exact(1);
        options.push(ov);
        Ok(())
    }

    /// Checks after the last word: `generic_opt_check`, nat DROP, and each
    /// module's mandatory/exclusive/companion options.
    fn finish(&mut self) -> Res<()> {
        if self.out.skipped_family || self.out.exits.is_some() {
            return Ok(());
        }
        let Some((cmd, cspan)) = self.out.command.clone() else {
            return self.err(
                &codes::INVALID_COMMAND,
                self.line_span,
                "no command: a rule line needs `-A CHAIN` (or `-I`, `-D`, `-N`, …)",
            );
        };
        let takes_rule = matches!(
            cmd,
            Command::Append | Command::Insert(_) | Command::Delete(None) | Command::Replace(_) | Command::Check
        ) && !self.out.listing;
        if !takes_rule {
            let has_rule_opts = self.out.protocol.is_some()
                || self.out.source.is_some()
                || self.out.destination.is_some()
                || self.out.in_iface.is_some()
                || self.out.out_iface.is_some()
                || self.out.fragment.is_some()
                || !self.out.matches.is_empty()
                || self.out.target.is_some();
            if has_rule_opts {
                return self.err(
                    &codes::INVALID_COMMAND,
                    cspan,
                    "this command takes no rule options (matches or a target)",
                );
            }
            if self.set_counters && !matches!(cmd, Command::Policy(_)) {
                return self.err(&codes::INVALID_COMMAND, cspan, "`-c` is not allowed with this command");
            }
        }
        if matches!(cmd, Command::Delete(None) | Command::Check) && self.set_counters {
            return self.err(&codes::INVALID_COMMAND, cspan, "`-c` is not allowed with this command");
        }
        if (self.seen.contains(&'n') || self.seen.contains(&'x') || self.seen.contains(&'0')) && !self.out.listing {
            return self.err(
                &codes::INVALID_COMMAND,
                cspan,
                "`-n`, `-x` and `--line-numbers` are listing options, not allowed with this command",
            );
        }
        let needs_chain =
            !matches!(cmd, Command::DeleteChain | Command::Flush | Command::Zero | Command::Check) || takes_rule;
        if needs_chain && self.out.chain.is_none() {
            return self.err(&codes::MISSING_ARGUMENT, cspan, "command needs a chain name");
        }
        if self.table == "nat" {
            let policy_drop = matches!(&cmd, Command::Policy(p) if p == "DROP");
            let jump_drop = self.out.target.as_ref().filter(|t| t.name == "DROP");
            if policy_drop || jump_drop.is_some() {
                let span = jump_drop.map_or(cspan, |t| t.name_span);
                return self.err(
                    &codes::NAT_DROP,
                    span,
                    "the nat table is not for filtering: iptables refuses DROP there",
                );
            }
        }
        // Final checks of each module (xtables_options_fcheck).
        let mut insts: Vec<&ExtInstance> = self.out.matches.iter().collect();
        if let Some(t) = &self.out.target {
            insts.push(&t.inst);
        }
        for inst in insts {
            let Some(spec) = inst.spec else { continue };
            for opt in spec.options {
                let present = inst.options.iter().find(|o| o.spec.is_some_and(|s| std::ptr::eq(s, opt)));
                if opt.flags & ext::flags::MAND != 0 && present.is_none() {
                    let d = Diagnostic::new(
                        &codes::OPTION_CONFLICT,
                        inst.span,
                        format!("`{}` needs option `--{}`", spec.name, opt.name),
                    );
                    return self.fail(d);
                }
                let Some(present) = present else { continue };
                for ex in opt.excl {
                    if let Some(other) = inst.opt(ex) {
                        let d = Diagnostic::new(
                            &codes::OPTION_CONFLICT,
                            present.span,
                            format!("`--{}` cannot be combined with `--{}`", opt.name, ex),
                        )
                        .related(other.span, "the other option");
                        return self.fail(d);
                    }
                }
                for also in opt.also {
                    if inst.opt(also).is_none() {
                        let d = Diagnostic::new(
                            &codes::OPTION_CONFLICT,
                            present.span,
                            format!("`--{}` also requires `--{}`", opt.name, also),
                        );
                        return self.fail(d);
                    }
                }
            }
        }
        Ok(())
    }
}

/// An IPv4 `-s`/`-d` element as libxtables reads it: the mask is a dotted
/// quad or a bit count (C numbers: `0x`, leading-zero octal); the address
/// is first up to four dotted C numbers of at most 255, zero-filled on the
/// right (`10.1` is 10.1.0.0), then whatever `getaddrinfo` reads without
/// DNS (`inet_aton`: `167772161`, `10.1.256`). `None` when the address is
/// not numeric (a host name, or another family): the caller decides.
fn v4_net(part: &str) -> Option<Result<ipnet::IpNet, String>> {
    let (addr, mask) = match part.rsplit_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (part, None),
    };
    let Some(ip) = numeric_ipv4(addr).or_else(|| inet_aton(addr)) else {
        // Digits and dots that are no address (`10.0.0.08`: 08 is bad
        // octal) are no host name either.
        if !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Some(Err(format!("`{addr}` is not an IPv4 address")));
        }
        return None;
    };
    let prefix = match mask {
        None => 32,
        Some(m) => match dotted_quad(m) {
            Some(q) => {
                let bits = u32::from(q);
                if bits.leading_ones() + bits.trailing_zeros() != 32 {
                    return Some(Err(format!("`{m}` is not a contiguous netmask; iptlint cannot model it")));
                }
                bits.leading_ones() as u8
            }
            None => match value::parse_c_uint(m) {
                Some(n) if n <= 32 => n as u8,
                _ => return Some(Err(format!("invalid mask `{m}`: use 0-32 or a dotted mask"))),
            },
        },
    };
    let net = ipnet::Ipv4Net::new(ip, prefix).ok()?.trunc();
    Some(Ok(net.into()))
}

/// libxtables' `__numeric_to_ipaddr`: 1 to 4 dotted C numbers ≤ 255,
/// missing bytes zero.
fn numeric_ipv4(s: &str) -> Option<std::net::Ipv4Addr> {
    let mut b = [0u8; 4];
    for (i, p) in s.split('.').enumerate() {
        // More than four parts: not numeric either way.
        *b.get_mut(i)? = u8::try_from(value::parse_c_uint(p)?).ok()?;
    }
    Some(b.into())
}

/// `__numeric_to_ipaddr` in mask mode: exactly four dotted C numbers.
fn dotted_quad(s: &str) -> Option<std::net::Ipv4Addr> {
    if s.split('.').count() != 4 {
        return None;
    }
    numeric_ipv4(s)
}

/// glibc's `inet_aton`: `a`, `a.b` (8.24 bits), `a.b.c` (8.8.16) or
/// `a.b.c.d`, each part decimal, `0x` hex or leading-zero octal.
fn inet_aton(s: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<u64> = s
        .split('.')
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            value::parse_c_uint(p)
        })
        .collect::<Option<_>>()?;
    let v: u64 = match parts.as_slice() {
        [a] => *a,
        [a, b] if *a < 256 && *b < 1 << 24 => a << 24 | b,
        [a, b, c] if *a < 256 && *b < 256 && *c < 1 << 16 => a << 24 | b << 16 | c,
        [a, b, c, d] if [a, b, c, d].iter().all(|x| **x < 256) => a << 24 | b << 16 | c << 8 | d,
        _ => return None,
    };
    u32::try_from(v).ok().map(std::net::Ipv4Addr::from)
}

/// `NAME/0` (or a zero dotted/colon mask): the address is ignored.
fn zero_mask_net(part: &str, family: Family) -> Option<ipnet::IpNet> {
    let (_, mask) = part.rsplit_once('/')?;
    let zero = match family {
        Family::V4 if mask.contains('.') => mask.parse::<std::net::Ipv4Addr>().ok()? == std::net::Ipv4Addr::UNSPECIFIED,
        Family::V6 if mask.contains(':') => mask.parse::<std::net::Ipv6Addr>().ok()? == std::net::Ipv6Addr::UNSPECIFIED,
        _ => value::parse_c_uint(mask)? == 0,
    };
    if !zero {
        return None;
    }
    let any: ipnet::IpNet = match family {
        Family::V4 => ipnet::Ipv4Net::default().into(),
        Family::V6 => ipnet::Ipv6Net::default().into(),
    };
    Some(any)
}

fn same_option(a: &Entry, b: &Entry) -> bool {
    match (a.owner, b.owner) {
        (Owner::Global(x), Owner::Global(y)) => x == y && a.has_arg == b.has_arg,
        (Owner::Module { spec: s1, opt: o1, .. }, Owner::Module { spec: s2, opt: o2, .. }) => {
            std::ptr::eq(s1, s2) && std::ptr::eq(o1, o2)
        }
        _ => false,
    }
}

fn canonical_protocol_name(written: &str, number: u8, family: Family) -> String {
    let lower = written.to_ascii_lowercase();
    if value::parse_c_uint(&lower).is_some() {
        return protocol_name(number, family);
    }
    match lower.as_str() {
        "icmpv6" | "ipv6-icmp" => "ipv6-icmp".into(),
        "mobility-header" | "ipv6-mh" | "mh" => "mobility-header".into(),
        "ip" => "all".into(),
        _ => protocol_name(number, family),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_forms_like_libxtables() {
        let net = |s: &str| v4_net(s).map(|r| r.map(|n| n.to_string()));
        assert_eq!(net("10.1"), Some(Ok("10.1.0.0/32".into())));
        assert_eq!(net("10"), Some(Ok("10.0.0.0/32".into())));
        assert_eq!(net("010.0.0.1"), Some(Ok("8.0.0.1/32".into())));
        assert_eq!(net("0x0a.0.0.1"), Some(Ok("10.0.0.1/32".into())));
        assert_eq!(net("167772161"), Some(Ok("10.0.0.1/32".into())));
        assert_eq!(net("10.1.256"), Some(Ok("10.1.1.0/32".into())));
        assert_eq!(net("10.0.0.1/24"), Some(Ok("10.0.0.0/24".into())));
        assert_eq!(net("10.0.0.1/0x10"), Some(Ok("10.0.0.0/16".into())));
        assert_eq!(net("1.2.3.4/255.255.0.0"), Some(Ok("1.2.0.0/16".into())));
        assert!(matches!(net("10.0.0.08"), Some(Err(_))));
        assert!(matches!(net("10.0.0.1/33"), Some(Err(_))));
        assert!(matches!(net("10.0.0.1/08"), Some(Err(_))));
        assert_eq!(net("host.example"), None);
        assert_eq!(net("2001:db8::1"), None);
        assert!(zero_mask_net("anything/0", Family::V4).is_some());
        assert!(zero_mask_net("x/0.0.0.0", Family::V4).is_some());
        assert!(zero_mask_net("x/::", Family::V6).is_some());
        assert!(zero_mask_net("x/1", Family::V4).is_none());
    }

    fn first_error(rule: &str) -> Option<&'static str> {
        let words = crate::lexer::split_words(rule, 0);
        let cx = LineCx { family: Family::V4, table: "filter", announced: &HashSet::new() };
        let (_, d) = parse_words(&words, &cx, Span::new(0, rule.len()));
        d.map(|d| d.code.code)
    }

    #[test]
    fn attached_arguments_are_read_whole() {
        assert_eq!(first_error("-A INPUT -ptcp -j ACCEPT"), Some("E210"));
        assert_eq!(first_error("-A INPUT --protocol=tcp -j ACCEPT"), Some("E210"));
        assert_eq!(first_error("-A INPUT -s10.0.0.1 -j ACCEPT"), Some("E203"));
        assert_eq!(first_error("-A INPUT -p tcp --dport=22 -j ACCEPT"), None);
        assert_eq!(first_error("-AINPUT -j ACCEPT"), None);
    }

    #[test]
    fn getopt_corners() {
        // `!` negates the first option of a cluster only.
        assert_eq!(first_error("-A INPUT ! -fj DROP"), None);
        // -6 in IPv4 drops the line, whatever follows.
        assert_eq!(first_error("-A INPUT -6x --bogus"), None);
        // `--` ends options; a word after it is refused.
        assert_eq!(first_error("-A INPUT -j ACCEPT --"), None);
        assert_eq!(first_error("-A INPUT -- -j ACCEPT"), Some("E201"));
        // sscanf-style counters.
        assert_eq!(first_error("-A INPUT -c -1 0x10 -j ACCEPT"), None);
        assert_eq!(first_error("-A INPUT -c x 1 -j ACCEPT"), Some("E110"));
        assert_eq!(first_error("-A INPUT -b -j ACCEPT"), Some("E201"));
        assert_eq!(first_error("-A INPUT ! -s 1.2.3.4/0 -j ACCEPT"), Some("E206"));
    }
}
