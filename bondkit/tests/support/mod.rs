//! Test bed A for integration tests: a real NetworkManager on a private bus in a network
//! namespace (tests/testbed/nm-testbed.sh), plus a small runner for `harness = false` tests
//! that share one daemon. A test bed that cannot start fails the run; it never skips.

#![allow(dead_code)]

use bondkit::nm::NmClient;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Command, Output};

pub struct Testbed {
    dir: PathBuf,
    pub bus: String,
    pub ports: Vec<String>,
    /// Whether dropping it stops the test bed (a process that only attached does not).
    owned: bool,
}

/// bondctl as cargo built it: known directly inside bondkit's tests, and next to the test
/// binary's directory elsewhere (the GUI tests build it first).
pub fn bondctl_path() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_bondctl") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test binary path");
    let p = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target dir")
        .join("bondctl");
    assert!(
        p.exists(),
        "{} is missing: build it first (cargo build -p bondkit --bin bondctl)",
        p.display()
    );
    p
}

/// The workspace root, from either package.
fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|d| d.join("tests/testbed/nm-testbed.sh").exists())
        .map(PathBuf::from)
        .unwrap_or_else(|| here.join(".."))
}

/// tests/testbed/nm-testbed.sh at the workspace root.
fn script() -> PathBuf {
    workspace_root().join("tests/testbed/nm-testbed.sh")
}

/// Host side: run this very binary inside the guest and pass its verdict on. Screenshots
/// the guest took land in $BONDSMITH_SCREENSHOTS (default target/screenshots).
pub fn boot_guest() -> ! {
    let me = std::env::current_exe().expect("own path");
    let root = workspace_root();
    // One results directory per test binary (gui_vm-1a2b… → target/vm-results-gui_vm).
    let stem = me
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = stem.rsplit_once('-').map_or(stem.as_str(), |(n, _)| n);
    let results = root.join(format!("target/vm-results-{name}"));
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results).unwrap();
    // A filter given on the host reaches the guest's runner through the results share.
    if let Some(filter) = std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        std::fs::write(results.join("filter"), filter).unwrap();
    }
    let status = std::process::Command::new(root.join("tests/vm/run.sh"))
        .arg(me)
        .arg(&results)
        .status()
        .expect("tests/vm/run.sh");
    let shots = std::env::var_os("BONDSMITH_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target/screenshots"));
    std::fs::create_dir_all(&shots).unwrap();
    for f in std::fs::read_dir(&results).unwrap().flatten() {
        if f.path().extension().is_some_and(|e| e == "png") {
            std::fs::copy(f.path(), shots.join(f.file_name())).unwrap();
            println!("screenshot: {}", shots.join(f.file_name()).display());
        }
    }
    std::process::exit(status.code().unwrap_or(1));
}

impl Testbed {
    /// Starts NM with veth NICs named `ports`. Exits the process with the reason on failure.
    pub fn start(tag: &str, ports: &[&str]) -> Testbed {
        let dir = std::env::temp_dir().join(format!("bsm-{tag}-{}", std::process::id()));
        let out = Command::new(script())
            .arg("start")
            .arg(&dir)
            .args(ports)
            .output();
        let out = match out {
            Ok(o) => o,
            Err(e) => fail_bed(&format!("could not run {}: {e}", script().display())),
        };
        if !out.status.success() {
            fail_bed(&String::from_utf8_lossy(&out.stderr));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let bus = stdout
            .lines()
            .find_map(|l| l.strip_prefix("DBUS_SYSTEM_BUS_ADDRESS="))
            .unwrap_or_else(|| fail_bed("the test bed printed no bus address"))
            .to_string();
        Testbed {
            dir,
            bus,
            ports: ports.iter().map(|p| p.to_string()).collect(),
            owned: true,
        }
    }

    /// A test bed another process started and will stop (its directory and bus).
    pub fn attach(dir: PathBuf, bus: String, ports: &[&str]) -> Testbed {
        Testbed {
            dir,
            bus,
            ports: ports.iter().map(|p| p.to_string()).collect(),
            owned: false,
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub async fn client(&self) -> NmClient {
        let conn = zbus::connection::Builder::address(self.bus.as_str())
            .expect("bus address")
            .build()
            .await
            .expect("connect to the test bed's bus");
        NmClient::with_connection(conn).await.expect("NM client")
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &self.bus)
            .env("LC_ALL", "C")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
    }

    /// Runs the real nmcli against the test bed's NM.
    pub fn nmcli(&self, args: &[&str]) -> Output {
        self.run("nmcli", args)
    }

    /// `nmcli -g FIELD connection show ID`, trimmed; panics if nmcli fails.
    pub fn nmcli_get(&self, id: &str, field: &str) -> String {
        let o = self.nmcli(&["-g", field, "connection", "show", id]);
        assert!(
            o.status.success(),
            "nmcli could not read {field} of {id}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // -g escapes ':' as "\\:" so that several fields can share a line; one field needs no escape.
        let text = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if field.contains(',') {
            text
        } else {
            text.replace("\\:", ":")
        }
    }

    /// Deletes every profile, so that one failed case does not spill into the next.
    pub fn reset(&self) {
        let o = self.nmcli(&["-g", "UUID,TYPE", "connection", "show"]);
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some((uuid, kind)) = line.split_once(':') {
                if kind != "loopback" {
                    let _ = self.nmcli(&["connection", "delete", uuid]);
                }
            }
        }
    }

    /// Names of all profiles, as nmcli lists them.
    pub fn profiles(&self) -> Vec<String> {
        let o = self.nmcli(&["-g", "NAME", "connection", "show"]);
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .filter(|n| n != "lo")
            .collect()
    }

    pub fn bondctl(&self, args: &[&str]) -> Output {
        self.run(bondctl_path().to_str().expect("utf-8 path"), args)
    }

    /// The namespace the NICs live in.
    pub fn netns(&self) -> String {
        let names = std::fs::read_to_string(self.dir.join("netns")).expect("netns file");
        names
            .split_whitespace()
            .next()
            .expect("namespace name")
            .to_string()
    }

    /// NetworkManager's log so far.
    pub fn nm_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("nm.log")).unwrap_or_default()
    }

    /// Keyfiles NM wrote for to-disk profiles.
    pub fn keyfiles(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.join("system-connections"))
            .map(|d| {
                d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let _ = Command::new(script()).arg("stop").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fail_bed(reason: &str) -> ! {
    eprintln!("\nTEST BED FAILED TO START: NetworkManager test bed A could not start, so no test ran.\n{reason}\n(needs root, network-manager, dbus and iproute2; see README)");
    std::process::exit(1)
}

/// The stdout of a command that must have succeeded; its whole output otherwise.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "command failed ({:?}): {}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Parses nmcli's "k=v,k=v" bond.options.
pub fn option_map(s: &str) -> std::collections::BTreeMap<String, String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("k=v");
            (k.to_string(), v.to_string())
        })
        .collect()
}

pub fn map(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Context switches of every thread of `pid` so far: wake-ups, counted rather than timed.
pub fn context_switches(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| {
            d.filter_map(|t| {
                let s = std::fs::read_to_string(t.ok()?.path().join("status")).ok()?;
                Some(
                    s.lines()
                        .filter(|l| l.contains("ctxt_switches"))
                        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                        .sum::<u64>(),
                )
            })
            .sum()
        })
        .unwrap_or(0)
}

pub type CaseFn = for<'a> fn(&'a Testbed) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Runs each case in turn on one runtime, catching panics so that one failure does not hide
/// the others. A command-line argument filters cases by substring. Exits non-zero on failure.
pub fn run_cases(bed: &Testbed, cases: &[(&str, CaseFn)]) {
    // In the VM the filter comes through the results share (the guest's cwd).
    let filter: Option<String> = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .or_else(|| {
            std::fs::read_to_string("filter")
                .ok()
                .filter(|_| std::env::var_os("BONDSMITH_VM").is_some())
        });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, case) in cases {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        bed.reset();
        let started = std::time::Instant::now();
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(case(bed))));
        let ms = started.elapsed().as_millis();
        match result {
            Ok(()) => println!("test {name} ... ok ({ms} ms)"),
            Err(_) => {
                println!("test {name} ... FAILED ({ms} ms)");
                failed.push(*name);
            }
        }
    }
    println!("\n{} passed; {} failed", ran - failed.len(), failed.len());
    if ran == 0 {
        println!("no test matched the filter");
        std::process::exit(1);
    }
    if !failed.is_empty() {
        println!("failed: {}", failed.join(", "));
        std::process::exit(1);
    }
}

/// `cases![a, b]`: each async fn(&Testbed) with its name.
#[macro_export]
macro_rules! cases {
    ($($f:ident),* $(,)?) => {
        &[$((stringify!($f), (|bed| Box::pin($f(bed))) as support::CaseFn)),*]
    };
}

/// The first IPv4 address with its prefix on `dev` ("10.77.0.50/24"; "" when none), in
/// `netns` or in this thread's namespace.
pub fn ipv4_of(netns: Option<&str>, dev: &str) -> String {
    let mut c = match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["-n", ns]);
            c
        }
        None => Command::new("ip"),
    };
    let o = c
        .args(["-4", "-o", "addr", "show", "dev", dev])
        .output()
        .expect("ip addr");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .skip_while(|w| *w != "inet")
        .nth(1)
        .unwrap_or("")
        .to_string()
}

/// Runs `cmd` with sh; fails the test if it fails.
pub fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "failed: {cmd}");
}

/// Waits up to `secs` for `cond`, looking every 100 ms; fails the test, naming `what`.
pub fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !cond() {
        assert!(
            std::time::Instant::now() < end,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Runs `f` on a thread inside the network namespace `netns` (netlink, /proc/net and
/// interface names are per-namespace).
pub fn in_netns<T: Send + 'static>(netns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let ns = std::fs::File::open(format!("/run/netns/{netns}")).expect("netns file");
    std::thread::spawn(move || {
        use std::os::fd::AsRawFd;
        // SAFETY: setns on this new thread only; the fd is valid for the call.
        let rc = unsafe { libc_setns(ns.as_raw_fd(), 0x4000_0000) };
        assert_eq!(rc, 0, "setns failed");
        f()
    })
    .join()
    .expect("netns thread")
}

extern "C" {
    #[link_name = "setns"]
    fn libc_setns(fd: i32, nstype: i32) -> i32;
}

/// One bond per mode, each with the options that mode takes, and IP settings of every kind.
pub fn bonds_of_every_mode() -> Vec<bondkit::model::BondConfig> {
    use bondkit::model::{
        BondConfig, Family, IpAddress, IpFamily, IpMethod, NmVersion, PortSettings,
    };
    let per_mode: [(&str, &[(&str, &str)]); 7] = [
        (
            "balance-rr",
            &[
                ("miimon", "100"),
                ("packets_per_slave", "2"),
                ("updelay", "200"),
                ("resend_igmp", "2"),
            ],
        ),
        (
            "active-backup",
            &[
                ("miimon", "100"),
                ("primary", "p1"),
                ("primary_reselect", "failure"),
                ("fail_over_mac", "active"),
                ("num_grat_arp", "3"),
                ("num_unsol_na", "3"),
                ("peer_notif_delay", "200"),
                ("all_slaves_active", "1"),
            ],
        ),
        (
            "balance-xor",
            &[
                ("miimon", "0"),
                ("arp_interval", "1000"),
                ("arp_ip_target", "10.0.0.1,10.0.0.2"),
                ("xmit_hash_policy", "layer3+4"),
            ],
        ),
        ("broadcast", &[("miimon", "100"), ("downdelay", "200")]),
        (
            "802.3ad",
            &[
                ("miimon", "100"),
                ("lacp_rate", "fast"),
                ("xmit_hash_policy", "layer3+4"),
                ("ad_select", "bandwidth"),
                ("ad_actor_sys_prio", "100"),
                ("ad_actor_system", "02:00:00:00:00:01"),
                ("ad_user_port_key", "5"),
                ("min_links", "1"),
            ],
        ),
        (
            "balance-tlb",
            &[
                ("miimon", "100"),
                ("tlb_dynamic_lb", "0"),
                ("lp_interval", "2"),
                ("primary", "p2"),
            ],
        ),
        (
            "balance-alb",
            &[
                ("miimon", "100"),
                ("lp_interval", "3"),
                ("use_carrier", "0"),
            ],
        ),
    ];
    per_mode
        .iter()
        .enumerate()
        .map(|(i, (mode, opts))| {
            let mut c = BondConfig::new(&format!("bond{i}"), mode);
            for (k, v) in opts.iter() {
                c.options.insert(k.to_string(), v.to_string());
            }
            c.ports = vec!["p1".into(), "p2".into()];
            match i % 3 {
                0 => {
                    c.ipv4 = IpFamily::manual(
                        IpAddress::parse_list("192.168.10.20/24,192.168.11.20/24", Family::V4)
                            .unwrap(),
                    );
                    c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
                    c.ipv4.dns = vec!["192.168.10.1".parse().unwrap(), "9.9.9.9".parse().unwrap()];
                    c.ipv6 =
                        IpFamily::manual(IpAddress::parse_list("fd00::20/64", Family::V6).unwrap());
                    c.ipv6.gateway = Some("fd00::1".parse().unwrap());
                    c.mtu = Some(9000);
                    c.mac = Some("02:00:00:00:00:aa".into());
                    c.port_settings.insert(
                        "p2".into(),
                        PortSettings::parse_port("p2:queue-id=3").unwrap().1,
                    );
                }
                1 => c.mac = Some("stable".into()),
                _ => {
                    c.ipv4 = IpFamily::with_method(IpMethod::Disabled);
                    c.ipv6 = IpFamily::with_method(IpMethod::Disabled);
                }
            }
            assert!(
                c.check(NmVersion::OLDEST).is_valid(),
                "{mode}: {:?}",
                c.check(NmVersion::OLDEST).errors
            );
            c
        })
        .collect()
}

/// Bonds every format can say in full: for each of the 7 modes, options that nmstate and
/// systemd-networkd both have, IP settings all of them model.
pub fn portable_bonds() -> Vec<bondkit::model::BondConfig> {
    bonds_of_every_mode()
        .into_iter()
        .map(|mut c| {
            let expressible = |k: &str| {
                let s = bondkit::model::spec(k).unwrap();
                s.nmstate.is_some() && s.networkd.is_some()
            };
            c.options.retain(|k, _| expressible(k));
            // networkd writes num_grat_arp and num_unsol_na as one key.
            c.options.remove("num_unsol_na");
            c.port_settings.clear();
            if c.mac
                .as_deref()
                .is_some_and(|m| bondkit::model::SPECIAL_MACS.contains(&m))
            {
                c.mac = None;
            }
            c
        })
        .collect()
}
