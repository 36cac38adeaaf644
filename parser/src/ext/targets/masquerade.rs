//! `MASQUERADE`: source NAT to the address of the outgoing interface
//! (`libxt_NAT.c`, kernel `xt_MASQUERADE.c`). nat table, POSTROUTING.

use crate::ext::targets::snat::{nat_ports, Offset};
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec, TargetEffect};

fn to_ports(s: &str, cx: &ArgCx) -> Result<Value, String> {
    nat_ports(s, cx, Offset::Lost)
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("to-ports", ArgType::Custom(to_ports), "source port or range port-port (needs -p tcp|udp|sctp|dccp)"),
    OptSpec::new("random", ArgType::None, "randomise the source port mapping"),
    OptSpec::new("random-fully", ArgType::None, "fully randomise the source port mapping (PRNG)"),
];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["nat"],
    hooks: &[Hook::Postrouting],
    effect: TargetEffect::Rewrite,
    ..ExtSpec::new("MASQUERADE", ExtKind::Target, "source NAT to the outgoing interface's address (nat POSTROUTING)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
