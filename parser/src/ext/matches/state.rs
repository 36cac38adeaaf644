//! `state`: the connection-tracking state (`libxt_conntrack.c`, the
//! `state` alias of kernel `xt_conntrack.c`). iptables 1.8.9 loads it as
//! conntrack but still saves it as `-m state --state …`.

use std::fmt::Write;

use super::conntrack::{name_list, CT_STATES};
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

const TRY: [&str; 5] = ["INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED"];

fn states(s: &str, _: &ArgCx) -> Result<Value, String> {
    let v = name_list(s, &TRY, &CT_STATES[..5], "state")?;
    Ok(Value::Words(v.into_iter().map(String::from).collect()))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("state", ArgType::Custom(states), "states: INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED")
        .invert()
        .mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("state") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --state {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("state", ExtKind::Match, "connection tracking state")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(
            rt("-m state --state ESTABLISHED,RELATED,NEW").unwrap(),
            "-A INPUT -m state --state NEW,RELATED,ESTABLISHED"
        );
        assert_eq!(rt("-m state ! --state e,n,untr").unwrap(), "-A INPUT -m state ! --state NEW,ESTABLISHED,UNTRACKED");
        assert!(rt("-m state --state SNAT").is_err());
        assert!(rt("-m state").is_err());
    }
}
