//! `mac`: the source MAC address of the Ethernet frame (`libxt_mac.c`,
//! kernel `xt_mac.c`). Only where a frame was received: PREROUTING, INPUT
//! and FORWARD.

use std::fmt::Write;

use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Hook, OptSpec};

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("mac-source", ArgType::Mac, "source MAC address xx:xx:xx:xx:xx:xx").invert().mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("mac-source") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --mac-source {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    hooks: &[Hook::Prerouting, Hook::Input, Hook::Forward],
    save: Some(save),
    ..ExtSpec::new("mac", ExtKind::Match, "source MAC address of the received frame")
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
            rt("-m mac ! --mac-source 00:11:22:AA:bb:c").unwrap(),
            "-A INPUT -m mac ! --mac-source 00:11:22:aa:bb:0c"
        );
        assert!(rt("-A OUTPUT -m mac --mac-source 00:11:22:33:44:55").is_err());
        assert!(rt("-A FORWARD -m mac --mac-source 00:11:22:33:44:55").is_ok());
        assert!(rt("-m mac --mac-source 00:11:22:33:44").is_err());
        assert!(rt("-m mac").is_err());
    }
}
