//! The printer: the model back as `iptables-save` prints it after loading
//! the file: built-in chains with their policies, explicit `-m` for the
//! protocol match, canonical option order and spelling, addresses with
//! their prefix length, one rule per address of `-s a,b`.

use std::fmt::Write;

use crate::ext::Family;
use crate::model::ExtInstance;
use crate::model::{Address, Format, Policy, Rule, Ruleset, Table, TargetKind};

/// The order in which `iptables-save` (nf_tables) prints tables.
const TABLE_ORDER: [&str; 5] = ["mangle", "security", "raw", "filter", "nat"];

/// Did the block create its table? iptables-restore (nf_tables) creates a
/// table only when a line of the block needs a chain of it: an empty
/// `*raw` / `COMMIT` block leaves no table behind.
fn table_created(table: &Table) -> bool {
    table
        .chains
        .iter()
        .any(|c| c.decl.is_some() || !c.rules.is_empty())
        // Any command naming a chain (`-F PREROUTING`, `-P`, `-N`, `-A`);
        // a bare `-F`, `-X` or `-Z` creates nothing.
        || table.rules.iter().any(|r| r.valid && !r.chain.is_empty())
}

/// The whole ruleset in `iptables-save` form (without the `#` header and
/// footer lines, whose dates differ on every run): tables in iptables-save's
/// fixed order, each as its last block left it (every `*table` block
/// flushes the table), only tables the file creates.
pub fn save(ruleset: &Ruleset) -> String {
    let mut out = String::new();
    let mut names: Vec<&str> = TABLE_ORDER.to_vec();
    for t in &ruleset.tables {
        if !names.contains(&t.name.as_str()) {
            names.push(&t.name);
        }
    }
    for name in names {
        let Some(table) = ruleset.tables.iter().rev().find(|t| t.name == name) else {
            continue;
        };
        // A block never committed (the file ends, or iptables-restore
        // exits at `-V`) loads nothing.
        if !table_created(table) || (table.commit.is_none() && ruleset.format == Format::Save) {
            continue;
        }
        let _ = writeln!(out, "*{}", table.name);
        for chain in table.chains.iter().filter(|c| c.is_builtin()) {
            let policy = match chain.policy.as_ref().map(|p| &p.0) {
                Some(Policy::Drop) => "DROP",
                _ => "ACCEPT",
            };
            let _ = writeln!(out, ":{} {} [0:0]", chain.name, policy);
        }
        let mut user: Vec<_> = table.chains.iter().filter(|c| !c.is_builtin()).collect();
        user.sort_by(|a, b| a.name.cmp(&b.name));
        for chain in &user {
            let _ = writeln!(out, ":{} - [0:0]", chain.name);
        }
        for chain in table.chains.iter().filter(|c| c.is_builtin()).chain(user.iter().copied()) {
            for &ri in &chain.rules {
                for line in rule_lines(&table.rules[ri], ruleset.family) {
                    if line.is_empty() {
                        let _ = writeln!(out, "-A {}", chain.name);
                    } else {
                        let _ = writeln!(out, "-A {} {}", chain.name, line);
                    }
                }
            }
        }
        out.push_str("COMMIT\n");
    }
    out
}

/// A rule's canonical spec (everything after `-A CHAIN`); with several
/// `-s`/`-d` addresses, the first of the rules it expands to.
pub fn rule_spec(rule: &Rule, family: Family) -> String {
    rule_lines(rule, family).into_iter().next().unwrap_or_default()
}

/// The canonical specs of the kernel rules one rule line makes (several
/// when `-s` or `-d` lists several addresses).
pub fn rule_lines(rule: &Rule, family: Family) -> Vec<String> {
    let _ = family;
    let srcs = addr_list(rule.source.as_ref().map(|f| &f.value), rule.source.as_ref().is_some_and(|f| f.negated));
    let dsts =
        addr_list(rule.destination.as_ref().map(|f| &f.value), rule.destination.as_ref().is_some_and(|f| f.negated));
    let mut lines = Vec::new();
    for s in &srcs {
        for d in &dsts {
            let mut out = String::new();
            if let Some(s) = s {
                let neg = rule.source.as_ref().is_some_and(|f| f.negated);
                push_neg(&mut out, neg);
                let _ = write!(out, "-s {s} ");
            }
            if let Some(d) = d {
                let neg = rule.destination.as_ref().is_some_and(|f| f.negated);
                push_neg(&mut out, neg);
                let _ = write!(out, "-d {d} ");
            }
            // `-i +` matches every interface: iptables-save leaves it out.
            if let Some(i) = rule.in_iface.as_ref().filter(|f| f.value != "+" || f.negated) {
                push_neg(&mut out, i.negated);
                let _ = write!(out, "-i {} ", i.value);
            }
            if let Some(o) = rule.out_iface.as_ref().filter(|f| f.value != "+" || f.negated) {
                push_neg(&mut out, o.negated);
                let _ = write!(out, "-o {} ", o.value);
            }
            if let Some(p) = &rule.protocol {
                if p.value.number != 0 || p.negated {
                    push_neg(&mut out, p.negated);
                    let _ = write!(out, "-p {} ", p.value.name);
                }
            }
            if let Some(f) = &rule.fragment {
                push_neg(&mut out, f.negated);
                out.push_str("-f ");
            }
            for m in &merged_matches(rule) {
                let name = m.spec.and_then(|s| s.save_name).unwrap_or(&m.name);
                let _ = write!(out, "-m {name}");
                save_options(m, &mut out);
                out.push(' ');
            }
            if let Some(t) = &rule.target {
                let flag = if t.goto { "-g" } else { "-j" };
                match &t.kind {
                    TargetKind::Ext(spec) => {
                        let _ = write!(out, "{flag} {}", spec.save_name.unwrap_or(spec.name));
                        save_options(&t.inst, &mut out);
                    }
                    TargetKind::Chain(c) | TargetKind::Unknown(c) => {
                        let _ = write!(out, "{flag} {c}");
                    }
                }
            }
            lines.push(out.trim_end().to_string());
        }
    }
    lines
}

fn push_neg(out: &mut String, neg: bool) {
    if neg {
        out.push_str("! ");
    }
}

/// The nf_tables backend turns `tcp` and `udp` matches with port or flag
/// options into its own expressions, and iptables-save prints those back
/// as one match: `-p tcp --dport 80 -m tcp --sport 1:1023` saves as
/// `-m tcp --sport 1:1023 --dport 80`. Merge such instances into the first
/// one; an option set twice prints as its last value (`--dport 9 -m tcp
/// --dport 10` saves as `--dport 10`).
fn merged_matches(rule: &Rule) -> Vec<ExtInstance> {
    let native = |m: &ExtInstance| {
        m.spec.is_some_and(|s| matches!(s.name, "tcp" | "udp"))
            && !m.options.is_empty()
            && m.opt("tcp-option").is_none()
    };
    let mut out: Vec<ExtInstance> = Vec::new();
    for m in &rule.matches {
        if native(m) {
            if let Some(prev) = out.iter_mut().find(|p| native(p) && p.spec.map(|s| s.name) == m.spec.map(|s| s.name)) {
                for o in &m.options {
                    match prev.options.iter_mut().find(|p| p.name == o.name) {
                        Some(slot) => *slot = o.clone(),
                        None => prev.options.push(o.clone()),
                    }
                }
                continue;
            }
        }
        out.push(m.clone());
    }
    out
}

/// `-s`/`-d` as iptables-save prints them: always with the prefix length
/// (`/32`, `/128`); a non-negated `0.0.0.0/0` is not printed at all.
fn addr_list(addrs: Option<&Vec<Address>>, negated: bool) -> Vec<Option<String>> {
    match addrs {
        None => vec![None],
        Some(list) => {
            let v: Vec<Option<String>> = list
                .iter()
                .map(|a| match a {
                    Address::Net(n) if n.prefix_len() == 0 && !negated => None,
                    Address::Net(n) => Some(format!("{}/{}", n.network(), n.prefix_len())),
                    Address::Host(h) => Some(h.clone()),
                })
                .collect();
            if v.is_empty() {
                vec![None]
            } else {
                v
            }
        }
    }
}

/// A module's options, each with a leading blank, in canonical order.
pub fn save_options(inst: &ExtInstance, out: &mut String) {
    if let Some(spec) = inst.spec {
        if let Some(save) = spec.save {
            save(inst, out);
            return;
        }
        for opt in spec.options.iter() {
            for v in inst.options.iter().filter(|o| o.spec.is_some_and(|s: &crate::ext::OptSpec| std::ptr::eq(s, opt)))
            {
                out.push(' ');
                if v.negated {
                    out.push_str("! ");
                }
                let _ = write!(out, "--{}", opt.name);
                let text = v.value.to_string();
                if !text.is_empty() {
                    out.push(' ');
                    out.push_str(&quote(&text));
                }
            }
        }
    } else {
        for v in &inst.options {
            let _ = write!(out, " --{} {}", v.name, v.value);
        }
    }
}

/// Quote a value the way iptables-save does for strings with blanks or
/// quotes (comments, log prefixes).
pub fn quote(s: &str) -> String {
    if s.is_empty() || s.contains([' ', '\t', '"', '\'']) {
        let escaped = s.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        s.to_string()
    }
}
