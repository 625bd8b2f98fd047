//! The engine's eyes while a test runs: probe events and the kernel's link events, folded
//! into the timeline (and passed on to whoever watches the test) as they arrive.

use super::timeline::{MarkKind, Timeline};
use super::TestEvent;
use crate::clock::Mono;
use crate::kernel::{netlink, KernelBond, LinkEvents};
use crate::probe::Prober;
use std::time::{Duration, Instant};

pub(super) struct Watch<'a> {
    pub prober: Prober,
    links: LinkEvents,
    pub timeline: Timeline,
    /// The bond as the kernel last showed it.
    pub bond: KernelBond,
    /// The port under test, once chosen.
    pub port: Option<String>,
    /// When the kernel reported the port's carrier gone, and back.
    pub carrier_lost: Option<Mono>,
    pub carrier_back: Option<Mono>,
    /// The kernel's own failover moments (IFLA_EVENT_BONDING_FAILOVER on the bond).
    pub failovers: Vec<Mono>,
    events: &'a async_channel::Sender<TestEvent>,
    stop: Option<&'a async_channel::Receiver<()>>,
    pub stopped: bool,
}

impl<'a> Watch<'a> {
    pub fn new(
        prober: Prober,
        links: LinkEvents,
        bond: KernelBond,
        events: &'a async_channel::Sender<TestEvent>,
        stop: Option<&'a async_channel::Receiver<()>>,
    ) -> Watch<'a> {
        Watch {
            prober,
            links,
            timeline: Timeline::default(),
            bond,
            port: None,
            carrier_lost: None,
            carrier_back: None,
            failovers: Vec::new(),
            events,
            stop,
            stopped: false,
        }
    }

    pub fn emit(&self, e: TestEvent) {
        let _ = self.events.try_send(e);
    }

    pub fn mark(&mut self, kind: MarkKind, at: Mono, port: Option<String>) {
        self.timeline.mark(kind, at, port);
        let m = self.timeline.marks.last().expect("just added").clone();
        self.emit(TestEvent::Mark(m));
    }

    /// Folds events in until `done` holds (true) or `deadline` passes or the user stops
    /// the test (false).
    pub async fn until(&mut self, deadline: Instant, mut done: impl FnMut(&Watch) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            if self.stopped || Instant::now() >= deadline {
                return false;
            }
            let stop = async {
                match self.stop {
                    Some(s) => {
                        let _ = s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                e = self.prober.events().recv() => {
                    if let Ok(e) = e {
                        self.timeline.record(&e);
                        self.emit(TestEvent::Probe(e));
                    }
                }
                l = self.links.next() => {
                    if let Some(l) = l {
                        let mut batch = vec![l];
                        batch.extend(self.links.drain());
                        self.on_links(batch);
                    }
                }
                _ = stop => self.stopped = true,
                _ = tokio::time::sleep_until(deadline.into()) => {}
            }
        }
    }

    /// Waits `d`, folding events in (no early end but a stop).
    pub async fn pause(&mut self, d: Duration) {
        let end = Instant::now() + d;
        self.until(end, |_| false).await;
    }

    /// Takes in every probe event already made (after the prober stopped).
    pub fn drain_probes(&mut self) {
        while let Ok(e) = self.prober.events().try_recv() {
            self.timeline.record(&e);
            self.emit(TestEvent::Probe(e));
        }
    }

    fn on_links(&mut self, batch: Vec<crate::kernel::netlink::LinkEvent>) {
        let at = batch.first().map(|e| e.mono).unwrap_or_else(Mono::now);
        for e in &batch {
            if e.ifindex == self.bond.ifindex && e.bonding_failover {
                self.failovers.push(e.mono);
            }
        }
        let Ok(Some(now)) = netlink::read_bond(&self.bond.name) else {
            return;
        };
        if now.active_port != self.bond.active_port && now.active_port.is_some() {
            // The kernel's own failover stamp, when this batch carried one.
            let when = batch
                .iter()
                .find(|e| e.bonding_failover && e.ifindex == now.ifindex)
                .map_or(at, |e| e.mono);
            self.mark(MarkKind::ActiveChanged, when, now.active_port.clone());
        }
        if let Some(port) = self.port.clone() {
            let was = self.bond.ports.iter().find(|p| p.name == port);
            let is = now.ports.iter().find(|p| p.name == port);
            let carrier = |p: Option<&crate::kernel::KernelPort>| p.is_some_and(|p| p.oper_up);
            let event_at = batch
                .iter()
                .find(|e| Some(e.ifindex) == is.or(was).map(|p| p.ifindex))
                .map_or(at, |e| e.mono);
            if carrier(was) && !carrier(is) && self.carrier_lost.is_none() {
                self.carrier_lost = Some(event_at);
            }
            if self.carrier_lost.is_some() && !carrier(was) && carrier(is) {
                self.carrier_back = Some(event_at);
            }
        }
        self.bond = now;
    }

    /// The port's state in the kernel's last reading.
    pub fn port_state(&self, port: &str) -> Option<&crate::kernel::KernelPort> {
        self.bond.ports.iter().find(|p| p.name == port)
    }
}
