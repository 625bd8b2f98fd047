//! Bonding the connection you are on (`bondctl create --adopt`): a port that runs a static
//! profile, and one that runs DHCP from a server on the switch side (busybox udhcpd). After
//! the take-over the bond holds the same address (the lease included: the bond takes the
//! port's MAC), the gateway answers, and the outage measured meanwhile is printed. Undoing
//! the pending change (what declining the keep dialog does) brings the original profile
//! back, running on its port.

use super::support::{ok, Testbed};
use super::wait_for;
use bondkit::nm::ApplyOptions;
use std::process::{Command, Output};
use std::time::Duration;

fn in_ns(bed: &Testbed, program: &str, args: &[&str]) -> Output {
    Command::new("ip")
        .args(["netns", "exec", &bed.netns(), program])
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .output()
        .unwrap()
}

fn ipv4_of(bed: &Testbed, dev: &str) -> String {
    super::support::ipv4_of(Some(&bed.netns()), dev)
}

fn gateway_answers(bed: &Testbed) -> bool {
    in_ns(bed, "ping", &["-c", "1", "-W", "2", "10.77.0.1"])
        .status
        .success()
}

fn adopt(bed: &Testbed, name: &str) -> String {
    let bondctl = super::support::bondctl_path();
    ok(&in_ns(
        bed,
        bondctl.to_str().unwrap(),
        &[
            "create",
            name,
            "--mode",
            "active-backup",
            "--port",
            "eno1",
            "--port",
            "eno2",
            "--option",
            "miimon=100",
            "--adopt",
            "eno1",
            "--timeout",
            "40",
        ],
    ))
}

fn lan_profile(bed: &Testbed, args: &[&str]) {
    let mut a = vec![
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "lan",
        "ifname",
        "eno1",
        "ipv6.method",
        "disabled",
    ];
    a.extend(args);
    ok(&bed.nmcli(&a));
    ok(&bed.nmcli(&["--wait", "30", "connection", "up", "lan"]));
}

pub async fn adopting_a_static_connection_keeps_its_address(bed: &Testbed) {
    lan_profile(
        bed,
        &[
            "ipv4.method",
            "manual",
            "ipv4.addresses",
            "10.77.0.50/24",
            "ipv4.gateway",
            "10.77.0.1",
        ],
    );
    assert_eq!(ipv4_of(bed, "eno1"), "10.77.0.50/24");
    let out = adopt(bed, "bond6");
    println!("    {}", out.lines().last().unwrap_or(""));
    assert!(out.contains("took over eno1's connection \"lan\""), "{out}");
    assert!(out.contains("was gone for"), "{out}");
    assert_eq!(
        ipv4_of(bed, "bond6"),
        "10.77.0.50/24",
        "the bond holds the address"
    );
    assert!(gateway_answers(bed), "the gateway answers through the bond");
    assert_eq!(bed.nmcli_get("lan", "connection.autoconnect"), "no");
    assert_eq!(bed.nmcli_get("bond6", "ipv4.gateway"), "10.77.0.1");
}

pub async fn adopting_a_dhcp_connection_keeps_its_lease(bed: &Testbed) {
    let dir = std::env::temp_dir().join("bsm-udhcpd");
    let _ = std::fs::create_dir_all(&dir);
    std::fs::write(dir.join("leases"), "").unwrap();
    std::fs::write(
        dir.join("udhcpd.conf"),
        format!(
            "interface br0\nstart 10.77.0.100\nend 10.77.0.199\noption subnet 255.255.255.0\noption router 10.77.0.1\noption lease 3600\nlease_file {}\n",
            dir.join("leases").display()
        ),
    )
    .unwrap();
    let mut server = Command::new("ip")
        .args([
            "netns",
            "exec",
            &format!("{}-peer", bed.netns()),
            "busybox",
            "udhcpd",
            "-f",
        ])
        .arg(dir.join("udhcpd.conf"))
        .spawn()
        .expect("busybox udhcpd");
    let result = std::panic::AssertUnwindSafe(async {
        lan_profile(bed, &["ipv4.method", "auto"]);
        wait_for("a lease on eno1", 30, || {
            ipv4_of(bed, "eno1").starts_with("10.77.0.1")
        });
        let leased = ipv4_of(bed, "eno1");
        println!("    eno1 leased {leased}");
        let out = adopt(bed, "bond7");
        println!("    {}", out.lines().last().unwrap_or(""));
        assert!(
            out.contains("with its MAC, so DHCP keeps the lease"),
            "{out}"
        );
        wait_for("the lease on the bond", 30, || {
            !ipv4_of(bed, "bond7").is_empty()
        });
        assert_eq!(ipv4_of(bed, "bond7"), leased, "the bond got the same lease");
        assert!(gateway_answers(bed));

        // Declining: the pending take-over is undone, and "lan" runs on eno1 again.
        ok(&bed.nmcli(&["connection", "delete", "bond7", "bond7-eno1", "bond7-eno2"]));
        ok(&bed.nmcli(&[
            "connection",
            "modify",
            "lan",
            "connection.autoconnect",
            "yes",
        ]));
        ok(&bed.nmcli(&["--wait", "30", "connection", "up", "lan"]));
        wait_for("the lease back on eno1", 30, || {
            ipv4_of(bed, "eno1") == leased
        });
        // In the NICs' namespace, as the app runs there: the take-over's own probes of the
        // gateway must reach it.
        let bus = bed.bus.clone();
        let (autoconnect_while_pending, clean) = super::in_netns(bed, move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let conn = zbus::connection::Builder::address(bus.as_str())
                    .unwrap()
                    .build()
                    .await
                    .unwrap();
                let nm = bondkit::nm::NmClient::with_connection(conn).await.unwrap();
                let adoption = nm.adoption("eno1").await.unwrap();
                let mut cfg = bondkit::model::BondConfig::new("bond8", "active-backup");
                cfg.options.insert("miimon".into(), "100".into());
                cfg.ports = vec!["eno2".into()];
                adoption.apply_to(&mut cfg);
                let opts = ApplyOptions {
                    activation_timeout: Duration::from_secs(40),
                    confirm_timeout: Duration::from_secs(120),
                    adopt: Some(adoption),
                    ..Default::default()
                };
                let pending = nm.create_bond_pending(&cfg, &opts, &|_| {}).await.unwrap();
                let o = Command::new("nmcli")
                    .args(["-g", "connection.autoconnect", "connection", "show", "lan"])
                    .env("DBUS_SYSTEM_BUS_ADDRESS", &bus)
                    .output()
                    .unwrap();
                let during = String::from_utf8_lossy(&o.stdout).trim().to_string();
                let undo = nm.undo(pending, &|_| {}).await;
                (during, undo.is_clean())
            })
        });
        assert_eq!(autoconnect_while_pending, "no");
        assert!(clean, "the undo was not clean");
        wait_for("lan running on eno1 again", 40, || {
            bed.nmcli_get("lan", "GENERAL.STATE") == "activated" && ipv4_of(bed, "eno1") == leased
        });
        assert_eq!(bed.nmcli_get("lan", "connection.autoconnect"), "yes");
        assert!(
            !bed.profiles().iter().any(|p| p.starts_with("bond8")),
            "{:?}",
            bed.profiles()
        );
    });
    let r = futures_util::FutureExt::catch_unwind(result).await;
    let _ = server.kill();
    let _ = server.wait();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}
