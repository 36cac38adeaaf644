//! `cluster`: the packet belongs to this node of a cluster (`libxt_cluster.c`,
//! kernel `xt_cluster.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::Value;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

const NODES: ArgType = ArgType::UInt { min: 1, max: 32 };

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("cluster-total-nodes", NODES, "number of nodes, 1-32").mand(),
    OptSpec::new("cluster-local-node", NODES, "this node's number, 1-32").invert().excl(&["cluster-local-nodemask"]),
    OptSpec::new("cluster-local-nodemask", NODES, "this node's mask").invert().excl(&["cluster-local-node"]),
    OptSpec::new("cluster-hash-seed", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "hash seed").mand(),
];

fn uint(inst: &ExtInstance, name: &str) -> Option<u64> {
    inst.opt(name).and_then(|o| match o.value {
        Value::UInt(v) => Some(v),
        _ => None,
    })
}

/// The node mask: `--cluster-local-node N` stands for bit N-1.
fn mask(inst: &ExtInstance) -> Option<(u64, bool)> {
    if let Some(o) = inst.opt("cluster-local-node") {
        return uint(inst, "cluster-local-node").map(|n| (1u64 << (n - 1), o.negated));
    }
    inst.opt("cluster-local-nodemask").and_then(|o| uint(inst, "cluster-local-nodemask").map(|m| (m, o.negated)))
}

fn check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    let Some((m, _)) = mask(cx.inst) else {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            span,
            "`cluster` needs `--cluster-local-node` or `--cluster-local-nodemask`",
        ));
        return;
    };
    let total = uint(cx.inst, "cluster-total-nodes").unwrap_or(32);
    if m >= 1u64 << total {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            span,
            format!("the local node (mask {m:#x}) is beyond `--cluster-total-nodes {total}`"),
        ));
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some((m, neg)) = mask(inst) {
        let neg = if neg { " !" } else { "" };
        let _ = write!(out, "{neg} --cluster-local-nodemask {m:#010x}");
    }
    let total = uint(inst, "cluster-total-nodes").unwrap_or(0);
    let seed = uint(inst, "cluster-hash-seed").unwrap_or(0);
    let _ = write!(out, " --cluster-total-nodes {total} --cluster-hash-seed {seed:#010x}");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("cluster", ExtKind::Match, "packet belongs to this node of a cluster (hash)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
