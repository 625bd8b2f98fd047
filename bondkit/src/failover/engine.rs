//! The test itself: precheck, baseline, dead-man checkpoint, trigger, observe, restore,
//! failback, report. Every step streams events; nothing here prints or draws.

use super::report::{Details, Report, TestRecord};
use super::timeline::MarkKind;
use super::verdict::{self, BondTimings, Failback, Outcome};
use super::watch::Watch;
use super::{Action, Method, Phase, TestError, TestEvent, TestRequest};
use crate::clock::Mono;
use crate::kernel::{control, netlink, sysfs, KernelBond, LinkEvents};
use crate::model::{Arg, Code, Message};
use crate::nm::{BondProfile, NmClient, NmError};
use crate::probe::{ProbeConfig, ProbeError, ProbeKind, Prober, MAX_INTERVAL_MS, MIN_INTERVAL_MS};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Answers must flow this long before traffic counts as back.
const STEADY: Duration = Duration::from_millis(300);
const BASELINE: Duration = Duration::from_secs(1);

fn refuse<A: Into<Arg>>(code: Code, args: impl IntoIterator<Item = A>) -> TestError {
    TestError::Refused(Message::new(code, args))
}

fn probe_refusal(e: ProbeError) -> TestError {
    match e {
        ProbeError::IcmpNotAllowed { range } => refuse(Code::ProbeIcmpNotAllowed, [range]),
        ProbeError::BindDevice { device, source } => {
            refuse(Code::ProbeBindDevice, [device, source.to_string()])
        }
        ProbeError::Socket(e) => refuse(Code::ProbeSocket, [e.to_string()]),
    }
}

/// Whether this process may set links down (CAP_NET_ADMIN in its effective set).
pub fn has_net_admin() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let hex = s
                .lines()
                .find_map(|l| l.strip_prefix("CapEff:"))?
                .trim()
                .to_string();
            u64::from_str_radix(&hex, 16).ok()
        })
        .is_some_and(|caps| caps & (1 << 12) != 0)
}

/// The bond's timing settings as the kernel runs them (NM's profile where sysfs is not
/// visible from here).
fn timings(k: &KernelBond, profile: &BondProfile) -> BondTimings {
    let opt = |name: &str| {
        sysfs::visible(&k.name)
            .then(|| sysfs::option(&k.name, name))
            .flatten()
            .filter(|v| !v.is_empty())
            .or_else(|| profile.settings.options.get(name).cloned())
    };
    BondTimings {
        mode: k.mode.clone(),
        miimon: k.miimon,
        updelay: k.updelay,
        downdelay: k.downdelay,
        arp_interval: k.arp_interval,
        arp_missed_max: opt("arp_missed_max")
            .and_then(|v| v.parse().ok())
            .unwrap_or(2),
        primary: opt("primary"),
        primary_reselect: opt("primary_reselect").unwrap_or_else(|| "always".into()),
    }
}

fn gateway(profile: &BondProfile) -> Option<IpAddr> {
    let s = &profile.settings;
    s.ipv4.gateway.or(s.ipv6.gateway)
}

/// The port that sent the most packets between two counter readings: a hashing mode puts
/// one flow (the probes) on one port.
fn busiest(before: &[(String, u64)], after: &[(String, u64)], among: &[String]) -> Option<String> {
    after
        .iter()
        .filter(|(n, _)| among.contains(n))
        .map(|(n, a)| {
            let b = before.iter().find(|(m, _)| m == n).map_or(*a, |(_, b)| *b);
            (n, a.saturating_sub(b))
        })
        .max_by_key(|(_, d)| *d)
        .map(|(n, _)| n.clone())
}

/// How long to wait for a failover: a few times what the bond's monitoring needs, and at
/// least 3 s.
fn observe_window(t: &BondTimings, method: Method) -> Duration {
    let detect_ms = if method == Method::Disconnect {
        0
    } else if t.miimon > 0 {
        t.miimon + t.effective_downdelay()
    } else {
        t.arp_interval * (t.arp_missed_max.max(1) + 1)
    };
    Duration::from_millis((detect_ms as u64 * 3 + 3000).min(20_000))
}

/// Runs one test of `req.bond`. `stop` ends it early, restoring the port at once.
pub async fn run(
    nm: &NmClient,
    req: &TestRequest,
    events: &async_channel::Sender<TestEvent>,
    stop: Option<&async_channel::Receiver<()>>,
) -> Result<TestRecord, TestError> {
    let emit = |e: TestEvent| {
        let _ = events.try_send(e);
    };
    let ms = req.interval.as_millis() as u64;
    if !(MIN_INTERVAL_MS..=MAX_INTERVAL_MS).contains(&ms) {
        return Err(refuse(Code::RefuseBadInterval, [format!("{ms} ms")]));
    }
    emit(TestEvent::Phase {
        phase: Phase::Precheck,
        port: None,
    });
    let profile = nm.find_bond(&req.bond).await?;
    let devices = nm.devices().await?;
    let read = |name: &str| {
        netlink::read_bond(name).map_err(|e| {
            TestError::Nm(NmError::Refused(format!(
                "Could not read the kernel's bond state over netlink: {e}."
            )))
        })
    };
    let kernel = read(&req.bond)?
        .filter(|_| profile.external || profile.device_state.as_deref() == Some("activated"))
        .ok_or_else(|| refuse(Code::RefuseBondInactive, [&req.bond]))?;
    // A usable port has a link; on 802.3ad it must also distribute in the active
    // aggregator, or taking the other one down leaves nothing that carries traffic.
    let usable = |p: &&crate::kernel::KernelPort| {
        p.mii == "up"
            && (kernel.mode != "802.3ad"
                || (p
                    .partner_state
                    .is_some_and(crate::kernel::lacp::is_distributing)
                    && kernel
                        .ad_info
                        .as_ref()
                        .is_none_or(|a| p.aggregator_id == Some(a.aggregator))))
    };
    let up: Vec<String> = kernel
        .ports
        .iter()
        .filter(usable)
        .map(|p| p.name.clone())
        .collect();
    if up.len() < 2 {
        let list = kernel
            .ports
            .iter()
            .map(|p| format!("{} {}", p.name, p.mii))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(refuse(
            Code::RefuseFewPortsUp,
            [req.bond.clone(), up.len().to_string(), list],
        ));
    }
    let target = req
        .target
        .or_else(|| gateway(&profile))
        .ok_or_else(|| refuse(Code::RefuseNoTarget, [&req.bond]))?;
    match control::route_interface(target) {
        Err(e) if e.raw_os_error() != Some(libc::ENETUNREACH) => {
            return Err(TestError::Nm(NmError::Refused(format!(
                "Could not ask the kernel for the route to {target}: {e}."
            ))))
        }
        Ok(Some(i)) if i == kernel.ifindex => {}
        Ok(Some(i)) => {
            let via = control::link_name(i).unwrap_or_else(|| format!("interface {i}"));
            return Err(refuse(
                Code::RefuseRoutedAround,
                [target.to_string(), via, req.bond.clone()],
            ));
        }
        _ => return Err(refuse(Code::RefuseNoRoute, [target.to_string()])),
    }
    let t = timings(&kernel, &profile);
    if req.method == Method::LinkDown && !has_net_admin() {
        return Err(refuse(Code::RefuseLinkDownNeedsAdmin, [&req.bond]));
    }
    let mut notes = Vec::new();
    if kernel.mode == "802.3ad" && req.method == Method::Disconnect {
        notes.push(Message::new::<&str>(Code::NoteLacpDisconnect, []));
    }

    // Baseline: the target must answer, and the probes show which port carries them.
    emit(TestEvent::Phase {
        phase: Phase::Baseline,
        port: None,
    });
    let links = LinkEvents::subscribe().map_err(|e| {
        TestError::Nm(NmError::Refused(format!(
            "Could not follow the kernel's link events: {e}."
        )))
    })?;
    let cfg = ProbeConfig {
        target,
        interval: req.interval,
        device: Some(req.bond.clone()),
        kind: req.kind,
        tcp_port: req.tcp_port,
    };
    let prober = Prober::start(&cfg).map_err(probe_refusal)?;
    let kind = prober.kind;
    if prober.fallback_reason.is_some() {
        notes.push(Message::new(
            Code::NoteTcpFallback,
            [req.tcp_port.to_string()],
        ));
    }
    for n in &notes {
        emit(TestEvent::Note(n.clone()));
    }
    let tx0 = control::tx_packets(&up).unwrap_or_default();
    let mut w = Watch::new(prober, links, kernel.clone(), events, stop);
    let started = Mono::now();
    w.pause(BASELINE).await;
    if w.stopped {
        return Err(refuse::<&str>(Code::RefuseStopped, []));
    }
    let (sent, received, _) = w.timeline.counts(
        started,
        Mono::now(),
        Mono::now(),
        Duration::from_millis(500),
    );
    if received == 0 {
        return Err(match kind {
            ProbeKind::Icmp => refuse(
                Code::RefuseTargetSilent,
                [target.to_string(), sent.to_string()],
            ),
            ProbeKind::Tcp => refuse(
                Code::RefuseTargetSilentTcp,
                [
                    target.to_string(),
                    sent.to_string(),
                    req.tcp_port.to_string(),
                ],
            ),
        });
    }
    let tx1 = control::tx_packets(&up).unwrap_or_default();
    let port = match w.bond.active_port.clone().filter(|p| up.contains(p)) {
        Some(p) => p,
        None => busiest(&tx0, &tx1, &up).unwrap_or_else(|| up[0].clone()),
    };
    w.port = Some(port.clone());
    let others: Vec<String> = up.iter().filter(|p| **p != port).cloned().collect();
    let port_index = w.port_state(&port).map(|p| p.ifindex).unwrap_or(0);
    let device = devices
        .iter()
        .find(|d| d.interface == port)
        .ok_or_else(|| {
            TestError::Nm(NmError::NotFound(format!(
                "NetworkManager does not know the device {port}, so it cannot protect the test; manage it with NetworkManager first."
            )))
        })?
        .path
        .clone();
    let port_profile = profile
        .ports
        .iter()
        .find(|p| p.interface == port)
        .map(|p| p.path.clone());

    // The dead-man switch, before anything changes.
    let dead_man = nm.arm_dead_man(&device).await.map_err(|e| match e {
        NmError::Denied(_) => refuse::<&str>(Code::RefuseCheckpointDenied, []),
        other => TestError::Nm(other),
    })?;

    emit(TestEvent::Phase {
        phase: Phase::Trigger,
        port: Some(port.clone()),
    });
    let trigger = match req.method {
        Method::Disconnect => {
            let t0 = Mono::now();
            if let Err(e) = nm.disconnect_device(&device).await {
                let _ = nm.disarm(dead_man).await;
                return Err(e.into());
            }
            t0
        }
        Method::LinkDown => {
            let t0 = Mono::now();
            if let Err(e) = control::set_link_up(port_index, false) {
                let _ = nm.disarm(dead_man).await;
                return Err(if e.raw_os_error() == Some(libc::EPERM) {
                    refuse(Code::RefuseLinkDownNeedsAdmin, [&port])
                } else {
                    TestError::Nm(NmError::Refused(format!(
                        "Could not take the link of {port} down: {e}."
                    )))
                });
            }
            t0
        }
        Method::Cable => {
            w.emit(TestEvent::Action(Action::Unplug(port.clone())));
            let pulled = w
                .until(Instant::now() + req.cable_timeout, |w| {
                    w.carrier_lost.is_some()
                })
                .await;
            match w.carrier_lost {
                Some(t0) if pulled => t0,
                _ => {
                    let _ = nm.disarm(dead_man).await;
                    return Err(refuse(
                        Code::RefuseCableNotPulled,
                        [port.clone(), req.cable_timeout.as_secs().to_string()],
                    ));
                }
            }
        }
    };
    w.mark(MarkKind::Trigger, trigger, Some(port.clone()));

    emit(TestEvent::Phase {
        phase: Phase::Observe,
        port: Some(port.clone()),
    });
    let window = observe_window(&t, req.method);
    let active_backup = kernel.mode == "active-backup";
    let tx2 = control::tx_packets(&others).unwrap_or_default();
    let recovered = w
        .until(Instant::now() + window, |w| {
            let moved = !active_backup
                || w.bond
                    .active_port
                    .as_deref()
                    .is_some_and(|a| a != port.as_str());
            moved && w.timeline.answered_steadily_since(trigger, STEADY)
        })
        .await;
    let tx3 = control::tx_packets(&others).unwrap_or_default();
    let active_after = if active_backup {
        w.bond.active_port.clone()
    } else {
        busiest(&tx2, &tx3, &others)
    };

    // Restore, then drop the checkpoint at once: a later rollback would bounce the port.
    emit(TestEvent::Phase {
        phase: Phase::Restore,
        port: Some(port.clone()),
    });
    let restore = Mono::now();
    w.mark(MarkKind::Restore, restore, Some(port.clone()));
    let restored = match req.method {
        Method::Disconnect => match &port_profile {
            Some(p) => nm.activate_on(p, &device).await,
            None => Err(NmError::NotFound(format!(
                "{port} has no port profile to re-activate."
            ))),
        },
        Method::LinkDown => control::set_link_up(port_index, true).map_err(|e| {
            NmError::Refused(format!("Could not bring the link of {port} back up: {e}."))
        }),
        Method::Cable => {
            w.emit(TestEvent::Action(Action::Plug(port.clone())));
            w.until(Instant::now() + req.cable_timeout, |w| {
                w.port_state(&port).is_some_and(|p| p.oper_up)
            })
            .await;
            if w.port_state(&port).is_none_or(|p| !p.oper_up) {
                let n = Message::new(
                    Code::NoteCableNotBack,
                    [port.clone(), req.cable_timeout.as_secs().to_string()],
                );
                w.emit(TestEvent::Note(n.clone()));
                notes.push(n);
            }
            Ok(())
        }
    };
    match restored {
        Ok(()) => nm.disarm(dead_man).await?,
        // NM's rollback is the way back now.
        Err(e) => {
            let _ = nm.roll_back_now(dead_man).await;
            return Err(e.into());
        }
    }

    emit(TestEvent::Phase {
        phase: Phase::Failback,
        port: Some(port.clone()),
    });
    let back = w
        .until(Instant::now() + Duration::from_secs(20), |w| {
            w.port_state(&port).is_some_and(|p| p.mii == "up")
        })
        .await;
    let back_at = Mono::now();
    if back {
        w.mark(MarkKind::PortBack, back_at, Some(port.clone()));
    }
    let fails_back = t.fails_back_to(&port);
    let updelay = Duration::from_millis(t.updelay as u64);
    let failback_seen = |w: &Watch| {
        w.timeline
            .first_after(MarkKind::ActiveChanged, restore)
            .is_some_and(|m| m.port.as_deref() == Some(port.as_str()))
    };
    if back && fails_back {
        w.until(Instant::now() + updelay + Duration::from_secs(3), |w| {
            failback_seen(w) && w.timeline.answered_steadily_since(back_at, STEADY)
        })
        .await;
    } else if back {
        // Give a late change (updelay) its chance to show, then let answers settle.
        w.pause(updelay + Duration::from_millis(500)).await;
        w.until(Instant::now() + Duration::from_secs(2), |w| {
            w.timeline.answered_steadily_since(back_at, STEADY)
        })
        .await;
    }
    w.prober.stop();
    w.drain_probes();
    let end = Mono::now();
    let final_bond = read(&req.bond)?.unwrap_or(w.bond.clone());
    emit(TestEvent::Phase {
        phase: Phase::Done,
        port: Some(port.clone()),
    });

    // The figures, all from the timeline.
    let patience = Duration::from_millis(500);
    let (sent, received, lost) = w.timeline.counts(started, end, end, patience);
    let outage = w.timeline.longest_outage(trigger, restore, end, patience);
    let failback_outage = w
        .timeline
        .longest_outage(restore, end, end, patience)
        .map(|o| o.ms());
    let kernel_failover_ms = w
        .failovers
        .iter()
        .find(|f| **f >= trigger)
        .copied()
        .or_else(|| {
            w.timeline
                .first_after(MarkKind::ActiveChanged, trigger)
                .map(|m| m.at)
        })
        .filter(|f| *f < restore)
        .map(|f| f.ms_after(trigger));
    let active_final = if active_backup {
        final_bond.active_port.clone()
    } else {
        None
    };
    let failback = if !active_backup {
        Failback::NotApplicable
    } else if failback_seen(&w) {
        Failback::Observed {
            to: port.clone(),
            outage_ms: failback_outage.unwrap_or(0.0),
        }
    } else if fails_back {
        Failback::Missing {
            secs: (updelay + Duration::from_secs(3)).as_secs(),
            primary: port.clone(),
        }
    } else if t.primary.as_deref() == Some(port.as_str()) {
        Failback::Stays {
            active: active_final.clone().unwrap_or_default(),
        }
    } else {
        Failback::NoPrimary {
            active: active_final.clone().unwrap_or_default(),
        }
    };
    let failback_outage_ms = match &failback {
        Failback::Observed { outage_ms, .. } => Some(*outage_ms),
        _ => None,
    };
    let outcome = Outcome {
        method: req.method,
        port: port.clone(),
        recovered,
        new_active: active_after.clone(),
        outage_ms: outage.map_or(0.0, |o| o.ms()),
        waited_secs: window.as_secs(),
        failback,
    };
    let verdict = verdict::verdict(&t, &outcome);
    let report = Report {
        bond: req.bond.clone(),
        target: Some(target.to_string()),
        probe_kind: Some(kind),
        interval_ms: Some(ms),
        method: Some(req.method),
        sent: Some(sent),
        received: Some(received),
        lost: Some(lost),
        loss_pct: Some(if sent == 0 {
            0.0
        } else {
            (lost as f64 * 10000.0 / sent as f64).round() / 100.0
        }),
        longest_outage_ms: Some(outage.map_or(0.0, |o| (o.ms() * 10.0).round() / 10.0)),
        kernel_failover_ms: kernel_failover_ms.map(|v| (v * 10.0).round() / 10.0),
        failback_outage_ms: failback_outage_ms.map(|v| (v * 10.0).round() / 10.0),
        active_before: Some(port.clone()),
        active_after,
        active_final,
        verdict: Some(
            verdict
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        refused: None,
    };
    let details = Details {
        port,
        outages: w
            .timeline
            .outages(started, end, end, patience)
            .iter()
            .map(|o| (o.start.ms_after(trigger), o.end.ms_after(trigger), o.lost))
            .collect(),
        outage_start_ms: outage.map(|o| o.start.ms_after(trigger)),
        outage_end_ms: outage.map(|o| o.end.ms_after(trigger)),
        verdict,
        timings: t,
        notes,
    };
    Ok(TestRecord {
        finished_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        report,
        details,
    })
}
