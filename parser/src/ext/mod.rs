//! Extension knowledge as data: one `ExtSpec` per match or target module,
//! one file per module under `matches/` and `targets/`. The tables mirror the
//! `xt_option_entry` arrays of iptables' `extensions/libxt_*.c` (names,
//! argument types, `!` support, once-only, mandatory, exclusions) plus what
//! the kernel's `checkentry` demands (protocol, tables, hooks). A module with
//! grammar a table cannot express adds a `check` or `save` function beside
//! its table; nothing about a module lives outside its file.

pub mod matches;
pub mod targets;
pub mod value;

pub use value::{ArgCx, Value};

use crate::diagnostic::Diagnostic;
use crate::model::{ExtInstance, OptValue, RuleCx};

/// IP family of a ruleset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
}

/// Which families a module serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Families {
    Both,
    V4,
    V6,
}

impl Families {
    pub fn has(self, f: Family) -> bool {
        matches!((self, f), (Families::Both, _) | (Families::V4, Family::V4) | (Families::V6, Family::V6))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtKind {
    Match,
    Target,
}

/// Netfilter hooks: the built-in chains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hook {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

impl Hook {
    pub const ALL: [Hook; 5] = [Hook::Prerouting, Hook::Input, Hook::Forward, Hook::Output, Hook::Postrouting];
    pub fn chain_name(self) -> &'static str {
        match self {
            Hook::Prerouting => "PREROUTING",
            Hook::Input => "INPUT",
            Hook::Forward => "FORWARD",
            Hook::Output => "OUTPUT",
            Hook::Postrouting => "POSTROUTING",
        }
    }
    pub fn from_chain(name: &str) -> Option<Hook> {
        Hook::ALL.into_iter().find(|h| h.chain_name() == name)
    }
    /// Built-in chains of each table (nf_tables backend).
    pub fn of_table(table: &str) -> &'static [Hook] {
        use Hook::*;
        match table {
            "filter" | "security" => &[Input, Forward, Output],
            "nat" => &[Prerouting, Input, Output, Postrouting],
            "mangle" => &[Prerouting, Input, Forward, Output, Postrouting],
            "raw" => &[Prerouting, Output],
            _ => &[],
        }
    }
}

/// The tables `iptables-restore` knows.
pub const TABLES: [&str; 5] = ["filter", "nat", "mangle", "raw", "security"];

/// Where a module comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with iptables and the mainline kernel.
    Core,
    /// From xtables-addons: loads only where that package is installed.
    XtablesAddons,
}

/// What a target does to the packet's path, for the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetEffect {
    /// Not a target (a match module).
    None,
    /// The packet goes on to the next rule (LOG, MARK, …).
    Continue,
    Accept,
    Drop,
    /// Dropped with an answer (REJECT).
    Reject,
    Return,
    /// Handed to user space (QUEUE, NFQUEUE): terminal for the chain.
    Queue,
    /// Ends the chain's traversal with a rewrite (DNAT, SNAT, MASQUERADE,
    /// REDIRECT, NETMAP, TPROXY when it finds a socket, …): accepted in
    /// this table, decided again by later tables.
    Rewrite,
    /// Terminal, with a verdict that depends on the packet (SYNPROXY, …).
    Terminal,
}

/// Option flags (`XTOPT_*` in libxtables).
pub mod flags {
    /// `!` may precede the option.
    pub const INVERT: u8 = 1;
    /// May be given more than once.
    pub const MULTI: u8 = 2;
    /// Must be given.
    pub const MAND: u8 = 4;
}

/// Parses one argument word.
pub type ParseFn = fn(&str, &ArgCx) -> Result<Value, String>;
/// Parses two argument words (e.g. `--tcp-flags MASK COMP`).
pub type ParseFn2 = fn(&str, &str, &ArgCx) -> Result<Value, String>;

/// The type of an option's argument. Every parser returns the typed
/// `Value` whose `Display` is the canonical (iptables-save) spelling.
#[derive(Clone, Copy)]
pub enum ArgType {
    /// No argument.
    None,
    /// An unsigned integer (decimal, `0x` hex or `0` octal, like `strtoul`).
    UInt {
        min: u64,
        max: u64,
    },
    /// `a`, `a:b`, `a:` or `:b` within bounds.
    UIntRange {
        min: u64,
        max: u64,
    },
    /// A port number or service name.
    Port,
    /// `a`, `a:b`, `a:` or `:b`, ports or service names.
    PortRange,
    /// A comma-separated list of ports and ranges; `max` counts ranges as 2.
    PortList {
        max: usize,
    },
    /// Host or network address, with optional `/len` or `/mask`.
    Addr,
    /// `a.b.c.d-e.f.g.h`.
    AddrRange,
    /// Interface name, `+` as trailing wildcard.
    Iface,
    /// MAC address `aa:bb:cc:dd:ee:ff`.
    Mac,
    /// A string of at most `max` bytes.
    Str {
        max: usize,
    },
    /// One word from a fixed set.
    Choice(&'static [&'static str]),
    /// A comma-separated list of words from a fixed set.
    ChoiceList(&'static [&'static str]),
    /// `value[/mask]`, 32 bit.
    MarkMask,
    /// A rate `N[/second|/minute|/hour|/day]` (any prefix of the unit).
    Rate,
    Custom(ParseFn),
    Custom2(ParseFn2),
    /// An optional argument: the next word, unless the line ends or it
    /// begins with `-` or `!` (getopt sees no argument; the module takes
    /// the word itself, as `rateest --rateest-bps [rate]` does).
    Optional(ParseFn),
}

impl ArgType {
    /// How many words the option consumes.
    pub fn arity(&self) -> usize {
        match self {
            ArgType::None | ArgType::Optional(_) => 0,
            ArgType::Custom2(_) => 2,
            _ => 1,
        }
    }
    /// A short description for help, hover and completion.
    pub fn describe(&self) -> &'static str {
        match self {
            ArgType::None => "",
            ArgType::UInt { .. } => "number",
            ArgType::UIntRange { .. } => "number[:number]",
            ArgType::Port => "port",
            ArgType::PortRange => "port[:port]",
            ArgType::PortList { .. } => "port[,port|,port:port]…",
            ArgType::Addr => "address[/mask]",
            ArgType::AddrRange => "address-address",
            ArgType::Iface => "interface[+]",
            ArgType::Mac => "xx:xx:xx:xx:xx:xx",
            ArgType::Str { .. } => "string",
            ArgType::Choice(_) => "value",
            ArgType::ChoiceList(_) => "value[,value]…",
            ArgType::MarkMask => "value[/mask]",
            ArgType::Rate => "rate[/second|/minute|/hour|/day]",
            ArgType::Custom(_) | ArgType::Custom2(_) => "value",
            ArgType::Optional(_) => "[value]",
        }
    }
}

/// One option of a module.
pub struct OptSpec {
    /// Canonical long name, without the leading `--`.
    pub name: &'static str,
    /// Other names for the same option (`destination-port` for `dport`).
    pub aliases: &'static [&'static str],
    pub arg: ArgType,
    /// `flags::INVERT | flags::MULTI | flags::MAND`.
    pub flags: u8,
    /// Options that may not be combined with this one (canonical names).
    pub excl: &'static [&'static str],
    /// Options that must accompany this one.
    pub also: &'static [&'static str],
    pub help: &'static str,
}

impl OptSpec {
    /// A plain option: no flags, no constraints.
    pub const fn new(name: &'static str, arg: ArgType, help: &'static str) -> OptSpec {
        OptSpec { name, aliases: &[], arg, flags: 0, excl: &[], also: &[], help }
    }
    pub const fn invert(mut self) -> Self {
        self.flags |= flags::INVERT;
        self
    }
    pub const fn multi(mut self) -> Self {
        self.flags |= flags::MULTI;
        self
    }
    pub const fn mand(mut self) -> Self {
        self.flags |= flags::MAND;
        self
    }
    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    pub const fn excl(mut self, excl: &'static [&'static str]) -> Self {
        self.excl = excl;
        self
    }
    pub const fn also(mut self, also: &'static [&'static str]) -> Self {
        self.also = also;
        self
    }
    pub fn invertible(&self) -> bool {
        self.flags & flags::INVERT != 0
    }
}

/// Context of a module's extra check: the instance, the rule around it, and
/// the findings it adds.
pub struct CheckCx<'a> {
    pub inst: &'a ExtInstance,
    pub rule: &'a RuleCx,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl CheckCx<'_> {
    pub fn opt(&self, name: &str) -> Option<&OptValue> {
        self.inst.opt(name)
    }
    pub fn has(&self, name: &str) -> bool {
        self.inst.opt(name).is_some()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

pub type CheckFn = fn(&mut CheckCx);
/// Appends the module's options in canonical form (each with a leading
/// blank), replacing the default printer.
pub type SaveFn = fn(&ExtInstance, &mut String);

impl std::fmt::Debug for OptSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--{}", self.name)
    }
}

impl std::fmt::Debug for ExtSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}({})", self.kind, self.name)
    }
}

/// Specs are statics: identity is address identity.
impl PartialEq for ExtSpec {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for ExtSpec {}

/// One match or target module.
pub struct ExtSpec {
    pub name: &'static str,
    pub kind: ExtKind,
    pub families: Families,
    /// One line for hover and completion.
    pub summary: &'static str,
    /// In the order `iptables-save` prints them.
    pub options: &'static [OptSpec],
    /// The kernel wants `-p` to be one of these, not negated (empty: any).
    pub proto: &'static [&'static str],
    /// Tables that allow the module (empty: all).
    pub tables: &'static [&'static str],
    /// Hooks that allow the module (empty: all).
    pub hooks: &'static [Hook],
    pub origin: Origin,
    pub effect: TargetEffect,
    /// Checks beyond the table: option parser's final check and the
    /// kernel's `checkentry`.
    pub check: Option<CheckFn>,
    /// Custom canonical printer.
    pub save: Option<SaveFn>,
    /// The name `iptables-save` prints, when it differs (`state` loads
    /// `conntrack` in some versions; `NOTRACK` prints as `CT --notrack`).
    pub save_name: Option<&'static str>,
}

impl ExtSpec {
    /// A module with no options, allowed everywhere; adjust with struct
    /// update syntax.
    pub const fn new(name: &'static str, kind: ExtKind, summary: &'static str) -> ExtSpec {
        ExtSpec {
            name,
            kind,
            families: Families::Both,
            summary,
            options: &[],
            proto: &[],
            tables: &[],
            hooks: &[],
            origin: Origin::Core,
            effect: match kind {
                ExtKind::Match => TargetEffect::None,
                ExtKind::Target => TargetEffect::Continue,
            },
            check: None,
            save: None,
            save_name: None,
        }
    }

    pub fn option(&self, name: &str) -> Option<&OptSpec> {
        self.options.iter().find(|o| o.name == name || o.aliases.contains(&name))
    }
}

/// Every module spec.
pub fn all() -> impl Iterator<Item = &'static ExtSpec> {
    matches::all().iter().copied().chain(targets::all().iter().copied())
}

/// Find a module by kind, exact name and family.
pub fn find(kind: ExtKind, name: &str, family: Family) -> Option<&'static ExtSpec> {
    let list = match kind {
        ExtKind::Match => matches::all(),
        ExtKind::Target => targets::all(),
    };
    list.iter().copied().find(|s| s.name == name && s.families.has(family))
}

/// Find a module that exists for the other family only.
pub fn find_other_family(kind: ExtKind, name: &str, family: Family) -> Option<&'static ExtSpec> {
    let other = match family {
        Family::V4 => Family::V6,
        Family::V6 => Family::V4,
    };
    find(kind, name, family).is_none().then(|| find(kind, name, other)).flatten()
}

/// The known name nearest to `name`, for "did you mean" notes.
pub fn nearest(kind: ExtKind, name: &str, family: Family) -> Option<&'static str> {
    let list = match kind {
        ExtKind::Match => matches::all(),
        ExtKind::Target => targets::all(),
    };
    list.iter()
        .filter(|s| s.families.has(family))
        .map(|s| (strsim::damerau_levenshtein(&name.to_ascii_lowercase(), &s.name.to_ascii_lowercase()), s.name))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}
