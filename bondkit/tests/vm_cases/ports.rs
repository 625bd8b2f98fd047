//! Per-port settings on a real bond: `bond-port.queue-id` from `bondctl create --port
//! eno1:queue-id=N` reaches the kernel (netlink and /proc/net/bonding agree), and an edit
//! of one port's setting re-activates the bond with the new value and keeps the other's.
//! (`bond-port.prio` needs NM 1.42.8; the guest runs Debian's 1.42.4, which test bed A
//! shows refusing it.)

use super::support::{ok, Testbed};
use super::{in_netns, kernel_bond, wait_for};

fn proc_queue_ids(bed: &Testbed, name: &'static str) -> Vec<(String, String)> {
    let text = in_netns(bed, move || {
        // /proc/net is the process's namespace; this thread is in the test bed's.
        std::fs::read_to_string(format!("/proc/thread-self/net/bonding/{name}")).unwrap_or_default()
    });
    let mut out = Vec::new();
    let mut port = String::new();
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("Slave Interface: ") {
            port = p.trim().to_string();
        }
        if let Some(q) = line.strip_prefix("Slave queue ID: ") {
            out.push((port.clone(), q.trim().to_string()));
        }
    }
    out
}

pub async fn a_port_queue_id_reaches_the_kernel(bed: &Testbed) {
    ok(&bed.bondctl(&[
        "create",
        "bond5",
        "--mode",
        "active-backup",
        "--port",
        "eno1:queue-id=3",
        "--port",
        "eno2",
        "--option",
        "miimon=100",
        "--ipv4",
        "disabled",
        "--ipv6",
        "disabled",
        "--timeout",
        "30",
    ]));
    let queue = |port: &'static str| {
        kernel_bond(bed, "bond5")
            .and_then(|b| b.ports.into_iter().find(|p| p.name == port))
            .and_then(|p| p.queue_id)
    };
    wait_for("both ports in bond5", 20, || {
        kernel_bond(bed, "bond5").is_some_and(|b| b.ports.len() == 2)
    });
    assert_eq!(queue("eno1"), Some(3));
    assert_eq!(queue("eno2"), Some(0));
    assert_eq!(
        proc_queue_ids(bed, "bond5"),
        [
            ("eno1".to_string(), "3".to_string()),
            ("eno2".into(), "0".into())
        ]
    );
    let out = ok(&bed.bondctl(&["edit", "bond5", "--port-setting", "eno2:queue-id=7"]));
    println!("    {}", out.lines().last().unwrap_or(""));
    wait_for("eno2's new queue id in the kernel", 30, || {
        queue("eno2") == Some(7)
    });
    assert_eq!(queue("eno1"), Some(3), "the other port keeps its queue id");
    ok(&bed.bondctl(&["delete", "bond5"]));
}
