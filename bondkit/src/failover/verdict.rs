//! The verdict in plain words, measured against the bond's own settings: what the outage
//! says about link monitoring, `downdelay`, ARP monitoring and failback.

use super::Method;
use crate::model::{Arg, Code, Message};
use serde::{Deserialize, Serialize};

/// The bond settings a verdict is judged against, as the kernel runs them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BondTimings {
    pub mode: String,
    pub miimon: u32,
    pub updelay: u32,
    pub downdelay: u32,
    pub arp_interval: u32,
    pub arp_missed_max: u32,
    pub primary: Option<String>,
    pub primary_reselect: String,
}

impl BondTimings {
    pub fn monitored(&self) -> bool {
        self.miimon > 0 || self.arp_interval > 0
    }

    /// The kernel counts downdelay in whole miimon periods (rounded down).
    pub fn effective_downdelay(&self) -> u32 {
        match self.miimon {
            0 => 0,
            m => self.downdelay / m * m,
        }
    }

    /// Whether the bond moves back to `port` when it returns.
    pub fn fails_back_to(&self, port: &str) -> bool {
        self.mode == "active-backup"
            && self.primary.as_deref() == Some(port)
            && self.primary_reselect != "failure"
    }
}

/// What happened to the traffic after the port came back.
#[derive(Debug, Clone, PartialEq)]
pub enum Failback {
    /// Not a question in this mode (all ports carry traffic).
    NotApplicable,
    Observed {
        to: String,
        outage_ms: f64,
    },
    /// primary_reselect=failure: the new active port stays.
    Stays {
        active: String,
    },
    NoPrimary {
        active: String,
    },
    /// A failback was due but did not come.
    Missing {
        secs: u64,
        primary: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub method: Method,
    /// The port the test took down.
    pub port: String,
    /// Traffic came back before the port did.
    pub recovered: bool,
    /// The active port after the failover (active-backup).
    pub new_active: Option<String>,
    /// The longest outage while the port was down, in ms.
    pub outage_ms: f64,
    /// How long the test waited for a failover, in seconds.
    pub waited_secs: u64,
    pub failback: Failback,
}

fn ms(v: f64) -> Arg {
    Arg::Text(format!("{}", v.round() as i64))
}

fn n(v: u32) -> Arg {
    Arg::Text(v.to_string())
}

/// Leeway above miimon + downdelay before an outage counts as slow: the switch relearning
/// the MAC and the neighbour caches take a moment even on good hardware.
const SLACK_MS: f64 = 100.0;

/// One sentence about the failover, and one about failback where there is one.
pub fn verdict(t: &BondTimings, o: &Outcome) -> Vec<Message> {
    let mut out = vec![failover_sentence(t, o)];
    match &o.failback {
        Failback::NotApplicable => {}
        Failback::Observed { to, outage_ms } => {
            out.push(Message::new(
                Code::FailbackCost,
                [
                    Arg::from(to),
                    ms(*outage_ms),
                    Arg::from(&t.primary_reselect),
                ],
            ));
            if t.updelay > 0 {
                out.push(Message::new(Code::FailbackUpdelay, [n(t.updelay)]));
            }
        }
        Failback::Stays { active } => out.push(Message::new(Code::FailbackStays, [active])),
        Failback::NoPrimary { active } => out.push(Message::new(Code::FailbackNoPrimary, [active])),
        Failback::Missing { secs, primary } => out.push(Message::new(
            Code::FailbackMissing,
            [
                Arg::Text(secs.to_string()),
                Arg::from(primary),
                Arg::from(&t.primary_reselect),
            ],
        )),
    }
    out
}

fn failover_sentence(t: &BondTimings, o: &Outcome) -> Message {
    if !o.recovered {
        if !t.monitored() && o.method != Method::Disconnect {
            return Message::new(Code::VerdictNoMonitoring, [&o.port]);
        }
        return Message::new(
            Code::VerdictNoFailover,
            [Arg::Text(o.waited_secs.to_string()), Arg::from(&o.port)],
        );
    }
    if o.method == Method::Disconnect && t.mode == "active-backup" {
        let to = o.new_active.clone().unwrap_or_default();
        return Message::new(
            Code::VerdictDisconnect,
            [ms(o.outage_ms), Arg::from(&o.port), Arg::from(to)],
        );
    }
    if o.outage_ms <= 0.0 {
        return Message::new(Code::VerdictNoLoss, [&o.port]);
    }
    if t.mode != "active-backup" {
        return Message::new(
            Code::VerdictMovedPorts,
            [ms(o.outage_ms), Arg::from(&o.port)],
        );
    }
    if t.miimon == 0 && t.arp_interval > 0 {
        let missed = t.arp_missed_max.max(1);
        return Message::new(
            Code::VerdictArp,
            [
                ms(o.outage_ms),
                n(t.arp_interval),
                n(missed),
                n(missed * t.arp_interval),
            ],
        );
    }
    let down = t.effective_downdelay();
    if down > 0 {
        return Message::new(
            Code::VerdictDowndelay,
            [ms(o.outage_ms), n(down), n(t.miimon)],
        );
    }
    if o.outage_ms <= (t.miimon + down) as f64 + SLACK_MS {
        Message::new(Code::VerdictAsExpected, [ms(o.outage_ms), n(t.miimon)])
    } else {
        Message::new(
            Code::VerdictSlowerThanMonitor,
            [ms(o.outage_ms), n(t.miimon), n(down)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ab(miimon: u32, downdelay: u32) -> BondTimings {
        BondTimings {
            mode: "active-backup".into(),
            miimon,
            downdelay,
            primary_reselect: "always".into(),
            arp_missed_max: 2,
            ..Default::default()
        }
    }

    fn outcome(method: Method, outage_ms: f64) -> Outcome {
        Outcome {
            method,
            port: "eno1".into(),
            recovered: true,
            new_active: Some("eno2".into()),
            outage_ms,
            waited_secs: 10,
            failback: Failback::NoPrimary {
                active: "eno2".into(),
            },
        }
    }

    fn text(v: &[Message]) -> String {
        v.iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_article_examples() {
        let t = text(&verdict(&ab(100, 0), &outcome(Method::LinkDown, 103.4)));
        assert!(
            t.starts_with("Outage 103 ms with miimon=100: as expected."),
            "{t}"
        );
        let t = text(&verdict(&ab(100, 300), &outcome(Method::LinkDown, 412.0)));
        assert!(
            t.starts_with("Outage 412 ms: downdelay=300 adds 300 ms"),
            "{t}"
        );
        let mut o = outcome(Method::Cable, 0.0);
        o.recovered = false;
        let t = text(&verdict(&ab(0, 0), &o));
        assert!(
            t.starts_with("No failover: the bond has no link monitoring (miimon=0, no ARP)"),
            "{t}"
        );
        assert!(t.contains("Set miimon=100."));
    }

    #[test]
    fn arp_and_failback_are_named() {
        let mut t = ab(0, 0);
        t.arp_interval = 200;
        t.arp_missed_max = 2;
        let v = text(&verdict(&t, &outcome(Method::LinkDown, 380.0)));
        assert!(v.contains("ARP monitoring every 200 ms"), "{v}");
        assert!(v.contains("(400 ms)"), "{v}");
        let mut t = ab(100, 0);
        t.primary = Some("eno1".into());
        t.updelay = 200;
        let mut o = outcome(Method::Disconnect, 20.0);
        o.failback = Failback::Observed {
            to: "eno1".into(),
            outage_ms: 96.0,
        };
        let v = text(&verdict(&t, &o));
        assert!(v.contains("Failback: eno1 took over again"), "{v}");
        assert!(v.contains("cost 96 ms"), "{v}");
        assert!(v.contains("updelay=200"), "{v}");
        assert!(t.fails_back_to("eno1"));
        t.primary_reselect = "failure".into();
        assert!(!t.fails_back_to("eno1"));
    }

    #[test]
    fn downdelay_counts_in_whole_miimon_periods() {
        assert_eq!(ab(100, 250).effective_downdelay(), 200);
        assert_eq!(ab(0, 250).effective_downdelay(), 0);
    }
}
