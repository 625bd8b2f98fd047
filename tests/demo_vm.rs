//! The demo on a host with the bonding driver, with test bed B standing in for that host.
//! On the host this boots Debian's kernel under QEMU (tests/vm/run.sh) and runs itself in
//! the guest. There it runs `scripts/demo.sh` itself, as a newcomer would (the guest has
//! bonding, so the demo takes its with-bonding path), with this binary in the app's place:
//! the demo starts it inside its network namespace, as the desktop user (here `nobody`),
//! with the environment it gives the app. The cases then build a bond in the window over
//! the demo's NICs, watch it live, and run a failover test to the demo's far target.
//!
//! Screenshots land in $BONDSMITH_SCREENSHOTS (default target/screenshots).

#[path = "gui_support/mod.rs"]
mod gui_support;
#[path = "../bondkit/tests/support/mod.rs"]
mod support;

use adw::prelude::*;
use bondkit::model::{BondMode, Family, IpMethod};
use bondsmith::BondsmithWindow;
use gui_support::{act, click, open_window, run_cases, screenshot, set_patience, wait_until};
use gui_support::{settle, GuiCase};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::Testbed;

const PORTS: &[&str] = &["eno1", "eno2", "eno3", "eno4"];
/// The demo's target beyond its gateway (tests/testbed/nm-testbed.sh, demo_network).
const FAR_TARGET: &str = "10.78.0.2";

fn main() {
    if std::env::var_os("BONDSMITH_VM").is_none() {
        support::boot_guest();
    }
    // SAFETY: getuid has no preconditions.
    if unsafe { getuid() } == 0 {
        run_the_demo()
    } else {
        let dir = std::env::var_os("BONDSMITH_DEMO_DIR").expect("the demo names its directory");
        in_demo(dir.into())
    }
}

/// In the guest, as root: Xvfb for the "desktop", then the README's demo command.
fn run_the_demo() {
    let top = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let state = PathBuf::from("/tmp/bsm-demo-vm");
    let mut xvfb = gui_support::start_xvfb();
    let status = Command::new(top.join("scripts/demo.sh"))
        .env("SUDO_USER", "nobody")
        .env("DISPLAY", ":9")
        .env("BONDSMITH_DEMO_NO_BUILD", "1")
        .env("BONDSMITH_DEMO_DIR", &state)
        .env("BONDSMITH_DEMO_APP", std::env::current_exe().unwrap())
        .stdin(Stdio::null())
        .status()
        .expect("run scripts/demo.sh");
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    // The cases ran as nobody and kept their screenshots in the demo user's home.
    if let Ok(dir) = std::fs::read_dir("/tmp/bsm-demo-nobody/shots") {
        for f in dir.flatten() {
            let _ = std::fs::copy(f.path(), Path::new("/results").join(f.file_name()));
        }
    }
    println!("scripts/demo.sh exited with {status}");
    std::process::exit(status.code().unwrap_or(1));
}

/// Where the demo started us: its namespace, its user, its NetworkManager.
fn in_demo(dir: PathBuf) {
    for p in PORTS {
        assert!(
            Path::new("/sys/class/net").join(p).exists(),
            "the app does not run in the demo's namespace: no {p}"
        );
    }
    // A home of the demo user's own (the demo's directory belongs to root).
    let home = std::env::temp_dir().join("bsm-demo-nobody");
    std::env::set_var("HOME", &home);
    std::env::set_var("XDG_RUNTIME_DIR", home.join("run"));
    let _ = std::fs::create_dir_all(home.join("run"));
    std::env::set_var("GSETTINGS_BACKEND", "memory");
    std::env::set_var("NO_AT_BRIDGE", "1");
    std::env::set_var("BONDSMITH_SCREENSHOTS", home.join("shots"));
    std::env::set_var("BONDSMITH_HISTORY_DIR", home.join("history"));
    set_patience(150);
    let bus = std::env::var("DBUS_SYSTEM_BUS_ADDRESS").expect("the demo gives the app its bus");
    let bed = Testbed::attach(dir, bus, PORTS);
    let win = open_window();
    let cases: &[(&str, GuiCase)] = &[
        (
            "a_bond_built_in_the_demo_is_live_and_fails_over_to_its_target",
            a_bond_built_in_the_demo_is_live_and_fails_over_to_its_target,
        ),
        (
            "an_lacp_bond_meets_the_demo_switch_port_channel",
            an_lacp_bond_meets_the_demo_switch_port_channel,
        ),
    ];
    let filter = std::fs::read_to_string("/results/filter").ok();
    run_cases(&bed, &win, cases, filter.as_deref().map(str::trim));
}

extern "C" {
    fn getuid() -> u32;
}

/// Builds a bond in the editor as a user does: DHCP from the demo's switch, brought up.
fn create_in_the_editor(
    win: &BondsmithWindow,
    name: &str,
    mode: BondMode,
    ports: &[&str],
    options: &[(&str, &str)],
) {
    gui_support::fill_form(win, name, mode, ports, options);
    let ed = win.editor();
    let auto = IpMethod::known(Family::V4)
        .iter()
        .position(|m| *m == "auto")
        .unwrap();
    ed.ipv4_row().set_selected(auto as u32);
    assert!(ed.activate_switch().is_active(), "bring up is the default");
    settle();
    click(&ed.review_button());
    click(&ed.apply_button());
    wait_until("the keep dialog or an error", || {
        win.keep_dialog().is_some() || !other_dialogs().is_empty()
    });
    assert_eq!(other_dialogs(), Vec::<String>::new(), "applying failed");
    win.keep_dialog().unwrap().response("keep");
    wait_until("the list after keeping", || {
        win.page() == "list" && win.keep_dialog().is_none()
    });
}

/// Heading and body of every open message dialog other than the keep dialog.
fn other_dialogs() -> Vec<String> {
    gtk::Window::list_toplevels()
        .into_iter()
        .filter_map(|w| w.downcast::<adw::MessageDialog>().ok())
        .filter(|d| d.is_visible())
        .map(|d| format!("{}: {}", d.heading().unwrap_or_default(), d.body()))
        .filter(|t| !t.starts_with("Keep This Configuration?"))
        .collect()
}

fn a_bond_built_in_the_demo_is_live_and_fails_over_to_its_target(
    _bed: &Testbed,
    win: &BondsmithWindow,
) {
    create_in_the_editor(
        win,
        "bond0",
        BondMode::ActiveBackup,
        &["eno1", "eno2"],
        &[("miimon", "100")],
    );
    act(win, "win.show-bond", Some(&"bond0".to_variant()));
    let page = win.bond_page();
    wait_until("both ports up on the live bond page", || {
        let p = page.port_summary();
        win.page() == "bond" && p.len() == 2 && p.iter().all(|(_, s)| s.contains("MII up"))
    });
    wait_until("a lease from the demo's DHCP server", || {
        support::ipv4_of(None, "bond0").starts_with("10.77.0.1")
    });
    println!("    bond0: {}", support::ipv4_of(None, "bond0"));
    screenshot(win, "demo-bond-page");

    let uuid = win
        .snapshot()
        .bonds
        .iter()
        .find(|b| b.name() == "bond0")
        .unwrap()
        .settings
        .uuid
        .clone();
    act(win, "win.test-failover", Some(&uuid.to_variant()));
    wait_until("the test page", || win.page() == "failover");
    let test = win.failover_page();
    test.target_row().set_text(FAR_TARGET);
    settle();
    click(&test.start_button());
    wait_until("the test to finish", || {
        test.record().is_some() || test.error().is_some()
    });
    assert_eq!(test.error(), None);
    let r = test.record().unwrap().report;
    println!(
        "    failover to {FAR_TARGET}: {} (lost {:?} of {:?}, longest outage {:?} ms)",
        r.verdict.as_deref().unwrap_or(""),
        r.lost,
        r.sent,
        r.longest_outage_ms
    );
    assert_eq!(r.target.as_deref(), Some(FAR_TARGET));
    assert!(r.sent.unwrap_or(0) > 100, "the probes ran: {:?}", r.sent);
    assert_ne!(
        r.active_before, r.active_after,
        "the bond switched to the other port"
    );
    assert!(r.longest_outage_ms.is_some());
    screenshot(win, "demo-failover-result");
    act(win, "win.back", None);
}

fn an_lacp_bond_meets_the_demo_switch_port_channel(_bed: &Testbed, win: &BondsmithWindow) {
    create_in_the_editor(
        win,
        "bond1",
        BondMode::Ieee8023ad,
        &["eno3", "eno4"],
        &[("miimon", "100"), ("lacp_rate", "fast")],
    );
    act(win, "win.show-bond", Some(&"bond1".to_variant()));
    wait_until("the switch to negotiate LACP on both ports", || {
        bondkit::kernel::read_bonds()
            .map(|all| all.into_iter().find(|b| b.name == "bond1"))
            .ok()
            .flatten()
            .is_some_and(|k| {
                k.ports.len() == 2
                    && k.ports.iter().all(|p| p.partner_mac.is_some())
                    && k.ports[0].aggregator_id.is_some()
                    && k.ports[0].aggregator_id == k.ports[1].aggregator_id
            })
    });
    let page = win.bond_page();
    // The page has caught up with the kernel: no warning that the switch is silent.
    wait_until("the page without LACP warnings", || {
        page.banner_texts().is_empty()
    });
    // Ports in the active aggregator carry traffic: once LACP has settled the kernel calls
    // them active, and so does the page.
    wait_until("the page's badges to say Active", || {
        page.port_badges().iter().all(|(_, b)| b == "Active")
    });
    screenshot(win, "demo-lacp-bond-page");
    act(win, "win.back", None);
}
