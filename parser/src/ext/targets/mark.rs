//! `MARK`: set the packet mark (`libxt_MARK.c` revision 2, kernel
//! `xt_mark.c`). Every form is stored as "clear the mask bits, then XOR
//! the value", which is how iptables-save prints it: `--set-xmark v/m`.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::Value;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};
use crate::model::OptValue;

const U32: ArgType = ArgType::UInt { min: 0, max: u32::MAX as u64 };

/// The mark operations, each excluding the others.
pub(crate) const OPS: [&str; 5] = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new("set-xmark", ArgType::MarkMask, "value[/mask]: clear the mask bits, then XOR the value in")
        .excl(&["set-mark", "and-mark", "or-mark", "xor-mark"]),
    OptSpec::new("set-mark", ArgType::MarkMask, "value[/mask]: clear the mask bits, then OR the value in").excl(&[
        "set-xmark",
        "and-mark",
        "or-mark",
        "xor-mark",
    ]),
    OptSpec::new("and-mark", U32, "AND the mark with these bits").excl(&[
        "set-xmark",
        "set-mark",
        "or-mark",
        "xor-mark",
    ]),
    OptSpec::new("or-mark", U32, "OR these bits into the mark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "xor-mark",
    ]),
    OptSpec::new("xor-mark", U32, "XOR these bits into the mark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "or-mark",
    ]),
];

/// The (value, mask) pair an operation stands for, as the kernel gets it.
pub(crate) fn xmark(o: &OptValue) -> Option<(u32, u32)> {
    Some(match (o.name.as_str(), &o.value) {
        ("set-xmark", Value::Mark { value, mask }) => (*value, *mask),
        ("set-mark", Value::Mark { value, mask }) => (*value, value | mask),
        ("and-mark", Value::UInt(v)) => (0, !(*v as u32)),
        ("or-mark", Value::UInt(v)) => (*v as u32, *v as u32),
        ("xor-mark", Value::UInt(v)) => (*v as u32, 0),
        _ => return None,
    })
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some((v, m)) = inst.options.iter().find_map(xmark) {
        let _ = write!(out, " --set-xmark {v:#x}/{m:#x}");
    }
}

/// One operation is required.
pub(crate) fn require_op(cx: &mut CheckCx, ops: &[&str], what: &str) {
    if !ops.iter().any(|o| cx.has(o)) {
        let list = ops.iter().map(|o| format!("--{o}")).collect::<Vec<_>>().join(", ");
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, format!("`{what}` needs one of {list}")));
    }
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &OPS, "MARK");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("MARK", ExtKind::Target, "set or change the packet's firewall mark (fwmark), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
pub(crate) mod tests {
    use crate::ext::Family;
    use crate::{parse, save, ParseOptions, Severity};

    /// Load `body` (rule lines) into `table`; the codes of the errors and
    /// infos, and the saved `-A` lines.
    pub(crate) fn run(family: Family, table: &str, body: &str) -> (Vec<&'static str>, String) {
        let text = format!("*{table}\n{body}\nCOMMIT\n");
        let p = parse(&text, &ParseOptions { family: Some(family), table: None });
        let codes = p
            .diagnostics
            .iter()
            .filter(|d| matches!(d.severity, Severity::Error | Severity::Info))
            .map(|d| d.code.code)
            .collect();
        let saved = save::save(&p.ruleset).lines().filter(|l| l.starts_with("-A")).collect::<Vec<_>>().join("\n");
        (codes, saved)
    }

    #[test]
    fn mark_forms() {
        let (c, s) = run(Family::V4, "mangle", "-A INPUT -j MARK --and-mark 5\n-A INPUT -j MARK --set-mark 0x10/0x0f");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(s, "-A INPUT -j MARK --set-xmark 0x0/0xfffffffa\n-A INPUT -j MARK --set-xmark 0x10/0x1f");
        let (c, _) = run(Family::V4, "mangle", "-A INPUT -j MARK");
        assert_eq!(c, ["E208"]);
        let (c, _) = run(Family::V4, "mangle", "-A INPUT -j MARK --set-mark 1 --or-mark 2");
        assert_eq!(c, ["E208"]);
    }

    #[test]
    fn connmark_replays_options_in_order() {
        let (c, s) = run(
            Family::V4,
            "mangle",
            "-A INPUT -j CONNMARK --set-xmark 5/0xff --right-shift-mark 2 --ctmask 3\n\
             -A INPUT -j CONNMARK --save-mark --mask 0xff",
        );
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(
            s,
            "-A INPUT -j CONNMARK --set-xmark 0x5/0x3 --right-shift-mark 2\n\
             -A INPUT -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff"
        );
        let (c, _) = run(Family::V4, "mangle", "-A INPUT -j CONNMARK --save-mark --mask 1 --nfmask 2");
        assert_eq!(c, ["E208"]);
    }

    #[test]
    fn checkentry_hooks_and_protocols() {
        // TCPMSS clamping: the kernel checks the hook in checkentry, which
        // sees built-in chains only.
        let (c, _) = run(Family::V4, "mangle", "-A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu");
        assert_eq!(c, ["E302"]);
        let (c, _) = run(Family::V4, "mangle", ":U - [0:0]\n-A INPUT -j U\n-A U -p tcp -j TCPMSS --clamp-mss-to-pmtu");
        assert!(c.is_empty(), "{c:?}");
        // TPROXY's hook list is enforced through user chains.
        let (c, _) = run(Family::V4, "mangle", ":U - [0:0]\n-A INPUT -j U\n-A U -p tcp -j TPROXY --on-port 1");
        assert_eq!(c, ["E302"]);
        let (c, _) = run(Family::V6, "filter", "-A INPUT -j REJECT --reject-with tcp-reset");
        assert_eq!(c, ["E305"]);
        let (c, _) = run(Family::V4, "mangle", "-A INPUT -j REJECT");
        assert_eq!(c, ["E302"]);
        let (c, _) = run(Family::V4, "filter", "-A INPUT -j SET --add-set foo src");
        assert_eq!(c, ["I401"]);
    }

    #[test]
    fn ecn_and_hmark() {
        let (c, s) = run(
            Family::V4,
            "mangle",
            "-A INPUT -p tcp -j ECN --ecn-ip-ect 1 --ecn-tcp-remove\n\
             -A INPUT -p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 1",
        );
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(
            s,
            "-A INPUT -p tcp -j ECN --ecn-tcp-remove\n\
             -A INPUT -p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0 --ecn-ip-ect 1"
        );
        let (c, s) =
            run(Family::V4, "mangle", "-A INPUT -j HMARK --hmark-tuple src,dport,ct --hmark-mod 4 --hmark-rnd 1");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(
            s,
            "-A INPUT -j HMARK --hmark-src-prefix 32 --hmark-dport-mask 0xffff --hmark-rnd 0x00000001 --hmark-mod 4 --hmark-tuple ct"
        );
        let (c, _) = run(
            Family::V4,
            "mangle",
            "-A INPUT -j HMARK --hmark-tuple src --hmark-src-prefix 16 --hmark-mod 4 --hmark-rnd 1",
        );
        assert_eq!(c, ["E207"]);
    }
}
