//! The prober: echo probes to a target at a fixed, monotonic schedule (1 to 1000 ms, 10 ms
//! by default), bound to the bond, on a thread of its own. Every probe carries its send and
//! reply times on [`Mono`], the clock the kernel's link events are read on.
//!
//! Two kinds, neither needing root: ICMP echo over datagram ICMP sockets (allowed when the
//! user's group is in `net.ipv4.ping_group_range`), and TCP connect probes (a SYN answered
//! by SYN-ACK or RST, so a closed port is fine) when ICMP is not allowed. Not UDP: Linux
//! rate-limits the ICMP errors a closed UDP port would answer with to one a second.

mod icmp;
mod tcp;

use crate::clock::Mono;
use serde::{Deserialize, Serialize};
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const MIN_INTERVAL_MS: u64 = 1;
pub const MAX_INTERVAL_MS: u64 = 1000;
pub const DEFAULT_INTERVAL_MS: u64 = 10;
/// Port 9 (discard) is closed on most hosts: an RST answers as well as a SYN-ACK.
pub const DEFAULT_TCP_PORT: u16 = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    Icmp,
    Tcp,
}

impl ProbeKind {
    pub fn name(self) -> &'static str {
        match self {
            ProbeKind::Icmp => "icmp",
            ProbeKind::Tcp => "tcp",
        }
    }
}

/// Which kind to use: ICMP, falling back to TCP when ICMP sockets are not allowed, or one
/// of them only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChoice {
    Auto,
    Only(ProbeKind),
}

#[derive(Debug, Clone)]
pub struct ProbeConfig {
    pub target: IpAddr,
    pub interval: Duration,
    /// The interface every probe leaves through (`SO_BINDTODEVICE`), normally the bond.
    pub device: Option<String>,
    pub kind: KindChoice,
    pub tcp_port: u16,
}

impl ProbeConfig {
    pub fn new(target: IpAddr) -> ProbeConfig {
        ProbeConfig {
            target,
            interval: Duration::from_millis(DEFAULT_INTERVAL_MS),
            device: None,
            kind: KindChoice::Auto,
            tcp_port: DEFAULT_TCP_PORT,
        }
    }

    /// How long a probe may wait for its answer before it counts as lost: a second, or less
    /// for TCP at fine intervals (every open probe holds a socket; a SYN is resent after 1 s,
    /// and a late answer to a resent SYN must not count).
    pub fn timeout(&self, kind: ProbeKind) -> Duration {
        match kind {
            ProbeKind::Icmp => Duration::from_secs(1),
            ProbeKind::Tcp => Duration::from_millis(900).min(self.interval * 400),
        }
    }
}

/// What the prober saw, in order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProbeEvent {
    /// Probe `seq` left at `at`; the schedule said `scheduled`.
    Sent { seq: u32, scheduled: Mono, at: Mono },
    /// Its answer arrived at `at` (the kernel's receive timestamp where there is one).
    Reply { seq: u32, sent: Mono, at: Mono },
    /// No answer within the timeout (or the network said it is unreachable).
    Lost { seq: u32, sent: Mono },
}

/// Why probing cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// ICMP datagram sockets are not allowed for this user's groups.
    #[error("ICMP echo sockets are not allowed for your user (net.ipv4.ping_group_range is \"{range}\"); allow them with: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"")]
    IcmpNotAllowed { range: String },
    #[error("cannot bind the probes to {device}: {source}")]
    BindDevice { device: String, source: io::Error },
    #[error("cannot open a probe socket: {0}")]
    Socket(io::Error),
}

/// One way of sending probes and reading their answers.
trait Transport: Send {
    fn send(&mut self, seq: u32) -> io::Result<()>;
    /// The descriptors to wait on for answers, with the poll events that mean one.
    fn fds(&self) -> Vec<(i32, i16)>;
    /// Answers that are ready (seq, time), and probes the network refused (seq) without
    /// waiting.
    fn receive(&mut self, now: Mono) -> (Vec<(u32, Mono)>, Vec<u32>);
    /// Forget a probe that timed out (closes its socket, for TCP).
    fn forget(&mut self, seq: u32);
}

/// A running prober; dropping it stops the thread.
pub struct Prober {
    pub kind: ProbeKind,
    /// Why ICMP was not used, when the choice was Auto and it fell back to TCP.
    pub fallback_reason: Option<ProbeError>,
    events: async_channel::Receiver<ProbeEvent>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Prober {
    pub fn start(cfg: &ProbeConfig) -> Result<Prober, ProbeError> {
        let (transport, kind, fallback_reason): (Box<dyn Transport>, _, _) = match cfg.kind {
            KindChoice::Only(ProbeKind::Icmp) => {
                (Box::new(icmp::Icmp::open(cfg)?), ProbeKind::Icmp, None)
            }
            KindChoice::Only(ProbeKind::Tcp) => {
                (Box::new(tcp::Tcp::open(cfg)?), ProbeKind::Tcp, None)
            }
            KindChoice::Auto => match icmp::Icmp::open(cfg) {
                Ok(t) => (Box::new(t), ProbeKind::Icmp, None),
                Err(e @ ProbeError::IcmpNotAllowed { .. }) => {
                    (Box::new(tcp::Tcp::open(cfg)?), ProbeKind::Tcp, Some(e))
                }
                Err(e) => return Err(e),
            },
        };
        let (tx, rx) = async_channel::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let interval = cfg.interval.clamp(
            Duration::from_millis(MIN_INTERVAL_MS),
            Duration::from_millis(MAX_INTERVAL_MS),
        );
        let timeout = cfg.timeout(kind);
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("bondkit-probe".into())
            .spawn(move || run(transport, interval, timeout, tx, s))
            .map_err(ProbeError::Socket)?;
        Ok(Prober {
            kind,
            fallback_reason,
            events: rx,
            stop,
            thread: Some(thread),
        })
    }

    pub fn events(&self) -> &async_channel::Receiver<ProbeEvent> {
        &self.events
    }

    /// Stops sending; events already made stay readable.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Prober {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The probe thread: send on schedule, wait for answers in between (`ppoll`, no busy loop).
fn run(
    mut t: Box<dyn Transport>,
    interval: Duration,
    timeout: Duration,
    tx: async_channel::Sender<ProbeEvent>,
    stop: Arc<AtomicBool>,
) {
    // A finer timer slack keeps 1 ms schedules on time (the default is 50 µs).
    // SAFETY: prctl with PR_SET_TIMERSLACK only changes this thread's timer slack.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 10_000u64, 0u64, 0u64, 0u64) };
    let mut next = Mono::now();
    let mut seq: u32 = 0;
    let mut open: std::collections::BTreeMap<u32, Mono> = Default::default();
    let emit = |e: ProbeEvent| tx.send_blocking(e).is_ok();
    while !stop.load(Ordering::Relaxed) {
        let now = Mono::now();
        if now >= next {
            let at = Mono::now();
            // A failed send (no route, no buffer) is a probe that got no answer.
            let sent = t.send(seq).is_ok();
            if !emit(ProbeEvent::Sent {
                seq,
                scheduled: next,
                at,
            }) {
                return;
            }
            if sent {
                open.insert(seq, at);
            } else if !emit(ProbeEvent::Lost { seq, sent: at }) {
                return;
            }
            seq = seq.wrapping_add(1);
            next = next.plus(interval);
            // Fell behind by more than a probe (the machine stalled): do not burst.
            if Mono::now() > next.plus(interval) {
                next = Mono::now().plus(interval);
            }
            continue;
        }
        let expired: Vec<u32> = open
            .iter()
            .filter(|(_, sent)| now.since(**sent) >= timeout)
            .map(|(s, _)| *s)
            .collect();
        for s in expired {
            let sent = open.remove(&s).expect("listed");
            t.forget(s);
            if !emit(ProbeEvent::Lost { seq: s, sent }) {
                return;
            }
        }
        wait(&t.fds(), next.since(now));
        let (answers, refused) = t.receive(Mono::now());
        for (s, at) in answers {
            if let Some(sent) = open.remove(&s) {
                if !emit(ProbeEvent::Reply { seq: s, sent, at }) {
                    return;
                }
            }
        }
        for s in refused {
            if let Some(sent) = open.remove(&s) {
                t.forget(s);
                if !emit(ProbeEvent::Lost { seq: s, sent }) {
                    return;
                }
            }
        }
    }
}

/// Waits until one of `fds` is ready, or `dur` has passed.
fn wait(fds: &[(i32, i16)], dur: Duration) {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    let ts = libc::timespec {
        tv_sec: dur.as_secs() as libc::time_t,
        tv_nsec: dur.subsec_nanos() as libc::c_long,
    };
    // SAFETY: `p` is a valid array of p.len() pollfds and `ts` a valid timespec; no sigmask.
    unsafe {
        libc::ppoll(
            p.as_mut_ptr(),
            p.len() as libc::nfds_t,
            &ts,
            std::ptr::null(),
        )
    };
}

/// The user's groups against `net.ipv4.ping_group_range` (ICMP datagram sockets).
pub fn ping_group_range() -> String {
    std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range")
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub(crate) fn bind(socket: &socket2::Socket, device: &Option<String>) -> Result<(), ProbeError> {
    if let Some(dev) = device {
        socket
            .bind_device(Some(dev.as_bytes()))
            .map_err(|source| ProbeError::BindDevice {
                device: dev.clone(),
                source,
            })?;
    }
    Ok(())
}
