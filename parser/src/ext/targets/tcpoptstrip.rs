//! `TCPOPTSTRIP`: remove TCP options from the header (`libxt_TCPOPTSTRIP.c`,
//! kernel `xt_TCPOPTSTRIP.c`). mangle table, `-p tcp`.

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

const NAMES: &[(&str, u64)] =
    &[("wscale", 3), ("mss", 2), ("sack-permitted", 4), ("sack", 5), ("timestamp", 8), ("md5", 19)];

/// Option kinds by number (2-255) or name, printed sorted.
fn strip(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut kinds: Vec<u64> = Vec::new();
    for part in s.split(',') {
        let k = match NAMES.iter().find(|(n, _)| *n == part) {
            Some((_, k)) => *k,
            None => match parse_c_uint(part) {
                Some(k) if (2..=255).contains(&k) => k,
                _ => {
                    return Err(format!(
                        "`{part}` is not a TCP option (2-255, or wscale, mss, sack-permitted, sack, timestamp, md5)"
                    ))
                }
            },
        };
        if kinds.contains(&k) {
            return Err(format!("TCP option `{part}` is given twice"));
        }
        kinds.push(k);
    }
    kinds.sort_unstable();
    Ok(Value::Text(kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(",")))
}

pub static OPTIONS: [OptSpec; 1] = [OptSpec::new(
    "strip-options",
    ArgType::Custom(strip),
    "TCP options to remove: numbers or wscale, mss, sack-permitted, sack, timestamp, md5",
)];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["tcp"],
    tables: &["mangle"],
    ..ExtSpec::new(
        "TCPOPTSTRIP",
        ExtKind::Target,
        "remove TCP options from the header (mangle table, -p tcp), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
