//! The monitor's judgement on kernel states written out by hand: a bond's state is plain
//! data, so these need no kernel. (Real cable pulls: tests/monitor_vm.rs in test bed B.)

use super::*;
use crate::kernel::fixtures::{self, lacp_bond};
use crate::kernel::state::{KernelBond, KernelPort};
use std::time::{Duration, Instant, SystemTime};

fn port(name: &str, up: bool) -> KernelPort {
    fixtures::port(name, if up { "up" } else { "down" }, 1, 1000)
}

/// An active-backup bond with these ports, each up or not.
fn bond(name: &str, ports: &[(&str, bool)]) -> KernelBond {
    let ports = ports.iter().map(|(n, up)| port(n, *up)).collect();
    fixtures::bond(name, "active-backup", ports)
}

fn lacp(partner: &str) -> KernelBond {
    lacp_bond(
        "bond1",
        partner,
        vec![port("eno3", true), port("eno4", true)],
    )
}

/// A clock the test moves by hand.
struct Clock(Instant);

impl Clock {
    fn at(&self, ms: u64) -> (Instant, SystemTime) {
        (self.0 + Duration::from_millis(ms), SystemTime::now())
    }
    fn t(&self, ms: u64) -> Instant {
        self.0 + Duration::from_millis(ms)
    }
}

fn texts(alerts: &[Alert]) -> Vec<String> {
    alerts
        .iter()
        .map(|a| a.render_body(&|t| t.to_string()))
        .collect()
}

#[test]
fn a_pull_is_said_at_once_and_the_return_after_the_hold() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    let both = bond("bond0", &[("eno1", true), ("eno2", true)]);
    assert!(m.start(std::slice::from_ref(&both), c.at(0)).is_empty());
    assert_eq!(
        m.next_deadline(),
        None,
        "an idle monitor has nothing to wake for"
    );

    let pulled = bond("bond0", &[("eno1", false), ("eno2", true)]);
    let a = m.observe(&[pulled], c.at(100));
    assert_eq!(
        texts(&a),
        ["bond0 lost eno1: one more cable and the link is gone."]
    );
    assert_eq!(a[0].kind, AlertKind::OnePortLeft);
    assert_eq!(a[0].severity, Severity::High);
    assert_eq!(a[0].title.to_string(), "bond0 has no redundancy left");
    assert_eq!(a[0].ports_down, ["eno1"]);

    // Back 300 ms later: held until the hold is over, then said.
    assert!(m.observe(std::slice::from_ref(&both), c.at(400)).is_empty());
    assert_eq!(m.next_deadline(), Some(c.t(1100)));
    assert!(m.tick(c.t(1000)).is_empty());
    let a = m.tick(c.t(1100));
    assert_eq!(
        texts(&a),
        ["bond0 is redundant again: eno1, eno2 carry the link."]
    );
    assert_eq!(a[0].kind, AlertKind::Redundant);
    assert_eq!(a[0].delay_ms, 700, "from the return's event to its alert");
}

#[test]
fn the_second_cable_within_the_hold_is_said_when_it_ends() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    m.start(&[bond("bond0", &[("eno1", true), ("eno2", true)])], c.at(0));
    let a = m.observe(
        &[bond("bond0", &[("eno1", false), ("eno2", true)])],
        c.at(0),
    );
    assert_eq!(a.len(), 1);
    assert!(m
        .observe(
            &[bond("bond0", &[("eno1", false), ("eno2", false)])],
            c.at(500)
        )
        .is_empty());
    let a = m.tick(c.t(1000));
    assert_eq!(
        texts(&a),
        ["bond0 lost its last port (eno1, eno2): the bond is down. Check the cables and the switch ports."]
    );
    assert_eq!(a[0].kind, AlertKind::Down);
    assert_eq!(a[0].severity, Severity::Urgent);
    // Partly back: one port again.
    let a = m.observe(
        &[bond("bond0", &[("eno1", false), ("eno2", true)])],
        c.at(5000),
    );
    assert_eq!(
        texts(&a),
        ["bond0 is up again, on eno2 alone: one more cable and the link is gone."]
    );
}

#[test]
fn a_flapping_port_is_one_alert_then_one_summary() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    let both = bond("bond0", &[("eno1", true), ("eno2", true)]);
    let pulled = bond("bond0", &[("eno1", false), ("eno2", true)]);
    m.start(std::slice::from_ref(&both), c.at(0));
    let mut alerts = Vec::new();
    // Ten pulls in five seconds: down at every 500 ms, back 250 ms later.
    for i in 0..10u64 {
        let t = i * 500;
        for due in [t, t + 250] {
            alerts.extend(m.tick(c.t(due)));
        }
        alerts.extend(m.observe(std::slice::from_ref(&pulled), c.at(t)));
        alerts.extend(m.observe(std::slice::from_ref(&both), c.at(t + 250)));
    }
    // Then quiet: tick at every deadline until there is none.
    while let Some(due) = m.next_deadline() {
        alerts.extend(m.tick(due));
    }
    let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [AlertKind::OnePortLeft, AlertKind::Flapping],
        "{:?}",
        texts(&alerts)
    );
    assert_eq!(
        texts(&alerts)[1],
        "eno1 of bond0 keeps dropping its link (10 drops in 5 s): check its cable and switch port. bond0 is redundant again: eno1, eno2 carry the link."
    );
    assert_eq!(alerts[1].title.to_string(), "bond0: a port keeps dropping");
}

#[test]
fn a_port_that_never_settles_is_summed_up_now_and_then() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    let both = bond("bond0", &[("eno1", true), ("eno2", true)]);
    let pulled = bond("bond0", &[("eno1", false), ("eno2", true)]);
    m.start(std::slice::from_ref(&both), c.at(0));
    let mut alerts = Vec::new();
    for i in 0..300u64 {
        let t = i * 500;
        alerts.extend(m.tick(c.t(t)));
        let state = if i % 2 == 0 { &pulled } else { &both };
        alerts.extend(m.observe(std::slice::from_ref(state), c.at(t)));
    }
    // 150 s of flapping: the first alert, then a summary about every 60 s.
    assert!(
        (2..=4).contains(&alerts.len()),
        "{} alerts: {:?}",
        alerts.len(),
        texts(&alerts)
    );
}

#[test]
fn a_bond_on_one_port_at_start_is_said_at_once() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    let a = m.start(
        &[
            bond("bond0", &[("eno1", false), ("eno2", true)]),
            bond("bond9", &[("eno7", true), ("eno8", true)]),
        ],
        c.at(0),
    );
    assert_eq!(
        texts(&a),
        ["bond0 lost eno1: one more cable and the link is gone."]
    );
}

#[test]
fn a_new_bond_gaining_its_ports_and_partner_is_not_an_alert() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    m.start(&[], c.at(0));
    let mut alerts = Vec::new();
    let mut b = lacp("00:00:00:00:00:00");
    b.ports.clear();
    alerts.extend(m.observe(std::slice::from_ref(&b), c.at(0)));
    b.ports.push(port("eno3", false));
    alerts.extend(m.observe(std::slice::from_ref(&b), c.at(100)));
    b.ports.push(port("eno4", true));
    alerts.extend(m.observe(std::slice::from_ref(&b), c.at(200)));
    b.ports[0] = port("eno3", true);
    alerts.extend(m.observe(std::slice::from_ref(&b), c.at(300)));
    // LACP negotiates two seconds later.
    alerts.extend(m.observe(&[lacp("02:00:00:00:00:99")], c.at(2300)));
    alerts.extend(m.tick(c.t(20_000)));
    assert!(alerts.is_empty(), "{:?}", texts(&alerts));
    // From then on, its changes count.
    let a = m.observe(&[lacp("00:00:00:00:00:00")], c.at(30_000));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].kind, AlertKind::LacpTrouble);
    assert!(
        texts(&a)[0].starts_with("bond1's switch stopped speaking LACP"),
        "{:?}",
        texts(&a)
    );
    let a = m.observe(&[lacp("02:00:00:00:00:99")], c.at(40_000));
    assert_eq!(a[0].kind, AlertKind::LacpBack);
}

#[test]
fn a_new_bond_that_stays_on_one_port_is_said_after_its_grace() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    m.start(&[], c.at(0));
    let one = bond("bond2", &[("eno1", true), ("eno2", false)]);
    assert!(m.observe(&[one], c.at(0)).is_empty());
    assert_eq!(m.next_deadline(), Some(c.t(0) + JOIN_GRACE));
    let a = m.tick(c.t(0) + JOIN_GRACE);
    assert_eq!(
        texts(&a),
        ["bond2 lost eno2: one more cable and the link is gone."]
    );
}

#[test]
fn ports_released_by_their_owner_and_a_deleted_bond_are_not_alerts() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    m.start(&[bond("bond0", &[("eno1", true), ("eno2", true)])], c.at(0));
    let mut alerts = Vec::new();
    alerts.extend(m.observe(&[bond("bond0", &[("eno2", true)])], c.at(10)));
    alerts.extend(m.observe(&[bond("bond0", &[])], c.at(20)));
    alerts.extend(m.observe(&[], c.at(30)));
    alerts.extend(m.tick(c.t(5000)));
    assert!(alerts.is_empty(), "{:?}", texts(&alerts));
    assert_eq!(m.next_deadline(), None);
}

#[test]
fn split_aggregators_are_lacp_trouble() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    m.start(&[lacp("02:00:00:00:00:99")], c.at(0));
    let mut split = lacp("02:00:00:00:00:99");
    split.ports[1].aggregator_id = Some(2);
    let a = m.observe(&[split], c.at(100));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].kind, AlertKind::LacpTrouble);
    assert!(
        texts(&a)[0].contains("eno3 in 1, eno4 in 2"),
        "{:?}",
        texts(&a)
    );
}

#[test]
fn ports_coming_back_one_after_the_other_are_no_flap() {
    let c = Clock(Instant::now());
    let mut m = Monitor::default();
    m.start(&[bond("bond0", &[("eno1", true), ("eno2", true)])], c.at(0));
    m.observe(
        &[bond("bond0", &[("eno1", false), ("eno2", true)])],
        c.at(0),
    );
    m.tick(c.t(1000));
    let a = m.observe(
        &[bond("bond0", &[("eno1", false), ("eno2", false)])],
        c.at(2000),
    );
    assert_eq!(a[0].kind, AlertKind::Down);
    assert!(m
        .observe(
            &[bond("bond0", &[("eno1", true), ("eno2", false)])],
            c.at(2300)
        )
        .is_empty());
    assert!(m
        .observe(
            &[bond("bond0", &[("eno1", true), ("eno2", true)])],
            c.at(2600)
        )
        .is_empty());
    let a = m.tick(c.t(3000));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].kind, AlertKind::Redundant);
}
