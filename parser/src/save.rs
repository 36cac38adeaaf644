//! The printer: the model back as `iptables-save` prints it after loading
//! the file: built-in chains with their policies, explicit `-m` for the
//! protocol match, canonical option order and spelling, `/32` and `/128`
//! dropped, one rule per address of `-s a,b`.

use std::fmt::Write;

use crate::ext::value::format_net;
use crate::ext::Family;
use crate::model::ExtInstance;
use crate::model::{Address, Policy, Rule, Ruleset, TargetKind};

/// The whole ruleset in `iptables-save` form (without the `#` header and
/// footer lines, whose dates differ on every run).
pub fn save(ruleset: &Ruleset) -> String {
    let mut out = String::new();
    for table in &ruleset.tables {
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
        for chain in table
            .chains
            .iter()
            .filter(|c| c.is_builtin())
            .chain(user.iter().copied())
        {
            for &ri in &chain.rules {
                for line in rule_lines(&table.rules[ri], ruleset.family) {
                    let _ = writeln!(out, "-A {} {}", chain.name, line);
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
    rule_lines(rule, family)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The canonical specs of the kernel rules one rule line makes (several
/// when `-s` or `-d` lists several addresses).
pub fn rule_lines(rule: &Rule, family: Family) -> Vec<String> {
    let srcs = addr_list(rule.source.as_ref().map(|f| &f.value), family);
    let dsts = addr_list(rule.destination.as_ref().map(|f| &f.value), family);
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
            if let Some(i) = &rule.in_iface {
                push_neg(&mut out, i.negated);
                let _ = write!(out, "-i {} ", i.value);
            }
            if let Some(o) = &rule.out_iface {
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
            for m in &rule.matches {
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

fn addr_list(addrs: Option<&Vec<Address>>, _family: Family) -> Vec<Option<String>> {
    match addrs {
        None => vec![None],
        Some(list) => {
            let v: Vec<Option<String>> = list
                .iter()
                .map(|a| match a {
                    Address::Net(n) => {
                        let net = ipnet::IpNet::new(n.network(), n.prefix_len()).unwrap_or(*n);
                        Some(format_net(&net))
                    }
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
            for v in inst.options.iter().filter(|o| {
                o.spec
                    .is_some_and(|s: &crate::ext::OptSpec| std::ptr::eq(s, opt))
            }) {
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
