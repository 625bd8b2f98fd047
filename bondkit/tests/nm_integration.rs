//! bondkit and bondctl against a real NetworkManager (test bed A), with nmcli as the peer
//! that reads back what was written. This host kernel cannot activate bonds, so bonds here
//! are created with --no-activate; activation itself is tested in the VM tier.

mod support;

use bondkit::model::{BondConfig, Family, IpAddress};
use bondkit::nm::{ApplyOptions, BondEdit, NmError};
use support::{map, ok, option_map, Testbed};

const PORTS: &[&str] = &["p1", "p2", "p3", "p4"];

fn main() {
    let bed = Testbed::start("integration", PORTS);
    support::run_cases(
        &bed,
        cases![
            reports_version_and_devices,
            every_mode_with_representative_options,
            ip_settings_read_back_by_nmcli,
            dhcp_and_disabled_ip_read_back,
            nmcli_made_bond_read_by_bondkit,
            edit_keeps_keys_bondsmith_does_not_model,
            edit_ports_and_mode,
            delete_removes_ports,
            missing_port_device_leaves_nothing,
            failed_activation_rolls_back_everything,
            invalid_input_is_refused_before_nm,
            polkit_denial_is_a_sentence,
            nm_not_running_is_a_sentence,
            dry_run_matches_what_nmcli_builds,
            list_and_show_json,
            port_settings_are_written_read_and_gated,
        ],
    );
}

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_clean(bed: &Testbed) {
    assert_eq!(bed.profiles(), Vec::<String>::new(), "profiles left behind");
}

async fn reports_version_and_devices(bed: &Testbed) {
    let nm = bed.client().await;
    let nmcli_version = bed.nmcli(&["-g", "version", "general"]);
    assert_eq!(nm.version().to_string(), ok(&nmcli_version).trim());
    let devices = nm.devices().await.unwrap();
    for p in PORTS {
        let d = devices
            .iter()
            .find(|d| d.interface == *p)
            .unwrap_or_else(|| panic!("{p} missing"));
        assert!(d.can_be_port, "{p} should be usable as a port");
        assert_eq!(
            d.carrier,
            Some(true),
            "{p} has a peer on the bridge, so it has carrier"
        );
    }
}

async fn every_mode_with_representative_options(bed: &Testbed) {
    let cases: &[(&str, &[&str])] = &[
        (
            "balance-rr",
            &["miimon=100", "packets_per_slave=2", "resend_igmp=3"],
        ),
        (
            "active-backup",
            &[
                "miimon=100",
                "primary=p1",
                "primary_reselect=better",
                "fail_over_mac=active",
                "updelay=200",
                "downdelay=200",
            ],
        ),
        ("balance-xor", &["miimon=50", "xmit_hash_policy=layer2+3"]),
        (
            "broadcast",
            &[
                "miimon=0",
                "arp_interval=200",
                "arp_ip_target=10.77.0.1",
                "arp_validate=all",
                "arp_all_targets=all",
            ],
        ),
        (
            "802.3ad",
            &[
                "miimon=100",
                "lacp_rate=fast",
                "xmit_hash_policy=layer3+4",
                "ad_select=bandwidth",
                "ad_actor_sys_prio=100",
                "min_links=1",
            ],
        ),
        (
            "balance-tlb",
            &[
                "miimon=100",
                "tlb_dynamic_lb=0",
                "primary=p2",
                "lp_interval=2",
            ],
        ),
        (
            "balance-alb",
            &[
                "miimon=100",
                "num_grat_arp=3",
                "num_unsol_na=3",
                "peer_notif_delay=200",
            ],
        ),
    ];
    for (mode, opts) in cases {
        let mut args = vec![
            "create",
            "bondm",
            "--mode",
            mode,
            "--port",
            "p1",
            "--port",
            "p2",
            "--no-activate",
        ];
        for o in *opts {
            args.extend(["--option", o]);
        }
        ok(&bed.bondctl(&args));
        let mut expected = option_map(&opts.join(","));
        expected.insert("mode".into(), mode.to_string());
        assert_eq!(
            option_map(&bed.nmcli_get("bondm", "bond.options")),
            expected,
            "mode {mode}"
        );
        assert_eq!(
            bed.nmcli_get("bondm", "connection.autoconnect-slaves"),
            "1",
            "mode {mode}"
        );
        assert_eq!(bed.nmcli_get("bondm", "connection.type"), "bond");
        for p in ["p1", "p2"] {
            let id = format!("bondm-{p}");
            assert_eq!(bed.nmcli_get(&id, "connection.master"), "bondm", "{id}");
            assert_eq!(bed.nmcli_get(&id, "connection.slave-type"), "bond", "{id}");
            assert_eq!(bed.nmcli_get(&id, "connection.interface-name"), p);
        }
        ok(&bed.bondctl(&["delete", "bondm"]));
    }
    assert_clean(bed);
}

async fn ip_settings_read_back_by_nmcli(bed: &Testbed) {
    ok(&bed.bondctl(&[
        "create",
        "bond0",
        "--mode",
        "active-backup",
        "--port",
        "p1",
        "--port",
        "p2",
        "--option",
        "miimon=100",
        "--ipv4",
        "10.77.0.10/24",
        "--gateway",
        "10.77.0.1",
        "--dns",
        "10.77.0.1",
        "--dns",
        "fd77::53",
        "--ipv6",
        "fd77::10/64",
        "--mtu",
        "9000",
        "--mac",
        "52:54:00:aa:bb:cc",
        "--no-activate",
    ]));
    let get = |f| bed.nmcli_get("bond0", f);
    assert_eq!(get("ipv4.method"), "manual");
    assert_eq!(get("ipv4.addresses"), "10.77.0.10/24");
    assert_eq!(get("ipv4.gateway"), "10.77.0.1");
    assert_eq!(get("ipv4.dns"), "10.77.0.1");
    assert_eq!(get("ipv6.method"), "manual");
    assert_eq!(get("ipv6.addresses"), "fd77::10/64");
    assert_eq!(get("ipv6.dns"), "fd77::53");
    assert_eq!(get("802-3-ethernet.mtu"), "9000");
    assert_eq!(
        get("802-3-ethernet.cloned-mac-address"),
        "52:54:00:AA:BB:CC"
    );
    ok(&bed.bondctl(&["delete", "bond0"]));
    assert_clean(bed);
}

async fn dhcp_and_disabled_ip_read_back(bed: &Testbed) {
    ok(&bed.bondctl(&[
        "create",
        "bond1",
        "--mode",
        "1",
        "--port",
        "p3",
        "--ipv4",
        "dhcp",
        "--ipv6",
        "disabled",
        "--no-activate",
    ]));
    assert_eq!(bed.nmcli_get("bond1", "ipv4.method"), "auto");
    assert_eq!(bed.nmcli_get("bond1", "ipv6.method"), "disabled");
    assert_eq!(
        bed.nmcli_get("bond1", "bond.options"),
        "mode=active-backup",
        "numeric mode is stored by name"
    );
    ok(&bed.bondctl(&["edit", "bond1", "--ipv4", "disabled"]));
    assert_eq!(bed.nmcli_get("bond1", "ipv4.method"), "disabled");
    ok(&bed.bondctl(&["delete", "bond1"]));
    assert_clean(bed);
}

async fn nmcli_made_bond_read_by_bondkit(bed: &Testbed) {
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "uplink",
        "ifname",
        "bond7",
        "bond.options",
        "mode=802.3ad,miimon=100,lacp_rate=fast,ad_select=count",
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.77.0.20/24",
        "ipv4.gateway",
        "10.77.0.1",
    ]));
    // One port names its bond by interface, the other by UUID: NM takes both.
    let uuid = bed.nmcli_get("uplink", "connection.uuid");
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "uplink-a",
        "ifname",
        "p3",
        "master",
        "bond7",
    ]));
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "uplink-b",
        "ifname",
        "p4",
        "master",
        &uuid,
    ]));
    let nm = bed.client().await;
    let bond = nm.find_bond("bond7").await.unwrap();
    assert_eq!(bond.settings.id, "uplink");
    assert_eq!(
        bond.settings.options,
        map(&[
            ("mode", "802.3ad"),
            ("miimon", "100"),
            ("lacp_rate", "fast"),
            ("ad_select", "count")
        ])
    );
    assert_eq!(
        bond.settings.ipv4.addresses,
        IpAddress::parse_list("10.77.0.20/24", Family::V4).unwrap()
    );
    assert_eq!(bond.settings.ipv4.method.as_str(), "manual");
    assert_eq!(
        bond.settings.ipv4.gateway,
        Some("10.77.0.1".parse().unwrap())
    );
    let mut ports: Vec<&str> = bond.ports.iter().map(|p| p.interface.as_str()).collect();
    ports.sort();
    assert_eq!(ports, ["p3", "p4"]);
    assert_eq!(
        nm.find_bond("uplink").await.unwrap().settings.uuid,
        uuid,
        "found by profile name too"
    );
    ok(&bed.bondctl(&["delete", "uplink"]));
    assert_clean(bed);
}

async fn edit_keeps_keys_bondsmith_does_not_model(bed: &Testbed) {
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond5",
        "ifname",
        "bond5",
        "bond.options",
        "mode=active-backup,miimon=100,resend_igmp=5,all_slaves_active=1,num_grat_arp=4",
        "connection.zone",
        "work",
        "connection.autoconnect-priority",
        "7",
        "ipv4.method",
        "auto",
        "ipv4.dhcp-timeout",
        "42",
        "ipv4.route-metric",
        "300",
        "ipv6.addr-gen-mode",
        "eui64",
        "ethernet.wake-on-lan",
        "magic",
    ]));
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "bond5-p1",
        "ifname",
        "p1",
        "master",
        "bond5",
    ]));
    ok(&bed.bondctl(&["edit", "bond5", "--option", "miimon=250", "--mtu", "1400"]));
    let get = |f| bed.nmcli_get("bond5", f);
    assert_eq!(
        option_map(&get("bond.options")),
        map(&[
            ("mode", "active-backup"),
            ("miimon", "250"),
            ("resend_igmp", "5"),
            ("all_slaves_active", "1"),
            ("num_grat_arp", "4"),
        ])
    );
    assert_eq!(get("connection.zone"), "work");
    assert_eq!(get("connection.autoconnect-priority"), "7");
    assert_eq!(get("ipv4.dhcp-timeout"), "42");
    assert_eq!(get("ipv4.route-metric"), "300");
    assert_eq!(get("ipv6.addr-gen-mode"), "eui64");
    assert_eq!(get("802-3-ethernet.wake-on-lan"), "magic");
    assert_eq!(get("802-3-ethernet.mtu"), "1400");
    // Removing an option lets the kernel default apply; the other keys still stand.
    ok(&bed.bondctl(&["edit", "bond5", "--remove-option", "resend_igmp"]));
    assert_eq!(
        option_map(&get("bond.options")),
        map(&[
            ("mode", "active-backup"),
            ("miimon", "250"),
            ("all_slaves_active", "1"),
            ("num_grat_arp", "4"),
        ])
    );
    assert_eq!(get("connection.zone"), "work");
    ok(&bed.bondctl(&["delete", "bond5"]));
    assert_clean(bed);
}

async fn edit_ports_and_mode(bed: &Testbed) {
    let nm = bed.client().await;
    let mut cfg = BondConfig::new("bond6", "802.3ad");
    cfg.options.insert("lacp_rate".into(), "fast".into());
    cfg.ports = vec!["p1".into(), "p2".into()];
    let opts = ApplyOptions {
        activate: false,
        ..Default::default()
    };
    nm.create_bond(&cfg, &opts, &|_| {}).await.unwrap();
    let edit = BondEdit {
        add_ports: vec!["p3".into()],
        remove_ports: vec!["p1".into()],
        ..Default::default()
    };
    nm.edit_bond("bond6", &edit, &opts, &|_| {}).await.unwrap();
    let mut ports: Vec<String> = nm
        .find_bond("bond6")
        .await
        .unwrap()
        .ports
        .into_iter()
        .map(|p| p.interface)
        .collect();
    ports.sort();
    assert_eq!(ports, ["p2", "p3"]);
    assert!(!bed.profiles().contains(&"bond6-p1".to_string()));
    // Switching to active-backup: lacp_rate no longer applies, so it goes, and the user is told.
    let edit = BondEdit {
        mode: Some("active-backup".into()),
        ..Default::default()
    };
    let report = nm.edit_bond("bond6", &edit, &opts, &|_| {}).await.unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w == "Switching the mode removes lacp_rate, which only applies to 802.3ad."),
        "{:?}",
        report.warnings
    );
    assert_eq!(bed.nmcli_get("bond6", "bond.options"), "mode=active-backup");
    // Removing a port that is not there is a clear not-found.
    let edit = BondEdit {
        remove_ports: vec!["p4".into()],
        ..Default::default()
    };
    let err = nm
        .edit_bond("bond6", &edit, &opts, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NmError::NotFound("p4 is not a port of bond6; its ports are: p2, p3.".into())
    );
    nm.delete_bond("bond6", &|_| {}).await.unwrap();
    assert_clean(bed);
}

async fn delete_removes_ports(bed: &Testbed) {
    ok(&bed.bondctl(&[
        "create",
        "bond2",
        "--mode",
        "balance-xor",
        "--port",
        "p1",
        "--port",
        "p2",
        "--no-activate",
    ]));
    assert_eq!(bed.profiles().len(), 3);
    assert_eq!(bed.keyfiles().len(), 3, "profiles are saved to disk");
    let out = ok(&bed.bondctl(&["delete", "bond2", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["deleted"],
        serde_json::json!(["bond2-p1", "bond2-p2", "bond2"])
    );
    assert_clean(bed);
    assert!(
        bed.keyfiles().is_empty(),
        "keyfiles left: {:?}",
        bed.keyfiles()
    );
    let o = bed.bondctl(&["delete", "bond2"]);
    assert_eq!(code(&o), 4);
    assert_eq!(
        stderr(&o).trim(),
        "bondctl: There is no bond named bond2; there are no bond profiles yet."
    );
}

async fn missing_port_device_leaves_nothing(bed: &Testbed) {
    let o = bed.bondctl(&[
        "create",
        "bond3",
        "--mode",
        "active-backup",
        "--port",
        "p1",
        "--port",
        "eno9",
        "--no-activate",
    ]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("There is no network device named eno9; pick one of: p1, p2, p3, p4."),
        "{}",
        stderr(&o)
    );
    assert_clean(bed);
}

async fn failed_activation_rolls_back_everything(bed: &Testbed) {
    // The bond and both ports are added, then activation fails (no bonding driver on this
    // kernel): a real failure part-way through. Everything must be gone afterwards.
    let o = bed.bondctl(&[
        "create",
        "bond4",
        "--mode",
        "802.3ad",
        "--port",
        "p1",
        "--port",
        "p2",
        "--option",
        "lacp_rate=fast",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("Adding the port profile bond4-p2") && err.contains("Rolling back"),
        "{err}"
    );
    assert!(
        err.contains("bondctl: Could not activate bond4: this kernel has no bonding driver"),
        "{err}"
    );
    assert_clean(bed);
    assert!(
        bed.keyfiles().is_empty(),
        "keyfiles left: {:?}",
        bed.keyfiles()
    );
    let checkpoints = bed.nmcli(&["-g", "all", "general"]);
    ok(&checkpoints);
    let nm = bed.client().await;
    let cps = bondkit::nm::proxies::NetworkManagerProxy::new(nm.connection())
        .await
        .unwrap()
        .checkpoints()
        .await
        .unwrap();
    assert!(cps.is_empty(), "checkpoint left behind: {cps:?}");
}

async fn invalid_input_is_refused_before_nm(bed: &Testbed) {
    let cases: &[(&[&str], &str)] = &[
        (&["create", "bond3", "--mode", "balance-rr", "--port", "p1", "--option", "lacp_rate=fast"],
         "bondctl: lacp_rate only works in mode 802.3ad; remove it or switch the mode to 802.3ad."),
        (&["create", "bond3", "--mode", "lacp", "--port", "p1"],
         "bondctl: mode must be one of balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb; 'lacp' is not."),
        (&["create", "bond3", "--mode", "1", "--port", "p1", "--ipv4", "10.0.0.300/24"],
         "bondctl: '10.0.0.300/24' is not an IPv4 address with its prefix; write it like 192.168.10.20/24."),
        (&["create", "bond3", "--mode", "1", "--port", "p1", "--option", "lacp_active=on"],
         "bondctl: lacp_active needs NetworkManager 1.44 or newer, and this system runs 1.42.4; remove it or upgrade NetworkManager."),
        (&["create", "bond3", "--mode", "1"],
         "bondctl: A bond needs at least one port: pick one, for example eno1."),
    ];
    for (args, message) in cases {
        let o = bed.bondctl(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).trim(), *message, "{args:?}");
        assert!(!stderr(&o).contains("Error {") && !stderr(&o).contains("panicked"));
    }
    assert_clean(bed);
}

async fn polkit_denial_is_a_sentence(bed: &Testbed) {
    // The test bed's NM lets only root change settings (auth-polkit=root-only), as polkit
    // does for a user without admin rights: run bondctl as nobody and get NM's real refusal.
    let exe = std::env::temp_dir().join(format!("bondctl-nobody-{}", std::process::id()));
    std::fs::copy(support::bondctl_path(), &exe).unwrap();
    let o = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args([
            "create",
            "bond3",
            "--mode",
            "active-backup",
            "--port",
            "p1",
            "--no-activate",
        ])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&exe);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bondctl: You are not allowed to change network settings"),
        "{}",
        stderr(&o)
    );
    // The terminal hint is bondctl's own; bondkit's sentence (also the GUI's) has none.
    assert!(stderr(&o).contains("run bondctl as root"), "{}", stderr(&o));
    assert_clean(bed);
}

async fn nm_not_running_is_a_sentence(_bed: &Testbed) {
    let o = std::process::Command::new(support::bondctl_path())
        .arg("list")
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            "unix:path=/nonexistent/bondsmith-test-socket",
        )
        .output()
        .unwrap();
    assert_eq!(code(&o), 3);
    assert_eq!(stderr(&o).trim(), "bondctl: NetworkManager is not running or not reachable on the system bus; start it (systemctl start NetworkManager) and try again.");
}

async fn dry_run_matches_what_nmcli_builds(bed: &Testbed) {
    // The review text is only worth something if running it gives the same profiles.
    let args = [
        "create",
        "bond8",
        "--mode",
        "802.3ad",
        "--port",
        "p1",
        "--port",
        "p2",
        "--option",
        "lacp_rate=fast",
        "--option",
        "xmit_hash_policy=layer3+4",
        "--ipv4",
        "10.77.0.30/24",
        "--gateway",
        "10.77.0.1",
        "--dns",
        "10.77.0.1",
        "--mtu",
        "9000",
    ];
    let mut dry = args.to_vec();
    dry.extend(["--dry-run", "--no-activate"]);
    let script = ok(&bed.bondctl(&dry));
    assert_eq!(bed.profiles().len(), 0, "a dry run touches nothing");
    for line in script.lines() {
        let words = shell_words(line);
        assert_eq!(words[0], "nmcli");
        ok(&bed.nmcli(&words[1..].iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let fields = "bond.options,connection.autoconnect-slaves,ipv4.method,ipv4.addresses,ipv4.gateway,ipv4.dns,ipv6.method,802-3-ethernet.mtu";
    let by_nmcli = bed.nmcli_get("bond8", fields);
    let port_fields = "connection.master,connection.slave-type,connection.interface-name";
    let ports_by_nmcli = [
        bed.nmcli_get("bond8-p1", port_fields),
        bed.nmcli_get("bond8-p2", port_fields),
    ];
    ok(&bed.bondctl(&["delete", "bond8"]));
    let mut real = args.to_vec();
    real.push("--no-activate");
    ok(&bed.bondctl(&real));
    assert_eq!(bed.nmcli_get("bond8", fields), by_nmcli);
    assert_eq!(
        [
            bed.nmcli_get("bond8-p1", port_fields),
            bed.nmcli_get("bond8-p2", port_fields)
        ],
        ports_by_nmcli
    );
    ok(&bed.bondctl(&["delete", "bond8"]));
    // An invalid dry run exits 2 with the sentence, and prints no commands.
    let o = bed.bondctl(&[
        "create",
        "bond8",
        "--mode",
        "balance-alb",
        "--port",
        "p1",
        "--option",
        "arp_interval=100",
        "--dry-run",
    ]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).starts_with("bondctl: arp_interval cannot be used in mode balance-alb"),
        "{}",
        stderr(&o)
    );
    assert_clean(bed);
}

/// Splits a line the way a POSIX shell would for our quoting (plain words and '...').
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut has = false;
    for c in line.chars() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                has = true;
            }
            ' ' if !in_quote => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            '\\' if !in_quote => {}
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        words.push(cur);
    }
    words
}

async fn list_and_show_json(bed: &Testbed) {
    ok(&bed.bondctl(&[
        "create",
        "bond0",
        "--mode",
        "active-backup",
        "--port",
        "p1",
        "--port",
        "p2",
        "--option",
        "miimon=100",
        "--no-activate",
    ]));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&bed.bondctl(&["list", "--json"]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["interface"], "bond0");
    assert_eq!(
        list[0]["options"],
        serde_json::json!({"mode": "active-backup", "miimon": "100"})
    );
    assert_eq!(list[0]["ports"].as_array().unwrap().len(), 2);
    let show: serde_json::Value =
        serde_json::from_str(&ok(&bed.bondctl(&["show", "bond0", "--json"]))).unwrap();
    assert_eq!(
        show["uuid"].as_str().unwrap(),
        bed.nmcli_get("bond0", "connection.uuid")
    );
    let text = ok(&bed.bondctl(&["list"]));
    assert!(
        text.starts_with("NAME") && text.contains("bond0  active-backup  p1, p2"),
        "{text}"
    );
    ok(&bed.bondctl(&["delete", "bond0"]));
    assert_clean(bed);
}

/// Issue 10: bond-port settings. queue-id reaches the port profile (read back by nmcli) and
/// an edit changes one port's key without touching the rest; prio is refused on a
/// NetworkManager older than 1.42.8, before anything is created, and NM itself agrees.
async fn port_settings_are_written_read_and_gated(bed: &Testbed) {
    ok(&bed.bondctl(&[
        "create",
        "bondq",
        "--mode",
        "active-backup",
        "--port",
        "p1:queue-id=2",
        "--port",
        "p2",
        "--option",
        "miimon=100",
        "--no-activate",
    ]));
    assert_eq!(bed.nmcli_get("bondq-p1", "bond-port.queue-id"), "2");
    // A port given no settings gets NM's defaults: an empty bond-port setting, as nmcli
    // makes a bond port (so the exported nmcli script makes an equal profile).
    assert_eq!(bed.nmcli_get("bondq-p2", "bond-port.queue-id"), "0");
    assert_eq!(
        bed.nmcli_get("bondq-p2", "bond-port.queue-id"),
        {
            ok(&bed.nmcli(&[
                "connection",
                "add",
                "type",
                "ethernet",
                "con-name",
                "by-nmcli",
                "ifname",
                "p3",
                "master",
                "bondq",
                "slave-type",
                "bond",
                "connection.autoconnect",
                "no",
            ]));
            let v = bed.nmcli_get("by-nmcli", "bond-port.queue-id");
            ok(&bed.nmcli(&["connection", "delete", "by-nmcli"]));
            v
        },
        "as nmcli makes it"
    );
    let nm = bed.client().await;
    let bond = nm.find_bond("bondq").await.unwrap();
    let cfg = bond.to_config();
    assert_eq!(cfg.port_settings["p1"].queue_id, Some(2));

    let dry = ok(&bed.bondctl(&[
        "edit",
        "bondq",
        "--port-setting",
        "p2:queue-id=5",
        "--dry-run",
    ]));
    assert!(
        dry.contains("nmcli connection modify bondq-p2 bond-port.queue-id 5"),
        "{dry}"
    );
    let options_before = bed.nmcli_get("bondq", "bond.options");
    ok(&bed.bondctl(&["edit", "bondq", "--port-setting", "p2:queue-id=5"]));
    assert_eq!(bed.nmcli_get("bondq-p2", "bond-port.queue-id"), "5");
    assert_eq!(bed.nmcli_get("bondq-p1", "bond-port.queue-id"), "2");
    assert_eq!(bed.nmcli_get("bondq", "bond.options"), options_before);

    let bad = bed.bondctl(&["edit", "bondq", "--port-setting", "p4:queue-id=1"]);
    assert_eq!(code(&bad), 2, "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("p4 has port settings but is not one of the bond's ports"),
        "{}",
        stderr(&bad)
    );
    ok(&bed.bondctl(&["delete", "bondq"]));

    let version = nm.version();
    let prio = bed.bondctl(&[
        "create",
        "bondp",
        "--mode",
        "active-backup",
        "--port",
        "p1:prio=10",
        "--no-activate",
    ]);
    if version < bondkit::model::NmVersion::new(1, 42, 8) {
        assert_eq!(code(&prio), 2, "{}", stderr(&prio));
        assert!(
            stderr(&prio).contains(&format!(
                "bond-port.prio needs NetworkManager 1.42.8 or newer, and this system runs {version}"
            )),
            "{}",
            stderr(&prio)
        );
        assert_clean(bed);
        // The gate agrees with the daemon: this NM does not know the property.
        let o = bed.nmcli(&[
            "connection",
            "add",
            "type",
            "ethernet",
            "con-name",
            "x",
            "ifname",
            "p1",
            "connection.master",
            "bondp",
            "connection.slave-type",
            "bond",
            "bond-port.prio",
            "10",
        ]);
        assert!(!o.status.success(), "NM {version} took bond-port.prio");
        assert_clean(bed);
    } else {
        ok(&prio);
        assert_eq!(bed.nmcli_get("bondp-p1", "bond-port.prio"), "10");
        ok(&bed.bondctl(&["delete", "bondp"]));
    }
    let bad = bed.bondctl(&[
        "create",
        "bondp",
        "--mode",
        "active-backup",
        "--port",
        "p1:queue-id=99999",
    ]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("bond-port.queue-id must be a whole number from 0 to 65535"),
        "{}",
        stderr(&bad)
    );
    assert_clean(bed);
}
