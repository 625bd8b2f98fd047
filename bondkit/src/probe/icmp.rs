//! ICMP echo over datagram ICMP sockets (`socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`), the
//! kind `ping` uses without root. The kernel fills in the identifier and, for IPv6, the
//! checksum, and hands each socket only its own replies. Receive times come from the
//! kernel (`SO_TIMESTAMPNS`), converted to the monotonic clock.

use super::{bind, ping_group_range, ProbeConfig, ProbeError, Transport};
use crate::clock::Mono;
use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

/// Marks our payload, so that a stray reply is not taken for a probe's.
const MAGIC: &[u8; 4] = b"BSMP";

pub struct Icmp {
    socket: Socket,
    target: SockAddr,
    v6: bool,
}

impl Icmp {
    pub fn open(cfg: &ProbeConfig) -> Result<Icmp, ProbeError> {
        let v6 = cfg.target.is_ipv6();
        let (domain, proto) = if v6 {
            (Domain::IPV6, Protocol::ICMPV6)
        } else {
            (Domain::IPV4, Protocol::ICMPV4)
        };
        let socket = Socket::new(domain, Type::DGRAM, Some(proto)).map_err(|e| {
            match e.raw_os_error() {
                // The kernel refuses datagram ICMP for groups outside ping_group_range.
                Some(libc::EACCES) | Some(libc::EPERM) => ProbeError::IcmpNotAllowed {
                    range: ping_group_range(),
                },
                _ => ProbeError::Socket(e),
            }
        })?;
        bind(&socket, &cfg.device)?;
        setsockopt(&socket, sockopt::ReceiveTimestampns, &true)
            .map_err(|e| ProbeError::Socket(e.into()))?;
        socket.set_nonblocking(true).map_err(ProbeError::Socket)?;
        Ok(Icmp {
            socket,
            target: SockAddr::from(SocketAddr::new(cfg.target, 0)),
            v6,
        })
    }
}

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], 0])
        };
        sum += w as u32;
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An echo request carrying `seq` (its low 16 bits in the header, all 32 in the payload).
fn request(seq: u32, v6: bool) -> Vec<u8> {
    let mut p = vec![if v6 { 128 } else { 8 }, 0, 0, 0, 0, 0];
    p.extend_from_slice(&(seq as u16).to_be_bytes());
    p.extend_from_slice(MAGIC);
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0; 8]);
    if !v6 {
        let c = checksum(&p);
        p[2..4].copy_from_slice(&c.to_be_bytes());
    }
    p
}

/// The probe number an echo reply answers, if it is one of ours.
fn reply_seq(p: &[u8], v6: bool) -> Option<u32> {
    let reply_type = if v6 { 129 } else { 0 };
    if p.len() < 16 || p[0] != reply_type || &p[8..12] != MAGIC {
        return None;
    }
    Some(u32::from_be_bytes([p[12], p[13], p[14], p[15]]))
}

impl Transport for Icmp {
    fn send(&mut self, seq: u32) -> io::Result<()> {
        self.socket
            .send_to(&request(seq, self.v6), &self.target)
            .map(|_| ())
    }

    fn fds(&self) -> Vec<(i32, i16)> {
        vec![(self.socket.as_raw_fd(), libc::POLLIN)]
    }

    fn receive(&mut self, _now: Mono) -> (Vec<(u32, Mono)>, Vec<u32>) {
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            let mut cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
            let mut iov = [IoSliceMut::new(&mut buf)];
            let (len, stamp) = match recvmsg::<()>(
                self.socket.as_raw_fd(),
                &mut iov,
                Some(&mut cmsg),
                MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(m) => {
                    let stamp = m.cmsgs().ok().and_then(|mut c| {
                        c.find_map(|c| match c {
                            ControlMessageOwned::ScmTimestampns(ts) => Some(ts),
                            _ => None,
                        })
                    });
                    (m.bytes, stamp)
                }
                Err(_) => break,
            };
            let now = Mono::now();
            let at = stamp
                .map(|ts| Mono::from_realtime(ts.tv_sec(), ts.tv_nsec(), now))
                .unwrap_or(now);
            if let Some(seq) = reply_seq(&buf[..len], self.v6) {
                out.push((seq, at));
            }
        }
        (out, Vec::new())
    }

    fn forget(&mut self, _seq: u32) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_the_sequence_and_a_valid_checksum() {
        let r = request(0x0001_0203, false);
        assert_eq!(r[0], 8);
        assert_eq!(checksum(&r), 0, "a packet with its checksum sums to zero");
        // A reply echoes the payload with type 0.
        let mut reply = r.clone();
        reply[0] = 0;
        assert_eq!(reply_seq(&reply, false), Some(0x0001_0203));
        assert_eq!(reply_seq(&r, false), None, "a request is not a reply");
        let mut v6 = request(7, true);
        v6[0] = 129;
        assert_eq!(reply_seq(&v6, true), Some(7));
    }
}
