//! The codes of the findings the parser and model report. Every code is
//! stable and never reused; the name states the flagged pattern.
//!
//! Ranges: `E1xx` file structure (what `iptables-restore` rejects before it
//! looks at a rule), `E2xx` a rule's words (options, arguments, modules),
//! `E3xx` what the kernel rejects when the table is committed, `I4xx` what
//! the host must provide for the file to load. Lints of the `analysis`
//! crate use other ranges.

use crate::diagnostic::Severity;

/// One code: its identity, default severity and documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what is flagged.
    pub summary: &'static str,
    /// Markdown: why it fails, a bad and a good example.
    pub doc: &'static str,
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $ident:ident = ($code:literal, $name:literal, $sev:ident, $summary:literal); )*) => {
        $(
            $(#[doc = $doc])*
            pub static $ident: Code = Code {
                code: $code,
                name: $name,
                severity: Severity::$sev,
                summary: $summary,
                doc: concat!($($doc, "\n",)*),
            };
        )*
        /// Every code the parser can report, in code order.
        pub static ALL: &[&Code] = &[$(&$ident),*];
    };
}

codes! {
    /// ## Why it fails
    /// `iptables-restore` reads lines ending in `\n` only. A `\r` left by a
    /// Windows editor becomes part of the last word, so `COMMIT\r` is not
    /// a commit and `ACCEPT\r` is not a target.
    ///
    /// ## Example
    /// A file saved with CRLF line endings.
    ///
    /// ## Use instead
    /// Convert the file to LF line endings (`dos2unix rules.v4`).
    CRLF_LINE_ENDING = ("E101", "crlf-line-ending", Error, "line ends in CRLF; iptables-restore reads only LF");
    /// ## Why it fails
    /// Only a line that is exactly `COMMIT` commits a table; anything after
    /// the word (even a blank) turns it into an invalid rule line.
    ///
    /// ## Example
    /// ```text
    /// COMMIT<space>
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// COMMIT
    /// ```
    MALFORMED_COMMIT = ("E102", "malformed-commit", Error, "COMMIT line with trailing characters");
    /// ## Why it fails
    /// An empty line is skipped, but a line holding only blanks or tabs is
    /// read as a rule with no command, which `iptables-restore` refuses.
    ///
    /// ## Use instead
    /// Delete the blanks, leaving an empty line.
    BLANK_LINE_WITH_WHITESPACE = ("E103", "whitespace-only-line", Error, "line holds only blanks");
    /// ## Why it fails
    /// Outside a `*table` block `iptables-restore` accepts only comments and
    /// empty lines. Shell prompts, commands or prose pasted around a dump
    /// (`root@host:~# iptables-save`) make it fail.
    ///
    /// ## Use instead
    /// Delete the line, or make it a comment with `#`.
    STRAY_TEXT = ("E104", "stray-text", Error, "text outside a table block");
    /// ## Why it fails
    /// Rules and chain lines belong to a table; before the first `*filter`
    /// (or `*nat`, …) line there is none.
    ///
    /// ## Example
    /// ```text
    /// -A INPUT -j DROP
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// -A INPUT -j DROP
    /// COMMIT
    /// ```
    MISSING_TABLE_HEADER = ("E105", "missing-table-header", Error, "rule or chain outside a table block");
    /// ## Why it fails
    /// Each `*table` block must end with `COMMIT`; without it the table is
    /// never loaded, and a following `*table` line is read as a bad rule.
    ///
    /// ## Use instead
    /// Add `COMMIT` at the end of the block.
    MISSING_COMMIT = ("E106", "missing-commit", Error, "table block without COMMIT");
    /// ## Why it fails
    /// The tables are `filter`, `nat`, `mangle`, `raw` and `security`.
    ///
    /// ## Example
    /// ```text
    /// *filters
    /// ```
    UNKNOWN_TABLE = ("E107", "unknown-table", Error, "unknown table name");
    /// ## Why it fails
    /// A chain line is `:NAME POLICY [packets:bytes]`; built-in chains take
    /// `ACCEPT` or `DROP`, user chains `-`.
    ///
    /// ## Example
    /// ```text
    /// :INPUT
    /// :INPUT REJECT [0:0]
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// :INPUT DROP [0:0]
    /// ```
    INVALID_CHAIN_LINE = ("E108", "invalid-chain-line", Error, "malformed chain declaration or policy");
    /// ## Why it fails
    /// Chain names must be shorter than 29 characters, may not start with
    /// `-` or `!`, may not contain blanks, and may not be the name of a
    /// target (`LOG`, `ACCEPT`, …).
    INVALID_CHAIN_NAME = ("E109", "invalid-chain-name", Error, "chain name too long, or not allowed");
    /// ## Why it fails
    /// `[packets:bytes]` before a rule must have both numbers and the
    /// closing bracket.
    INVALID_COUNTERS = ("E110", "invalid-counters", Error, "malformed [packets:bytes] counters");
    /// ## Why it fails
    /// A rule line must hold exactly one command (`-A`, `-I`, `-D`, `-R`,
    /// `-N`, `-X`, `-F`, `-Z`, `-P`), and some commands are not allowed in
    /// `iptables-restore` (`-t`, `-w`, listing).
    INVALID_COMMAND = ("E111", "invalid-command", Error, "missing, repeated or misplaced command");
    /// ## Why it fails
    /// The option is not known to iptables, nor to any module loaded on the
    /// rule at that point (`-m` comes before the module's options; `-p tcp`
    /// loads `--dport` and `--sport`).
    ///
    /// ## Example
    /// ```text
    /// -A INPUT --dport 22 -p tcp -j ACCEPT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// ```
    UNKNOWN_OPTION = ("E201", "unknown-option", Error, "option not known here");
    /// ## Why it fails
    /// The option takes an argument (or two) and the line ends, or the next
    /// word is another option.
    MISSING_ARGUMENT = ("E202", "missing-argument", Error, "option without its argument");
    /// ## Why it fails
    /// The argument does not have the form or range the option accepts:
    /// ports are 0–65535, masks 0–32 (0–128 for IPv6), rates like `5/min`,
    /// marks like `0x1/0xff`.
    INVALID_VALUE = ("E203", "invalid-value", Error, "argument not accepted by the option");
    /// ## Why it fails
    /// `-m NAME` loads a match module; iptables refuses a name it does not
    /// know (names are case-sensitive).
    UNKNOWN_MATCH = ("E204", "unknown-match", Error, "unknown match module");
    /// ## Why it fails
    /// `-j NAME` names a target module or a user chain; a name that is
    /// neither makes the load fail.
    UNKNOWN_TARGET = ("E205", "unknown-target", Error, "unknown target");
    /// ## Why it fails
    /// `!` negates only options that support it, and only one `!` may stand
    /// before an option.
    INVALID_NEGATION = ("E206", "invalid-negation", Error, "`!` not allowed here");
    /// ## Why it fails
    /// Most options may be given once per module instance.
    DUPLICATE_OPTION = ("E207", "duplicate-option", Error, "option given more than once");
    /// ## Why it fails
    /// Some options exclude each other (`--set-mark` with `--and-mark`),
    /// need a companion, or are mandatory for their module.
    OPTION_CONFLICT = ("E208", "option-conflict", Error, "options that exclude or require each other");
    /// ## Why it fails
    /// Since iptables 1.6 the negation goes before the option
    /// (`! -s 10.0.0.0/8`), never after it (`-s ! 10.0.0.0/8`).
    OLD_NEGATION_SYNTAX = ("E209", "old-negation-syntax", Error, "`!` after the option");
    /// ## Why it fails
    /// The protocol name or number is not known.
    UNKNOWN_PROTOCOL = ("E210", "unknown-protocol", Error, "unknown protocol");
    /// ## Why it fails
    /// An IPv6 address in an IPv4 file (or the reverse), or a module that
    /// exists only for the other family (`icmp` vs `icmp6`, `ttl` vs `hl`).
    WRONG_FAMILY = ("E211", "wrong-address-family", Error, "address or module of the other IP family");
    /// ## Why it fails
    /// A port-matching module (`tcp`, `udp`, `multiport`, …) needs the rule to
    /// name its protocol with `-p`, without `!`.
    ///
    /// ## Example
    /// ```text
    /// -A INPUT -m multiport --dports 80,443 -j ACCEPT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
    /// ```
    PROTOCOL_REQUIRED = ("E301", "protocol-required", Error, "module needs a specific -p protocol");
    /// ## Why it fails
    /// The kernel allows some matches and targets only in some tables or
    /// hooks (DNAT in nat PREROUTING/OUTPUT, MASQUERADE in nat POSTROUTING,
    /// REJECT in INPUT/FORWARD/OUTPUT, …), and `-i` never in OUTPUT or
    /// POSTROUTING, `-o` never in INPUT or PREROUTING.
    WRONG_CHAIN = ("E302", "wrong-chain", Error, "not allowed in this table or chain");
    /// ## Why it fails
    /// `-A`, `-I`, `-j` and `-g` must name a chain declared in this table
    /// (`:NAME - [0:0]` or `-N NAME`), or a built-in one.
    UNDEFINED_CHAIN = ("E303", "undefined-chain", Error, "chain not defined in this table");
    /// ## Why it fails
    /// The kernel refuses jumps that form a loop.
    CHAIN_LOOP = ("E304", "chain-loop", Error, "jumps form a loop");
    /// ## Why it fails
    /// The kernel's own check of the module refused the values (for
    /// example `REJECT --reject-with tcp-reset` without `-p tcp`, TCPMSS
    /// without `--tcp-flags SYN,RST SYN`, a multiport list of more than 15
    /// ports).
    KERNEL_REJECTS = ("E305", "kernel-rejects", Error, "rejected by the kernel's check of the module");
    /// ## Why it fails
    /// The `nat` table is not for filtering; iptables refuses `DROP` there.
    NAT_DROP = ("E306", "drop-in-nat", Error, "DROP in the nat table");
    /// ## What it means
    /// The file loads only if the host provides something the file cannot:
    /// an ipset of that name, a user or group, a host name resolvable by DNS.
    HOST_REQUIREMENT = ("I401", "host-requirement", Info, "the host must provide this for the load to succeed");
    /// ## What it means
    /// The module comes from `xtables-addons` (for example `geoip`); the load
    /// works where that package and its kernel modules are installed.
    ADDON_MODULE = ("I402", "addon-module", Info, "module from xtables-addons");
    /// ## What it means
    /// The value is longer than the kernel's field: iptables loads the rule
    /// but silently keeps only the first bytes (a comment over 255 bytes, a
    /// `recent --name` over 199, …), so what is saved back differs from the
    /// file.
    ///
    /// ## Use instead
    /// Shorten the value to what is kept.
    VALUE_TRUNCATED = ("W501", "value-truncated", Warning, "value silently truncated by iptables");
    /// ## What it means
    /// The current kernel accepts the value, older ones refuse it (for
    /// example `recent --hitcount` above 255 before Linux 6.11): the file
    /// fails to load on hosts with an older kernel.
    OLD_KERNEL_REJECTS = ("W502", "old-kernel-rejects", Warning, "refused by older kernels");
}

/// Look a code up by its code (`E201`) or its name (`unknown-option`).
pub fn lookup(key: &str) -> Option<&'static Code> {
    ALL.iter().copied().find(|c| c.code.eq_ignore_ascii_case(key) || c.name == key)
}
