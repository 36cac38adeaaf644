//! The lints, one file each. A lint is a [`Code`] whose doc comment is its
//! documentation (What it does / Why is this bad? / Example / Use instead /
//! …) and a `check` function over the [`LintCx`]. `ALL` lists every lint once.
//!
//! Code ranges: `L1xx` dead and unreachable rules and chains, `L2xx`
//! connection-tracking state, `L3xx` policies and exposure, `L4xx` hygiene.

use iptlint_parser::codes::Code;
use iptlint_parser::Diagnostic;

use crate::LintCx;

/// Declare a lint code; the doc comment becomes its documentation.
macro_rules! declare_lint {
    ($(#[doc = $doc:literal])* pub $ident:ident = ($code:literal, $name:literal, $sev:ident, $summary:literal);) => {
        $(#[doc = $doc])*
        pub static $ident: iptlint_parser::codes::Code = iptlint_parser::codes::Code {
            code: $code,
            name: $name,
            severity: iptlint_parser::Severity::$sev,
            summary: $summary,
            doc: concat!($($doc, "\n",)*),
        };
    };
}

pub mod deprecated_state_match;
pub mod dnat_bypass;
pub mod duplicate_rule;
pub mod empty_chain;
pub mod established_misuse;
pub mod exposed_service;
pub mod host_bits_set;
pub mod ipv6_gap;
pub mod lockout_risk;
pub mod log_without_limit;
pub mod missing_policy;
pub mod permissive_policy;
pub mod return_at_end;
pub mod shadowed_rule;
pub mod unreachable_chain;
pub mod unused_chain;

/// One lint: its code and its check.
pub struct Lint {
    pub code: &'static Code,
    pub check: fn(&LintCx) -> Vec<Diagnostic>,
}

/// Every lint, in code order.
pub static ALL: &[Lint] = &[
    Lint { code: &shadowed_rule::SHADOWED_RULE, check: shadowed_rule::check },
    Lint { code: &shadowed_rule::REDUNDANT_RULE, check: shadowed_rule::check_redundant },
    Lint { code: &shadowed_rule::UNREACHABLE_RULE, check: shadowed_rule::check_unreachable },
    Lint { code: &unused_chain::UNUSED_CHAIN, check: unused_chain::check },
    Lint { code: &unreachable_chain::UNREACHABLE_CHAIN, check: unreachable_chain::check },
    Lint { code: &duplicate_rule::DUPLICATE_RULE, check: duplicate_rule::check },
    Lint { code: &empty_chain::EMPTY_CHAIN, check: empty_chain::check },
    Lint { code: &return_at_end::RETURN_AT_END, check: return_at_end::check },
    Lint { code: &established_misuse::ESTABLISHED_MISUSE, check: established_misuse::check },
    Lint { code: &deprecated_state_match::DEPRECATED_STATE_MATCH, check: deprecated_state_match::check },
    Lint { code: &missing_policy::MISSING_POLICY, check: missing_policy::check },
    Lint { code: &permissive_policy::PERMISSIVE_POLICY, check: permissive_policy::check },
    Lint { code: &lockout_risk::LOCKOUT_RISK, check: lockout_risk::check },
    Lint { code: &exposed_service::EXPOSED_SERVICE, check: exposed_service::check },
    Lint { code: &dnat_bypass::DNAT_BYPASS, check: dnat_bypass::check },
    Lint { code: &ipv6_gap::IPV6_GAP, check: ipv6_gap::check },
    Lint { code: &host_bits_set::HOST_BITS_SET, check: host_bits_set::check },
    Lint { code: &log_without_limit::LOG_WITHOUT_LIMIT, check: log_without_limit::check },
];
