//! `u32`: tests on 32-bit words anywhere in the packet (`libxt_u32.c`,
//! kernel `xt_u32.c`). The expression is checked with iptables' grammar
//! and kept in its canonical (hexadecimal) spelling.

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// Up to 10 tests, each with up to 10 location numbers and 10 ranges.
const MAX: usize = 10;

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    /// A number as `strtoul(…, 0)` reads it (after optional blanks).
    fn number(&mut self) -> Result<u32, String> {
        let start = self.i;
        self.skip_ws();
        let rest = &self.s[self.i..];
        let (radix, skip) =
            if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' && rest[2].is_ascii_hexdigit() {
                (16, 2)
            } else if rest.first() == Some(&b'0') {
                (8, 0)
            } else {
                (10, 0)
            };
        let digits = rest[skip..].iter().take_while(|c| (**c as char).is_digit(radix)).count();
        if digits == 0 {
            return Err(format!("at char {start}: not a number or out of range"));
        }
        let text = std::str::from_utf8(&rest[skip..skip + digits]).unwrap_or("");
        let v = u64::from_str_radix(text, radix).unwrap_or(u64::MAX);
        if v > u64::from(u32::MAX) {
            return Err(format!("at char {start}: not a number or out of range"));
        }
        self.i += skip + digits;
        Ok(v as u32)
    }
}

/// Parses the u32 test language, returning the canonical spelling.
pub fn parse_u32(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut c = Cursor { s: s.as_bytes(), i: 0 };
    let mut out = String::new();
    let (mut tests, mut locs, mut vals) = (0usize, 0usize, 0usize);
    let mut reading_values = false;
    loop {
        c.skip_ws();
        let at = c.i;
        let Some(ch) = c.peek() else {
            if !reading_values {
                return Err("abrupt end of input after location specifier".into());
            }
            if vals == 0 {
                return Err("test ended with no value specified".into());
            }
            if tests + 1 > MAX {
                return Err(format!("at char {at}: too many \"&&\"s"));
            }
            return Ok(Value::Text(out));
        };
        if !reading_values {
            if ch == b'=' {
                if locs == 0 {
                    return Err(format!("at char {at}: location spec missing"));
                }
                c.i += 1;
                out.push('=');
                reading_values = true;
                continue;
            }
            if locs != 0 {
                let op = match ch {
                    b'&' => "&",
                    b'<' | b'>' => {
                        c.i += 1;
                        if c.peek() != Some(ch) {
                            return Err(format!("at char {}: a second '{}' was expected", c.i, ch as char));
                        }
                        if ch == b'<' {
                            "<<"
                        } else {
                            ">>"
                        }
                    }
                    b'@' => "@",
                    _ => return Err(format!("at char {at}: operator expected")),
                };
                c.i += 1;
                out.push_str(op);
            }
            let n = c.number()?;
            let _ = write!(out, "{n:#x}");
            locs += 1;
            if locs > MAX {
                return Err(format!("at char {}: too many operators", c.i));
            }
        } else if ch == b'&' {
            c.i += 1;
            if c.peek() != Some(b'&') {
                return Err(format!("at char {}: a second '&' was expected", c.i));
            }
            if vals == 0 {
                return Err(format!("at char {}: value spec missing", c.i));
            }
            tests += 1;
            if tests > MAX {
                return Err(format!("at char {}: too many \"&&\"s", c.i));
            }
            c.i += 1;
            out.push_str("&&");
            reading_values = false;
            locs = 0;
            vals = 0;
        } else {
            if vals > 0 {
                if ch != b',' {
                    return Err(format!("at char {at}: expected \",\" or \"&&\""));
                }
                c.i += 1;
                out.push(',');
            }
            let lo = c.number()?;
            c.skip_ws();
            if c.peek() == Some(b':') {
                c.i += 1;
                let hi = c.number()?;
                if lo == hi {
                    let _ = write!(out, "{lo:#x}");
                } else {
                    let _ = write!(out, "{lo:#x}:{hi:#x}");
                }
            } else {
                let _ = write!(out, "{lo:#x}");
            }
            vals += 1;
            if vals > MAX {
                return Err(format!("at char {}: too many \",\"s", c.i));
            }
        }
    }
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("u32", ArgType::Custom(parse_u32), "tests: location=value[,range]…[&&…]").invert().mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("u32") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --u32 \"{}\"", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("u32", ExtKind::Match, "tests on 32-bit words at computed packet offsets")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    #[test]
    fn u32_grammar() {
        let cx = ArgCx { family: Family::V4, proto: None };
        let p = |s| parse_u32(s, &cx).map(|v| v.to_string());
        assert_eq!(p("0x0=0x0&&0x0=0x1").unwrap(), "0x0=0x0&&0x0=0x1");
        assert_eq!(
            p("6 & 0xFF = 1 && 4 & 0x3FFF = 0 && 0 >> 22 & 0x3C @ 4 = 0x10:0x20,5").unwrap(),
            "0x6&0xff=0x1&&0x4&0x3fff=0x0&&0x0>>0x16&0x3c@0x4=0x10:0x20,0x5"
        );
        assert!(p("0x0").is_err());
        assert!(p("=1").is_err());
        assert!(p("0=").is_err());
        assert!(p("0<1=1").is_err());
        assert!(p("0=1&2=3").is_err());
        assert!(p("0=1&&1=2&&2=3&&3=4&&4=5&&5=6&&6=7&&7=8&&8=9&&9=10").is_ok());
        assert!(p("0=1&&1=2&&2=3&&3=4&&4=5&&5=6&&6=7&&7=8&&8=9&&9=10&&10=11").is_err());
        assert!(p("0@1@2@3@4@5@6@7@8@9=1,2,3,4,5,6,7,8,9,10").is_ok());
        assert!(p("0@1@2@3@4@5@6@7@8@9@10=1").is_err());
        assert!(p("0=1,2,3,4,5,6,7,8,9,10,11").is_err());
    }
}
