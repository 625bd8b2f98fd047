//! Edits keep everything they do not name, on a real NetworkManager (test bed A).
//!
//! Bonds made by nmcli hold far more than Bondsmith models: several addresses per family,
//! a gateway per family, routes, DNS search and options, a zone, special MAC values, DHCP
//! beside a static address, numeric option forms. Each `bondctl edit` must change exactly
//! the `nmcli -t connection show` fields it names, and the `--dry-run` nmcli commands, run
//! on a fresh copy, must give the same profiles. Also: `kill -9` of bondctl at each step
//! rolls back by NM's own timer.

mod support;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{ok, Testbed};

fn main() {
    let bed = Testbed::start("lossless", &["p1", "p2", "p3"]);
    support::run_cases(
        &bed,
        cases![
            each_edit_changes_only_what_it_names,
            dry_run_commands_give_the_same_profiles,
            an_edit_that_changes_nothing_does_nothing,
            two_profiles_for_one_interface_are_told_apart,
            a_bond_without_port_profiles_can_be_edited,
            killed_bondctl_is_rolled_back_by_nm,
        ],
    );
}

/// One nmcli-made profile set: the commands that build it, and the bond's name.
struct Fixture {
    bond: &'static str,
    commands: Vec<Vec<&'static str>>,
}

fn port(bond: &'static str, p: &'static str, id: &'static str) -> Vec<&'static str> {
    vec![
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        id,
        "ifname",
        p,
        "connection.master",
        bond,
        "connection.slave-type",
        "bond",
        "ethernet.wake-on-lan",
        "magic",
        "connection.autoconnect-priority",
        "5",
    ]
}

fn fixtures() -> Vec<Fixture> {
    vec![
        // Static, both families, two addresses and a gateway each, routes, DNS, zone, stable MAC.
        Fixture {
            bond: "bond0",
            commands: vec![
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
                    "mode=active-backup,miimon=100,primary=p1",
                    "ipv4.method",
                    "manual",
                    "ipv4.addresses",
                    "10.1.0.2/24,10.1.0.3/24",
                    "ipv4.gateway",
                    "10.1.0.1",
                    "ipv4.routes",
                    "10.9.0.0/16 10.1.0.254 20",
                    "ipv4.route-metric",
                    "50",
                    "ipv4.dns",
                    "10.1.0.53,10.1.0.54",
                    "ipv4.dns-search",
                    "example.org",
                    "ipv4.dns-options",
                    "rotate",
                    "ipv6.method",
                    "manual",
                    "ipv6.addresses",
                    "fd01::2/64,fd01::3/64",
                    "ipv6.gateway",
                    "fd01::1",
                    "ipv6.dns",
                    "fd01::53",
                    "ipv6.routes",
                    "fd09::/48 fd01::fe",
                    "connection.zone",
                    "trusted",
                    "ethernet.cloned-mac-address",
                    "stable",
                    "ethernet.accept-all-mac-addresses",
                    "true",
                    "connection.autoconnect-retries",
                    "3",
                ],
                port("bond0", "p1", "bond0-p1"),
                port("bond0", "p2", "bond0-p2"),
            ],
        },
        // DHCP beside a static extra address, permanent MAC, IPv6 dhcp, a DHCP timeout.
        Fixture {
            bond: "bond1",
            commands: vec![
                vec![
                    "connection",
                    "add",
                    "type",
                    "bond",
                    "con-name",
                    "bond1",
                    "ifname",
                    "bond1",
                    "bond.options",
                    "mode=balance-alb,miimon=100",
                    "ipv4.method",
                    "auto",
                    "ipv4.addresses",
                    "10.2.0.5/24",
                    "ipv4.gateway",
                    "10.2.0.1",
                    "ipv4.dhcp-timeout",
                    "42",
                    "ipv4.dhcp-client-id",
                    "mac",
                    "ipv6.method",
                    "dhcp",
                    "ipv6.addr-gen-mode",
                    "eui64",
                    "ethernet.cloned-mac-address",
                    "permanent",
                ],
                port("bond1", "p1", "bond1-p1"),
                port("bond1", "p2", "bond1-p2"),
            ],
        },
        // 802.3ad with numeric option forms, IPv6 ignored, an extra ethtool-ish key.
        Fixture {
            bond: "bond2",
            commands: vec![
                vec![
                    "connection",
                    "add",
                    "type",
                    "bond",
                    "con-name",
                    "bond2",
                    "ifname",
                    "bond2",
                    "bond.options",
                    "mode=4,lacp_rate=1,xmit_hash_policy=1,miimon=100,ad_select=2",
                    "ipv4.method",
                    "disabled",
                    "ipv6.method",
                    "ignore",
                    "ethernet.mtu",
                    "1400",
                    "connection.lldp",
                    "enable",
                ],
                port("bond2", "p1", "bond2-p1"),
                port("bond2", "p2", "bond2-p2"),
            ],
        },
    ]
}

/// Each edit, with the nmcli fields of the bond profile it may change.
fn edits(bond: &str) -> Vec<(Vec<String>, Vec<&'static str>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut out = vec![
        (s(&["--mtu", "9000"]), vec!["802-3-ethernet.mtu"]),
        (s(&["--option", "updelay=200"]), vec!["bond.options"]),
        (s(&["--remove-option", "miimon"]), vec!["bond.options"]),
        (s(&["--add-port", "p3"]), vec![]),
    ];
    match bond {
        "bond0" => {
            out.push((s(&["--gateway", "10.1.0.254"]), vec!["ipv4.gateway"]));
            out.push((s(&["--gateway", "fd01::fe"]), vec!["ipv6.gateway"]));
            out.push((s(&["--add-address", "10.1.0.9/24"]), vec!["ipv4.addresses"]));
            out.push((
                s(&["--mac", "random"]),
                vec!["802-3-ethernet.cloned-mac-address"],
            ));
        }
        "bond1" => {
            out.push((s(&["--gateway", "10.2.0.254"]), vec!["ipv4.gateway"]));
            out.push((s(&["--dns", "10.2.0.53"]), vec!["ipv4.dns"]));
        }
        _ => {
            out.push((s(&["--option", "lacp_rate=slow"]), vec!["bond.options"]));
        }
    }
    // Removing miimon leaves updelay without a monitor: an error, not an edit.
    out.retain(|(args, _)| !(bond == "bond2" && args[1] == "updelay=200"));
    out
}

fn build(bed: &Testbed, f: &Fixture) {
    for c in &f.commands {
        ok(&bed.nmcli(c));
    }
}

/// Every profile as `nmcli -t connection show` prints it, by profile name; runtime fields
/// (upper-case sections) and what differs between copies by nature (UUID, timestamp) aside.
fn snapshot(bed: &Testbed) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let list = ok(&bed.nmcli(&["-t", "-f", "NAME,UUID", "connection", "show"]));
    for line in list.lines() {
        let Some((name, uuid)) = line.rsplit_once(':') else {
            continue;
        };
        if name == "lo" {
            continue;
        }
        let o = bed.nmcli(&["-t", "connection", "show", uuid]);
        if !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("no such connection")
        {
            // Deleted between the list and now (a rollback is under way): not part of it.
            continue;
        }
        let text = ok(&o);
        let fields: BTreeMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| !k.starts_with(|c: char| c.is_ascii_uppercase()))
            .filter(|(k, _)| !matches!(*k, "connection.uuid" | "connection.timestamp"))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        out.insert(name.replace("\\:", ":"), fields);
    }
    out
}

fn bondctl_edit(
    bed: &Testbed,
    bond: &str,
    args: &[String],
    extra: &[&str],
) -> std::process::Output {
    let mut a: Vec<&str> = vec!["edit", bond];
    a.extend(args.iter().map(String::as_str));
    a.extend(extra);
    bed.bondctl(&a)
}

async fn each_edit_changes_only_what_it_names(bed: &Testbed) {
    for f in fixtures() {
        for (args, may_change) in edits(f.bond) {
            bed.reset();
            build(bed, &f);
            let before = snapshot(bed);
            let o = bondctl_edit(bed, f.bond, &args, &[]);
            ok(&o);
            let after = snapshot(bed);
            let mut changed = Vec::new();
            for (profile, fields) in &before {
                let now = after
                    .get(profile)
                    .unwrap_or_else(|| panic!("{args:?} on {}: {profile} is gone", f.bond));
                // Keys on either side: a section can appear (an MTU on a bond without one).
                for k in fields.keys().chain(now.keys()) {
                    let (was, is) = (fields.get(k), now.get(k));
                    if was != is
                        && !changed
                            .iter()
                            .any(|c: &String| c.starts_with(&format!("{profile} {k}:")))
                    {
                        changed.push(format!("{profile} {k}: {was:?} -> {is:?}"));
                        let allowed = profile == f.bond && may_change.contains(&k.as_str());
                        assert!(
                            allowed,
                            "{args:?} on {} changed {profile} {k}: {was:?} -> {is:?}",
                            f.bond
                        );
                    }
                }
            }
            let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
            if args[0] == "--add-port" {
                assert_eq!(new, [&format!("{}-p3", f.bond)], "{args:?}");
                let p3 = &after[&format!("{}-p3", f.bond)];
                assert_eq!(p3["connection.master"], f.bond);
                assert_eq!(p3["connection.slave-type"], "bond");
            } else {
                assert!(new.is_empty(), "{args:?} added {new:?}");
                assert!(
                    !changed.is_empty(),
                    "{args:?} on {} changed nothing",
                    f.bond
                );
            }
            println!("  {} {}: {}", f.bond, args.join(" "), changed.join("; "));
        }
    }
    // And the special MACs are shown as such.
    bed.reset();
    build(bed, &fixtures()[0]);
    let show = ok(&bed.bondctl(&["show", "bond0"]));
    assert!(show.contains("mac:      stable"), "{show}");
    assert!(
        show.contains("address 10.1.0.3/24") && show.contains("address fd01::3/64"),
        "{show}"
    );
    assert!(show.contains("gateway fd01::1"), "{show}");
}

async fn dry_run_commands_give_the_same_profiles(bed: &Testbed) {
    for f in fixtures() {
        for (args, _) in edits(f.bond) {
            // Copy one: the printed commands, run as printed.
            bed.reset();
            build(bed, &f);
            let dry = bondctl_edit(bed, f.bond, &args, &["--dry-run"]);
            let commands = ok(&dry);
            assert!(!commands.trim().is_empty(), "{args:?}: no commands");
            let o = Command::new("sh")
                .arg("-c")
                .arg(format!("set -e\n{commands}"))
                .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
                .output()
                .unwrap();
            ok(&o);
            let by_nmcli = snapshot(bed);
            // Copy two: the edit itself.
            bed.reset();
            build(bed, &f);
            ok(&bondctl_edit(bed, f.bond, &args, &[]));
            let by_bondctl = snapshot(bed);
            for (profile, fields) in &by_bondctl {
                let other = by_nmcli
                    .get(profile)
                    .unwrap_or_else(|| panic!("{args:?}: nmcli made no {profile}\n{commands}"));
                for (k, v) in fields {
                    assert_eq!(
                        other.get(k),
                        Some(v),
                        "{args:?} on {}: {profile} {k} differs\n{commands}",
                        f.bond
                    );
                }
            }
            assert_eq!(
                by_nmcli.keys().collect::<Vec<_>>(),
                by_bondctl.keys().collect::<Vec<_>>(),
                "{args:?}"
            );
            println!(
                "  {} {}: {}",
                f.bond,
                args.join(" "),
                commands.trim().replace('\n', " ; ")
            );
        }
    }
}

async fn an_edit_that_changes_nothing_does_nothing(bed: &Testbed) {
    let f = &fixtures()[2];
    build(bed, f);
    let before = snapshot(bed);
    // lacp_rate=1 is "fast" already: no change, no checkpoint, no Update2.
    let o = bed.bondctl(&["edit", "bond2", "--option", "lacp_rate=fast", "--dry-run"]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(ok(&o).trim().is_empty(), "commands for a no-op");
    assert!(err.contains("Nothing changes"), "{err}");
    let o = bed.bondctl(&[
        "edit",
        "bond2",
        "--option",
        "lacp_rate=fast",
        "--option",
        "xmit_hash_policy=layer3+4",
    ]);
    assert!(ok(&o).contains("Unchanged bond2"), "{}", ok(&o));
    assert_eq!(snapshot(bed), before);
}

/// nmcli makes a bond without port profiles; an edit must not demand a port the bond never
/// had (it used to fail with "A bond needs at least one port").
async fn a_bond_without_port_profiles_can_be_edited(bed: &Testbed) {
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond4",
        "ifname",
        "bond4",
        "bond.options",
        "mode=active-backup,miimon=100",
        "ipv4.method",
        "disabled",
        "ipv6.method",
        "disabled",
        "connection.autoconnect",
        "no",
    ]));
    let before = snapshot(bed);
    let o = bed.bondctl(&["edit", "bond4", "--mtu", "9000", "--no-activate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let after = snapshot(bed);
    // Every setting the profile had is as it was; the MTU is new (with the Ethernet
    // section it lives in, which nmcli prints with its defaults).
    for (k, v) in &before["bond4"] {
        assert_eq!(after["bond4"].get(k), Some(v), "{k} changed");
    }
    assert_eq!(after["bond4"]["802-3-ethernet.mtu"], "9000");
    assert_eq!(after.len(), before.len(), "no port profile appeared");
}

async fn two_profiles_for_one_interface_are_told_apart(bed: &Testbed) {
    for id in ["bond0-a", "bond0-b"] {
        ok(&bed.nmcli(&[
            "connection",
            "add",
            "type",
            "bond",
            "con-name",
            id,
            "ifname",
            "bond0",
            "bond.options",
            "mode=active-backup",
            "ipv4.method",
            "disabled",
            "ipv6.method",
            "disabled",
            "connection.autoconnect",
            "no",
        ]));
    }
    let uuid_b = bed.nmcli_get("bond0-b", "connection.uuid");
    let nm = bed.client().await;
    let bonds = nm.list_bonds().await.unwrap();
    assert_eq!(bonds.iter().filter(|b| b.name() == "bond0").count(), 2);
    // By name: ambiguous, and said so.
    let o = bed.bondctl(&["edit", "bond0", "--mtu", "9000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give the UUID"));
    // By UUID: that one only, and a new port names it by UUID.
    ok(&bed.bondctl(&[
        "edit",
        &uuid_b,
        "--mtu",
        "9000",
        "--add-port",
        "p1",
        "--no-activate",
    ]));
    assert_eq!(bed.nmcli_get("bond0-b", "802-3-ethernet.mtu"), "9000");
    assert!(matches!(
        bed.nmcli_get("bond0-a", "802-3-ethernet.mtu").as_str(),
        "" | "auto"
    ));
    assert_eq!(bed.nmcli_get("bond0-p1", "connection.master"), uuid_b);
    let bonds = nm.list_bonds().await.unwrap();
    let ports = |id: &str| {
        bonds
            .iter()
            .find(|b| b.settings.id == id)
            .unwrap()
            .ports
            .len()
    };
    assert_eq!((ports("bond0-a"), ports("bond0-b")), (0, 1));
}

/// Starts `bondctl ARGS`, kills it with SIGKILL once its progress output shows `step`, and
/// returns how long NM took to leave nothing behind.
fn kill_at(bed: &Testbed, args: &[&str], step: &str) -> Duration {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(support::bondctl_path())
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        // Keep the change pending long enough to be killed at each step.
        .env("BONDCTL_STEP_DELAY_MS", "400")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in err.lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains(step) {
            break;
        }
    }
    child.kill().unwrap();
    let killed = Instant::now();
    child.wait().unwrap();
    assert!(
        seen.iter().any(|l| l.contains(step)),
        "bondctl never reached '{step}': {seen:?}"
    );
    killed.elapsed()
}

async fn killed_bondctl_is_rolled_back_by_nm(bed: &Testbed) {
    let nm = bed.client().await;
    // Uncached: NM announces no change of `Checkpoints`.
    let proxy = bondkit::nm::proxies::NetworkManagerProxy::builder(nm.connection())
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .unwrap();
    let create = [
        "create",
        "bond5",
        "--mode",
        "active-backup",
        "--port",
        "p1",
        "--port",
        "p2",
        "--ipv4",
        "disabled",
        "--ipv6",
        "disabled",
        "--no-activate",
    ];
    // Each progress line is printed before its step (and bondctl waits there, see
    // BONDCTL_STEP_DELAY_MS), so killing at a line kills right after the step before it.
    let steps = [
        "Adding the bond profile",          // right after the checkpoint
        "Adding the port profile bond5-p1", // after the bond profile was added
        "Adding the port profile bond5-p2", // after the first port profile
        "Keeping the change",               // after the last port profile
    ];
    for step in steps {
        bed.reset();
        let t0 = kill_at(bed, &create, step);
        let start = Instant::now() - t0;
        // NM's own timer, with nobody alive to extend it.
        let mut left = bed.profiles();
        while (!left.is_empty() || !proxy.checkpoints().await.unwrap().is_empty())
            && start.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
            left = bed.profiles();
        }
        let took = start.elapsed();
        println!(
            "  create killed after '{step}': NM rolled back in {:.1} s",
            took.as_secs_f64()
        );
        assert!(
            left.is_empty(),
            "after '{step}': {left:?} left after {took:?}"
        );
        assert!(proxy.checkpoints().await.unwrap().is_empty());
        // And the next create succeeds.
        let mut a: Vec<&str> = create.to_vec();
        a.retain(|x| *x != "--no-activate");
        a.push("--no-activate");
        ok(&bed.bondctl(&a));
    }
    // An edit killed at each step. NM restores a profile's content only for devices that
    // ran it when the checkpoint was taken; this bond is inactive (no bonding driver here),
    // so after the update only the new port profile is NM's to remove. The VM test covers
    // an active bond.
    let f = &fixtures()[0];
    for step in [
        "Updating the bond profile",
        "Adding the port profile bond0-p3",
        "Keeping the change",
    ] {
        bed.reset();
        build(bed, f);
        let before = snapshot(bed);
        let t0 = kill_at(
            bed,
            &[
                "edit",
                "bond0",
                "--mtu",
                "9000",
                "--add-port",
                "p3",
                "--no-activate",
            ],
            step,
        );
        let start = Instant::now() - t0;
        let settled =
            |now: &BTreeMap<String, BTreeMap<String, String>>| now.keys().eq(before.keys());
        while (!settled(&snapshot(bed)) || !proxy.checkpoints().await.unwrap().is_empty())
            && start.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let took = start.elapsed();
        let now = snapshot(bed);
        println!(
            "  edit killed at '{step}': NM rolled back in {:.1} s; bond0 MTU now {}",
            took.as_secs_f64(),
            now["bond0"]
                .get("802-3-ethernet.mtu")
                .map_or("auto", String::as_str)
        );
        assert!(
            proxy.checkpoints().await.unwrap().is_empty(),
            "checkpoint left"
        );
        assert!(
            settled(&now),
            "after '{step}': {:?} left",
            now.keys().collect::<Vec<_>>()
        );
        for (profile, fields) in &before {
            for (k, v) in fields {
                if (profile.as_str(), k.as_str()) != ("bond0", "802-3-ethernet.mtu") {
                    assert_eq!(
                        now[profile].get(k),
                        Some(v),
                        "after '{step}': {profile} {k}"
                    );
                }
            }
        }
        ok(&bed.bondctl(&[
            "edit",
            "bond0",
            "--mtu",
            "9000",
            "--add-port",
            "p3",
            "--no-activate",
        ]));
    }
}
