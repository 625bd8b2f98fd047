//! The kernel's bond state as plain data, the shape `bondctl status --json` prints.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelPort {
    pub name: String,
    #[serde(skip)]
    pub ifindex: u32,
    /// "active" or "backup".
    pub state: String,
    /// "up", "down", "going-down" or "going-back".
    pub mii: String,
    pub link_failures: u32,
    pub speed_mbps: Option<u32>,
    /// "full", "half" or None when unknown.
    pub duplex: Option<String>,
    pub perm_mac: Option<String>,
    pub aggregator_id: Option<u16>,
    /// LACP actor and partner port state bytes, and in words.
    pub actor_state: Option<u8>,
    pub partner_state: Option<u8>,
    pub actor_state_words: Vec<&'static str>,
    pub partner_state_words: Vec<&'static str>,
    /// The bond's LACP partner, for 802.3ad ports in its active aggregator.
    pub partner_mac: Option<String>,
    /// Whether the port's own link is up (IFF_UP and carrier).
    pub oper_up: bool,
    /// The port's priority for active-port selection (kernel 6.0+), as NM's bond-port.prio.
    pub prio: Option<i32>,
    /// The port's transmit queue id, as NM's bond-port.queue-id.
    pub queue_id: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdInfo {
    pub aggregator: u16,
    pub num_ports: u16,
    pub actor_key: u16,
    pub partner_key: u16,
    pub partner_mac: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelBond {
    pub name: String,
    #[serde(skip)]
    pub ifindex: u32,
    pub mode: String,
    pub active_port: Option<String>,
    pub miimon: u32,
    pub updelay: u32,
    pub downdelay: u32,
    pub arp_interval: u32,
    pub arp_targets: Vec<String>,
    pub xmit_hash_policy: Option<String>,
    pub lacp_rate: Option<String>,
    pub ad_info: Option<AdInfo>,
    pub oper_up: bool,
    pub ports: Vec<KernelPort>,
}

pub fn mac_string(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub const ZERO_MAC: &str = "00:00:00:00:00:00";
