//! Everything a failover test saw, on one clock: each probe with its send and reply time,
//! and the moments that matter (the trigger, the kernel's active-port change, the port
//! coming back). The figures of the report are computed from it here, and nowhere else.

use crate::clock::Mono;
use crate::probe::ProbeEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeRecord {
    pub seq: u32,
    pub sent: Mono,
    /// When the answer came; `None` while open, and for a lost probe.
    pub reply: Option<Mono>,
    pub lost: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// Bondsmith took the port down (or, for a cable pull, the kernel saw the carrier go).
    Trigger,
    /// The kernel changed the bond's active port.
    ActiveChanged,
    /// Bondsmith began restoring the port.
    Restore,
    /// The port is back in the bond with its link up.
    PortBack,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub kind: MarkKind,
    pub at: Mono,
    /// The port it concerns (for ActiveChanged, the new active port).
    pub port: Option<String>,
}

/// A run of lost probes: from the send time of the first lost one to the send time of the
/// first answered one after it (the time during which nothing got through).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outage {
    pub start: Mono,
    pub end: Mono,
    pub lost: u32,
    /// Traffic had not recovered when the window closed.
    pub open: bool,
}

impl Outage {
    pub fn ms(&self) -> f64 {
        self.end.ms_after(self.start)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub probes: BTreeMap<u32, ProbeRecord>,
    pub marks: Vec<Mark>,
}

impl Timeline {
    pub fn record(&mut self, e: &ProbeEvent) {
        match *e {
            ProbeEvent::Sent { seq, at, .. } => {
                self.probes.insert(
                    seq,
                    ProbeRecord {
                        seq,
                        sent: at,
                        reply: None,
                        lost: false,
                    },
                );
            }
            ProbeEvent::Reply { seq, at, .. } => {
                if let Some(p) = self.probes.get_mut(&seq) {
                    p.reply = Some(at);
                }
            }
            ProbeEvent::Lost { seq, .. } => {
                if let Some(p) = self.probes.get_mut(&seq) {
                    p.lost = true;
                }
            }
        }
    }

    pub fn mark(&mut self, kind: MarkKind, at: Mono, port: Option<String>) {
        self.marks.push(Mark { kind, at, port });
    }

    pub fn first(&self, kind: MarkKind) -> Option<&Mark> {
        self.marks.iter().find(|m| m.kind == kind)
    }

    pub fn first_after(&self, kind: MarkKind, t: Mono) -> Option<&Mark> {
        self.marks.iter().find(|m| m.kind == kind && m.at >= t)
    }

    /// Probes sent in `[from, to)` whose fate is known: answered, or lost. A probe still
    /// open when the test ended counts as lost only if it had waited `patience`.
    fn settled(&self, from: Mono, to: Mono, end: Mono, patience: Duration) -> Vec<ProbeRecord> {
        self.probes
            .values()
            .filter(|p| p.sent >= from && p.sent < to)
            .filter(|p| p.reply.is_some() || p.lost || end.since(p.sent) >= patience)
            .copied()
            .collect()
    }

    /// (sent, received, lost) over the window.
    pub fn counts(&self, from: Mono, to: Mono, end: Mono, patience: Duration) -> (u64, u64, u64) {
        let ps = self.settled(from, to, end, patience);
        let received = ps.iter().filter(|p| p.reply.is_some()).count() as u64;
        (ps.len() as u64, received, ps.len() as u64 - received)
    }

    /// Every run of lost probes among those sent in `[from, to)`.
    pub fn outages(&self, from: Mono, to: Mono, end: Mono, patience: Duration) -> Vec<Outage> {
        let mut out = Vec::new();
        let mut run: Option<Outage> = None;
        for p in self.settled(from, to, end, patience) {
            match (p.reply.is_some(), run.as_mut()) {
                (false, None) => {
                    run = Some(Outage {
                        start: p.sent,
                        end: p.sent,
                        lost: 1,
                        open: true,
                    })
                }
                (false, Some(r)) => {
                    r.lost += 1;
                    r.end = p.sent;
                }
                (true, Some(_)) => {
                    let mut r = run.take().expect("a run");
                    r.end = p.sent;
                    r.open = false;
                    out.push(r);
                }
                (true, None) => {}
            }
        }
        if let Some(mut r) = run {
            // Never recovered inside the window: it lasted at least until the window's end.
            r.end = r.end.max(to.min(end));
            out.push(r);
        }
        out
    }

    pub fn longest_outage(
        &self,
        from: Mono,
        to: Mono,
        end: Mono,
        patience: Duration,
    ) -> Option<Outage> {
        self.outages(from, to, end, patience)
            .into_iter()
            .max_by(|a, b| a.ms().total_cmp(&b.ms()))
    }

    /// Whether probes sent since `t` have all been answered, for at least `span` of sends.
    pub fn answered_steadily_since(&self, t: Mono, span: Duration) -> bool {
        let mut first_ok: Option<Mono> = None;
        for p in self.probes.values().filter(|p| p.sent >= t) {
            match (p.reply.is_some(), p.lost) {
                (true, _) => {
                    let f = *first_ok.get_or_insert(p.sent);
                    if p.sent.since(f) >= span {
                        return true;
                    }
                }
                (false, true) => first_ok = None,
                // Still open: it may yet be answered; it does not break the run.
                (false, false) => {}
            }
        }
        false
    }

    /// The last answered probe's reply time.
    pub fn last_reply(&self) -> Option<Mono> {
        self.probes.values().filter_map(|p| p.reply).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    /// Probes every 10 ms from t=0; `lost` lists the lost sequence numbers.
    fn timeline(n: u32, lost: &[u32]) -> Timeline {
        let mut t = Timeline::default();
        for seq in 0..n {
            let at = Mono(seq as u64 * 10 * MS);
            t.record(&ProbeEvent::Sent {
                seq,
                scheduled: at,
                at,
            });
            if lost.contains(&seq) {
                t.record(&ProbeEvent::Lost { seq, sent: at });
            } else {
                t.record(&ProbeEvent::Reply {
                    seq,
                    sent: at,
                    at: Mono(at.0 + MS),
                });
            }
        }
        t
    }

    #[test]
    fn outages_run_from_the_first_lost_to_the_first_answered_send() {
        let t = timeline(100, &[10, 11, 12, 50]);
        let end = Mono(2000 * MS);
        let p = Duration::from_secs(1);
        let o = t.outages(Mono(0), end, end, p);
        assert_eq!(o.len(), 2);
        assert_eq!((o[0].lost, o[0].ms(), o[0].open), (3, 30.0, false));
        assert_eq!(o[1].ms(), 10.0);
        assert_eq!(t.longest_outage(Mono(0), end, end, p).unwrap().lost, 3);
        assert_eq!(t.counts(Mono(0), end, end, p), (100, 96, 4));
        // A window that starts after the first outage sees only the second.
        assert_eq!(t.outages(Mono(200 * MS), end, end, p).len(), 1);
    }

    #[test]
    fn an_outage_without_recovery_lasts_to_the_window_end() {
        let t = timeline(50, &(30..50).collect::<Vec<_>>());
        let end = Mono(5000 * MS);
        let o = t.outages(Mono(0), Mono(600 * MS), end, Duration::from_secs(1));
        assert_eq!(o.len(), 1);
        assert!(o[0].open);
        assert_eq!(o[0].ms(), 300.0);
    }

    #[test]
    fn open_probes_count_only_after_their_patience() {
        let mut t = timeline(10, &[]);
        let at = Mono(100 * MS);
        t.record(&ProbeEvent::Sent {
            seq: 10,
            scheduled: at,
            at,
        });
        let p = Duration::from_millis(200);
        assert_eq!(t.counts(Mono(0), Mono(1000 * MS), Mono(150 * MS), p).0, 10);
        assert_eq!(
            t.counts(Mono(0), Mono(1000 * MS), Mono(400 * MS), p),
            (11, 10, 1)
        );
    }

    #[test]
    fn steady_answers_are_recognised() {
        let t = timeline(100, &[10, 11]);
        assert!(t.answered_steadily_since(Mono(0), Duration::from_millis(50)));
        assert!(!t.answered_steadily_since(Mono(0), Duration::from_millis(900)));
        assert!(t.answered_steadily_since(Mono(120 * MS), Duration::from_millis(500)));
    }
}
