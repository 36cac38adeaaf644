//! `CLUSTERIP`: share an IPv4 address among cluster nodes
//! (`libipt_CLUSTERIP.c`, kernel `ipt_CLUSTERIP.c`). The kernel refuses it
//! from nf_tables (iptables-nft), and Linux 6.3 removed it: use the
//! `cluster` match instead.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS: [OptSpec; 6] = [
    OptSpec::new("new", ArgType::None, "create a new cluster IP"),
    OptSpec::new(
        "hashmode",
        ArgType::Choice(&["sourceip", "sourceip-sourceport", "sourceip-sourceport-destport"]),
        "what decides the node: sourceip, sourceip-sourceport, sourceip-sourceport-destport",
    )
    .also(&["new"]),
    OptSpec::new("clustermac", ArgType::Mac, "multicast MAC address of the cluster").also(&["new"]),
    OptSpec::new("total-nodes", ArgType::UInt { min: 0, max: 16 }, "number of nodes in the cluster").also(&["new"]),
    OptSpec::new("local-node", ArgType::UInt { min: 0, max: 16 }, "number of this node (1-based)").also(&["new"]),
    OptSpec::new("hash-init", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "random seed of the hash").also(&["new"]),
];

fn check(cx: &mut CheckCx) {
    cx.push(
        Diagnostic::new(
            &codes::KERNEL_REJECTS,
            cx.inst.span,
            "`CLUSTERIP` cannot be used with the nf_tables backend (iptables-nft), and Linux 6.3 removed it",
        )
        .note("use `-m cluster` with a MARK rule instead"),
    );
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    check: Some(check),
    ..ExtSpec::new(
        "CLUSTERIP",
        ExtKind::Target,
        "share an IPv4 address among cluster nodes (not supported by iptables-nft)",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
