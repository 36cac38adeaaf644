//! `host-bits-set`: an address with a prefix whose host part is not zero.

use std::net::IpAddr;

use ipnet::IpNet;
use iptlint_parser::model::Address;
use iptlint_parser::{Diagnostic, Span};

use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds `-s`/`-d` networks written with host bits set, such as
    /// `10.0.0.5/24`.
    ///
    /// ## Why is this bad?
    /// iptables silently masks the address to `10.0.0.0/24`, so the rule
    /// matches the whole network. Usually one of the two parts is a typo:
    /// either the host (`/32`) or the network was meant.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// -A INPUT -s 192.168.1.10/24 -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// -A INPUT -s 192.168.1.10 -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -s 192.168.2.0/24 -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes the network address the kernel uses anyway, which
    /// keeps the meaning; it is safe, but check whether a host was meant.
    pub HOST_BITS_SET = ("L401", "host-bits-set", Warning, "network address with host bits set");
}

/// `addr/len` or `addr/mask` as written, if the address has host bits set:
/// the address, the prefix length and the network.
fn host_bits(part: &str) -> Option<(IpAddr, u8, IpAddr)> {
    let (addr, mask) = part.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len: u8 = match mask.parse::<u8>() {
        Ok(n) if n <= max => n,
        Ok(_) => return None,
        Err(_) => {
            let bits = match mask.parse::<IpAddr>().ok()? {
                IpAddr::V4(m) => u32::from(m) as u128,
                IpAddr::V6(m) => u128::from(m),
            };
            let ones = if max == 32 { (bits as u32).leading_ones() } else { bits.leading_ones() };
            ones as u8
        }
    };
    let net = IpNet::new(addr, len).ok()?;
    (net.network() != addr).then(|| (addr, len, net.network()))
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in &cx.parsed.ruleset.tables {
        for rule in table.rules.iter().filter(|r| r.valid) {
            for field in [&rule.source, &rule.destination].into_iter().flatten() {
                if !field.value.iter().any(|a| matches!(a, Address::Net(_))) {
                    continue;
                }
                // The parser masks addresses the way libxtables does, so read
                // the argument as written: the field's last word.
                let Some(written) = cx.text.get(field.span.range()) else { continue };
                let arg_start = written.rfind([' ', '\t', '=']).map_or(0, |i| i + 1);
                let mut offset = field.span.start + arg_start;
                for part in written[arg_start..].split(',') {
                    let part_span = Span::new(offset, offset + part.len());
                    offset += part.len() + 1;
                    let Some((addr, len, network)) = host_bits(part) else { continue };
                    let net = format!("{network}/{len}");
                    out.push(
                        Diagnostic::new(
                            &HOST_BITS_SET,
                            part_span,
                            format!("`{part}` has host bits set: the rule matches all of `{net}`"),
                        )
                        .note(format!("for the single host write `{addr}`"))
                        .replace(format!("write the network `{net}`"), part_span, net.clone()),
                    );
                }
            }
        }
    }
    out
}
