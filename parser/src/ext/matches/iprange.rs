//! `iprange`: source or destination address within an arbitrary range
//! `a-b` (`libxt_iprange.c`, kernel `xt_iprange.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_ip, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `a-b` or a single address `a` (stored as `a-a`).
fn range(s: &str, cx: &ArgCx) -> Result<Value, String> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b) = (parse_ip(a, cx.family)?, parse_ip(b, cx.family)?);
    Ok(Value::AddrRange(a, b))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("src-range", ArgType::Custom(range), "source address within from-to (inclusive)").invert(),
    OptSpec::new("dst-range", ArgType::Custom(range), "destination address within from-to (inclusive)").invert(),
];

/// `iprange_mt_check`: one of the two options is needed.
fn check(cx: &mut CheckCx) {
    if !cx.has("src-range") && !cx.has("dst-range") {
        let d =
            Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, "`iprange` needs `--src-range` or `--dst-range`");
        cx.push(d);
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["src-range", "dst-range"] {
        if let Some(o) = inst.opt(name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{name} {}", o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("iprange", ExtKind::Match, "source or destination address within a range")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(
            rt("-m iprange ! --dst-range 1.1.1.1-1.1.1.10 --src-range 2.2.2.2").unwrap(),
            "-A INPUT -m iprange --src-range 2.2.2.2-2.2.2.2 ! --dst-range 1.1.1.1-1.1.1.10"
        );
        assert!(rt("-m iprange").is_err());
        assert!(rt("-m iprange --src-range 1.1.1.1-").is_err());
        assert!(roundtrip(crate::Family::V6, "filter", "-m iprange --src-range ::1-::5").is_ok());
    }
}
