//! `REDIRECT`: destination NAT to the local machine (`libxt_NAT.c`, kernel
//! `xt_REDIRECT.c`). nat table, PREROUTING and OUTPUT.

use crate::ext::targets::snat::{nat_ports, Offset};
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec, TargetEffect};

fn to_ports(s: &str, cx: &ArgCx) -> Result<Value, String> {
    nat_ports(s, cx, Offset::Refused)
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("to-ports", ArgType::Custom(to_ports), "local port or range port-port (needs -p tcp|udp|sctp|dccp)"),
    OptSpec::new("random", ArgType::None, "randomise the port mapping"),
];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["nat"],
    hooks: &[Hook::Prerouting, Hook::Output],
    effect: TargetEffect::Rewrite,
    ..ExtSpec::new("REDIRECT", ExtKind::Target, "send the connection to a local port (nat PREROUTING, OUTPUT)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
