//! `LED`: blink an LED trigger (`netfilter-<id>`) on matching packets
//! (`libxt_LED.c`, kernel `xt_LED.c`).

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// A delay in milliseconds, or `inf` (any word starting with it).
fn delay(s: &str, _: &ArgCx) -> Result<Value, String> {
    if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("inf")) {
        return Ok(Value::Word("inf".into()));
    }
    match parse_c_uint(s) {
        Some(n) if n <= u32::MAX as u64 => Ok(Value::UInt(n)),
        _ => Err(format!("`{s}` is not a delay: milliseconds 0-4294967295 or inf")),
    }
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("led-trigger-id", ArgType::Str { max: 16 }, "name of the LED trigger, created as netfilter-<name>")
        .mand(),
    OptSpec::new("led-delay", ArgType::Custom(delay), "milliseconds to keep the LED on, or inf"),
    OptSpec::new("led-always-blink", ArgType::None, "blink even when the LED is already on"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("led-trigger-id") {
        let id = o.value.to_string().replace('\\', "\\\\").replace('"', "\\\"");
        let _ = write!(out, " --led-trigger-id \"{id}\"");
    }
    match inst.opt("led-delay").map(|o| &o.value) {
        Some(Value::UInt(n)) if *n == u32::MAX as u64 => out.push_str(" --led-delay inf"),
        Some(Value::UInt(n)) if *n > i32::MAX as u64 => {
            let _ = write!(out, " --led-delay {}", *n as u32 as i32);
        }
        Some(Value::UInt(0)) | None => {}
        Some(v) => {
            let _ = write!(out, " --led-delay {v}");
        }
    }
    if inst.opt("led-always-blink").is_some() {
        out.push_str(" --led-always-blink");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("LED", ExtKind::Target, "blink an LED trigger on matching packets, then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
