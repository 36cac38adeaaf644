//! The semantic model: tables, chains with policies, rules with typed
//! matches and targets. Every node keeps its span. Built by `build`, never
//! by hand; the analysis reads it, the printer (`save`) writes it back.

use ipnet::IpNet;

use crate::ext::{ExtKind, ExtSpec, Family, Hook, OptSpec, TargetEffect, Value};
use crate::lexer::Word;
use crate::lines::RuleCounters;
use crate::span::{LineIndex, Span};

/// Which text format the file was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `iptables-save` / `iptables-restore` input.
    Save,
    /// `iptables -S` output: no table header, no COMMIT.
    ListRules,
}

#[derive(Clone, Debug)]
pub struct Ruleset {
    pub family: Family,
    pub format: Format,
    pub tables: Vec<Table>,
    /// Whole-line comments, in file order.
    pub comments: Vec<Comment>,
    pub line_index: LineIndex,
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    /// The `*table` line (for `-S` input: an empty span at the start).
    pub span: Span,
    pub commit: Option<Span>,
    pub chains: Vec<Chain>,
    /// Every rule line of the block, in file order.
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    Accept,
    Drop,
}

#[derive(Clone, Debug)]
pub struct Chain {
    pub name: String,
    pub hook: Option<Hook>,
    /// Where it was declared (`:NAME …` or `-N NAME`); `None` for a built-in
    /// chain the file never mentions.
    pub decl: Option<Span>,
    pub policy: Option<(Policy, Span)>,
    /// Indexes into `Table::rules`, in the order the kernel holds them after
    /// every command of the block ran.
    pub rules: Vec<usize>,
}

impl Chain {
    pub fn is_builtin(&self) -> bool {
        self.hook.is_some()
    }
}

/// What a rule line does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Append,
    /// 1-based position.
    Insert(usize),
    Delete(Option<usize>),
    Replace(usize),
    Check,
    NewChain,
    DeleteChain,
    Flush,
    Zero,
    Policy(String),
    Rename(String),
}

/// A negatable rule field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<T> {
    pub value: T,
    pub negated: bool,
    /// From the option word to its argument.
    pub span: Span,
}

/// An address of `-s`/`-d`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Net(IpNet),
    /// A host name: resolved by DNS when the file loads.
    Host(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protocol {
    /// 0 means `all`.
    pub number: u8,
    /// Canonical name as iptables-save prints it.
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Rule {
    /// The whole line, without its newline.
    pub span: Span,
    pub counters: Option<RuleCounters>,
    pub command: Command,
    pub chain: String,
    pub chain_span: Span,
    pub protocol: Option<Field<Protocol>>,
    /// `-s`; several comma-separated addresses make several kernel rules.
    pub source: Option<Field<Vec<Address>>>,
    pub destination: Option<Field<Vec<Address>>>,
    pub in_iface: Option<Field<String>>,
    pub out_iface: Option<Field<String>>,
    pub fragment: Option<Field<()>>,
    pub matches: Vec<ExtInstance>,
    pub target: Option<Target>,
    pub words: Vec<Word>,
    /// The line parsed without error (erroneous rules stay in the model,
    /// marked, so no rule is lost).
    pub valid: bool,
}

/// A loaded module on a rule (match, or a target's options).
#[derive(Clone, Debug)]
pub struct ExtInstance {
    pub name: String,
    pub kind: ExtKind,
    /// `None` when iptlint does not know the module (kept, reported).
    pub spec: Option<&'static ExtSpec>,
    /// `-m name` (for an implicit protocol match, the `-p` words).
    pub span: Span,
    /// Loaded by `-p` rather than `-m`.
    pub implicit: bool,
    pub options: Vec<OptValue>,
}

impl ExtInstance {
    pub fn opt(&self, name: &str) -> Option<&OptValue> {
        self.options.iter().find(|o| o.name == name)
    }
    pub fn opts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a OptValue> + 'a {
        self.options.iter().filter(move |o| o.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct OptValue {
    /// Canonical name without dashes.
    pub name: String,
    pub spec: Option<&'static OptSpec>,
    pub negated: bool,
    pub value: Value,
    /// The option word (as written, possibly abbreviated) to its last argument.
    pub span: Span,
    /// Spans of the argument words.
    pub arg_spans: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// A target module (including ACCEPT, DROP, RETURN, QUEUE).
    Ext(&'static ExtSpec),
    /// A user chain.
    Chain(String),
    /// Not known (kept, reported).
    Unknown(String),
}

#[derive(Clone, Debug)]
pub struct Target {
    pub kind: TargetKind,
    /// `-g` rather than `-j`.
    pub goto: bool,
    pub name: String,
    pub name_span: Span,
    /// The target's options (empty instance for chains).
    pub inst: ExtInstance,
}

impl Target {
    pub fn effect(&self) -> TargetEffect {
        match &self.kind {
            TargetKind::Ext(s) => s.effect,
            TargetKind::Chain(_) => TargetEffect::Continue,
            TargetKind::Unknown(_) => TargetEffect::Continue,
        }
    }
    pub fn chain(&self) -> Option<&str> {
        match &self.kind {
            TargetKind::Chain(c) => Some(c),
            _ => None,
        }
    }
}

/// What a module check sees of the rule.
#[derive(Clone, Debug)]
pub struct RuleCx {
    pub family: Family,
    pub table: String,
    pub chain: String,
    /// Hooks the rule can run in: the built-in chain's, or for a user chain
    /// every hook whose built-in chain reaches it (empty when unreachable).
    pub hooks: Vec<Hook>,
    /// `-p`: number and whether negated.
    pub proto: Option<(u8, bool)>,
    pub proto_name: Option<String>,
    pub rule_span: Span,
    /// Whether `-i`/`-o` are present (some targets need them).
    pub has_in_iface: bool,
    pub has_out_iface: bool,
}

impl Ruleset {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_index.line_of(offset) + 1
    }
}

impl Table {
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.name == name)
    }
}
