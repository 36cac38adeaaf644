//! `srh`: the IPv6 segment routing header (`libip6t_srh.c` revision 1,
//! kernel `ip6t_srh.c`).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, Family, OptSpec};

/// An IPv6 address with a prefix length, always printed `addr/len`.
fn parse_sid(s: &str, _: &ArgCx) -> Result<Value, String> {
    let h = super::policy::parse_hostmask(s, Family::V6)?;
    if h.is_name {
        return Err(format!("`{s}` is not an IPv6 address"));
    }
    Ok(Value::Text(format!("{}/{}", h.host, h.len)))
}

const U8: ArgType = ArgType::UInt { min: 0, max: 255 };

pub static OPTIONS: [OptSpec; 14] = [
    OptSpec::new("srh-next-hdr", U8, "next header field").invert(),
    OptSpec::new("srh-hdr-len-eq", U8, "header length equal to").invert(),
    OptSpec::new("srh-hdr-len-gt", U8, "header length above").invert(),
    OptSpec::new("srh-hdr-len-lt", U8, "header length below").invert(),
    OptSpec::new("srh-segs-left-eq", U8, "segments left equal to").invert(),
    OptSpec::new("srh-segs-left-gt", U8, "segments left above").invert(),
    OptSpec::new("srh-segs-left-lt", U8, "segments left below").invert(),
    OptSpec::new("srh-last-entry-eq", U8, "last entry equal to").invert(),
    OptSpec::new("srh-last-entry-gt", U8, "last entry above").invert(),
    OptSpec::new("srh-last-entry-lt", U8, "last entry below").invert(),
    OptSpec::new("srh-tag", ArgType::UInt { min: 0, max: 65535 }, "tag field").invert(),
    OptSpec::new("srh-psid", ArgType::Custom(parse_sid), "previous segment id addr/len").invert(),
    OptSpec::new("srh-nsid", ArgType::Custom(parse_sid), "next segment id addr/len").invert(),
    OptSpec::new("srh-lsid", ArgType::Custom(parse_sid), "last segment id addr/len").invert(),
];

fn save(inst: &ExtInstance, out: &mut String) {
    for spec in OPTIONS.iter() {
        if let Some(o) = inst.opt(spec.name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{} {}", spec.name, o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("srh", ExtKind::Match, "IPv6 segment routing header fields")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
