//! `mark`: the packet's netfilter mark (`libxt_mark.c`, kernel `xt_mark.c`).

use std::fmt::Write;

use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("mark", ArgType::MarkMask, "value[/mask]: (mark AND mask) equals value").invert().mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("mark") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --mark {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("mark", ExtKind::Match, "the packet's mark (nfmark)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r).unwrap();
        assert_eq!(rt("-m mark --mark 4294967295"), "-A INPUT -m mark --mark 0xffffffff");
        assert_eq!(rt("-m mark ! --mark 1/0xff"), "-A INPUT -m mark ! --mark 0x1/0xff");
        assert!(roundtrip(v4, "filter", "-m mark --mark 4294967296").is_err());
        assert!(roundtrip(v4, "filter", "-m mark").is_err());
    }
}
