//! Match modules, one file each. `ALL` lists every spec once.

use std::sync::OnceLock;

use super::ExtSpec;

pub mod addrtype;
pub mod ah;
pub mod bpf;
pub mod cgroup;
pub mod cluster;
pub mod comment;
pub mod connbytes;
pub mod connlabel;
pub mod connlimit;
pub mod connmark;
pub mod conntrack;
pub mod cpu;
pub mod dccp;
pub mod devgroup;
pub mod dscp;
pub mod dst;
pub mod ecn;
pub mod esp;
pub mod eui64;
pub mod frag;
pub mod geoip;
pub mod hashlimit;
pub mod hbh;
pub mod helper;
pub mod hl;
pub mod icmp;
pub mod icmp6;
pub mod ipcomp;
pub mod iprange;
pub mod ipv6header;
pub mod ipvs;
pub mod length;
pub mod limit;
pub mod mac;
pub mod mark;
pub mod mh;
pub mod multiport;
pub mod nfacct;
pub mod osf;
pub mod owner;
pub mod physdev;
pub mod pkttype;
pub mod policy;
pub mod quota;
pub mod rateest;
pub mod realm;
pub mod recent;
pub mod rpfilter;
pub mod rt;
pub mod sctp;
pub mod set;
pub mod socket;
pub mod srh;
pub mod state;
pub mod statistic;
pub mod string;
pub mod tcp;
pub mod tcpmss;
pub mod time;
pub mod tos;
pub mod ttl;
pub mod u32;
pub mod udp;

/// Every match spec, in a fixed order.
pub fn all() -> &'static [&'static ExtSpec] {
    static ALL: OnceLock<Vec<&'static ExtSpec>> = OnceLock::new();
    ALL.get_or_init(|| {
        let lists: &[&[&'static ExtSpec]] = &[
            tcp::SPECS,
            udp::SPECS,
            icmp::SPECS,
            icmp6::SPECS,
            sctp::SPECS,
            dccp::SPECS,
            multiport::SPECS,
            conntrack::SPECS,
            state::SPECS,
            comment::SPECS,
            iprange::SPECS,
            set::SPECS,
            limit::SPECS,
            hashlimit::SPECS,
            recent::SPECS,
            mark::SPECS,
            connmark::SPECS,
            owner::SPECS,
            mac::SPECS,
            physdev::SPECS,
            addrtype::SPECS,
            string::SPECS,
            length::SPECS,
            ttl::SPECS,
            hl::SPECS,
            tos::SPECS,
            dscp::SPECS,
            ecn::SPECS,
            pkttype::SPECS,
            time::SPECS,
            connlimit::SPECS,
            connbytes::SPECS,
            statistic::SPECS,
            tcpmss::SPECS,
            policy::SPECS,
            rpfilter::SPECS,
            socket::SPECS,
            devgroup::SPECS,
            cgroup::SPECS,
            helper::SPECS,
            quota::SPECS,
            u32::SPECS,
            bpf::SPECS,
            geoip::SPECS,
            frag::SPECS,
            hbh::SPECS,
            dst::SPECS,
            rt::SPECS,
            ah::SPECS,
            esp::SPECS,
            ipv6header::SPECS,
            mh::SPECS,
            cluster::SPECS,
            connlabel::SPECS,
            cpu::SPECS,
            ipcomp::SPECS,
            ipvs::SPECS,
            nfacct::SPECS,
            osf::SPECS,
            rateest::SPECS,
            realm::SPECS,
            eui64::SPECS,
            srh::SPECS,
        ];
        lists.iter().flat_map(|l| l.iter().copied()).collect()
    })
}
