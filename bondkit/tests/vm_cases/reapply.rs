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

fn run(bed: &Testbed, program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
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

fn bring_up(bed: &Testbed, mode: &str, base: &str) {
    bed.reset();
    let o = bed.bondctl(&[
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
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut opts = vec![format!("mode={mode}")];
    opts.extend(base.split(',').map(str::to_string));
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
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(bed, "nmcli", &["--wait", "30", "connection", "up", "bond0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

pub async fn reapply_per_option(bed: &Testbed) {
    let mut mismatches = Vec::new();
    for (mode, base, option, value, shown) in CASES {
        bring_up(bed, mode, base);
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
    // Every live option, in its mode, through bondctl, beside a 10 ms ping.
    for (mode, base, option, value, shown) in CASES {
        if !bondkit::model::spec(option).unwrap().live || *option == "primary" {
            // primary moves the active port on purpose: a failover, not a reapply cost.
            continue;
        }
        bring_up(bed, mode, base);
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
        std::thread::sleep(std::time::Duration::from_millis(800));
        // bondctl inside the bond's namespace, so it reads the kernel's values back.
        let o = Command::new("ip")
            .args(["netns", "exec", &ns])
            .arg(support_bondctl())
            .args(["edit", "bond0", "--option", &format!("{option}={value}")])
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{option}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let said = String::from_utf8_lossy(&o.stdout).to_string();
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(
            !err.contains("could not be read back"),
            "{option}: the kernel was not checked: {err}"
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
        println!(
            "  bondctl edit {option}={value}: {} of {sent} pings lost; {}",
            sent.saturating_sub(got),
            said.trim()
        );
        assert!(
            said.contains("applied it to the running bond"),
            "{option}: {said}"
        );
        assert!(
            shows(&sysfs(bed, option), shown),
            "{option} did not reach the kernel"
        );
        assert!(sent > 50, "{option}: ping sent only {sent}: {text}");
        assert_eq!(sent - got, 0, "{option}: a reapply lost replies");
    }
}

/// A bond made with `ip link` gets a profile that NM generates (flag EXTERNAL): Bondsmith
/// shows it as such and refuses to edit it, instead of offering a form.
pub async fn an_ip_link_bond_is_shown_not_edited(bed: &Testbed) {
    let ns = bed.netns();
    for cmd in [
        vec!["-n", &ns, "link", "add", "bond9", "type", "bond"],
        vec!["-n", &ns, "addr", "add", "10.99.0.1/24", "dev", "bond9"],
        vec!["-n", &ns, "link", "set", "bond9", "up"],
    ] {
        let o = run(bed, "ip", &cmd);
        assert!(
            o.status.success(),
            "ip {cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let nm = bed.client().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let bond = loop {
        let bonds = nm.list_bonds().await.unwrap();
        if let Some(b) = bonds.into_iter().find(|b| b.name() == "bond9") {
            break b;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "NM never listed the ip-link bond"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(bond.external, "an ip-link bond is not an editable profile");
    assert!(bond.in_memory);
    let o = bed.bondctl(&["edit", "bond9", "--mtu", "9000"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("made outside NetworkManager"), "{err}");
    let show = String::from_utf8_lossy(&bed.bondctl(&["show", "bond9"]).stdout).to_string();
    assert!(show.contains("read-only"), "{show}");
    let _ = run(bed, "ip", &["-n", &ns, "link", "del", "bond9"]);
}
