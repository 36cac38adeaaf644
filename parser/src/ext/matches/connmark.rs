//! `connmark`: the mark of the packet's connection (`libxt_connmark.c`, kernel `xt_connmark.c`).

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
    ..ExtSpec::new("connmark", ExtKind::Match, "the connection's mark (ctmark)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "mangle", r);
        assert_eq!(rt("-m connmark --mark 0xffffffff/0xffffffff").unwrap(), "-A INPUT -m connmark --mark 0xffffffff");
        assert_eq!(rt("-m connmark ! --mark 0/0xffffffff").unwrap(), "-A INPUT -m connmark ! --mark 0x0");
        assert!(rt("-m connmark --mark 0xfffffffff").is_err());
        assert!(rt("-m connmark").is_err());
    }
}
