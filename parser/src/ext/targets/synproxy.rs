//! `SYNPROXY`: answer TCP SYNs with SYN cookies and open the connection
//! to the server only after the handshake (`libxt_SYNPROXY.c`, kernel
//! `xt_SYNPROXY.c`). Needs `-p tcp`; INPUT and FORWARD only. Usually paired
//! with `-m conntrack --ctstate INVALID,UNTRACKED` and a raw-table notrack
//! rule. Consumes the packets it handles.

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec, TargetEffect};

/// A 32-bit number kept modulo 2^bits, as the kernel field stores it.
fn wrap(s: &str, bits: u32) -> Result<Value, String> {
    match parse_c_uint(s) {
        Some(n) if n <= u32::MAX as u64 => Ok(Value::UInt(n & ((1u64 << bits) - 1))),
        _ => Err(format!("`{s}` is not a number (0-4294967295)")),
    }
}

fn wscale(s: &str, _: &ArgCx) -> Result<Value, String> {
    wrap(s, 8)
}

fn mss(s: &str, _: &ArgCx) -> Result<Value, String> {
    wrap(s, 16)
}

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new("sack-perm", ArgType::None, "tell the client selective ACKs are allowed (as the server does)"),
    OptSpec::new("timestamp", ArgType::None, "use TCP timestamps (as the server does)"),
    OptSpec::new("wscale", ArgType::Custom(wscale), "window scale to announce (as the server does)"),
    OptSpec::new("mss", ArgType::Custom(mss), "MSS to announce (as the server does)"),
    OptSpec::new("ecn", ArgType::None, "announce ECN support"),
];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["tcp"],
    hooks: &[Hook::Input, Hook::Forward],
    effect: TargetEffect::Terminal,
    ..ExtSpec::new(
        "SYNPROXY",
        ExtKind::Target,
        "answer TCP SYNs with SYN cookies on behalf of the server (-p tcp, INPUT/FORWARD)",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
