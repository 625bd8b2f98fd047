//! The prober on real sockets, natively: ICMP echo (IPv4 and IPv6) and TCP connect probes
//! against loopback in a private network namespace, with `net.ipv4.ping_group_range` set
//! both ways (it is per namespace), the fallback sentence, binding to a device, and an
//! unreachable target. The kernel bond side runs in test bed B (vm_bonds.rs).

use bondkit::clock::Mono;
use bondkit::probe::{KindChoice, ProbeConfig, ProbeError, ProbeEvent, ProbeKind, Prober};
use std::net::IpAddr;
use std::process::Command;
use std::time::Duration;

fn main() {
    // SAFETY: unshare on this still single-threaded process; everything after runs inside.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        eprintln!(
            "PROBE TEST CANNOT RUN: unshare(CLONE_NEWNET) failed ({}); run it as root.",
            std::io::Error::last_os_error()
        );
        std::process::exit(1);
    }
    assert!(Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .unwrap()
        .success());
    let cases: &[(&str, fn())] = &[
        (
            "icmp_v4_and_v6_answer_on_one_clock",
            icmp_v4_and_v6_answer_on_one_clock,
        ),
        (
            "forbidden_icmp_falls_back_to_tcp",
            forbidden_icmp_falls_back_to_tcp,
        ),
        (
            "tcp_probes_are_answered_by_a_closed_port",
            tcp_probes_are_answered_by_a_closed_port,
        ),
        (
            "a_device_that_does_not_exist_is_a_clear_error",
            a_device_that_does_not_exist_is_a_clear_error,
        ),
        (
            "an_unreachable_target_loses_every_probe",
            an_unreachable_target_loses_every_probe,
        ),
        (
            "the_route_names_the_interface_it_leaves_by",
            the_route_names_the_interface_it_leaves_by,
        ),
    ];
    let mut failed = 0;
    for (name, case) in cases {
        match std::panic::catch_unwind(case) {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("\n{} passed; {failed} failed", cases.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

fn ping_range(r: &str) {
    std::fs::write("/proc/sys/net/ipv4/ping_group_range", r).expect("set ping_group_range");
}

/// Runs a prober for `d` and returns what it reported.
fn probe(cfg: &ProbeConfig, d: Duration) -> (ProbeKind, Vec<ProbeEvent>) {
    let mut p = Prober::start(cfg).expect("prober starts");
    std::thread::sleep(d);
    p.stop();
    let kind = p.kind;
    let mut out = Vec::new();
    while let Ok(e) = p.events().try_recv() {
        out.push(e);
    }
    (kind, out)
}

fn summary(ev: &[ProbeEvent]) -> (usize, usize, usize) {
    let sent = ev
        .iter()
        .filter(|e| matches!(e, ProbeEvent::Sent { .. }))
        .count();
    let replies = ev
        .iter()
        .filter(|e| matches!(e, ProbeEvent::Reply { .. }))
        .count();
    let lost = ev
        .iter()
        .filter(|e| matches!(e, ProbeEvent::Lost { .. }))
        .count();
    (sent, replies, lost)
}

fn icmp_v4_and_v6_answer_on_one_clock() {
    ping_range("0 2147483647");
    for target in ["127.0.0.1", "::1"] {
        let mut cfg = ProbeConfig::new(target.parse().unwrap());
        cfg.kind = KindChoice::Only(ProbeKind::Icmp);
        cfg.device = Some("lo".into());
        let before = Mono::now();
        let (kind, ev) = probe(&cfg, Duration::from_millis(500));
        let after = Mono::now();
        let (sent, replies, lost) = summary(&ev);
        println!("    {target}: {sent} sent, {replies} answered, {lost} lost");
        assert_eq!(kind, ProbeKind::Icmp);
        // 10 ms for 500 ms: about 50 (a loaded machine may fall behind, never burst).
        assert!((25..=52).contains(&sent), "{sent} probes in 500 ms");
        assert!(replies + 2 >= sent, "loopback lost probes: {ev:?}");
        assert_eq!(lost, 0);
        for e in &ev {
            if let ProbeEvent::Reply { sent, at, .. } = e {
                assert!(
                    *sent >= before && *at <= after,
                    "times off the clock: {e:?}"
                );
                assert!(at >= sent, "a reply before its probe: {e:?}");
                assert!(at.since(*sent) < Duration::from_millis(50), "{e:?}");
            }
        }
        // Sequence numbers count up from 0 without gaps.
        let seqs: Vec<u32> = ev
            .iter()
            .filter_map(|e| match e {
                ProbeEvent::Sent { seq, .. } => Some(*seq),
                _ => None,
            })
            .collect();
        assert_eq!(seqs, (0..seqs.len() as u32).collect::<Vec<_>>());
    }
}

fn forbidden_icmp_falls_back_to_tcp() {
    ping_range("1 0");
    let mut cfg = ProbeConfig::new("127.0.0.1".parse().unwrap());
    cfg.kind = KindChoice::Only(ProbeKind::Icmp);
    match Prober::start(&cfg) {
        Err(e @ ProbeError::IcmpNotAllowed { .. }) => {
            let s = e.to_string();
            assert!(s.contains("\"1 0\""), "{s}");
            assert!(
                s.contains("sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""),
                "{s}"
            );
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("ICMP opened although ping_group_range forbids it"),
    }
    cfg.kind = KindChoice::Auto;
    let p = Prober::start(&cfg).expect("falls back");
    assert_eq!(p.kind, ProbeKind::Tcp);
    assert!(matches!(
        p.fallback_reason,
        Some(ProbeError::IcmpNotAllowed { .. })
    ));
}

fn tcp_probes_are_answered_by_a_closed_port() {
    for target in ["127.0.0.1", "::1"] {
        let mut cfg = ProbeConfig::new(target.parse::<IpAddr>().unwrap());
        cfg.kind = KindChoice::Only(ProbeKind::Tcp);
        cfg.tcp_port = 9;
        let (_, ev) = probe(&cfg, Duration::from_millis(500));
        let (sent, replies, lost) = summary(&ev);
        println!("    {target}: {sent} sent, {replies} answered (RST), {lost} lost");
        assert!(sent >= 25, "{sent}");
        assert!(replies + 2 >= sent && lost == 0, "{ev:?}");
    }
    // An open port answers with SYN-ACK.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut cfg = ProbeConfig::new("127.0.0.1".parse().unwrap());
    cfg.kind = KindChoice::Only(ProbeKind::Tcp);
    cfg.tcp_port = l.local_addr().unwrap().port();
    let (_, ev) = probe(&cfg, Duration::from_millis(300));
    let (sent, replies, _) = summary(&ev);
    assert!(
        replies + 2 >= sent && sent > 10,
        "{sent} sent, {replies} answered"
    );
}

fn a_device_that_does_not_exist_is_a_clear_error() {
    ping_range("0 2147483647");
    let mut cfg = ProbeConfig::new("127.0.0.1".parse().unwrap());
    cfg.device = Some("nosuchbond".into());
    match Prober::start(&cfg) {
        Err(ProbeError::BindDevice { device, .. }) => assert_eq!(device, "nosuchbond"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("bound to a device that does not exist"),
    }
}

fn an_unreachable_target_loses_every_probe() {
    ping_range("0 2147483647");
    // This namespace has only loopback: no route to anywhere else.
    let cfg = ProbeConfig::new("192.0.2.1".parse().unwrap());
    let (_, ev) = probe(&cfg, Duration::from_millis(300));
    let (sent, replies, lost) = summary(&ev);
    assert!(sent > 10);
    assert_eq!(replies, 0);
    assert_eq!(lost, sent, "every probe that could not leave is lost");
}

/// The failover test's "routed around the bond" check: the kernel's route lookup.
fn the_route_names_the_interface_it_leaves_by() {
    use bondkit::kernel::control;
    let sh = |c: &str| {
        assert!(
            Command::new("sh")
                .arg("-c")
                .arg(c)
                .status()
                .unwrap()
                .success(),
            "{c}"
        )
    };
    sh("ip link add vx0 type veth peer name vx1 && ip addr add 10.88.0.1/24 dev vx0 && ip link set vx0 up && ip link set vx1 up");
    let via = control::route_interface("10.88.0.2".parse().unwrap()).expect("route lookup");
    assert!(via.is_some(), "no route found");
    assert_eq!(control::link_name(via.unwrap()).as_deref(), Some("vx0"));
    match control::route_interface("192.0.2.1".parse().unwrap()) {
        Ok(None) => {}
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ENETUNREACH), "{e}"),
        Ok(Some(i)) => panic!("a route to 192.0.2.1 through {i}"),
    }
    sh("ip link del vx0");
}
