//! `host-bits-set`: an address with a prefix whose host part is not zero.

use iptlint_parser::model::Address;
use iptlint_parser::Diagnostic;

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

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in &cx.parsed.ruleset.tables {
        for rule in table.rules.iter().filter(|r| r.valid) {
            for field in [&rule.source, &rule.destination].into_iter().flatten() {
                for a in &field.value {
                    let Address::Net(n) = a else { continue };
                    if n.addr() == n.network() {
                        continue;
                    }
                    let net = format!("{}/{}", n.network(), n.prefix_len());
                    let written = format!("{}/{}", n.addr(), n.prefix_len());
                    let mut d = Diagnostic::new(
                        &HOST_BITS_SET,
                        field.span,
                        format!("`{written}` has host bits set: the rule matches all of `{net}`"),
                    )
                    .note(format!("for the single host write `{}`", n.addr()));
                    if let Some(span) = cx.find_in(field.span, &written) {
                        d = d.replace(format!("write the network `{net}`"), span, net.clone());
                    }
                    out.push(d);
                }
            }
        }
    }
    out
}
