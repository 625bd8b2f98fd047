//! Which bond options a running bond takes in place, found out on the real kernel: for each
//! option, NM 1.42's `nmcli device reapply` after a profile change, then the kernel's value
//! read back from sysfs. The option table's `live` must say the same. Then each live option
//! is changed with `bondctl edit` beside a 10 ms ping, which must lose no reply.

use super::support::{bondctl_path as support_bondctl, Testbed};
use std::process::Command;

/// (mode, base options, option, new value, how sysfs shows the new value)
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    ("active-backup", "miimon=100", "miimon", "200", "200"),
    ("active-backup", "miimon=100", "updelay", "200", "200"),
    ("active-backup", "miimon=100", "downdelay", "200", "200"),
    ("active-backup", "miimon=100", "use_carrier", "0", "0"),
    (
        "active-backup",
        "miimon=100,primary=eno1",
        "primary",
        "eno2",
        "eno2",
    ),
    (
        "active-backup",
        "miimon=100",
        "primary_reselect",
        "better",
        "better",
    ),
    ("active-backup", "miimon=100", "all_slaves_active", "1", "1"),
    ("active-backup", "miimon=100", "min_links", "1", "1"),
    ("active-backup", "miimon=100", "resend_igmp", "5", "5"),
    ("active-backup", "miimon=100", "num_grat_arp", "3", "3"),
    (
        "active-backup",
        "miimon=100",
        "peer_notif_delay",
        "200",
        "200",
    ),
    (
        "active-backup",
        "miimon=100",
        "fail_over_mac",
        "active",
        "active",
    ),
    (
        "active-backup",
        "miimon=100",
        "arp_all_targets",
        "all",
        "all",
    ),
    (
        "active-backup",
        "miimon=0,arp_interval=1000,arp_ip_target=10.77.0.1",
        "arp_interval",
        "2000",
        "2000",
    ),
    (
        "active-backup",
        "miimon=0,arp_interval=1000,arp_ip_target=10.77.0.1",
        "arp_ip_target",
        "10.77.0.1,10.77.0.9",
        "10.77.0.1 10.77.0.9",
    ),
    (
        "active-backup",
        "miimon=0,arp_interval=1000,arp_ip_target=10.77.0.1",
        "arp_validate",
        "active",
        "active",
    ),
    ("802.3ad", "miimon=100", "lacp_rate", "fast", "fast"),
    (
        "802.3ad",
        "miimon=100",
        "ad_select",
        "bandwidth",
        "bandwidth",
    ),
    ("802.3ad", "miimon=100", "ad_actor_sys_prio", "100", "100"),
    (
        "802.3ad",
        "miimon=100",
        "ad_actor_system",
        "02:00:00:00:00:01",
        "02:00:00:00:00:01",
    ),
    ("802.3ad", "miimon=100", "ad_user_port_key", "5", "5"),
    (
        "802.3ad",
        "miimon=100",
        "xmit_hash_policy",
        "layer3+4",
        "layer3+4",
    ),
    ("balance-rr", "miimon=100", "packets_per_slave", "5", "5"),
    ("balance-alb", "miimon=100", "lp_interval", "5", "5"),
    ("balance-alb", "miimon=100", "tlb_dynamic_lb", "0", "0"),
];

pub fn run(bed: &Testbed, program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .output()
        .unwrap()
}

/// bondctl inside the bond's network namespace, where it can read the kernel's values.
fn bondctl_in_ns(bed: &Testbed, args: &[&str]) -> std::process::Output {
    Command::new("ip")
        .args(["netns", "exec", &bed.netns()])
        .arg(support_bondctl())
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .output()
        .unwrap()
}

fn sysfs(bed: &Testbed, option: &str) -> String {
    let o = run(
        bed,
        "ip",
        &[
            "netns",
            "exec",
            &bed.netns(),
            "cat",
            &format!("/sys/class/net/bond0/bonding/{option}"),
        ],
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// The kernel shows choices as "name index": compare the name.
fn shows(kernel: &str, want: &str) -> bool {
    kernel == want || kernel.split_whitespace().next() == Some(want)
}

/// A fresh, running bond0 over eno1 and eno2 in `mode` with the `base` options
/// ("k=v,k=v"): one activation, by bondctl, which waits for the ports to join.
pub fn bring_up(bed: &Testbed, mode: &str, base: &str) {
    bed.reset();
    let mut args = vec![
        "create",
        "bond0",
        "--mode",
        mode,
        "--port",
        "eno1",
        "--port",
        "eno2",
        "--ipv4",
        "10.77.0.20/24",
        "--ipv6",
        "disabled",
        "--timeout",
        "30",
    ];
    for kv in base.split(',').filter(|kv| !kv.is_empty()) {
        args.extend(["--option", kv]);
    }
    let o = bed.bondctl(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

pub async fn reapply_per_option(bed: &Testbed) {
    let mut mismatches = Vec::new();
    for (mode, base, option, value, shown) in CASES {
        bring_up(bed, mode, base);
        // The review first: it says which path the edit takes, and why.
        let dry = bondctl_in_ns(
            bed,
            &[
                "edit",
                "bond0",
                "--option",
                &format!("{option}={value}"),
                "--dry-run",
            ],
        );
        let said = String::from_utf8_lossy(&dry.stderr).to_string();
        let table_live = bondkit::model::spec(option).unwrap().live;
        if table_live {
            assert!(
                said.contains("takes the change in place"),
                "{option}: {said}"
            );
        } else {
            assert!(
                said.contains("is re-activated")
                    && said.contains(&format!("{option} cannot be changed on a running bond")),
                "{option}: {said}"
            );
        }
        let before = sysfs(bed, option);
        let mut opts: Vec<String> = vec![format!("mode={mode}")];
        opts.extend(
            base.split(',')
                .filter(|kv| !kv.starts_with(&format!("{option}=")))
                .map(str::to_string),
        );
        opts.push(format!("{option}={}", value.replace(',', " ")));
        let o = run(
            bed,
            "nmcli",
            &[
                "connection",
                "modify",
                "bond0",
                "bond.options",
                &opts.join(","),
            ],
        );
        assert!(
            o.status.success(),
            "{option}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let reapply = run(bed, "nmcli", &["device", "reapply", "bond0"]);
        let after = sysfs(bed, option);
        let live = reapply.status.success() && shows(&after, shown);
        let table = bondkit::model::spec(option).unwrap().live;
        println!(
            "  {option:<18} {mode:<13} reapply {} · sysfs {before:?} -> {after:?} · live {live} (table {table})",
            if reapply.status.success() { "ok     " } else { "refused" }
        );
        if live != table {
            mismatches.push(*option);
        }
    }
    assert!(
        mismatches.is_empty(),
        "the option table's `live` is wrong for {mismatches:?}"
    );

    let live: Vec<&str> = CASES
        .iter()
        .map(|c| c.2)
        .filter(|o| bondkit::model::spec(o).unwrap().live)
        .collect();
    println!("  options the table marks live (checked against a 10 ms ping below): {live:?}");
    // Every live option, in its mode, through bondctl, beside a 10 ms ping. Cases of one
    // mode and base share a bond: each edit changes one more option of the running bond.
    let mut running: Option<(&str, &str)> = None;
    for (mode, base, option, value, shown) in CASES {
        if !bondkit::model::spec(option).unwrap().live || *option == "primary" {
            // primary moves the active port on purpose: a failover, not a reapply cost.
            continue;
        }
        if running != Some((mode, base)) {
            bring_up(bed, mode, base);
            running = Some((mode, base));
        }
        let arg = format!("{option}={value}");
        let (sent, lost, said) = edit_beside_ping(bed, &["--option", &arg]);
        println!(
            "  bondctl edit {arg}: {lost} of {sent} pings lost; {}",
            said.trim()
        );
        assert!(
            shows(&sysfs(bed, option), shown),
            "{option} did not reach the kernel"
        );
        assert_eq!(lost, 0, "{option}: a reapply lost replies");
    }
    // IP and MTU changes take the same path.
    bring_up(bed, "active-backup", "miimon=100");
    let (sent, lost, said) = edit_beside_ping(bed, &["--mtu", "1400"]);
    println!(
        "  bondctl edit --mtu 1400: {lost} of {sent} pings lost; {}",
        said.trim()
    );
    let mtu = run(
        bed,
        "ip",
        &[
            "netns",
            "exec",
            &bed.netns(),
            "cat",
            "/sys/class/net/bond0/mtu",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&mtu.stdout).trim(), "1400");
    assert_eq!(lost, 0, "an MTU reapply lost replies");
    let (sent, lost, said) = edit_beside_ping(bed, &["--add-address", "10.77.0.21/24"]);
    println!(
        "  bondctl edit --add-address 10.77.0.21/24: {lost} of {sent} pings lost; {}",
        said.trim()
    );
    let addrs = run(bed, "ip", &["-n", &bed.netns(), "addr", "show", "bond0"]);
    let addrs = String::from_utf8_lossy(&addrs.stdout).to_string();
    assert!(
        addrs.contains("10.77.0.21/24") && addrs.contains("10.77.0.20/24"),
        "{addrs}"
    );
    assert_eq!(lost, 0, "an address reapply lost replies");

    // A bond nmcli made has no ethernet setting: its first MTU is a re-activation, and the
    // review says why (NM: "Can't reapply changes to '802-3-ethernet…'").
    bed.reset();
    for c in [
        vec![
            "connection",
            "add",
            "type",
            "bond",
            "con-name",
            "bond0",
            "ifname",
            "bond0",
            "bond.options",
            "mode=active-backup,miimon=100",
            "ipv4.method",
            "manual",
            "ipv4.addresses",
            "10.77.0.20/24",
            "ipv6.method",
            "disabled",
        ],
        vec![
            "connection",
            "add",
            "type",
            "ethernet",
            "con-name",
            "bond0-eno1",
            "ifname",
            "eno1",
            "master",
            "bond0",
            "slave-type",
            "bond",
        ],
        vec!["--wait", "30", "connection", "up", "bond0"],
    ] {
        let o = run(bed, "nmcli", &c);
        assert!(
            o.status.success(),
            "{c:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let dry = bondctl_in_ns(bed, &["edit", "bond0", "--mtu", "1400", "--dry-run"]);
    let said = String::from_utf8_lossy(&dry.stderr).to_string();
    assert!(
        said.contains("is re-activated") && said.contains("first Ethernet setting"),
        "{said}"
    );
    let o = bondctl_in_ns(bed, &["edit", "bond0", "--mtu", "1400"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mtu = run(
        bed,
        "ip",
        &[
            "netns",
            "exec",
            &bed.netns(),
            "cat",
            "/sys/class/net/bond0/mtu",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&mtu.stdout).trim(), "1400");
    println!(
        "  nmcli-made bond, first MTU: re-activated ({})",
        said.trim().replace('\n', " ")
    );
}

/// `bondctl edit bond0 ARGS` inside the bond's namespace (so it reads the kernel back),
/// beside a 10 ms ping to the peer: (sent, lost, what bondctl said). Asserts that the edit
/// took the in-place path and that the kernel was checked.
fn edit_beside_ping(bed: &Testbed, args: &[&str]) -> (u64, u64, String) {
    let ns = bed.netns();
    let ping = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns,
            "ping",
            "-q",
            "-i",
            "0.01",
            "-w",
            "4",
            "10.77.0.1",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let mut a = vec!["edit", "bond0"];
    a.extend(args);
    let o = bondctl_in_ns(bed, &a);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        !err.contains("could not be read back"),
        "{args:?}: the kernel was not checked: {err}"
    );
    assert!(
        said.contains("applied it to the running bond"),
        "{args:?}: {said}"
    );
    let out = ping.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // "412 packets transmitted, 412 received, ...": the number before the words.
    let num = |what: &str, back: usize| -> u64 {
        let words: Vec<&str> = text.split_whitespace().collect();
        words
            .iter()
            .position(|w| w.trim_end_matches(',') == what)
            .and_then(|i| words.get(i.checked_sub(back)?)?.parse().ok())
            .unwrap_or(0)
    };
    let (sent, got) = (num("transmitted", 2), num("received", 1));
    assert!(sent > 50, "{args:?}: ping sent only {sent}: {text}");
    (sent, sent.saturating_sub(got), said)
}
