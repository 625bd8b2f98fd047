//! Exports applied by their real consumers to real kernel bonds (test bed B, Debian's kernel
//! under QEMU): `nmstatectl apply` of the nmstate export against the guest's NetworkManager
//! (nmstate's own verification must pass), and systemd-networkd started from the exported
//! `.netdev`/`.network` files (with systemd-udevd, which networkd waits for). Each bond's mode
//! and options are read back from /proc/net/bonding and sysfs, and both ports must be in it.

mod support;

use bondkit::export::{export, Format};
use bondkit::model::{BondConfig, Family, IpAddress, IpFamily, IpMethod};
use std::process::{Child, Command};
use support::{ok, sh, wait_for, Testbed};

fn main() {
    if std::env::var_os("BONDSMITH_VM").is_none() {
        support::boot_guest();
    }
    let bed = Testbed::start("vmx", &["eno1", "eno2"]);
    support::run_cases(
        &bed,
        cases![
            nmstatectl_apply_creates_each_bond_and_verifies_it,
            networkd_creates_each_bond_from_the_exported_files,
        ],
    );
}

/// Two bonds with options of their own: active-backup with a primary and delays, and
/// 802.3ad with its LACP settings. `addr` is the bond's address.
fn bonds(addr: &str) -> Vec<BondConfig> {
    let mk = |mode: &str, opts: &[(&str, &str)]| {
        let mut c = BondConfig::new("bond0", mode);
        for (k, v) in opts {
            c.options.insert(k.to_string(), v.to_string());
        }
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list(addr, Family::V4).unwrap());
        c.ipv6 = IpFamily::with_method(IpMethod::Disabled);
        c
    };
    vec![
        mk(
            "active-backup",
            &[
                ("miimon", "100"),
                ("updelay", "200"),
                ("downdelay", "300"),
                ("primary", "eno2"),
                ("primary_reselect", "failure"),
            ],
        ),
        mk(
            "802.3ad",
            &[
                ("miimon", "100"),
                ("lacp_rate", "fast"),
                ("xmit_hash_policy", "layer3+4"),
                ("ad_select", "bandwidth"),
                ("min_links", "1"),
            ],
        ),
    ]
}

/// sysfs files of the bond and the value each option must show, as the kernel writes it.
fn expected(cfg: &BondConfig) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    for (k, val) in &cfg.options {
        let shown = match k.as_str() {
            "mode" => match val.as_str() {
                "active-backup" => "active-backup 1".to_string(),
                "802.3ad" => "802.3ad 4".to_string(),
                m => m.to_string(),
            },
            "lacp_rate" => "fast 1".into(),
            "xmit_hash_policy" => "layer3+4 1".into(),
            "ad_select" => "bandwidth 1".into(),
            "primary_reselect" => "failure 2".into(),
            _ => val.clone(),
        };
        let key: &'static str = bondkit::model::spec(k).expect("a known option").name;
        v.push((key, shown));
    }
    v
}

/// The bond's options and ports as the kernel has them in `netns`, checked against `cfg`.
fn assert_kernel_bond(netns: &str, cfg: &BondConfig, who: &str) {
    let read = |f: &str| {
        let o = Command::new("ip")
            .args(["netns", "exec", netns, "cat", f])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    let procfs = read("/proc/net/bonding/bond0");
    for port in &cfg.ports {
        assert!(
            procfs.contains(&format!("Slave Interface: {port}")),
            "{who}: {port} is not in the bond:\n{procfs}"
        );
    }
    for (key, want) in expected(cfg) {
        let got = read(&format!("/sys/class/net/bond0/bonding/{key}"));
        assert_eq!(got, want, "{who}: {key}");
    }
    println!(
        "    {who}: {} bond with {} options as exported, ports {}",
        cfg.options["mode"],
        cfg.options.len(),
        cfg.ports.join(" and ")
    );
}

async fn nmstatectl_apply_creates_each_bond_and_verifies_it(bed: &Testbed) {
    // The guest runs the host's root read-only: nmstatectl is where cargo installed it.
    let nmstatectl = [
        "/root/.cargo/bin/nmstatectl".to_string(),
        "/usr/local/cargo/bin/nmstatectl".to_string(),
        "/usr/local/bin/nmstatectl".to_string(),
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("nmstatectl is installed on the host (scripts/deps.sh nmstate)");
    let nmstatectl = nmstatectl.as_str();
    let ns = bed.netns();
    // First a bond of each of the 7 modes, with the options each takes (every one nmstate can
    // say): nmstate's own verification compares them all with what it reads back.
    for mut cfg in support::portable_bonds() {
        cfg.name = "bond0".into();
        cfg.ports = vec!["eno1".into(), "eno2".into()];
        // A static address: the guest's switch has no DHCP server to wait for.
        cfg.ipv4 = IpFamily::manual(IpAddress::parse_list("10.77.0.61/24", Family::V4).unwrap());
        cfg.ipv6 = IpFamily::with_method(IpMethod::Disabled);
        for p in ["primary", "active_slave"] {
            if cfg.options.contains_key(p) {
                cfg.options.insert(p.into(), "eno1".into());
            }
        }
        bed.reset();
        let e = export(&cfg, &cfg.options, Format::Nmstate);
        assert!(e.left_out.is_empty(), "{:?}", e.left_out);
        let path = bed.dir().join("bond0.yml");
        std::fs::write(&path, &e.files[0].text).unwrap();
        let o = Command::new("ip")
            .args(["netns", "exec", &ns, nmstatectl, "apply"])
            .arg(&path)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "nmstatectl apply of the {} export failed ({:?}):\n{}{}\n{}",
            cfg.options["mode"],
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            e.files[0].text
        );
        let procfs = String::from_utf8_lossy(
            &Command::new("ip")
                .args(["netns", "exec", &ns, "cat", "/proc/net/bonding/bond0"])
                .output()
                .unwrap()
                .stdout,
        )
        .into_owned();
        assert!(
            procfs.contains("Slave Interface: eno1") && procfs.contains("Slave Interface: eno2"),
            "{procfs}"
        );
        println!(
            "    nmstatectl apply of the {} export ({} options): applied, verified by nmstate, both ports in the bond",
            cfg.options["mode"],
            cfg.options.len()
        );
    }
    for cfg in bonds("10.77.0.60/24") {
        bed.reset();
        let e = export(&cfg, &cfg.options, Format::Nmstate);
        assert!(e.left_out.is_empty(), "{:?}", e.left_out);
        let path = bed.dir().join("bond0.yml");
        std::fs::write(&path, &e.files[0].text).unwrap();
        let started = std::time::Instant::now();
        let o = Command::new("ip")
            .args(["netns", "exec", &ns, nmstatectl, "apply"])
            .arg(&path)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "nmstatectl apply failed ({:?}):\n{}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        println!(
            "    nmstatectl apply of the {} export: applied and verified by nmstate in {:.1} s",
            cfg.options["mode"],
            started.elapsed().as_secs_f64()
        );
        assert_kernel_bond(&ns, &cfg, "nmstatectl apply");
        assert_eq!(support::ipv4_of(Some(&ns), "bond0"), "10.77.0.60/24");
    }
    bed.reset();
}

/// A namespace of its own for networkd (NetworkManager manages the test bed's), with two
/// veth NICs whose peers sit on a bridge.
struct NetworkdBed {
    ns: String,
    peer: String,
    daemons: Vec<Child>,
}

impl NetworkdBed {
    fn start() -> NetworkdBed {
        let (ns, peer) = ("bsm-nd".to_string(), "bsm-nd-peer".to_string());
        sh(&format!("ip netns add {ns} && ip netns add {peer} && ip -n {peer} link add br0 type bridge && ip -n {peer} link set br0 up"));
        for (i, port) in ["eno1", "eno2"].iter().enumerate() {
            sh(&format!(
                "ip -n {peer} link add {port} type veth peer name sw{i} && ip -n {peer} link set {port} netns {ns} && ip -n {peer} link set sw{i} master br0 up"
            ));
        }
        let mut bed = NetworkdBed {
            ns,
            peer,
            daemons: Vec::new(),
        };
        // networkd configures a link only once udev has seen it.
        // The guest runs its tests in a chroot, where systemd's tools refuse to act unless
        // told that this is intended.
        std::env::set_var("SYSTEMD_IGNORE_CHROOT", "1");
        let udevd = Command::new("ip")
            .args(["netns", "exec", &bed.ns, "/lib/systemd/systemd-udevd"])
            .spawn()
            .expect("systemd-udevd (package udev)");
        bed.daemons.push(udevd);
        std::thread::sleep(std::time::Duration::from_millis(500));
        sh(&format!(
            "ip netns exec {} udevadm trigger --subsystem-match=net --action=add && ip netns exec {} udevadm settle --timeout=30",
            bed.ns, bed.ns
        ));
        bed
    }

    fn run_networkd(&mut self) {
        std::fs::create_dir_all("/run/systemd/netif").unwrap();
        sh("chown -R systemd-network:systemd-network /run/systemd/netif");
        let nd = Command::new("ip")
            .args(["netns", "exec", &self.ns, "/lib/systemd/systemd-networkd"])
            .env("SYSTEMD_LOG_LEVEL", "info")
            .stdout(std::fs::File::create("/results/networkd.log").unwrap())
            .stderr(std::fs::File::create("/results/networkd.err").unwrap())
            .spawn()
            .expect("systemd-networkd (package systemd)");
        self.daemons.push(nd);
    }

    fn stop_networkd(&mut self) {
        if self.daemons.len() > 1 {
            let mut nd = self.daemons.pop().unwrap();
            let _ = nd.kill();
            let _ = nd.wait();
        }
    }
}

impl Drop for NetworkdBed {
    fn drop(&mut self) {
        for d in &mut self.daemons {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.peer])
            .status();
        let _ = std::fs::remove_dir_all("/run/systemd/network");
    }
}

async fn networkd_creates_each_bond_from_the_exported_files(_bed: &Testbed) {
    let mut nd = NetworkdBed::start();
    for cfg in bonds("10.79.0.2/24") {
        let e = export(&cfg, &cfg.options, Format::Networkd);
        assert!(e.left_out.is_empty(), "{:?}", e.left_out);
        let dir = std::path::Path::new("/run/systemd/network");
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        for f in &e.files {
            bondkit::export::write_file(dir, f).unwrap();
        }
        let started = std::time::Instant::now();
        nd.run_networkd();
        let ns = nd.ns.clone();
        let log = || {
            format!(
                "{}{}",
                std::fs::read_to_string("/results/networkd.log").unwrap_or_default(),
                std::fs::read_to_string("/results/networkd.err").unwrap_or_default()
            )
        };
        let enslaved = || {
            let o = Command::new("ip")
                .args(["netns", "exec", &ns, "cat", "/proc/net/bonding/bond0"])
                .output()
                .unwrap();
            let t = String::from_utf8_lossy(&o.stdout);
            t.contains("Slave Interface: eno1") && t.contains("Slave Interface: eno2")
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        while !enslaved() {
            assert!(
                std::time::Instant::now() < deadline,
                "networkd did not build bond0 from the exported files within 90 s; its log:\n{}",
                log()
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        println!(
            "    systemd-networkd built the {} bond from {} exported files in {:.1} s",
            cfg.options["mode"],
            e.files.len(),
            started.elapsed().as_secs_f64()
        );
        assert_kernel_bond(&ns, &cfg, "systemd-networkd");
        wait_for("the bond's address from its .network", 30, || {
            support::ipv4_of(Some(&ns), "bond0") == "10.79.0.2/24"
        });
        nd.stop_networkd();
        ok(&Command::new("ip")
            .args(["-n", &ns, "link", "del", "bond0"])
            .output()
            .unwrap());
    }
}
