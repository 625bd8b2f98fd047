//! Kernel bond states written out by hand, for the tests that judge them (the live
//! diagnosis, the redundancy monitor): plain data, no kernel needed.

use super::state::{AdInfo, KernelBond, KernelPort};

/// A port in `mii` state ("up", "down"), in aggregator `agg`, at `speed` Mb/s.
pub(crate) fn port(name: &str, mii: &str, agg: u16, speed: u32) -> KernelPort {
    KernelPort {
        name: name.into(),
        ifindex: 0,
        state: "backup".into(),
        mii: mii.into(),
        link_failures: 0,
        speed_mbps: Some(speed),
        duplex: Some("full".into()),
        perm_mac: None,
        aggregator_id: Some(agg),
        actor_state: Some(63),
        partner_state: Some(63),
        actor_state_words: vec![],
        partner_state_words: vec![],
        partner_mac: None,
        oper_up: mii == "up",
        prio: None,
        queue_id: None,
    }
}

/// A bond `name` in `mode` with these ports, no LACP state.
pub(crate) fn bond(name: &str, mode: &str, ports: Vec<KernelPort>) -> KernelBond {
    KernelBond {
        name: name.into(),
        ifindex: 9,
        mode: mode.into(),
        active_port: None,
        miimon: 100,
        updelay: 0,
        downdelay: 0,
        arp_interval: 0,
        arp_targets: vec![],
        xmit_hash_policy: None,
        lacp_rate: None,
        ad_info: None,
        oper_up: true,
        ports,
    }
}

/// An 802.3ad bond `name` with `partner` as its LACP partner (all zeros: none).
pub(crate) fn lacp_bond(name: &str, partner: &str, ports: Vec<KernelPort>) -> KernelBond {
    KernelBond {
        xmit_hash_policy: Some("layer3+4".into()),
        lacp_rate: Some("fast".into()),
        ad_info: Some(AdInfo {
            aggregator: 1,
            num_ports: 2,
            actor_key: 15,
            partner_key: 15,
            partner_mac: partner.into(),
        }),
        ..bond(name, "802.3ad", ports)
    }
}
