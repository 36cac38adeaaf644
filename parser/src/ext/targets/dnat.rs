//! `DNAT`: rewrite the destination address (and port) of a connection
//! (`libxt_NAT.c` revision 2, kernel `xt_nat.c`). nat table, PREROUTING and
//! OUTPUT. Ports need `-p tcp|udp|sctp|dccp`; IPv6 ranges with ports are
//! written `[addr]:port`.

use crate::ext::targets::snat::{nat_to, Offset};
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec, TargetEffect};

fn to_destination(s: &str, cx: &ArgCx) -> Result<Value, String> {
    nat_to(s, cx, Offset::Keep)
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new(
        "to-destination",
        ArgType::Custom(to_destination),
        "new destination: addr[-addr][:port[-port[/base]]] (IPv6: [addr]:port)",
    )
    .mand(),
    OptSpec::new("random", ArgType::None, "randomise the port mapping"),
    OptSpec::new("persistent", ArgType::None, "give a client the same address for all its connections"),
];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["nat"],
    hooks: &[Hook::Prerouting, Hook::Output],
    effect: TargetEffect::Rewrite,
    ..ExtSpec::new(
        "DNAT",
        ExtKind::Target,
        "rewrite the destination address/port of the connection (nat PREROUTING, OUTPUT)",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
