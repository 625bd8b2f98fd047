//! How long a change cut the connection off: the failover engine's prober runs against a
//! target (the gateway) while the change happens, and the longest run of lost probes is the
//! outage. Used when a bond takes over the connection a port was carrying.

use super::timeline::Timeline;
use crate::clock::Mono;
use crate::probe::{ProbeConfig, ProbeError, ProbeKind, Prober};
use serde::Serialize;
use std::net::IpAddr;
use std::time::Duration;

/// What the probes saw over the change.
#[derive(Debug, Clone, Serialize)]
pub struct MeasuredOutage {
    pub target: IpAddr,
    pub probe_kind: ProbeKind,
    pub sent: u64,
    pub lost: u64,
    /// The longest run of lost probes, in ms (0 when none was lost).
    pub longest_ms: f64,
    /// The target answered steadily again before the measurement ended.
    pub recovered: bool,
}

pub struct OutageMeter {
    prober: Prober,
    timeline: Timeline,
    target: IpAddr,
    start: Mono,
}

impl OutageMeter {
    /// Starts probing `target` every 10 ms.
    pub fn start(target: IpAddr) -> Result<OutageMeter, ProbeError> {
        Ok(OutageMeter {
            prober: Prober::start(&ProbeConfig::new(target))?,
            timeline: Timeline::default(),
            target,
            start: Mono::now(),
        })
    }

    fn drain(&mut self) {
        while let Ok(e) = self.prober.events().try_recv() {
            self.timeline.record(&e);
        }
    }

    /// Once the change is done: waits until the target has answered steadily for a second
    /// (or `patience` has passed), then stops and measures.
    pub async fn finish(mut self, patience: Duration) -> MeasuredOutage {
        let done = Mono::now();
        let deadline = std::time::Instant::now() + patience;
        let mut recovered = false;
        while std::time::Instant::now() < deadline {
            self.drain();
            if self
                .timeline
                .answered_steadily_since(done, Duration::from_secs(1))
            {
                recovered = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let end = Mono::now();
        self.prober.stop();
        self.drain();
        let timeout = Duration::from_secs(1);
        let (sent, _, lost) = self.timeline.counts(self.start, end, end, timeout);
        let longest_ms = self
            .timeline
            .longest_outage(self.start, end, end, timeout)
            .map_or(0.0, |o| o.ms());
        MeasuredOutage {
            target: self.target,
            probe_kind: self.prober.kind,
            sent,
            lost,
            longest_ms,
            recovered,
        }
    }
}
