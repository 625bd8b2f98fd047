//! Redundancy alerts on real bonds (test bed B): `bondsmith --monitor` runs as an ordinary
//! user on a session bus with a real notification server (dunst), and `bondctl monitor
//! --json` beside it. Cables are pulled on the "switch" side of a two-port bond; the
//! notifications are read off the session bus (dbus-monitor, which dates each message) and
//! from dunst's own history. Measured: kernel event to notification, wake-ups when idle.
//!
//! On the host this boots Debian's kernel under QEMU and runs itself in the guest.

#[path = "../bondkit/tests/support/mod.rs"]
mod support;

use bondkit::kernel::{netlink, LinkEvents};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{ok, sh, wait_for, Testbed};

const RUN: &str = "/tmp/monitor-vm";
const DISPLAY: &str = ":8";
/// The notification must come within this of the kernel event.
const GOAL_MS: f64 = 1000.0;

fn main() {
    if std::env::var_os("BONDSMITH_VM").is_none() {
        support::boot_guest();
    }
    if let Some(dir) = std::env::var_os("BONDSMITH_MONITOR_BED") {
        let bus = std::env::var("DBUS_SYSTEM_BUS_ADDRESS").unwrap();
        let bed = Testbed::attach(dir.into(), bus, &["eno1", "eno2"]);
        let started = Instant::now();
        in_namespace(&bed);
        println!(
            "test alerts_from_a_real_bond_reach_a_real_notification_server ... ok ({} ms)",
            started.elapsed().as_millis()
        );
        return;
    }
    std::env::set_var("NM_TESTBED_AUTH", "false");
    let bed = Testbed::start("monvm", &["eno1", "eno2"]);
    ok(&bed.bondctl(&[
        "create",
        "bond0",
        "--mode",
        "active-backup",
        "--port",
        "eno1",
        "--port",
        "eno2",
        "--option",
        "miimon=100",
        "--ipv4",
        "disabled",
        "--ipv6",
        "disabled",
        "--timeout",
        "60",
    ]));
    let _ = std::fs::remove_dir_all(RUN);
    std::fs::create_dir_all(RUN).unwrap();
    sh(&format!("chown 65534:65534 {RUN}"));
    let mut xvfb = Command::new("Xvfb")
        .args([DISPLAY, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
        .spawn()
        .expect("Xvfb");
    wait_for("Xvfb", 60, || Path::new("/tmp/.X11-unix/X8").exists());
    let me = std::env::current_exe().unwrap();
    let status = Command::new("ip")
        .args(["netns", "exec", &bed.netns()])
        .arg(me)
        .env("BONDSMITH_MONITOR_BED", bed.dir())
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .status()
        .expect("run the monitor case in the test bed's namespace");
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    if !status.success() {
        println!("test alerts_from_a_real_bond_reach_a_real_notification_server ... FAILED");
        println!("\n0 passed; 1 failed");
    } else {
        println!("\n1 passed; 0 failed");
    }
    drop(bed);
    std::process::exit(status.code().unwrap_or(1));
}

/// A Notify call as the session bus carried it.
#[derive(Debug, Clone)]
struct Notify {
    at: SystemTime,
    summary: String,
    body: String,
}

/// Inside the test bed's namespace, as root; the desktop side runs as nobody.
fn in_namespace(bed: &Testbed) {
    let peer = format!("{}-peer", bed.netns());
    wait_for("bond0 with both ports up", 60, || {
        netlink::read_bond("bond0")
            .ok()
            .flatten()
            .is_some_and(|b| b.ports.len() == 2 && b.ports.iter().all(|p| p.mii == "up"))
    });
    let bus_path = format!("{RUN}/bus");
    let bus = format!("unix:path={bus_path}");
    let mut kids = Vec::new();
    kids.push(spawn_nobody(
        &bus,
        "dbus-daemon",
        &["--session", "--nofork", "--address", &bus],
    ));
    wait_for("the session bus", 30, || Path::new(&bus_path).exists());
    kids.push(spawn_nobody(&bus, "dunst", &[]));
    // Asked without activating: the session bus would start a second dunst otherwise.
    wait_for("dunst on the session bus", 60, || {
        Command::new("setpriv")
            .args(nobody())
            .args([
                "env",
                &format!("DBUS_SESSION_BUS_ADDRESS={bus}"),
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications",
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    });

    // What the session bus carries to the notification server, each call dated.
    let notes: Arc<Mutex<Vec<Notify>>> = Arc::default();
    let mut monitor = spawn_nobody(
        &bus,
        "stdbuf",
        &[
            "-oL",
            "dbus-monitor",
            "--session",
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
        ],
    );
    read_notifies(monitor.stdout.take().unwrap(), notes.clone());
    kids.push(monitor);

    let app = spawn_nobody(&bus, env!("CARGO_BIN_EXE_bondsmith"), &["--monitor"]);
    let app_pid = app.id();
    kids.push(app);
    let mut cli = spawn_nobody(
        &bus,
        support::bondctl_path().to_str().unwrap(),
        &["monitor", "--json"],
    );
    let cli_lines: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let out = cli.stdout.take().unwrap();
        let lines = cli_lines.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(l);
            }
        });
    }
    kids.push(cli);
    // Started: its kernel event reader is there (TCG makes GTK's start-up slow).
    wait_for("bondsmith --monitor to follow link events", 90, || {
        threads(app_pid).iter().any(|t| t == "bondkit-links")
    });
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        notes.lock().unwrap().is_empty(),
        "a healthy bond is no alert: {:?}",
        notes.lock().unwrap()
    );

    // Idle: nothing changes, so the monitor must not wake up at all.
    let before = support::context_switches(app_pid);
    std::thread::sleep(Duration::from_secs(10));
    let wakeups = support::context_switches(app_pid) - before;
    println!(
        "BENCH idle 'bondsmith --monitor': {wakeups} wake-ups in 10 s (goal 0; threads: {})",
        threads(app_pid).join(" ")
    );
    assert_eq!(wakeups, 0, "the idle monitor woke up");

    let events = LinkEvents::subscribe().unwrap();
    // The cable of eno1 is pulled.
    let n = measured(&notes, "cable pull", || {
        cable(&events, &peer, "sw1", "eno1", false)
    });
    assert_eq!(n.summary, "bond0 has no redundancy left");
    assert_eq!(
        n.body,
        "bond0 lost eno1: one more cable and the link is gone."
    );

    // The cable comes back (after the hold, so it is said at once).
    std::thread::sleep(Duration::from_secs(3));
    let n = measured(&notes, "cable back", || {
        cable(&events, &peer, "sw1", "eno1", true)
    });
    assert_eq!(n.summary, "bond0 is redundant again");

    // A flapping port: ten pulls in five seconds.
    std::thread::sleep(Duration::from_secs(3));
    let seen = notes.lock().unwrap().len();
    let flap = Instant::now();
    flap_in(&peer, "sw1", 10, Duration::from_millis(250));
    let flap_secs = flap.elapsed().as_secs_f64();
    // Quiet for the flap to be summed up (three quiet seconds, and TCG's slowness).
    std::thread::sleep(Duration::from_secs(8));
    let flapped: Vec<Notify> = notes.lock().unwrap()[seen..].to_vec();
    println!(
        "BENCH 10 pulls in {flap_secs:.1} s -> {} notifications (goal: a few)",
        flapped.len()
    );
    for n in &flapped {
        println!("    {}: {}", n.summary, n.body);
    }
    assert!(
        (1..=3).contains(&flapped.len()),
        "a flapping port flooded: {flapped:?}"
    );
    let last = flapped.last().unwrap();
    assert_eq!(last.summary, "bond0: a port keeps dropping", "{flapped:?}");
    assert!(
        last.body.contains("eno1 of bond0 keeps dropping its link"),
        "{last:?}"
    );
    assert!(
        last.body.ends_with("eno1, eno2 carry the link."),
        "{last:?}"
    );

    // Both cables: the bond is down; both back: redundant again.
    let seen = notes.lock().unwrap().len();
    cable(&events, &peer, "sw1", "eno1", false);
    std::thread::sleep(Duration::from_millis(1500));
    cable(&events, &peer, "sw2", "eno2", false);
    let n = next_notify(&notes, seen + 1, 10);
    assert_eq!(n.summary, "bond0 is down", "{:?}", notes.lock().unwrap());
    assert!(n.body.starts_with("bond0 lost its last port"), "{n:?}");
    sh(&format!("ip -n {peer} link set sw1 up"));
    sh(&format!("ip -n {peer} link set sw2 up"));
    wait_for("the recovery notification", 15, || {
        notes.lock().unwrap()[seen..]
            .iter()
            .any(|n| n.summary == "bond0 is redundant again")
    });

    // dunst showed them: the one on screen (each alert replaces the bond's last) goes to
    // its history when closed.
    let dunstctl = |args: &[&str]| {
        let o = Command::new("setpriv")
            .args(nobody())
            .args([
                "env",
                &format!("DBUS_SESSION_BUS_ADDRESS={bus}"),
                "dunstctl",
            ])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    dunstctl(&["close-all"]);
    let history = dunstctl(&["history"]);
    assert!(
        history.contains("bond0 is redundant again"),
        "dunst's history: {history}"
    );
    std::thread::sleep(Duration::from_secs(2));
    let kinds: Vec<String> = cli_lines
        .lock()
        .unwrap()
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON lines");
            assert_eq!(v["bond"], "bond0", "{l}");
            v["kind"].as_str().unwrap().to_string()
        })
        .collect();
    println!("    bondctl monitor --json: {}", kinds.join(", "));
    assert_eq!(kinds.first().map(String::as_str), Some("one_port_left"));
    assert_eq!(kinds.get(1).map(String::as_str), Some("redundant"));
    assert!(kinds.iter().any(|k| k == "flapping"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "down"), "{kinds:?}");
    assert!(kinds.len() <= 9, "bondctl flooded: {kinds:?}");

    for mut k in kids.into_iter().rev() {
        let _ = k.kill();
        let _ = k.wait();
    }
}

fn nobody() -> [&'static str; 3] {
    ["--reuid=65534", "--regid=65534", "--clear-groups"]
}

fn desktop_env(bus: &str) -> Vec<String> {
    vec![
        format!("DBUS_SESSION_BUS_ADDRESS={bus}"),
        format!("DISPLAY={DISPLAY}"),
        format!("HOME={RUN}"),
        format!("XDG_RUNTIME_DIR={RUN}"),
        "GSETTINGS_BACKEND=memory".into(),
        "GSK_RENDERER=cairo".into(),
        "GTK_A11Y=none".into(),
        "NO_AT_BRIDGE=1".into(),
        "LC_ALL=C".into(),
    ]
}

/// `program` as nobody on the session bus; its stdout piped to us.
fn spawn_nobody(bus: &str, program: &str, args: &[&str]) -> Child {
    Command::new("setpriv")
        .args(nobody())
        .arg("env")
        .args(desktop_env(bus))
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"))
}

/// Sets the switch side of a port's cable down or up, and returns when the kernel said
/// that the port's MII followed.
fn cable(events: &LinkEvents, peer: &str, sw: &str, port: &str, up: bool) -> SystemTime {
    events.drain();
    let state = if up { "up" } else { "down" };
    sh(&format!("ip -n {peer} link set {sw} {state}"));
    mii_event(events, port, up)
}

/// Parses dbus-monitor's output: a header with the time the bus carried the call, then
/// Notify's arguments (app name, replaces id, icon, summary, body, ...).
fn read_notifies(out: impl std::io::Read + Send + 'static, notes: Arc<Mutex<Vec<Notify>>>) {
    std::thread::spawn(move || {
        let mut current: Option<(SystemTime, Vec<String>)> = None;
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if line.starts_with("method call ") && line.contains("member=Notify") {
                let t = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("time="))
                    .and_then(|t| t.parse::<f64>().ok())
                    .expect("dbus-monitor dates each message");
                current = Some((UNIX_EPOCH + Duration::from_secs_f64(t), Vec::new()));
                continue;
            }
            let Some((at, strings)) = current.as_mut() else {
                continue;
            };
            // Top-level arguments are indented by three spaces.
            if let Some(s) = line.strip_prefix("   string \"") {
                strings.push(s.trim_end_matches('"').to_string());
            }
            if strings.len() == 4 {
                notes.lock().unwrap().push(Notify {
                    at: *at,
                    summary: strings[2].clone(),
                    body: strings[3].clone(),
                });
                current = None;
            }
        }
    });
}

/// When the kernel reported `port`'s MII going down (or up) in bond0: the first event of
/// the batch after which a reading shows it.
fn mii_event(events: &LinkEvents, port: &str, up: bool) -> SystemTime {
    let end = Instant::now() + Duration::from_secs(10);
    let mut batch_at = None;
    loop {
        let batch = events.drain();
        if let Some(first) = batch.first() {
            batch_at = Some(SystemTime::now() - first.at.elapsed());
            let b = netlink::read_bond("bond0").unwrap().unwrap();
            let mii_up = b.ports.iter().any(|p| p.name == port && p.mii == "up");
            if mii_up == up {
                return batch_at.unwrap();
            }
        }
        assert!(
            Instant::now() < end,
            "no event for {port} going {} (last batch at {batch_at:?})",
            if up { "up" } else { "down" }
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The next notification after `change` (which returns the kernel event's time), printed
/// with its delay; the delay must be within the goal.
fn measured(
    notes: &Arc<Mutex<Vec<Notify>>>,
    what: &str,
    change: impl FnOnce() -> SystemTime,
) -> Notify {
    let seen = notes.lock().unwrap().len();
    let event = change();
    let n = next_notify(notes, seen, 10);
    let ms = ms_between(event, n.at);
    println!("BENCH {what} -> notification: {ms:.0} ms (goal ≤ {GOAL_MS:.0} ms)");
    println!("    {}: {}", n.summary, n.body);
    assert!(
        ms <= GOAL_MS,
        "the notification came {ms:.0} ms after the kernel event"
    );
    n
}

/// The notification at index `index` (waiting up to `secs` for it).
fn next_notify(notes: &Arc<Mutex<Vec<Notify>>>, index: usize, secs: u64) -> Notify {
    wait_for("the notification", secs, || {
        notes.lock().unwrap().len() > index
    });
    notes.lock().unwrap()[index].clone()
}

fn ms_between(a: SystemTime, b: SystemTime) -> f64 {
    match b.duration_since(a) {
        Ok(d) => d.as_secs_f64() * 1000.0,
        Err(e) => -(e.duration().as_secs_f64() * 1000.0),
    }
}

fn threads(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| {
            d.flatten()
                .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
                .map(|s| s.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `times` pulls of `dev`'s cable, down and up for `half` each, from a thread inside the
/// switch's namespace (netlink directly: starting `ip` takes longer than that under TCG).
fn flap_in(netns: &str, dev: &str, times: u32, half: Duration) {
    let dev = std::ffi::CString::new(dev).unwrap();
    support::in_netns(netns, move || {
        // SAFETY: if_nametoindex reads the NUL-terminated name, which outlives the call.
        let ifindex = unsafe { if_nametoindex(dev.as_ptr()) };
        assert_ne!(ifindex, 0, "no {dev:?} in the switch's namespace");
        for _ in 0..times {
            for up in [false, true] {
                bondkit::kernel::control::set_link_up(ifindex, up).expect("set the link");
                std::thread::sleep(half);
            }
        }
    });
}

extern "C" {
    fn if_nametoindex(name: *const std::ffi::c_char) -> u32;
}
