//! Benchmark (not a test): how long from a kernel link event to bondkit's re-read model, on
//! this host, natively. Run inside a scratch network namespace by scripts/bench-events.sh,
//! which provides a veth pair `bench0`/`bench1`. This host kernel has no bonding driver, so
//! the re-read dumps every link and finds no bond: the same netlink path the bond page and
//! `bondctl status --watch` take, without the bond-specific decoding. The VM tier prints
//! the same figure for real bonds under emulation.

use bondkit::kernel::{self, LinkEvents};
use std::process::Command;
use std::time::{Duration, Instant};

fn pct(v: &[Duration], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let events = LinkEvents::subscribe().expect("netlink link events");
    let mut latency = Vec::new();
    for i in 0..rounds {
        // bench0 starts down, so the first change is "up".
        let state = if i % 2 == 0 { "up" } else { "down" };
        events.drain();
        let st = Command::new("ip")
            .args(["link", "set", "bench0", state])
            .status()
            .expect("ip");
        assert!(st.success(), "ip link set bench0 {state}");
        let ev = events.next_blocking().expect("an event");
        events.drain();
        kernel::read_bonds().expect("netlink dump");
        latency.push(ev.at.elapsed());
    }
    println!("link event -> model re-read, native, {rounds} events: p50 {:.3} ms, p99 {:.3} ms (goal p99 <= 10 ms)", pct(&latency, 0.5), pct(&latency, 0.99));
    // Idle: a subscriber with nothing to read must not wake up.
    let me = std::process::id();
    let switches = || -> u64 {
        std::fs::read_dir(format!("/proc/{me}/task"))
            .map(|d| {
                d.filter_map(|t| {
                    let s = std::fs::read_to_string(t.ok()?.path().join("status")).ok()?;
                    Some(
                        s.lines()
                            .filter(|l| l.contains("ctxt_switches"))
                            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                            .sum::<u64>(),
                    )
                })
                .sum()
            })
            .unwrap_or(0)
    };
    let before = switches();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    let woke = switches() - before;
    println!("idle with the event stream open: {woke} wake-ups in {:.0} s (goal 0; the count includes this thread's own sleep)", start.elapsed().as_secs_f64());
}
