//! GUI tests on test bed B: the real window against real kernel bonds. On the host this
//! boots Debian's kernel under QEMU (tests/vm/run.sh) and runs itself in the guest. There it
//! starts the test bed and an X server, then runs itself once more through
//! `ip netns exec`, inside the namespace the bonds live in (so the window's netlink,
//! /proc/net and /sys show them), and drives the window as a user would.
//!
//! Screenshots land in $BONDSMITH_SCREENSHOTS (default target/screenshots).

#[path = "gui_support/mod.rs"]
mod gui_support;
#[path = "../bondkit/tests/support/mod.rs"]
mod support;

use adw::prelude::*;
use bondsmith::BondsmithWindow;
use gui_support::{
    act, click, find_label, open_window, run_cases, screenshot, set_patience, settle, wait_until,
    GuiCase,
};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{ok, Testbed};

const PORTS: &[&str] = &["eno1", "eno2"];

fn main() {
    if std::env::var_os("BONDSMITH_VM").is_none() {
        support::boot_guest();
    }
    if let Some(dir) = std::env::var_os("BONDSMITH_GUI_BED") {
        return in_namespace(dir.into());
    }
    let bed = Testbed::start("guivm", PORTS);
    let mut xvfb = gui_support::start_xvfb();
    let _ = std::fs::create_dir_all("/tmp/gui-vm-run");
    let me = std::env::current_exe().expect("own path");
    let status = Command::new("ip")
        .args(["netns", "exec", &bed.netns()])
        .arg(me)
        .env("BONDSMITH_GUI_BED", bed.dir())
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .env("DISPLAY", ":9")
        .env("XDG_RUNTIME_DIR", "/tmp/gui-vm-run")
        .env("GSETTINGS_BACKEND", "memory")
        .env("BONDSMITH_SCREENSHOTS", "/results")
        .env("BONDSMITH_HISTORY_DIR", "/tmp/gui-vm-history")
        .status()
        .expect("run the GUI cases in the test bed's namespace");
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    drop(bed);
    std::process::exit(status.code().unwrap_or(1));
}

/// Inside the test bed's namespace: the window and the cases.
fn in_namespace(dir: std::path::PathBuf) {
    // A screen reader reads the failover result (tests/a11y/failover_result.py): the window
    // speaks AT-SPI on a session bus of its own, where at-spi2-core's registry starts.
    std::env::set_var("GTK_A11Y", "atspi");
    let _session = gui_support::private_session_bus();
    // TCG emulates every instruction: the guest is many times slower than the host.
    set_patience(120);
    let bus = std::env::var("DBUS_SYSTEM_BUS_ADDRESS").expect("bus address");
    let bed = Testbed::attach(dir, bus, PORTS);
    let win = open_window();

    let cases: &[(&str, GuiCase)] = &[
        (
            "an_inactive_bond_brought_up_elsewhere_is_followed_live",
            an_inactive_bond_brought_up_elsewhere_is_followed_live,
        ),
        (
            "an_inactive_bond_lists_its_ports_and_activates",
            an_inactive_bond_lists_its_ports_and_activates,
        ),
        (
            "a_failover_test_from_the_bond_page",
            a_failover_test_from_the_bond_page,
        ),
        (
            "taking_over_the_connection_a_port_is_on",
            taking_over_the_connection_a_port_is_on,
        ),
    ];
    // The host's filter reaches the guest through the results share (the guest's cwd).
    let filter = std::fs::read_to_string("/results/filter").ok();
    run_cases(&bed, &win, cases, filter.as_deref().map(str::trim));
}

/// A bond and its two ports as nmcli makes them, down until someone brings them up.
fn nmcli_inactive_bond(bed: &Testbed, name: &str) {
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        name,
        "ifname",
        name,
        "bond.options",
        "mode=active-backup,miimon=100,primary=eno1",
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.77.0.30/24",
        "ipv6.method",
        "disabled",
        "connection.autoconnect",
        "no",
        "connection.autoconnect-slaves",
        "1",
    ]));
    for port in PORTS {
        ok(&bed.nmcli(&[
            "connection",
            "add",
            "type",
            "ethernet",
            "con-name",
            &format!("{name}-{port}"),
            "ifname",
            port,
            "master",
            name,
            "slave-type",
            "bond",
            "connection.autoconnect",
            "no",
        ]));
    }
}

/// Issue 8: the bond page follows NM live. Open an inactive bond, bring it up with nmcli:
/// the page shows the running bond, and at no moment of the activation does it claim that
/// something outside NetworkManager changed the bond.
fn an_inactive_bond_brought_up_elsewhere_is_followed_live(bed: &Testbed, win: &BondsmithWindow) {
    nmcli_inactive_bond(bed, "bond9");
    wait_until("the bond in the list", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond9")
    });
    act(win, "win.show-bond", Some(&"bond9".to_variant()));
    wait_until("the bond page", || win.page() == "bond");
    assert_eq!(win.title_text(), "bond9");
    assert!(find_label(
        win.upcast_ref(),
        "This bond is not active, so the kernel has no live state for it. Activate it to see its ports here."
    ));
    screenshot(win, "vm-bond-page-inactive");

    let mut up = Command::new("nmcli")
        .args(["connection", "up", "bond9"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .spawn()
        .expect("nmcli connection up");
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let page = win.bond_page();
    let mut note = |page: &bondsmith::widgets::BondPage| {
        seen.extend(page.banner_texts());
    };
    wait_until("the page to show the running bond", || {
        note(&page);
        let ports = page.port_summary();
        win.page() == "bond"
            && ports.len() == 2
            && ports.iter().all(|(_, s)| s.contains("MII up"))
            && page.active_port_text() == "eno1"
    });
    let status = loop {
        note(&page);
        if let Some(s) = up.try_wait().unwrap() {
            break s;
        }
        settle();
    };
    assert!(status.success(), "nmcli connection up bond9 failed");
    // Let NM's last state changes and the kernel's events arrive.
    let until = Instant::now() + Duration::from_secs(5);
    wait_until("a quiet moment", || {
        note(&page);
        Instant::now() >= until
    });
    screenshot(win, "vm-bond-page-followed-live");
    let now = page.banner_texts();
    println!("    banners seen while the bond came up: {seen:?}");
    // Only the page's own "not active" note may have shown: no false "changed outside
    // NetworkManager", and no "no ports" flash while NM was still attaching them.
    let alarms: Vec<&String> = seen
        .iter()
        .filter(|t| !t.starts_with("This bond is not active"))
        .collect();
    assert!(
        alarms.is_empty(),
        "false alarms while the bond came up: {alarms:?}"
    );
    assert!(
        now.is_empty(),
        "the running bond's page still has banners: {now:?}"
    );
    assert_eq!(win.page(), "bond");
    assert_eq!(
        win.title_text(),
        "bond9",
        "the page was rebuilt with a wrong title"
    );
    assert_eq!(page.active_port_text(), "eno1");
    assert_eq!(page.mode_text(), "Active-backup", "the mode is named once");

    // A standby whose cable is pulled is down, not "Backup".
    let badge = |p: &bondsmith::widgets::BondPage, port: &str| {
        p.port_badges()
            .into_iter()
            .find(|(n, _)| n == port)
            .map(|(_, b)| b)
            .unwrap_or_default()
    };
    assert_eq!(badge(&page, "eno2"), "Backup");
    let peer = format!("{}-peer", bed.netns());
    let cable = |up: &str| {
        let st = Command::new("ip")
            .args(["-n", &peer, "link", "set", "sw2", up])
            .status()
            .unwrap();
        assert!(st.success());
    };
    cable("down");
    wait_until("eno2 shown as down", || badge(&page, "eno2") == "Down");
    let eno2 = page
        .port_summary()
        .into_iter()
        .find(|(n, _)| n == "eno2")
        .unwrap()
        .1;
    assert!(
        eno2.contains("MII down") && eno2.contains("1 link failure"),
        "{eno2}"
    );
    screenshot(win, "vm-bond-page-port-down");
    cable("up");
    wait_until("eno2 back as a standby", || {
        badge(&page, "eno2") == "Backup"
    });
    act(win, "win.back", None);
}

/// Issue 10: an inactive bond's page lists the ports its profile has and offers the
/// Activate its banner asks for; the button brings the bond up.
fn an_inactive_bond_lists_its_ports_and_activates(bed: &Testbed, win: &BondsmithWindow) {
    nmcli_inactive_bond(bed, "bond9");
    wait_until("the bond in the list", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond9")
    });
    act(win, "win.show-bond", Some(&"bond9".to_variant()));
    wait_until("the bond page", || win.page() == "bond");
    let page = win.bond_page();
    let names: Vec<String> = page.port_badges().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["eno1", "eno2"], "the profile's ports are listed");
    assert!(page.port_badges().iter().all(|(_, b)| b == "Not Active"));
    assert!(page.activate_button().is_visible());
    screenshot(win, "vm-bond-page-inactive-ports");
    click(&page.activate_button());
    wait_until("the bond up with both ports", || {
        let p = page.port_summary();
        p.len() == 2 && p.iter().all(|(_, s)| s.contains("MII up"))
    });
    wait_until("Activate to leave the active bond's page", || {
        !page.activate_button().is_visible()
    });
    act(win, "win.back", None);
}

/// Issue 9: the test page, driven as a user does, against a real bond: the result card
/// shows the engine's own report, the chart drew the run, and the bond page shows the
/// kept result.
fn a_failover_test_from_the_bond_page(bed: &Testbed, win: &BondsmithWindow) {
    // ICMP datagram sockets for every group in this namespace (Debian ships "1 0").
    std::fs::write("/proc/sys/net/ipv4/ping_group_range", "0 2147483647").unwrap();
    ok(&bed.bondctl(&[
        "create",
        "bond7",
        "--mode",
        "active-backup",
        "--port",
        "eno1",
        "--port",
        "eno2",
        "--option",
        "miimon=100",
        "--ipv4",
        "10.77.0.21/24",
        "--gateway",
        "10.77.0.1",
        "--ipv6",
        "disabled",
        "--timeout",
        "30",
    ]));
    wait_until("the bond in the list", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond7")
    });
    act(win, "win.show-bond", Some(&"bond7".to_variant()));
    wait_until("both ports up on the bond page", || {
        let p = win.bond_page().port_summary();
        p.len() == 2 && p.iter().all(|(_, s)| s.contains("MII up"))
    });
    let uuid = win
        .snapshot()
        .bonds
        .iter()
        .find(|b| b.name() == "bond7")
        .unwrap()
        .settings
        .uuid
        .clone();
    act(win, "win.test-failover", Some(&uuid.to_variant()));
    wait_until("the test page", || win.page() == "failover");
    let page = win.failover_page();
    assert_eq!(win.title_text(), "Test Failover");
    assert_eq!(
        page.target_row().text(),
        "10.77.0.1",
        "the target is the gateway"
    );
    assert_eq!(page.method_row().selected(), 0, "disconnect is the default");
    screenshot(win, "vm-failover-setup");
    click(&page.start_button());
    let mut shot = false;
    wait_until("the test to finish", || {
        let (samples, _, marks) = page.chart().counts();
        if !shot && marks >= 2 && samples > 150 {
            screenshot(win, "vm-failover-running");
            shot = true;
        }
        page.record().is_some() || page.error().is_some()
    });
    assert_eq!(page.error(), None);
    let record = page.record().unwrap();
    let r = &record.report;
    println!("    result: {}", r.verdict.as_deref().unwrap_or(""));
    let rows = page.result_rows();
    let row = |t: &str| rows.iter().find(|(title, _)| title == t).unwrap().1.clone();
    assert_eq!(
        row("Longest Outage"),
        format!("{:.0} ms", r.longest_outage_ms.unwrap())
    );
    assert!(row("Probes Lost").starts_with(&format!("{} of {}", r.lost.unwrap(), r.sent.unwrap())));
    assert_eq!(
        row("Active Port"),
        format!(
            "{} → {} → {}",
            r.active_before.as_deref().unwrap(),
            r.active_after.as_deref().unwrap(),
            r.active_final.as_deref().unwrap_or("–")
        )
    );
    assert!(page.chart().counts().2 >= 3, "the chart has its markers");
    assert!(shot, "the running chart was never captured");
    screenshot(win, "vm-failover-result");
    gui_support::screen_reader(
        "failover_result.py",
        &[
            format!("{:.0}", r.longest_outage_ms.unwrap()),
            r.lost.unwrap().to_string(),
            r.sent.unwrap().to_string(),
        ],
    );
    // Kept, and shown on the bond page.
    let kept =
        bondkit::failover::history::list(std::path::Path::new("/tmp/gui-vm-history"), "bond7");
    assert_eq!(kept.first(), Some(&record), "the history holds this test");
    act(win, "win.back", None);
    wait_until("the bond page", || win.page() == "bond");
    let line = win.bond_page().history_text();
    // The screen reader's walk takes a minute or more under TCG: "just now" may have passed.
    let when = line.split(':').next().unwrap_or_default();
    let fresh =
        when == "Tested just now" || (when.starts_with("Tested ") && when.contains("minute"));
    assert!(
        fresh && line.contains(&format!("{:.0} ms outage", r.longest_outage_ms.unwrap())),
        "{line}"
    );
    screenshot(win, "vm-bond-page-with-test-history");
}

/// Issue 10: "Take Over" on a port that runs a connection fills the form with that
/// connection's settings; applying measures the outage (the keep dialog says it), and
/// declining brings the original connection back on its port.
fn taking_over_the_connection_a_port_is_on(bed: &Testbed, win: &BondsmithWindow) {
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "lan",
        "ifname",
        "eno1",
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.77.0.50/24",
        "ipv4.gateway",
        "10.77.0.1",
        "ipv6.method",
        "disabled",
    ]));
    ok(&bed.nmcli(&["--wait", "30", "connection", "up", "lan"]));
    assert_eq!(support::ipv4_of(None, "eno1"), "10.77.0.50/24");
    act(win, "win.refresh", None);
    wait_until("NM to report lan on eno1", || {
        win.snapshot()
            .devices
            .iter()
            .any(|d| d.interface == "eno1" && d.connection.as_deref() == Some("lan"))
    });
    act(win, "win.create", None);
    wait_until("the editor", || win.page() == "editor");
    let ed = win.editor();
    ed.name_entry().set_text("bond3");
    settle();
    screenshot(win, "vm-take-over-button");
    act(win, "win.adopt-port", Some(&"eno1".to_variant()));
    wait_until("the form to take lan's settings", || {
        ed.field_entry("ipv4_addresses")
            .is_some_and(|e| e.text() == "10.77.0.50/24")
    });
    assert!(ed.port_check("eno1").unwrap().is_active());
    assert_eq!(ed.field_entry("ipv4_gateway").unwrap().text(), "10.77.0.1");
    ed.port_check("eno2").unwrap().set_active(true);
    ed.set_option("miimon", Some("100"));
    settle();
    screenshot(win, "vm-take-over-form");
    click(&ed.review_button());
    click(&ed.apply_button());
    wait_until("the keep dialog", || win.keep_dialog().is_some());
    let dialog = win.keep_dialog().unwrap();
    let body = dialog.body().to_string();
    println!("    {}", body.lines().next().unwrap_or(""));
    assert!(
        body.contains("The connection to 10.77.0.1 was gone for"),
        "{body}"
    );
    assert_eq!(
        support::ipv4_of(None, "bond3"),
        "10.77.0.50/24",
        "the bond holds lan's address"
    );
    screenshot(&dialog, "vm-take-over-keep-dialog");
    dialog.response("revert");
    wait_until("the roll-back", || {
        win.keep_dialog().is_none() && matches!(win.page().as_str(), "list" | "empty")
    });
    wait_until("lan back on eno1", || {
        support::ipv4_of(None, "eno1") == "10.77.0.50/24"
    });
    assert_eq!(bed.nmcli_get("lan", "connection.autoconnect"), "yes");
    assert!(
        !bed.profiles().iter().any(|p| p.starts_with("bond3")),
        "{:?}",
        bed.profiles()
    );
}
