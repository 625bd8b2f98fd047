//! Benchmark of the prober (run by scripts/bench-probe.sh; prints figures, asserts
//! nothing): send-time jitter (actual minus scheduled send time, p50 and p99) and CPU time
//! per minute of probing, for a target and an interval; and the same figures for iputils
//! `ping` run the same way, from its `-D` timestamps and its CPU time.
//!
//!     probe_bench TARGET INTERVAL_MS SECONDS

use bondkit::probe::{KindChoice, ProbeConfig, ProbeEvent, ProbeKind, Prober};
use std::process::Command;
use std::time::Duration;

fn cpu_secs(who: i32) -> f64 {
    // SAFETY: getrusage writes one rusage struct into the owned, zeroed `u`.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = args.first().map_or("127.0.0.1", String::as_str);
    let ms: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);

    let mut cfg = ProbeConfig::new(target.parse().expect("target address"));
    cfg.interval = Duration::from_millis(ms);
    cfg.kind = KindChoice::Only(ProbeKind::Icmp);
    let cpu0 = cpu_secs(libc::RUSAGE_SELF);
    let mut p = Prober::start(&cfg).expect("prober (ICMP allowed?)");
    std::thread::sleep(Duration::from_secs(secs));
    p.stop();
    let cpu = cpu_secs(libc::RUSAGE_SELF) - cpu0;
    let mut lag = Vec::new();
    let mut gaps = Vec::new();
    let mut last = None;
    let (mut sent, mut replies) = (0, 0);
    while let Ok(e) = p.events().try_recv() {
        match e {
            ProbeEvent::Sent { scheduled, at, .. } => {
                sent += 1;
                lag.push(at.ms_after(scheduled));
                if let Some(prev) = last {
                    gaps.push((at.ms_after(prev) - ms as f64).abs());
                }
                last = Some(at);
            }
            ProbeEvent::Reply { .. } => replies += 1,
            ProbeEvent::Lost { .. } => {}
        }
    }
    println!(
        "bondsmith prober  every {ms:>4} ms: {sent} sent, {replies} answered; send time vs schedule p50 {:.3} ms, p99 {:.3} ms; interval error p50 {:.3} ms, p99 {:.3} ms; CPU {:.2} s per minute",
        pct(&mut lag, 0.5),
        pct(&mut lag, 0.99),
        pct(&mut gaps, 0.5),
        pct(&mut gaps, 0.99),
        cpu * 60.0 / secs as f64
    );

    // iputils ping, the same window: its sends are not stamped, so its jitter is read from
    // the reply stamps (-D) against an ideal schedule from the first one (loopback replies
    // come back within microseconds).
    let pmsg = format!("{:.3}", ms.max(2) as f64 / 1000.0);
    let count = (secs * 1000 / ms.max(2)).to_string();
    let c0 = cpu_secs(libc::RUSAGE_CHILDREN);
    let out = Command::new("ping")
        .args(["-D", "-n", "-i", &pmsg, "-c", &count, target])
        .output()
        .expect("ping");
    let cpu = cpu_secs(libc::RUSAGE_CHILDREN) - c0;
    let stamps: Vec<(u32, f64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let t: f64 = l.strip_prefix('[')?.split(']').next()?.parse().ok()?;
            let seq: u32 = l
                .split("icmp_seq=")
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()?;
            Some((seq, t))
        })
        .collect();
    let Some(&(s0, t0)) = stamps.first() else {
        println!(
            "iputils ping -i {pmsg}: no replies ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return;
    };
    let step = ms.max(2) as f64;
    let _ = (s0, t0);
    // ping schedules each send from the last one, so it drifts from any fixed schedule:
    // compare its intervals (consecutive replies) with the one asked for.
    let mut plag: Vec<f64> = stamps
        .windows(2)
        .filter(|w| w[1].0 == w[0].0 + 1)
        .map(|w| ((w[1].1 - w[0].1) * 1000.0 - step).abs())
        .collect();
    let drift = stamps
        .last()
        .map_or(0.0, |(s, t)| (t - t0) * 1000.0 - (s - s0) as f64 * step);
    println!(
        "iputils ping -i {pmsg}: interval error p50 {:.3} ms, p99 {:.3} ms (from its -D reply stamps); behind its schedule by {drift:.0} ms at the end; CPU {:.2} s per minute",
        pct(&mut plag, 0.5),
        pct(&mut plag, 0.99),
        cpu * 60.0 / secs as f64
    );
}
