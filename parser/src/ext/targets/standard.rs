//! The standard verdicts `ACCEPT`, `DROP`, `RETURN` and `QUEUE`: no options,
//! allowed everywhere (DROP is refused in the nat table by iptables itself).

use crate::ext::{ExtKind, ExtSpec, TargetEffect};

pub static ACCEPT: ExtSpec = ExtSpec {
    effect: TargetEffect::Accept,
    ..ExtSpec::new(
        "ACCEPT",
        ExtKind::Target,
        "let the packet through this table's hook",
    )
};
pub static DROP: ExtSpec = ExtSpec {
    effect: TargetEffect::Drop,
    ..ExtSpec::new("DROP", ExtKind::Target, "discard the packet silently")
};
pub static RETURN: ExtSpec = ExtSpec {
    effect: TargetEffect::Return,
    ..ExtSpec::new(
        "RETURN",
        ExtKind::Target,
        "leave this chain: continue after the jump, or apply the built-in chain's policy",
    )
};
pub static QUEUE: ExtSpec = ExtSpec {
    effect: TargetEffect::Queue,
    ..ExtSpec::new(
        "QUEUE",
        ExtKind::Target,
        "hand the packet to user space (queue 0)",
    )
};

pub static SPECS: &[&ExtSpec] = &[&ACCEPT, &DROP, &RETURN, &QUEUE];
