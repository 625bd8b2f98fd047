//! A finished test: the summary `bondctl failover-test --json` prints (exactly these keys),
//! the details kept beside it in the history, and the Markdown report.

use super::verdict::BondTimings;
use super::Method;
use crate::model::Message;
use crate::probe::ProbeKind;
use serde::{Deserialize, Serialize};

/// The summary. Figures that do not apply are `null`; `refused` holds the sentence when the
/// precheck refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub bond: String,
    pub target: Option<String>,
    pub probe_kind: Option<ProbeKind>,
    pub interval_ms: Option<u64>,
    pub method: Option<Method>,
    pub sent: Option<u64>,
    pub received: Option<u64>,
    pub lost: Option<u64>,
    pub loss_pct: Option<f64>,
    pub longest_outage_ms: Option<f64>,
    pub kernel_failover_ms: Option<f64>,
    pub failback_outage_ms: Option<f64>,
    pub active_before: Option<String>,
    pub active_after: Option<String>,
    pub active_final: Option<String>,
    pub verdict: Option<String>,
    pub refused: Option<String>,
}

/// What the summary leaves out, for the history and the Markdown report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Details {
    /// The port the test took down.
    pub port: String,
    /// The longest outage's start and end, in ms after the trigger.
    pub outage_start_ms: Option<f64>,
    pub outage_end_ms: Option<f64>,
    /// Every run of lost probes: (start, end) in ms after the trigger, and how many.
    pub outages: Vec<(f64, f64, u32)>,
    /// The verdict as coded messages, for front ends that translate.
    pub verdict: Vec<Message>,
    pub timings: BondTimings,
    /// Notes the test gave on the way (a TCP fallback, an 802.3ad warning).
    pub notes: Vec<Message>,
}

/// One finished test as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    /// When it finished, in seconds since the Unix epoch.
    pub finished_at: u64,
    pub report: Report,
    pub details: Details,
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or("–".to_string(), |v| v.to_string())
}

fn ms(v: &Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.0} ms"))
}

impl TestRecord {
    pub fn to_markdown(&self) -> String {
        let r = &self.report;
        let d = &self.details;
        let mut s = format!("# Failover test of {}\n\n", r.bond);
        if let Some(refused) = &r.refused {
            s.push_str(&format!("Not run: {refused}\n"));
            return s;
        }
        if let Some(v) = &r.verdict {
            s.push_str(&format!("**{v}**\n\n"));
        }
        let t = &d.timings;
        let rows: Vec<(&str, String)> = vec![
            ("Finished", format!("{} (Unix time)", self.finished_at)),
            (
                "Method",
                r.method.map_or("–".into(), |m| m.name().to_string()),
            ),
            ("Port taken down", d.port.clone()),
            ("Target", opt(&r.target)),
            (
                "Probes",
                format!(
                    "{} every {} ms",
                    r.probe_kind.map_or("–", |k| k.name()),
                    opt(&r.interval_ms)
                ),
            ),
            (
                "Sent / received / lost",
                format!("{} / {} / {}", opt(&r.sent), opt(&r.received), opt(&r.lost)),
            ),
            (
                "Loss",
                r.loss_pct.map_or("–".into(), |p| format!("{p:.2} %")),
            ),
            (
                "Longest outage",
                match (d.outage_start_ms, d.outage_end_ms) {
                    (Some(a), Some(b)) => format!(
                        "{} ({a:.0} ms to {b:.0} ms after the trigger)",
                        ms(&r.longest_outage_ms)
                    ),
                    _ => ms(&r.longest_outage_ms),
                },
            ),
            ("Kernel failover", ms(&r.kernel_failover_ms)),
            ("Failback outage", ms(&r.failback_outage_ms)),
            (
                "Active port before / after / final",
                format!(
                    "{} / {} / {}",
                    opt(&r.active_before),
                    opt(&r.active_after),
                    opt(&r.active_final)
                ),
            ),
            (
                "Bond settings",
                format!(
                    "mode {}, miimon {}, updelay {}, downdelay {}, arp_interval {}, primary {}, primary_reselect {}",
                    t.mode,
                    t.miimon,
                    t.updelay,
                    t.downdelay,
                    t.arp_interval,
                    t.primary.as_deref().unwrap_or("none"),
                    t.primary_reselect
                ),
            ),
        ];
        s.push_str("| | |\n|---|---|\n");
        for (k, v) in rows {
            s.push_str(&format!("| {k} | {v} |\n"));
        }
        for n in &d.notes {
            s.push_str(&format!("\n> {n}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_has_exactly_the_documented_keys() {
        let v = serde_json::to_value(Report::default()).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        let mut want = vec![
            "bond",
            "target",
            "probe_kind",
            "interval_ms",
            "method",
            "sent",
            "received",
            "lost",
            "loss_pct",
            "longest_outage_ms",
            "kernel_failover_ms",
            "failback_outage_ms",
            "active_before",
            "active_after",
            "active_final",
            "verdict",
            "refused",
        ];
        want.sort();
        assert_eq!(keys, want);
        let r = Report {
            method: Some(Method::LinkDown),
            probe_kind: Some(ProbeKind::Tcp),
            ..Default::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["method"], "link-down");
        assert_eq!(v["probe_kind"], "tcp");
    }
}
