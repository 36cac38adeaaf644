//! `socket`: a local socket matches the packet (`libxt_socket.c`
//! revision 3, kernel `xt_socket.c`).

use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec};

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("transparent", ArgType::None, "only transparent (IP_TRANSPARENT) sockets"),
    OptSpec::new("nowildcard", ArgType::None, "also sockets bound to the any address"),
    OptSpec::new("restore-skmark", ArgType::None, "set the packet mark from the socket mark"),
];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    hooks: &[Hook::Prerouting, Hook::Input],
    ..ExtSpec::new("socket", ExtKind::Match, "an open local socket matches the packet")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
