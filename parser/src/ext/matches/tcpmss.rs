//! `tcpmss`: the MSS option of TCP SYN packets (`libxt_tcpmss.c`, kernel
//! `xt_tcpmss.c`).

use super::esp::mint;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

fn parse_mss(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, b, _) = mint(s, 65535)?;
    if b < a {
        return Err(format!("`{s}`: invalid range, {a} > {b}"));
    }
    Ok(Value::Range(a, b))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("mss", ArgType::Custom(parse_mss), "MSS value or range a:b").invert().mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["tcp"],
    ..ExtSpec::new("tcpmss", ExtKind::Match, "MSS option of TCP SYN packets")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
