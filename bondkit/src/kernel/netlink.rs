//! rtnetlink: one dump of all links gives every bond and port; the link multicast group
//! gives a change event whenever one of them changes. No polling anywhere.

use super::lacp;
use super::state::{mac_string, AdInfo, KernelBond, KernelPort};
use crate::clock::Mono;
use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::link::{
    BondLacpRate, BondPortState, InfoBond, InfoBondPort, InfoData, InfoKind, InfoPortData,
    LinkAttribute, LinkInfo, LinkMessage, MiiStatus, State,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::io;
use std::time::Instant;

/// The rtnetlink multicast group for link changes.
const RTMGRP_LINK: u32 = 1;

const MODES: [&str; 7] = [
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
];
const HASHES: [&str; 6] = [
    "layer2",
    "layer3+4",
    "layer2+3",
    "encap2+3",
    "encap3+4",
    "vlan+srcmac",
];

/// One link from a dump, reduced to what bonds need.
#[derive(Debug, Default)]
struct Link {
    index: u32,
    name: String,
    controller: Option<u32>,
    is_bond: bool,
    bond: Vec<InfoBond>,
    port: Vec<InfoBondPort>,
    oper_up: bool,
    /// The message says the bond just changed its active port (IFLA_EVENT_BONDING_FAILOVER).
    failover: bool,
}

fn link_from(msg: LinkMessage) -> Link {
    let mut l = Link {
        index: msg.header.index,
        ..Default::default()
    };
    for attr in msg.attributes {
        match attr {
            LinkAttribute::IfName(n) => l.name = n,
            LinkAttribute::Controller(c) => l.controller = Some(c),
            LinkAttribute::OperState(s) => l.oper_up = s == State::Up,
            LinkAttribute::Event(netlink_packet_route::link::LinkEvent::BondingFailover) => {
                l.failover = true
            }
            LinkAttribute::LinkInfo(infos) => {
                for info in infos {
                    match info {
                        LinkInfo::Kind(InfoKind::Bond) => l.is_bond = true,
                        LinkInfo::Data(InfoData::Bond(b)) => l.bond = b,
                        LinkInfo::PortData(InfoPortData::BondPort(p)) => l.port = p,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    l
}

fn request_socket() -> io::Result<Socket> {
    let mut s = Socket::new(NETLINK_ROUTE)?;
    s.bind_auto()?;
    s.connect(&SocketAddr::new(0, 0))?;
    Ok(s)
}

/// Sends one request and gathers the answers: a dump's messages, one reply, or an ack.
pub(super) fn transact(
    msg: RouteNetlinkMessage,
    flags: u16,
) -> io::Result<Vec<RouteNetlinkMessage>> {
    let socket = request_socket()?;
    let mut header = NetlinkHeader::default();
    header.flags = flags | NLM_F_REQUEST;
    header.sequence_number = 1;
    let mut m = NetlinkMessage::new(header, NetlinkPayload::from(msg));
    m.finalize();
    let mut buf = vec![0u8; m.header.length as usize];
    m.serialize(&mut buf);
    socket.send(&buf, 0)?;
    let dump = flags & NLM_F_DUMP != 0;
    let mut out = Vec::new();
    loop {
        let (data, _) = socket.recv_from_full()?;
        let mut offset = 0;
        while offset < data.len() {
            let m = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&data[offset..])
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            let len = m.header.length as usize;
            match m.payload {
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) => {
                    return match e.code {
                        None => Ok(out),
                        Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
                    }
                }
                NetlinkPayload::InnerMessage(inner) => {
                    out.push(inner);
                    if !dump && flags & NLM_F_ACK == 0 {
                        return Ok(out);
                    }
                }
                _ => {}
            }
            if len == 0 {
                break;
            }
            offset += len;
        }
    }
}

fn dump_links() -> io::Result<Vec<Link>> {
    let replies = transact(
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        NLM_F_DUMP,
    )?;
    Ok(replies
        .into_iter()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewLink(l) => Some(link_from(l)),
            _ => None,
        })
        .collect())
}

/// Speed and duplex from the driver (ETHTOOL_GSET), asked through a socket of the calling
/// thread's network namespace: sysfs would show the namespace it was mounted in instead.
fn speed_duplex(name: &str) -> (Option<u32>, Option<String>) {
    #[repr(C)]
    #[derive(Default)]
    struct EthtoolCmd {
        cmd: u32,
        supported: u32,
        advertising: u32,
        speed: u16,
        duplex: u8,
        port: u8,
        phy_address: u8,
        transceiver: u8,
        autoneg: u8,
        mdio_support: u8,
        maxtxpkt: u32,
        maxrxpkt: u32,
        speed_hi: u16,
        eth_tp_mdix: u8,
        eth_tp_mdix_ctrl: u8,
        lp_advertising: u32,
        reserved: [u32; 2],
    }
    #[repr(C)]
    struct IfReq {
        name: [u8; 16],
        data: *mut EthtoolCmd,
        _pad: [u8; 16],
    }
    const SIOCETHTOOL: libc::c_ulong = 0x8946;
    const ETHTOOL_GSET: u32 = 1;
    if name.len() >= 16 {
        return (None, None);
    }
    let mut cmd = EthtoolCmd {
        cmd: ETHTOOL_GSET,
        ..Default::default()
    };
    let mut req = IfReq {
        name: [0; 16],
        data: &mut cmd,
        _pad: [0; 16],
    };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: a plain datagram socket and the documented SIOCETHTOOL ioctl with a properly
    // sized, live ifreq/ethtool_cmd; the fd is closed before returning.
    let ok = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return (None, None);
        }
        let rc = libc::ioctl(fd, SIOCETHTOOL as _, &mut req);
        libc::close(fd);
        rc == 0
    };
    if !ok {
        return (None, None);
    }
    let speed = (u32::from(cmd.speed_hi) << 16) | u32::from(cmd.speed);
    let speed = (speed != 0 && speed != u32::MAX && speed != 0xffff).then_some(speed);
    let duplex = match cmd.duplex {
        0 => Some("half".to_string()),
        1 => Some("full".to_string()),
        _ => None,
    };
    // The kernel reports a speed for links that are down; it means nothing then.
    (speed, duplex)
}

fn mii_word(m: &MiiStatus) -> &'static str {
    match m {
        MiiStatus::Up => "up",
        MiiStatus::GoingDown => "going-down",
        MiiStatus::Down => "down",
        MiiStatus::GoingBack => "going-back",
        _ => "unknown",
    }
}

fn port_from(link: &Link, active: Option<u32>) -> KernelPort {
    let (speed_mbps, duplex) = speed_duplex(&link.name);
    let mut p = KernelPort {
        name: link.name.clone(),
        ifindex: link.index,
        state: if active == Some(link.index) {
            "active".into()
        } else {
            "backup".into()
        },
        mii: "unknown".into(),
        link_failures: 0,
        speed_mbps,
        duplex,
        perm_mac: None,
        aggregator_id: None,
        actor_state: None,
        partner_state: None,
        actor_state_words: Vec::new(),
        partner_state_words: Vec::new(),
        partner_mac: None,
        oper_up: link.oper_up,
        prio: None,
        queue_id: None,
    };
    for a in &link.port {
        match a {
            InfoBondPort::LinkFailureCount(n) => p.link_failures = *n,
            InfoBondPort::MiiStatus(m) => p.mii = mii_word(m).into(),
            InfoBondPort::PermHwaddr(b) => p.perm_mac = Some(mac_string(b)),
            // The kernel's own word for the port is authoritative in every mode.
            InfoBondPort::BondPortState(s) => {
                p.state = match s {
                    BondPortState::Active => "active".into(),
                    _ => "backup".into(),
                }
            }
            InfoBondPort::AdAggregatorId(id) => p.aggregator_id = Some(*id),
            InfoBondPort::AdActorOperPortState(st) => p.actor_state = Some(st.bits()),
            InfoBondPort::AdPartnerOperPortState(st) => p.partner_state = Some(st.bits()),
            InfoBondPort::Prio(n) => p.prio = Some(*n),
            InfoBondPort::QueueId(n) => p.queue_id = Some(*n),
            _ => {}
        }
    }
    p.actor_state_words = p.actor_state.map(lacp::describe).unwrap_or_default();
    p.partner_state_words = p.partner_state.map(lacp::describe).unwrap_or_default();
    p
}

fn bond_from(link: &Link, all: &[Link]) -> KernelBond {
    let mut b = KernelBond {
        name: link.name.clone(),
        ifindex: link.index,
        mode: String::new(),
        active_port: None,
        miimon: 0,
        updelay: 0,
        downdelay: 0,
        arp_interval: 0,
        arp_targets: Vec::new(),
        xmit_hash_policy: None,
        lacp_rate: None,
        ad_info: None,
        oper_up: link.oper_up,
        ports: Vec::new(),
    };
    let mut active = None;
    for a in &link.bond {
        match a {
            InfoBond::Mode(m) => {
                b.mode = MODES
                    .get(u8::from(*m) as usize)
                    .unwrap_or(&"unknown")
                    .to_string()
            }
            InfoBond::ActivePort(i) => active = Some(*i),
            InfoBond::MiiMon(v) => b.miimon = *v,
            InfoBond::UpDelay(v) => b.updelay = *v,
            InfoBond::DownDelay(v) => b.downdelay = *v,
            InfoBond::ArpInterval(v) => b.arp_interval = *v,
            InfoBond::ArpIpTarget(t) => b.arp_targets = t.iter().map(|a| a.to_string()).collect(),
            InfoBond::XmitHashPolicy(x) => {
                b.xmit_hash_policy = HASHES.get(u8::from(*x) as usize).map(|s| s.to_string())
            }
            InfoBond::AdLacpRate(r) => {
                b.lacp_rate = Some(
                    if *r == BondLacpRate::Fast {
                        "fast"
                    } else {
                        "slow"
                    }
                    .to_string(),
                )
            }
            InfoBond::AdInfo(infos) => {
                let mut ad = AdInfo {
                    aggregator: 0,
                    num_ports: 0,
                    actor_key: 0,
                    partner_key: 0,
                    partner_mac: super::state::ZERO_MAC.into(),
                };
                for i in infos {
                    use netlink_packet_route::link::BondAdInfo::*;
                    match i {
                        Aggregator(v) => ad.aggregator = *v,
                        NumPorts(v) => ad.num_ports = *v,
                        ActorKey(v) => ad.actor_key = *v,
                        PartnerKey(v) => ad.partner_key = *v,
                        PartnerMac(m) => ad.partner_mac = mac_string(m),
                        _ => {}
                    }
                }
                b.ad_info = Some(ad);
            }
            _ => {}
        }
    }
    b.active_port = active
        .and_then(|i| all.iter().find(|l| l.index == i))
        .map(|l| l.name.clone());
    let mut ports: Vec<KernelPort> = all
        .iter()
        .filter(|l| l.controller == Some(link.index) && !l.port.is_empty())
        .map(|l| port_from(l, active))
        .collect();
    if b.mode != "active-backup" {
        // Outside active-backup, the active-port attribute means nothing; keep the kernel's
        // own per-port state word.
        b.active_port = None;
    }
    if let Some(ad) = &b.ad_info {
        for p in &mut ports {
            if p.aggregator_id == Some(ad.aggregator) {
                p.partner_mac = Some(ad.partner_mac.clone());
            }
        }
    }
    ports.sort_by(|a, b| a.name.cmp(&b.name));
    b.ports = ports;
    b
}

/// Every bond in this network namespace, with its ports, in one netlink dump.
pub fn read_bonds() -> io::Result<Vec<KernelBond>> {
    let links = dump_links()?;
    let mut bonds: Vec<KernelBond> = links
        .iter()
        .filter(|l| l.is_bond)
        .map(|l| bond_from(l, &links))
        .collect();
    bonds.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(bonds)
}

/// One bond by name.
pub fn read_bond(name: &str) -> io::Result<Option<KernelBond>> {
    Ok(read_bonds()?.into_iter().find(|b| b.name == name))
}

/// A link changed: which one, and when (monotonic clock) the event was read.
#[derive(Debug, Clone)]
pub struct LinkEvent {
    pub at: Instant,
    /// The same moment on [`Mono`], the clock probes are timed on.
    pub mono: Mono,
    /// The kernel reports that this bond changed its active port.
    pub bonding_failover: bool,
    pub ifindex: u32,
    pub name: Option<String>,
    pub removed: bool,
    /// The kernel dropped events (ENOBUFS: the socket buffer overflowed): anything may have
    /// changed, so re-read everything. `ifindex` is 0.
    pub overflow: bool,
}

/// Link change events from the kernel. A thread blocks on the netlink socket (no timer, no
/// polling) and hands each event over an async channel.
pub struct LinkEvents {
    rx: async_channel::Receiver<LinkEvent>,
}

impl LinkEvents {
    pub fn subscribe() -> io::Result<LinkEvents> {
        LinkEvents::subscribe_with_buffer(None)
    }

    /// Like [`Self::subscribe`], with the socket's receive buffer set to `bytes` (tests use
    /// a tiny one to make the kernel overflow it).
    pub fn subscribe_with_buffer(bytes: Option<usize>) -> io::Result<LinkEvents> {
        LinkEvents::spawn(bytes, None)
    }

    /// Subscribed now, but reading only once the returned sender is used (or dropped):
    /// lets a test make the kernel overflow the buffer for certain, whatever the timing.
    pub fn subscribe_held(bytes: usize) -> io::Result<(LinkEvents, std::sync::mpsc::Sender<()>)> {
        let (go, hold) = std::sync::mpsc::channel();
        Ok((LinkEvents::spawn(Some(bytes), Some(hold))?, go))
    }

    fn spawn(
        bytes: Option<usize>,
        hold: Option<std::sync::mpsc::Receiver<()>>,
    ) -> io::Result<LinkEvents> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind(&SocketAddr::new(0, RTMGRP_LINK))?;
        if let Some(b) = bytes {
            socket.set_rx_buf_sz(b)?;
        }
        let (tx, rx) = async_channel::unbounded();
        std::thread::Builder::new()
            .name("bondkit-links".into())
            .spawn(move || {
                if let Some(h) = hold {
                    let _ = h.recv();
                }
                loop {
                    let data = match socket.recv_from_full() {
                        Ok((data, _)) => data,
                        // Events were lost, not the subscription: tell the reader to resync.
                        Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                            let ev = LinkEvent {
                                at: Instant::now(),
                                mono: Mono::now(),
                                bonding_failover: false,
                                ifindex: 0,
                                name: None,
                                removed: false,
                                overflow: true,
                            };
                            if tx.send_blocking(ev).is_err() {
                                return;
                            }
                            continue;
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => return,
                    };
                    let at = Instant::now();
                    let mono = Mono::now();
                    let mut offset = 0;
                    while offset < data.len() {
                        let Ok(m) =
                            NetlinkMessage::<RouteNetlinkMessage>::deserialize(&data[offset..])
                        else {
                            break;
                        };
                        let len = m.header.length as usize;
                        let event = match m.payload {
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(l)) => {
                                Some((l, false))
                            }
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::DelLink(l)) => {
                                Some((l, true))
                            }
                            _ => None,
                        };
                        if let Some((l, removed)) = event {
                            let link = link_from(l);
                            let ev = LinkEvent {
                                at,
                                mono,
                                bonding_failover: link.failover,
                                ifindex: link.index,
                                name: Some(link.name).filter(|n| !n.is_empty()),
                                removed,
                                overflow: false,
                            };
                            if tx.send_blocking(ev).is_err() {
                                return;
                            }
                        }
                        if len == 0 {
                            break;
                        }
                        offset += len;
                    }
                }
            })?;
        Ok(LinkEvents { rx })
    }

    /// The next event; waits without spinning.
    pub async fn next(&self) -> Option<LinkEvent> {
        self.rx.recv().await.ok()
    }

    pub fn next_blocking(&self) -> Option<LinkEvent> {
        self.rx.recv_blocking().ok()
    }

    /// Events already queued, without waiting.
    pub fn drain(&self) -> Vec<LinkEvent> {
        std::iter::from_fn(|| self.rx.try_recv().ok()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::{Emitable, Parseable};
    use netlink_packet_route::link::LacpState;

    /// A port's link message as the kernel sends it, through the crate's own emitter and
    /// parser: every bond-port attribute we show is decoded by netlink-packet-route.
    #[test]
    fn decodes_a_bond_port_message_the_kernel_sends() {
        let mut msg = LinkMessage::default();
        msg.header.index = 7;
        msg.attributes = vec![
            LinkAttribute::IfName("eno1".into()),
            LinkAttribute::Controller(3),
            LinkAttribute::LinkInfo(vec![
                LinkInfo::PortKind(netlink_packet_route::link::InfoPortKind::Bond),
                LinkInfo::PortData(InfoPortData::BondPort(vec![
                    InfoBondPort::BondPortState(BondPortState::Backup),
                    InfoBondPort::MiiStatus(MiiStatus::Up),
                    InfoBondPort::LinkFailureCount(4),
                    InfoBondPort::PermHwaddr(vec![2, 0, 0, 0, 0, 1]),
                    InfoBondPort::QueueId(2),
                    InfoBondPort::Prio(10),
                    InfoBondPort::AdAggregatorId(5),
                    InfoBondPort::AdActorOperPortState(LacpState::from_bits_retain(0x3d)),
                    InfoBondPort::AdPartnerOperPortState(LacpState::from_bits_retain(0x3f)),
                ])),
            ]),
        ];
        let mut buf = vec![0u8; msg.buffer_len()];
        msg.emit(&mut buf);
        let parsed = LinkMessage::parse(buf.as_slice()).expect("parse");
        let p = port_from(&link_from(parsed), Some(3));
        assert_eq!(p.name, "eno1");
        assert_eq!(p.state, "backup");
        assert_eq!(p.mii, "up");
        assert_eq!(p.link_failures, 4);
        assert_eq!(p.perm_mac.as_deref(), Some("02:00:00:00:00:01"));
        assert_eq!(p.queue_id, Some(2));
        assert_eq!(p.prio, Some(10));
        assert_eq!(p.aggregator_id, Some(5));
        assert_eq!(p.actor_state, Some(0x3d));
        assert_eq!(p.partner_state, Some(0x3f));
    }
}
