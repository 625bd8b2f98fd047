//! TCP connect probes, for when ICMP sockets are not allowed: each probe is a non-blocking
//! `connect`, answered by a SYN-ACK (open port) or an RST (closed port). Both prove the path.
//! Each socket closes with an RST (linger 0), so neither side keeps state.

use super::{bind, ProbeConfig, ProbeError, Transport};
use crate::clock::Mono;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

pub struct Tcp {
    target: SockAddr,
    domain: Domain,
    device: Option<String>,
    open: BTreeMap<u32, Socket>,
}

impl Tcp {
    pub fn open(cfg: &ProbeConfig) -> Result<Tcp, ProbeError> {
        let domain = if cfg.target.is_ipv6() {
            Domain::IPV6
        } else {
            Domain::IPV4
        };
        raise_fd_limit();
        let t = Tcp {
            target: SockAddr::from(SocketAddr::new(cfg.target, cfg.tcp_port)),
            domain,
            device: cfg.device.clone(),
            open: BTreeMap::new(),
        };
        // Find out now, not at the first probe, whether the socket can be bound.
        t.socket()?;
        Ok(t)
    }

    fn socket(&self) -> Result<Socket, ProbeError> {
        let s = Socket::new(self.domain, Type::STREAM, Some(Protocol::TCP))
            .map_err(ProbeError::Socket)?;
        bind(&s, &self.device)?;
        s.set_nonblocking(true).map_err(ProbeError::Socket)?;
        s.set_linger(Some(Duration::ZERO))
            .map_err(ProbeError::Socket)?;
        Ok(s)
    }
}

/// Every open probe holds a descriptor: allow as many as the hard limit does.
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write one valid rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

impl Transport for Tcp {
    fn send(&mut self, seq: u32) -> io::Result<()> {
        let s = self.socket().map_err(|e| match e {
            ProbeError::Socket(e) | ProbeError::BindDevice { source: e, .. } => e,
            other => io::Error::other(other.to_string()),
        })?;
        match s.connect(&self.target) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            // Refused at once (loopback answers before connect returns).
            Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {}
            Err(e) => return Err(e),
        }
        self.open.insert(seq, s);
        Ok(())
    }

    fn fds(&self) -> Vec<(i32, i16)> {
        self.open
            .values()
            .map(|s| (s.as_raw_fd(), libc::POLLOUT))
            .collect()
    }

    fn receive(&mut self, now: Mono) -> (Vec<(u32, Mono)>, Vec<u32>) {
        let mut answered = Vec::new();
        let mut refused = Vec::new();
        for (seq, s) in &self.open {
            let mut p = libc::pollfd {
                fd: s.as_raw_fd(),
                events: libc::POLLOUT,
                revents: 0,
            };
            // SAFETY: one valid pollfd, zero timeout.
            if unsafe { libc::poll(&mut p, 1, 0) } <= 0 {
                continue;
            }
            match s.take_error() {
                // Connected: a SYN-ACK came back.
                Ok(None) => answered.push((*seq, now)),
                // An RST: the port is closed, and the host answered.
                Ok(Some(e)) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {
                    answered.push((*seq, now))
                }
                // Unreachable and the like: no answer from the target.
                _ => refused.push(*seq),
            }
        }
        for (seq, _) in &answered {
            self.open.remove(seq);
        }
        (answered, refused)
    }

    fn forget(&mut self, seq: u32) {
        self.open.remove(&seq);
    }
}
