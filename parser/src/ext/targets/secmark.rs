//! `SECMARK`: set the packet's security mark from an SELinux context
//! (`libxt_SECMARK.c`, kernel `xt_SECMARK.c`). mangle and security tables.
//! The context must be valid under the host's loaded policy.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 1] = [OptSpec::new(
    "selctx",
    ArgType::Str { max: 255 },
    "SELinux security context, e.g. system_u:object_r:http_packet_t:s0",
)
.mand()];

fn check(cx: &mut CheckCx) {
    if let Some(o) = cx.opt("selctx") {
        let (span, ctx) = (o.span, o.value.to_string());
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("the host must run SELinux with a policy that knows context `{ctx}`"),
        ));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["mangle", "security"],
    check: Some(check),
    ..ExtSpec::new(
        "SECMARK",
        ExtKind::Target,
        "set the packet's SELinux security mark (mangle, security), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
