//! Target modules, one file each. `ALL` lists every spec once.

use std::sync::OnceLock;

use super::ExtSpec;

pub mod audit;
pub mod checksum;
pub mod classify;
pub mod clusterip;
pub mod connmark;
pub mod connsecmark;
pub mod ct;
pub mod dnat;
pub mod dnpt;
pub mod dscp;
pub mod ecn;
pub mod hl;
pub mod hmark;
pub mod idletimer;
pub mod led;
pub mod log;
pub mod mark;
pub mod masquerade;
pub mod netmap;
pub mod nflog;
pub mod nfqueue;
pub mod notrack;
pub mod rateest;
pub mod redirect;
pub mod reject;
pub mod secmark;
pub mod set;
pub mod snat;
pub mod snpt;
pub mod standard;
pub mod synproxy;
pub mod tcpmss;
pub mod tcpoptstrip;
pub mod tee;
pub mod tos;
pub mod tproxy;
pub mod trace;
pub mod ttl;
pub mod ulog;

/// Every target spec, in a fixed order.
pub fn all() -> &'static [&'static ExtSpec] {
    static ALL: OnceLock<Vec<&'static ExtSpec>> = OnceLock::new();
    ALL.get_or_init(|| {
        let lists: &[&[&'static ExtSpec]] = &[
            standard::SPECS,
            log::SPECS,
            nflog::SPECS,
            nfqueue::SPECS,
            masquerade::SPECS,
            snat::SPECS,
            dnat::SPECS,
            redirect::SPECS,
            netmap::SPECS,
            mark::SPECS,
            connmark::SPECS,
            ct::SPECS,
            notrack::SPECS,
            tproxy::SPECS,
            tcpmss::SPECS,
            dscp::SPECS,
            tos::SPECS,
            ttl::SPECS,
            hl::SPECS,
            classify::SPECS,
            set::SPECS,
            audit::SPECS,
            checksum::SPECS,
            trace::SPECS,
            synproxy::SPECS,
            reject::SPECS,
            ecn::SPECS,
            clusterip::SPECS,
            connsecmark::SPECS,
            secmark::SPECS,
            hmark::SPECS,
            idletimer::SPECS,
            led::SPECS,
            rateest::SPECS,
            tee::SPECS,
            tcpoptstrip::SPECS,
            dnpt::SPECS,
            snpt::SPECS,
            ulog::SPECS,
        ];
        lists.iter().flat_map(|l| l.iter().copied()).collect()
    })
}
