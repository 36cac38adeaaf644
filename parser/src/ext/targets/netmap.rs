//! `NETMAP`: map a whole network onto another, keeping the host part
//! (`libipt_NETMAP.c`, `libip6t_NETMAP.c`, kernel `xt_NETMAP.c`). nat table;
//! PREROUTING/OUTPUT map destinations, POSTROUTING/INPUT sources.

use crate::ext::targets::snat::fmt_ip;
use crate::ext::targets::tee::inet_aton;
use crate::ext::value::{parse_net, ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Family, OptSpec, TargetEffect};

/// `addr[/len|/mask]`, printed as the network with its length (a v4 length
/// over 32 counts as 32).
fn parse_to(s: &str, cx: &ArgCx) -> Result<Value, String> {
    let (addr, mask) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    // IPv4 addresses go through getaddrinfo: `10.1` is 10.0.0.1.
    let addr = match cx.family {
        Family::V4 => inet_aton(addr).map_or_else(|| addr.to_string(), |ip| ip.to_string()),
        Family::V6 => addr.to_string(),
    };
    let s2 = match (cx.family, mask) {
        (Family::V4, Some(m)) => match m.parse::<u32>() {
            Ok(n) if (33..=128).contains(&n) => format!("{addr}/32"),
            _ => format!("{addr}/{m}"),
        },
        (_, Some(m)) => format!("{addr}/{m}"),
        (_, None) => addr,
    };
    let net = parse_net(&s2, cx.family)?;
    let text = format!("{}/{}", fmt_ip(net.network()), net.prefix_len());
    Ok(Value::Text(text))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("to", ArgType::Custom(parse_to), "address/length of the network to map to").mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["nat"],
    effect: TargetEffect::Rewrite,
    ..ExtSpec::new("NETMAP", ExtKind::Target, "map a network onto another one, host part kept (nat table)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    fn to(s: &str, f: Family) -> String {
        parse_to(s, &ArgCx { family: f, proto: None }).unwrap().to_string()
    }

    #[test]
    fn networks() {
        assert_eq!(to("1.2.3.4", Family::V4), "1.2.3.4/32");
        assert_eq!(to("1.2.3.5/24", Family::V4), "1.2.3.0/24");
        assert_eq!(to("1.2.3.5/255.255.255.0", Family::V4), "1.2.3.0/24");
        assert_eq!(to("1.2.3.5/33", Family::V4), "1.2.3.5/32");
        assert_eq!(to("dead::beef", Family::V6), "dead::beef/128");
        assert_eq!(to("0", Family::V4), "0.0.0.0/32");
        assert_eq!(to("10.1/8", Family::V4), "10.0.0.0/8");
        assert_eq!(to("dead::5/64", Family::V6), "dead::/64");
    }
}
