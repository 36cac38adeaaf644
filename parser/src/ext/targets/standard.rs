//! The standard verdicts `ACCEPT`, `DROP`, `RETURN` and `QUEUE`: no options,
//! allowed everywhere (DROP is refused in the nat table by iptables itself).
//! `QUEUE` does not load with the nf_tables backend: the kernel has no
//! compat target for it (verified with iptables 1.8.9), `NFQUEUE` replaces
//! it.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{CheckCx, ExtKind, ExtSpec, TargetEffect};

pub static ACCEPT: ExtSpec = ExtSpec {
    effect: TargetEffect::Accept,
    ..ExtSpec::new("ACCEPT", ExtKind::Target, "let the packet through this table's hook")
};
pub static DROP: ExtSpec =
    ExtSpec { effect: TargetEffect::Drop, ..ExtSpec::new("DROP", ExtKind::Target, "discard the packet silently") };
pub static RETURN: ExtSpec = ExtSpec {
    effect: TargetEffect::Return,
    ..ExtSpec::new(
        "RETURN",
        ExtKind::Target,
        "leave this chain: continue after the jump, or apply the built-in chain's policy",
    )
};
/// `-j QUEUE` fails under iptables-nft; `-j NFQUEUE` (queue 0 by default)
/// does the same.
fn queue_check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    cx.push(
        Diagnostic::new(
            &codes::KERNEL_REJECTS,
            span,
            "`-j QUEUE` does not load with iptables-nft (nf_tables backend): the kernel has no such target there",
        )
        .note("`-j NFQUEUE` sends the packet to queue 0 the same way")
        .replace("use `NFQUEUE`", span, "NFQUEUE"),
    );
}

pub static QUEUE: ExtSpec = ExtSpec {
    effect: TargetEffect::Queue,
    check: Some(queue_check),
    ..ExtSpec::new("QUEUE", ExtKind::Target, "hand the packet to user space (queue 0)")
};

pub static SPECS: &[&ExtSpec] = &[&ACCEPT, &DROP, &RETURN, &QUEUE];
