//! The few netlink requests the failover test makes besides reading bonds: which interface
//! a target is routed through, per-port transmit counters, and a port's link up or down
//! (the last needs CAP_NET_ADMIN).

use super::netlink::transact;
use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use std::io;
use std::net::IpAddr;

/// The interface index the kernel routes `target` through (`ip route get`).
pub fn route_interface(target: IpAddr) -> io::Result<Option<u32>> {
    let mut msg = RouteMessage::default();
    msg.header.address_family = match target {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    };
    msg.header.destination_prefix_length = if target.is_ipv4() { 32 } else { 128 };
    msg.attributes
        .push(RouteAttribute::Destination(RouteAddress::from(target)));
    let replies = transact(RouteNetlinkMessage::GetRoute(msg), 0)?;
    Ok(replies.into_iter().find_map(|m| match m {
        RouteNetlinkMessage::NewRoute(r) => r.attributes.into_iter().find_map(|a| match a {
            RouteAttribute::Oif(i) => Some(i),
            _ => None,
        }),
        _ => None,
    }))
}

/// Packets each named interface has sent so far (from the kernel's 64-bit counters).
pub fn tx_packets(names: &[String]) -> io::Result<Vec<(String, u64)>> {
    let replies = transact(
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        NLM_F_DUMP,
    )?;
    let mut out = Vec::new();
    for m in replies {
        let RouteNetlinkMessage::NewLink(l) = m else {
            continue;
        };
        let mut name = None;
        let mut tx = None;
        for a in l.attributes {
            match a {
                LinkAttribute::IfName(n) => name = Some(n),
                LinkAttribute::Stats64(s) => tx = Some(s.tx_packets),
                _ => {}
            }
        }
        if let (Some(n), Some(t)) = (name, tx) {
            if names.contains(&n) {
                out.push((n, t));
            }
        }
    }
    Ok(out)
}

/// The name of the interface with index `ifindex`.
pub fn link_name(ifindex: u32) -> Option<String> {
    let mut msg = LinkMessage::default();
    msg.header.index = ifindex;
    let replies = transact(RouteNetlinkMessage::GetLink(msg), 0).ok()?;
    replies.into_iter().find_map(|m| match m {
        RouteNetlinkMessage::NewLink(l) => l.attributes.into_iter().find_map(|a| match a {
            LinkAttribute::IfName(n) => Some(n),
            _ => None,
        }),
        _ => None,
    })
}

/// Sets a link administratively up or down (`ip link set … up|down`). Needs CAP_NET_ADMIN.
pub fn set_link_up(ifindex: u32, up: bool) -> io::Result<()> {
    let mut msg = LinkMessage::default();
    msg.header.index = ifindex;
    msg.header.flags = if up {
        LinkFlags::Up
    } else {
        LinkFlags::empty()
    };
    msg.header.change_mask = LinkFlags::Up;
    transact(RouteNetlinkMessage::SetLink(msg), NLM_F_ACK).map(|_| ())
}
