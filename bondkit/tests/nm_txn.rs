//! The checkpoint around every change, on a real NetworkManager (test bed A): a pending
//! change lives no longer than the caller promised, "kept" means NM confirmed it, a rollback
//! says what it did and keeps profiles other tools made meanwhile, and a port added with
//! "bring up" off does not come up.

mod support;

use bondkit::model::{BondConfig, BondEdit, IpFamily, IpMethod};
use bondkit::nm::{ApplyOptions, NmError};
use std::time::{Duration, Instant};
use support::Testbed;

fn main() {
    let bed = Testbed::start("txn", &["p1", "p2", "p3"]);
    support::run_cases(
        &bed,
        cases![
            a_pending_change_expires_when_promised,
            undo_keeps_what_other_tools_made_meanwhile,
            a_failed_step_reports_its_rollback,
            an_added_port_stays_down_when_bring_up_is_off,
        ],
    );
}

fn cfg(name: &str) -> BondConfig {
    let mut c = BondConfig::new(name, "active-backup");
    c.ports = vec!["p1".into(), "p2".into()];
    c.ipv4 = IpFamily::with_method(IpMethod::Disabled);
    c.ipv6 = IpFamily::with_method(IpMethod::Disabled);
    c
}

fn no_activate(confirm: u64) -> ApplyOptions {
    ApplyOptions {
        activate: false,
        confirm_timeout: Duration::from_secs(confirm),
        ..Default::default()
    }
}

async fn a_pending_change_expires_when_promised(bed: &Testbed) {
    let nm = bed.client().await;
    let started = Instant::now();
    let pending = nm
        .create_bond_pending(&cfg("bond4"), &no_activate(3), &|_| {})
        .await
        .unwrap();
    // Nobody answers. Before the promised time, the change stands (kept alive)...
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        bed.profiles().contains(&"bond4".to_string()),
        "rolled back too early"
    );
    // ...and NM rolls it back by itself soon after: within the promise plus NM's short timeout.
    while !bed.profiles().is_empty() && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed();
    println!(
        "  promised 3 s; NM rolled back after {:.1} s",
        took.as_secs_f64()
    );
    assert!(bed.profiles().is_empty(), "still there after {took:?}");
    assert!(took <= Duration::from_secs(3 + 2 + bondkit::nm::ROLLBACK_SECS as u64 + 1));
    // Keeping it now cannot succeed, and says so.
    let e = nm.keep(pending).await.unwrap_err();
    assert!(e.message().contains("was not kept"), "{}", e.message());
}

async fn undo_keeps_what_other_tools_made_meanwhile(bed: &Testbed) {
    let nm = bed.client().await;
    let pending = nm
        .create_bond_pending(&cfg("bond4"), &no_activate(30), &|_| {})
        .await
        .unwrap();
    // Another tool adds a profile while the dialog is open.
    let o = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "other",
        "ifname",
        "p3",
        "connection.autoconnect",
        "no",
        "ipv4.method",
        "disabled",
        "ipv6.method",
        "disabled",
    ]);
    assert!(o.status.success());
    let report = nm.undo(pending, &|_| {}).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.kept_others, ["other"]);
    assert_eq!(bed.profiles(), ["other"], "our profiles gone, theirs kept");
    assert_eq!(bed.nmcli_get("other", "connection.interface-name"), "p3");
}

async fn a_failed_step_reports_its_rollback(bed: &Testbed) {
    let nm = bed.client().await;
    // This host has no bonding driver: activation fails after every profile was added.
    let opts = ApplyOptions {
        activation_timeout: Duration::from_secs(20),
        ..Default::default()
    };
    let e = nm
        .create_bond(&cfg("bond4"), &opts, &|_| {})
        .await
        .unwrap_err();
    match &e {
        NmError::RolledBack { rollback, .. } => {
            assert!(rollback.is_clean(), "{rollback:?}");
            assert!(!rollback.already_done);
        }
        other => panic!("not reported as rolled back: {other:?}"),
    }
    assert!(
        e.message().ends_with("Everything was rolled back."),
        "{}",
        e.message()
    );
    assert!(bed.profiles().is_empty());
}

async fn an_added_port_stays_down_when_bring_up_is_off(bed: &Testbed) {
    let nm = bed.client().await;
    nm.create_bond(&cfg("bond4"), &no_activate(0), &|_| {})
        .await
        .unwrap();
    let e = BondEdit {
        add_ports: vec!["p3".into()],
        ..Default::default()
    };
    let log_before = bed.nm_log().len();
    nm.edit_bond("bond4", &e, &no_activate(0), &|_| {})
        .await
        .unwrap();
    assert!(bed.profiles().contains(&"bond4-p3".to_string()));
    // Give NM's autoconnect a chance; it must not try.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = bed.nm_log();
    let tried: Vec<&str> = log[log_before..]
        .lines()
        .filter(|l| l.contains("Activation: starting connection"))
        .collect();
    assert!(tried.is_empty(), "NM brought something up: {tried:?}");
}
