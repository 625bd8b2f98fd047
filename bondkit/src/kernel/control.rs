//! The few netlink requests the failover test makes besides reading bonds: which interface
//! a target is routed through, per-port transmit counters, and a port's link up or down
//! (the last needs CAP_NET_ADMIN).

use super::netlink::request_socket;
use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use std::io;
use std::net::IpAddr;

/// Sends one request and gathers the answers: a dump's messages, one reply, or an ack.
fn transact(msg: RouteNetlinkMessage, flags: u16) -> io::Result<Vec<RouteNetlinkMessage>> {
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
