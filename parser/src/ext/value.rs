//! Typed argument values and the parsers shared by many modules. Each
//! value's `Display` is its canonical `iptables-save` spelling.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{ArgType, Family};

/// Start of a parser's error message when the option is refused because the
/// rule lacks the protocol it needs (reported as `protocol-required`, not
/// `invalid-value`).
pub const NEEDS_PROTOCOL: &str = "needs ";

/// What a parser may need to know about the rule.
#[derive(Clone, Debug)]
pub struct ArgCx {
    pub family: Family,
    /// The rule's `-p` protocol number, if given and not negated.
    pub proto: Option<u8>,
}

/// A parsed argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An option without argument.
    Flag,
    UInt(u64),
    /// Inclusive range.
    Range(u64, u64),
    /// Port ranges (single ports as `(p, p)`), in the order written.
    Ports(Vec<(u16, u16)>),
    Net(IpNet),
    AddrRange(IpAddr, IpAddr),
    /// Interface name as written (`eth+` is a prefix wildcard).
    Iface(String),
    Mac([u8; 6]),
    Str(String),
    /// A word from a fixed set, canonical spelling.
    Word(String),
    /// A list of words from a fixed set, canonical spelling, in written order.
    Words(Vec<String>),
    /// Mark value and mask (`0xffffffff` when none was given).
    Mark {
        value: u32,
        mask: u32,
    },
    /// Average rate as events per `per_secs` seconds… kept as iptables
    /// prints it: `N/unit`.
    Rate {
        count: u32,
        unit: RateUnit,
    },
    /// TCP flags: the mask examined and the flags that must be set.
    TcpFlags {
        mask: u8,
        comp: u8,
    },
    /// ICMP or ICMPv6 type with code range; `name` is the canonical
    /// spelling iptables-save prints.
    Icmp {
        ty: u8,
        codes: (u8, u8),
        any: bool,
        name: String,
    },
    /// Already canonical text of a module-specific value.
    Text(String),
    /// Kept verbatim: a module iptlint does not model (u32, bpf, …).
    Opaque(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateUnit {
    Second,
    Minute,
    Hour,
    Day,
}

impl RateUnit {
    pub fn name(self) -> &'static str {
        match self {
            RateUnit::Second => "sec",
            RateUnit::Minute => "min",
            RateUnit::Hour => "hour",
            RateUnit::Day => "day",
        }
    }
}

pub const TCP_FLAG_NAMES: [(&str, u8); 6] =
    [("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20)];

pub fn format_tcp_flags(bits: u8) -> String {
    if bits == 0x3f {
        return "FIN,SYN,RST,PSH,ACK,URG".into();
    }
    if bits == 0 {
        return "NONE".into();
    }
    TCP_FLAG_NAMES.iter().filter(|(_, b)| bits & b != 0).map(|(n, _)| *n).collect::<Vec<_>>().join(",")
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Flag => Ok(()),
            Value::UInt(n) => write!(f, "{n}"),
            Value::Range(a, b) if a == b => write!(f, "{a}"),
            Value::Range(a, b) => write!(f, "{a}:{b}"),
            Value::Ports(ports) => {
                for (i, (a, b)) in ports.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    if a == b {
                        write!(f, "{a}")?;
                    } else {
                        write!(f, "{a}:{b}")?;
                    }
                }
                Ok(())
            }
            Value::Net(n) => write!(f, "{}", format_net(n)),
            Value::AddrRange(a, b) => write!(f, "{a}-{b}"),
            Value::Iface(s) | Value::Str(s) | Value::Word(s) | Value::Text(s) => f.write_str(s),
            Value::Mac(m) => write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]),
            Value::Words(w) => f.write_str(&w.join(",")),
            Value::Mark { value, mask } if *mask == u32::MAX => write!(f, "{value:#x}"),
            Value::Mark { value, mask } => write!(f, "{value:#x}/{mask:#x}"),
            Value::Rate { count, unit } => write!(f, "{count}/{}", unit.name()),
            Value::TcpFlags { mask, comp } => {
                write!(f, "{} {}", format_tcp_flags(*mask), format_tcp_flags(*comp))
            }
            Value::Icmp { name, .. } => f.write_str(name),
            Value::Opaque(words) => f.write_str(&words.join(" ")),
        }
    }
}

/// `a.b.c.d/len` with `/32` and `/128` dropped, as iptables-save prints.
pub fn format_net(n: &IpNet) -> String {
    if n.prefix_len() == n.max_prefix_len() {
        n.addr().to_string()
    } else {
        format!("{}/{}", n.network(), n.prefix_len())
    }
}

/// `strtoul(s, &end, 0)` over the whole word: decimal, `0x` hex, `0` octal.
pub fn parse_c_uint(s: &str) -> Option<u64> {
    let s = s.trim_start_matches([' ', '\t']);
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

pub fn parse_uint(s: &str, min: u64, max: u64) -> Result<u64, String> {
    match parse_c_uint(s) {
        Some(n) if n >= min && n <= max => Ok(n),
        Some(_) => Err(format!("`{s}` is out of range {min}-{max}")),
        None => Err(format!("`{s}` is not a number")),
    }
}

/// `a`, `a:b`, `a:`, `:b` (iptables also accepts `-` between numbers in some
/// modules; callers that do handle it themselves).
pub fn parse_uint_range(s: &str, min: u64, max: u64) -> Result<(u64, u64), String> {
    let (a, b) = match s.split_once(':') {
        None => {
            let n = parse_uint(s, min, max)?;
            return Ok((n, n));
        }
        Some((a, b)) => (a, b),
    };
    let lo = if a.is_empty() { min } else { parse_uint(a, min, max)? };
    let hi = if b.is_empty() { max } else { parse_uint(b, min, max)? };
    if lo > hi {
        return Err(format!("range `{s}` is inverted: {lo} > {hi}"));
    }
    Ok((lo, hi))
}

/// Common service names (from Debian's netbase `/etc/services`), so the
/// result does not depend on the host iptlint runs on.
pub const SERVICES: &[(&str, u16)] = &[
    ("tcpmux", 1),
    ("echo", 7),
    ("discard", 9),
    ("systat", 11),
    ("daytime", 13),
    ("netstat", 15),
    ("qotd", 17),
    ("chargen", 19),
    ("ftp-data", 20),
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
    ("smtp", 25),
    ("time", 37),
    ("whois", 43),
    ("tacacs", 49),
    ("domain", 53),
    ("gopher", 70),
    ("finger", 79),
    ("http", 80),
    ("www", 80),
    ("kerberos", 88),
    ("iso-tsap", 102),
    ("acr-nema", 104),
    ("pop3", 110),
    ("sunrpc", 111),
    ("auth", 113),
    ("nntp", 119),
    ("ntp", 123),
    ("epmap", 135),
    ("netbios-ns", 137),
    ("netbios-dgm", 138),
    ("netbios-ssn", 139),
    ("imap2", 143),
    ("imap", 143),
    ("snmp", 161),
    ("snmp-trap", 162),
    ("cmip-man", 163),
    ("cmip-agent", 164),
    ("mailq", 174),
    ("xdmcp", 177),
    ("bgp", 179),
    ("smux", 199),
    ("qmtp", 209),
    ("z3950", 210),
    ("ipx", 213),
    ("ptp-event", 319),
    ("ptp-general", 320),
    ("pawserv", 345),
    ("zserv", 346),
    ("rpc2portmap", 369),
    ("codaauth2", 370),
    ("clearcase", 371),
    ("ldap", 389),
    ("svrloc", 427),
    ("https", 443),
    ("snpp", 444),
    ("microsoft-ds", 445),
    ("kpasswd", 464),
    ("submissions", 465),
    ("saft", 487),
    ("isakmp", 500),
    ("rtsp", 554),
    ("nqs", 607),
    ("asf-rmcp", 623),
    ("qmqp", 628),
    ("ipp", 631),
    ("ldp", 646),
    ("exec", 512),
    ("biff", 512),
    ("login", 513),
    ("who", 513),
    ("shell", 514),
    ("syslog", 514),
    ("printer", 515),
    ("talk", 517),
    ("ntalk", 518),
    ("route", 520),
    ("gdomap", 538),
    ("uucp", 540),
    ("klogin", 543),
    ("kshell", 544),
    ("dhcpv6-client", 546),
    ("dhcpv6-server", 547),
    ("afpovertcp", 548),
    ("nntps", 563),
    ("submission", 587),
    ("ldaps", 636),
    ("tinc", 655),
    ("silc", 706),
    ("kerberos-adm", 749),
    ("domain-s", 853),
    ("rsync", 873),
    ("ftps-data", 989),
    ("ftps", 990),
    ("telnets", 992),
    ("imaps", 993),
    ("pop3s", 995),
    ("socks", 1080),
    ("proofd", 1093),
    ("rootd", 1094),
    ("openvpn", 1194),
    ("rmiregistry", 1099),
    ("lotusnote", 1352),
    ("ms-sql-s", 1433),
    ("ms-sql-m", 1434),
    ("ingreslock", 1524),
    ("datametrics", 1645),
    ("sa-msg-port", 1646),
    ("kermit", 1649),
    ("groupwise", 1677),
    ("l2f", 1701),
    ("radius", 1812),
    ("radius-acct", 1813),
    ("cisco-sccp", 2000),
    ("nfs", 2049),
    ("gnunet", 2086),
    ("rtcm-sc104", 2101),
    ("gsigatekeeper", 2119),
    ("gris", 2135),
    ("cvspserver", 2401),
    ("venus", 2430),
    ("venus-se", 2431),
    ("codasrv", 2432),
    ("codasrv-se", 2433),
    ("mon", 2583),
    ("dict", 2628),
    ("f5-globalsite", 2792),
    ("gsiftp", 2811),
    ("gpsd", 2947),
    ("gds-db", 3050),
    ("icpv2", 3130),
    ("isns", 3205),
    ("iscsi-target", 3260),
    ("mysql", 3306),
    ("ms-wbt-server", 3389),
    ("nut", 3493),
    ("distcc", 3632),
    ("daap", 3689),
    ("svn", 3690),
    ("suucp", 4031),
    ("sysrqd", 4094),
    ("sieve", 4190),
    ("epmd", 4369),
    ("remctl", 4373),
    ("f5-iquery", 4353),
    ("ntske", 4460),
    ("ipsec-nat-t", 4500),
    ("iax", 4569),
    ("mtn", 4691),
    ("radmin-port", 4899),
    ("sip", 5060),
    ("sip-tls", 5061),
    ("xmpp-client", 5222),
    ("xmpp-server", 5269),
    ("cfengine", 5308),
    ("mdns", 5353),
    ("postgresql", 5432),
    ("freeciv", 5556),
    ("amqps", 5671),
    ("amqp", 5672),
    ("x11", 6000),
    ("x11-1", 6001),
    ("x11-2", 6002),
    ("x11-3", 6003),
    ("x11-4", 6004),
    ("x11-5", 6005),
    ("x11-6", 6006),
    ("x11-7", 6007),
    ("gnutella-svc", 6346),
    ("gnutella-rtr", 6347),
    ("redis", 6379),
    ("sge-qmaster", 6444),
    ("sge-execd", 6445),
    ("mysql-proxy", 6446),
    ("babel", 6696),
    ("ircs-u", 6697),
    ("bbs", 7000),
    ("afs3-fileserver", 7000),
    ("afs3-callback", 7001),
    ("afs3-prserver", 7002),
    ("afs3-vlserver", 7003),
    ("afs3-kaserver", 7004),
    ("afs3-volser", 7005),
    ("afs3-bos", 7007),
    ("afs3-update", 7008),
    ("afs3-rmtsys", 7009),
    ("font-service", 7100),
    ("http-alt", 8080),
    ("puppet", 8140),
    ("bacula-dir", 9101),
    ("bacula-fd", 9102),
    ("bacula-sd", 9103),
    ("xmms2", 9667),
    ("nbd", 10809),
    ("zabbix-agent", 10050),
    ("zabbix-trapper", 10051),
    ("amanda", 10080),
    ("dicom", 11112),
    ("hkp", 11371),
    ("db-lsp", 17500),
    ("dcap", 22125),
    ("gsidcap", 22128),
    ("wnn6", 22273),
];

pub fn parse_port(s: &str) -> Result<u16, String> {
    if let Some(n) = parse_c_uint(s) {
        return u16::try_from(n).map_err(|_| format!("port `{s}` is out of range 0-65535"));
    }
    SERVICES
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, p)| *p)
        .ok_or_else(|| format!("`{s}` is neither a port number nor a known service name"))
}

/// `a`, `a:b`, `a:`, `:b`.
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let Some((a, b)) = s.split_once(':') else {
        let p = parse_port(s)?;
        return Ok((p, p));
    };
    let lo = if a.is_empty() { 0 } else { parse_port(a)? };
    let hi = if b.is_empty() { 65535 } else { parse_port(b)? };
    if lo > hi {
        return Err(format!("port range `{s}` is inverted: {lo} > {hi}"));
    }
    Ok((lo, hi))
}

/// A port range the way libxtables' `XTTYPE_PORTRC` reads it (`udp`,
/// `dccp`, `conntrack --ctorig*port` …), which is laxer than `PortRange`:
/// each side goes through `getaddrinfo`, so a number is decimal (`+` and
/// leading zeros allowed), taken modulo 65536 (`70000` is port 4464) and
/// refused only when it overflows; a side may be empty; `min > max` is not
/// checked. For `ArgType::Custom`.
pub fn parse_portrc(word: &str, _cx: &ArgCx) -> Result<Value, String> {
    let parts: Vec<&str> = word.split(':').collect();
    if parts.len() > 2 {
        return Err(format!("`{word}` has more than two ports"));
    }
    let side = |s: &str, default: u16| -> Result<u16, String> {
        if s.is_empty() {
            return Ok(default);
        }
        let digits = s.strip_prefix('+').unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits.parse::<u64>().map(|n| (n % 65536) as u16).map_err(|_| format!("port `{s}` is too large"));
        }
        SERVICES
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, p)| *p)
            .ok_or_else(|| format!("`{s}` is neither a port number nor a known service name"))
    };
    let lo = side(parts[0], 0)?;
    let hi = match parts.get(1) {
        Some(b) => side(b, 65535)?,
        None => lo,
    };
    Ok(Value::Ports(vec![(lo, hi)]))
}

/// Parse an address with optional prefix length or dotted mask. Host names
/// are refused here; the caller reports them as a host requirement.
pub fn parse_net(s: &str, family: Family) -> Result<IpNet, String> {
    let (addr, mask) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    match family {
        Family::V4 => {
            let ip = parse_ipv4(addr).ok_or_else(|| {
                if addr.parse::<Ipv6Addr>().is_ok() {
                    format!("`{addr}` is an IPv6 address in an IPv4 ruleset")
                } else {
                    format!("`{addr}` is not an IPv4 address")
                }
            })?;
            let len = match mask {
                None => 32,
                Some(m) => {
                    if let Some(n) = parse_c_uint(m).filter(|_| !m.contains('.')) {
                        if n > 32 {
                            return Err(format!("prefix length `{m}` is over 32"));
                        }
                        n as u8
                    } else {
                        let mip = parse_ipv4(m).ok_or_else(|| format!("`{m}` is not a valid netmask"))?;
                        let bits = u32::from(mip);
                        if bits.leading_ones() + bits.trailing_zeros() != 32 {
                            return Err(format!("`{m}` is not a contiguous netmask"));
                        }
                        bits.leading_ones() as u8
                    }
                }
            };
            let net = Ipv4Net::new(ip, len).map_err(|e| e.to_string())?;
            Ok(IpNet::V4(Ipv4Net::new(net.network(), len).unwrap_or(net)).with_host_bits(ip))
        }
        Family::V6 => {
            let ip: Ipv6Addr = addr.parse().map_err(|_| {
                if parse_ipv4(addr).is_some() {
                    format!("`{addr}` is an IPv4 address in an IPv6 ruleset")
                } else {
                    format!("`{addr}` is not an IPv6 address")
                }
            })?;
            let len = match mask {
                None => 128,
                Some(m) => {
                    if let Some(n) = parse_c_uint(m).filter(|_| !m.contains(':')) {
                        if n > 128 {
                            return Err(format!("prefix length `{m}` is over 128"));
                        }
                        n as u8
                    } else {
                        let mip: Ipv6Addr = m.parse().map_err(|_| format!("`{m}` is not a valid netmask"))?;
                        let bits = u128::from(mip);
                        if bits.leading_ones() + bits.trailing_zeros() != 128 {
                            return Err(format!("`{m}` is not a contiguous netmask"));
                        }
                        bits.leading_ones() as u8
                    }
                }
            };
            Ok(IpNet::V6(Ipv6Net::new(ip, len).map_err(|e| e.to_string())?))
        }
    }
}

trait WithHostBits {
    fn with_host_bits(self, ip: Ipv4Addr) -> IpNet;
}
impl WithHostBits for IpNet {
    /// Keep the address as written (host bits included); the analysis and
    /// the printer mask it, the `host-bits-set` lint reads it.
    fn with_host_bits(self, ip: Ipv4Addr) -> IpNet {
        IpNet::V4(Ipv4Net::new(ip, self.prefix_len()).expect("prefix checked"))
    }
}

/// Dotted quad, strict (no `inet_aton` shorthand).
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (o, p) in octets.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    Some(Ipv4Addr::from(octets))
}

pub fn parse_ip(s: &str, family: Family) -> Result<IpAddr, String> {
    match family {
        Family::V4 => parse_ipv4(s).map(IpAddr::V4).ok_or_else(|| format!("`{s}` is not an IPv4 address")),
        Family::V6 => s.parse::<Ipv6Addr>().map(IpAddr::V6).map_err(|_| format!("`{s}` is not an IPv6 address")),
    }
}

pub fn parse_mac(s: &str) -> Result<[u8; 6], String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return Err(format!("`{s}` is not a MAC address (xx:xx:xx:xx:xx:xx)"));
    }
    let mut mac = [0u8; 6];
    for (m, p) in mac.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 2 {
            return Err(format!("`{s}` is not a MAC address (xx:xx:xx:xx:xx:xx)"));
        }
        *m = u8::from_str_radix(p, 16).map_err(|_| format!("`{s}` is not a MAC address"))?;
    }
    Ok(mac)
}

/// `value[/mask]`, each a 32-bit number.
pub fn parse_mark(s: &str) -> Result<(u32, u32), String> {
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    let value = parse_uint(v, 0, u32::MAX as u64)? as u32;
    let mask = match m {
        Some(m) => parse_uint(m, 0, u32::MAX as u64)? as u32,
        None => u32::MAX,
    };
    Ok((value, mask))
}

/// `N[/unit]`, unit any prefix of second/minute/hour/day (as libxt_limit).
pub fn parse_rate(s: &str) -> Result<(u32, RateUnit), String> {
    let (n, unit) = match s.split_once('/') {
        Some((n, u)) => (n, Some(u)),
        None => (s, None),
    };
    let count: u32 = n.parse().map_err(|_| format!("`{s}` is not a rate like 5/min"))?;
    if count == 0 {
        return Err(format!("rate `{s}` must be at least 1"));
    }
    let unit = match unit {
        None => RateUnit::Second,
        Some(u) if !u.is_empty() && "second".starts_with(u) => RateUnit::Second,
        Some(u) if !u.is_empty() && "minute".starts_with(u) => RateUnit::Minute,
        Some(u) if !u.is_empty() && "hour".starts_with(u) => RateUnit::Hour,
        Some(u) if !u.is_empty() && "day".starts_with(u) => RateUnit::Day,
        Some(u) => return Err(format!("`{u}` is not a rate unit (second, minute, hour, day)")),
    };
    Ok((count, unit))
}

/// Parse one argument word by type. Two-word types go through `parse2`.
pub fn parse(ty: &ArgType, word: &str, cx: &ArgCx) -> Result<Value, String> {
    match *ty {
        ArgType::None => Ok(Value::Flag),
        ArgType::UInt { min, max } => parse_uint(word, min, max).map(Value::UInt),
        ArgType::UIntRange { min, max } => parse_uint_range(word, min, max).map(|(a, b)| Value::Range(a, b)),
        ArgType::Port => parse_port(word).map(|p| Value::Ports(vec![(p, p)])),
        ArgType::PortRange => parse_port_range(word).map(|r| Value::Ports(vec![r])),
        ArgType::PortList { max } => {
            let mut ports = Vec::new();
            let mut count = 0;
            for part in word.split(',') {
                let r = parse_port_range(part)?;
                count += if r.0 == r.1 { 1 } else { 2 };
                ports.push(r);
            }
            if count > max {
                return Err(format!("too many ports: {count} counted (a range counts twice), at most {max}"));
            }
            Ok(Value::Ports(ports))
        }
        ArgType::Addr => parse_net(word, cx.family).map(Value::Net),
        ArgType::AddrRange => {
            let (a, b) = word.split_once('-').ok_or_else(|| format!("`{word}` is not a range like a.b.c.d-e.f.g.h"))?;
            let (a, b) = (parse_ip(a, cx.family)?, parse_ip(b, cx.family)?);
            Ok(Value::AddrRange(a, b))
        }
        ArgType::Iface => parse_iface(word).map(Value::Iface),
        ArgType::Mac => parse_mac(word).map(Value::Mac),
        ArgType::Str { max } => {
            if word.len() > max {
                Err(format!("`{word}` is longer than {max} bytes"))
            } else {
                Ok(Value::Str(word.to_string()))
            }
        }
        ArgType::Choice(set) => set
            .iter()
            .find(|c| c.eq_ignore_ascii_case(word))
            .map(|c| Value::Word(c.to_string()))
            .ok_or_else(|| format!("`{word}` is not one of {}", set.join(", "))),
        ArgType::ChoiceList(set) => {
            let mut out = Vec::new();
            for w in word.split(',') {
                let c = set
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(w))
                    .ok_or_else(|| format!("`{w}` is not one of {}", set.join(", ")))?;
                out.push(c.to_string());
            }
            Ok(Value::Words(out))
        }
        ArgType::MarkMask => parse_mark(word).map(|(value, mask)| Value::Mark { value, mask }),
        ArgType::Rate => parse_rate(word).map(|(count, unit)| Value::Rate { count, unit }),
        ArgType::Custom(f) => f(word, cx),
        ArgType::Custom2(_) => Err("internal: two-word option parsed as one".into()),
        ArgType::Optional(f) => f(word, cx),
    }
}

/// Interface names: at most 15 bytes, no `/` or blanks (dev_valid_name).
pub fn parse_iface(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("empty interface name".into());
    }
    if s.len() > 15 {
        return Err(format!("interface name `{s}` is longer than 15 characters"));
    }
    if s.contains(['/', ' ', '\t']) {
        return Err(format!("`{s}` is not a valid interface name"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_numbers() {
        assert_eq!(parse_c_uint("0x1f"), Some(31));
        assert_eq!(parse_c_uint("010"), Some(8));
        assert_eq!(parse_c_uint("0"), Some(0));
        assert_eq!(parse_c_uint("-1"), None);
        assert_eq!(parse_c_uint("12a"), None);
    }

    #[test]
    fn nets() {
        let n = parse_net("10.0.0.5/255.255.255.0", Family::V4).unwrap();
        assert_eq!(n.prefix_len(), 24);
        assert_eq!(format_net(&n), "10.0.0.0/24");
        assert_eq!(format_net(&parse_net("1.2.3.4/32", Family::V4).unwrap()), "1.2.3.4");
        assert!(parse_net("::1", Family::V4).unwrap_err().contains("IPv6"));
        assert!(parse_net("10.0.0.0/33", Family::V4).is_err());
        assert_eq!(format_net(&parse_net("2001:db8::1/64", Family::V6).unwrap()), "2001:db8::/64");
    }

    #[test]
    fn ports_and_rates() {
        assert_eq!(parse_port_range("1024:").unwrap(), (1024, 65535));
        assert_eq!(parse_port("ssh").unwrap(), 22);
        assert!(parse_port("65536").is_err());
        assert_eq!(parse_rate("5/min").unwrap(), (5, RateUnit::Minute));
        assert_eq!(parse_rate("3/s").unwrap(), (3, RateUnit::Second));
    }
}
