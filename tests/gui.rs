//! GUI tests: the real Bondsmith window, under Xvfb, against a real NetworkManager (test bed
//! A). They drive the same widgets a user does (typing into entries, picking combo rows,
//! ticking ports, clicking buttons, answering dialogs) and check what NM then holds through
//! nmcli. Each named step also writes a screenshot (PNG) to $BONDSMITH_SCREENSHOTS.
//!
//! Run under a display: `xvfb-run -a cargo test --test gui` (scripts/test.sh gui does it).

#[path = "gui_cases/drafts.rs"]
mod drafts;
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
use std::time::Duration;
use support::{map, option_map, Testbed};

fn main() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("GUI TESTS NEED A DISPLAY: run them under Xvfb (xvfb-run -a cargo test --test gui, or scripts/test.sh gui).");
        std::process::exit(1);
    }
    let bed = Testbed::start("gui", &["eno1", "eno2", "eno3", "eno4"]);
    // A session bus of our own: the app is a unique GApplication on it, as on a desktop,
    // and nothing reaches a real session's Bondsmith.
    let _session = gui_support::private_session_bus();
    // The autostart entry the alerts preference writes lands here, not in the user's config.
    let config = std::env::temp_dir().join(format!("bsm-gui-config-{}", std::process::id()));
    std::env::set_var("XDG_CONFIG_HOME", &config);
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus);
    let win = open_window();

    let cases: &[(&str, GuiCase)] = &[
        (
            "first_frame_is_the_empty_state",
            first_frame_is_the_empty_state,
        ),
        ("idle_app_does_not_wake_up", idle_app_does_not_wake_up),
        (
            "the_alerts_preference_writes_and_removes_the_autostart_entry",
            the_alerts_preference_writes_and_removes_the_autostart_entry,
        ),
        (
            "creates_an_lacp_bond_that_nm_holds_exactly",
            creates_an_lacp_bond_that_nm_holds_exactly,
        ),
        (
            "shows_a_mode_option_conflict_at_its_field",
            shows_a_mode_option_conflict_at_its_field,
        ),
        (
            "an_mtu_edit_of_a_rich_nmcli_bond_changes_nothing_else",
            an_mtu_edit_of_a_rich_nmcli_bond_changes_nothing_else,
        ),
        (
            "a_mode_switch_that_drops_lacp_rate_is_a_note",
            a_mode_switch_that_drops_lacp_rate_is_a_note,
        ),
        (
            "edits_an_nmcli_bond_without_losing_options",
            edits_an_nmcli_bond_without_losing_options,
        ),
        (
            "rolls_back_when_the_keep_dialog_is_declined",
            rolls_back_when_the_keep_dialog_is_declined,
        ),
        (
            "a_vanished_port_is_an_error_with_a_way_forward",
            a_vanished_port_is_an_error_with_a_way_forward,
        ),
        ("stays_usable_at_360_px", stays_usable_at_360_px),
        (
            "an_unrelated_change_keeps_the_rows_and_focus",
            an_unrelated_change_keeps_the_rows_and_focus,
        ),
        (
            "a_bond_deleted_elsewhere_leaves_its_page",
            a_bond_deleted_elsewhere_leaves_its_page,
        ),
        (
            "an_inactive_bond_page_says_so",
            an_inactive_bond_page_says_so,
        ),
        ("a_toast_stays_with_its_page", a_toast_stays_with_its_page),
        (
            "a_second_instance_opens_the_bond_page",
            a_second_instance_opens_the_bond_page,
        ),
        (
            "port_settings_in_the_form_reach_the_port_profiles",
            port_settings_in_the_form_reach_the_port_profiles,
        ),
        ("the_keep_dialog_counts_down", the_keep_dialog_counts_down),
        (
            "warns_before_taking_the_default_route_port",
            warns_before_taking_the_default_route_port,
        ),
        (
            "nm_not_running_is_a_page_with_a_way_forward",
            nm_not_running_is_a_page_with_a_way_forward,
        ),
        (
            "a_pasted_draft_is_checked_line_by_line",
            drafts::a_pasted_draft_is_checked_line_by_line,
        ),
        (
            "an_exported_bond_imports_into_the_form_and_the_export_dialog_shows_each_format",
            drafts::an_exported_bond_imports_into_the_form_and_the_export_dialog_shows_each_format,
        ),
        // Last: it switches the process to German.
        ("speaks_german", speaks_german),
        ("speaks_french", speaks_french),
    ];
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    run_cases(&bed, &win, cases, filter.as_deref());
}

/// Fills the create form as a user would.
fn fill(
    win: &BondsmithWindow,
    name: &str,
    mode: bondkit::model::BondMode,
    ports: &[&str],
    options: &[(&str, &str)],
) {
    gui_support::fill_form(win, name, mode, ports, options);
    let ed = win.editor();
    // This host's kernel cannot bring a bond up; the VM tier tests activation.
    ed.activate_switch().set_active(false);
    settle();
}

fn apply_and_answer(win: &BondsmithWindow, keep: bool, shot: Option<&str>) {
    click(&win.editor().apply_button());
    wait_until("the keep dialog", || win.keep_dialog().is_some());
    let dialog = win.keep_dialog().unwrap();
    if let Some(name) = shot {
        screenshot(&dialog, name);
    }
    dialog.response(if keep { "keep" } else { "revert" });
    wait_until("the list after applying", || {
        matches!(win.page().as_str(), "list" | "empty") && win.keep_dialog().is_none()
    });
}

fn first_frame_is_the_empty_state(_bed: &Testbed, win: &BondsmithWindow) {
    assert_eq!(win.page(), "empty");
    screenshot(win, "empty-state");
}

fn creates_an_lacp_bond_that_nm_holds_exactly(bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    fill(
        win,
        "bond0",
        BondMode::Ieee8023ad,
        &["eno1", "eno2"],
        &[("lacp_rate", "fast"), ("xmit_hash_policy", "layer3+4")],
    );
    let ed = win.editor();
    ed.ipv4_row().set_selected(1);
    ed.field_entry("ipv4_addresses")
        .unwrap()
        .set_text("10.77.0.10/24");
    ed.field_entry("ipv4_gateway")
        .unwrap()
        .set_text("10.77.0.1");
    settle();
    screenshot(win, "create-form");
    click(&ed.review_button());
    assert_eq!(ed.page(), "review");
    screenshot(win, "review");
    // The review shows exactly what `bondctl create --dry-run` prints for the same input.
    let dry = bed.bondctl(&[
        "create",
        "bond0",
        "--mode",
        "802.3ad",
        "--port",
        "eno1",
        "--port",
        "eno2",
        "--option",
        "lacp_rate=fast",
        "--option",
        "xmit_hash_policy=layer3+4",
        "--ipv4",
        "10.77.0.10/24",
        "--gateway",
        "10.77.0.1",
        "--no-activate",
        "--dry-run",
    ]);
    assert!(dry.status.success());
    assert_eq!(
        ed.review_text(),
        String::from_utf8_lossy(&dry.stdout).trim_end()
    );
    apply_and_answer(win, true, Some("keep-dialog"));
    assert_eq!(
        option_map(&bed.nmcli_get("bond0", "bond.options")),
        map(&[
            ("mode", "802.3ad"),
            ("lacp_rate", "fast"),
            ("xmit_hash_policy", "layer3+4")
        ])
    );
    assert_eq!(bed.nmcli_get("bond0", "connection.autoconnect-slaves"), "1");
    assert_eq!(bed.nmcli_get("bond0", "ipv4.addresses"), "10.77.0.10/24");
    for p in ["eno1", "eno2"] {
        assert_eq!(
            bed.nmcli_get(&format!("bond0-{p}"), "connection.master"),
            "bond0"
        );
    }
    wait_until("the new bond in the list", || {
        win.snapshot().bonds.len() == 1 && win.page() == "list"
    });
    screenshot(win, "bond-list");
}

fn shows_a_mode_option_conflict_at_its_field(bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    fill(
        win,
        "bond1",
        BondMode::BalanceXor,
        &["eno3"],
        &[("balance-slb", "1"), ("xmit_hash_policy", "layer3+4")],
    );
    let ed = win.editor();
    assert_eq!(ed.field_problem("xmit_hash_policy").as_deref(),
        Some("balance-slb needs xmit_hash_policy vlan+srcmac; change it, or remove xmit_hash_policy."));
    assert!(
        !ed.review_button().is_sensitive(),
        "Review must be insensitive while a problem is shown"
    );
    screenshot(win, "conflict");
    // Fixing it at the field clears the problem and frees Review.
    ed.set_option("xmit_hash_policy", Some("vlan+srcmac"));
    settle();
    assert_eq!(ed.field_problem("xmit_hash_policy"), None);
    assert!(ed.review_button().is_sensitive());
    // A second kind: delays without MII monitoring, shown inside Advanced Options.
    ed.mode_row()
        .set_selected(BondMode::ActiveBackup.index() as u32);
    ed.set_option("miimon", Some("0"));
    ed.set_option("updelay", Some("200"));
    settle();
    assert_eq!(
        ed.field_problem("updelay").as_deref(),
        Some("updelay needs miimon above 0; set miimon (for example 100) or set updelay to 0.")
    );
    assert!(!ed.review_button().is_sensitive());
    act(win, "win.back", None);
    assert!(
        bed.profiles().is_empty(),
        "nothing is applied while editing"
    );
}

fn edits_an_nmcli_bond_without_losing_options(bed: &Testbed, win: &BondsmithWindow) {
    let out = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond5",
        "ifname",
        "bond5",
        "bond.options",
        "mode=active-backup,miimon=100,resend_igmp=5,all_slaves_active=1",
        "connection.zone",
        "work",
        "ipv4.dhcp-timeout",
        "42",
    ]);
    assert!(out.status.success());
    assert!(bed
        .nmcli(&[
            "connection",
            "add",
            "type",
            "ethernet",
            "con-name",
            "bond5-eno1",
            "ifname",
            "eno1",
            "master",
            "bond5"
        ])
        .status
        .success());
    wait_until("the nmcli bond to show up", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond5")
    });
    act(win, "win.edit-bond", Some(&"bond5".to_variant()));
    wait_until("the editor", || win.page() == "editor");
    let ed = win.editor();
    ed.set_option("miimon", Some("250"));
    ed.port_check("eno2").unwrap().set_active(true);
    settle();
    click(&ed.review_button());
    let text = ed.review_text();
    assert!(text.starts_with("nmcli connection modify bond5 bond.options mode=active-backup,all_slaves_active=1,miimon=250,resend_igmp=5"), "{text}");
    assert!(text.contains("nmcli connection add type ethernet con-name bond5-eno2 ifname eno2 connection.master bond5"), "{text}");
    screenshot(win, "edit-review");
    apply_and_answer(win, true, None);
    assert_eq!(
        option_map(&bed.nmcli_get("bond5", "bond.options")),
        map(&[
            ("mode", "active-backup"),
            ("miimon", "250"),
            ("resend_igmp", "5"),
            ("all_slaves_active", "1")
        ])
    );
    assert_eq!(bed.nmcli_get("bond5", "connection.zone"), "work");
    assert_eq!(bed.nmcli_get("bond5", "ipv4.dhcp-timeout"), "42");
    assert_eq!(bed.nmcli_get("bond5-eno2", "connection.master"), "bond5");
}

/// `nmcli -t connection show ID`, without runtime fields and the timestamp.
fn nmcli_fields(bed: &Testbed, id: &str) -> std::collections::BTreeMap<String, String> {
    let o = bed.nmcli(&["-t", "connection", "show", id]);
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| !k.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter(|(k, _)| *k != "connection.timestamp")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn an_mtu_edit_of_a_rich_nmcli_bond_changes_nothing_else(bed: &Testbed, win: &BondsmithWindow) {
    let out = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond6",
        "ifname",
        "bond6",
        "bond.options",
        "mode=802.3ad,lacp_rate=1,miimon=100,xmit_hash_policy=1",
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.6.0.2/24,10.6.0.3/24",
        "ipv4.gateway",
        "10.6.0.1",
        "ipv4.routes",
        "10.66.0.0/16 10.6.0.254",
        "ipv4.dns",
        "10.6.0.53",
        "ipv4.dns-search",
        "example.org",
        "ipv6.method",
        "manual",
        "ipv6.addresses",
        "fd06::2/64,fd06::3/64",
        "ipv6.gateway",
        "fd06::1",
        "connection.zone",
        "trusted",
        "ethernet.cloned-mac-address",
        "stable",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "bond6-eno1",
        "ifname",
        "eno1",
        "master",
        "bond6",
        "slave-type",
        "bond",
    ]);
    assert!(out.status.success());
    let before = (nmcli_fields(bed, "bond6"), nmcli_fields(bed, "bond6-eno1"));
    wait_until("the nmcli bond to show up", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond6")
    });
    act(win, "win.edit-bond", Some(&"bond6".to_variant()));
    wait_until("the editor", || win.page() == "editor");
    let ed = win.editor();
    // Everything the profile holds is shown: both addresses of each family, the MAC value.
    let text = |k: &str| ed.field_entry(k).unwrap().text().to_string();
    assert_eq!(text("ipv4_addresses"), "10.6.0.2/24, 10.6.0.3/24");
    assert_eq!(text("ipv6_addresses"), "fd06::2/64, fd06::3/64");
    assert_eq!(text("ipv6_gateway"), "fd06::1");
    assert_eq!(text("mac"), "stable");
    // Scrolls the form to the addresses, for a look at them.
    ed.field_entry("ipv6_dns").unwrap().grab_focus();
    screenshot(win, "edit-addresses");
    ed.field_entry("mtu").unwrap().set_text("9000");
    settle();
    assert!(
        ed.review_button().is_sensitive(),
        "{:?}",
        ed.field_problem("mac")
    );
    click(&ed.review_button());
    let review = ed.review_text();
    assert_eq!(
        review, "nmcli connection modify bond6 ethernet.mtu 9000",
        "{review}"
    );
    screenshot(win, "edit-mtu-review");
    apply_and_answer(win, true, None);
    let after = (nmcli_fields(bed, "bond6"), nmcli_fields(bed, "bond6-eno1"));
    assert_eq!(after.1, before.1, "the port profile changed");
    for (k, v) in &before.0 {
        if k != "802-3-ethernet.mtu" {
            assert_eq!(after.0.get(k), Some(v), "{k} changed");
        }
    }
    assert_eq!(after.0["802-3-ethernet.mtu"], "9000");
}

fn a_mode_switch_that_drops_lacp_rate_is_a_note(bed: &Testbed, win: &BondsmithWindow) {
    let out = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond7",
        "ifname",
        "bond7",
        "bond.options",
        "mode=802.3ad,lacp_rate=fast,miimon=100",
        "ipv4.method",
        "disabled",
        "ipv6.method",
        "disabled",
    ]);
    assert!(out.status.success());
    let out = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "bond7-eno1",
        "ifname",
        "eno1",
        "master",
        "bond7",
        "slave-type",
        "bond",
    ]);
    assert!(out.status.success());
    wait_until("the nmcli bond to show up", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond7")
    });
    act(win, "win.edit-bond", Some(&"bond7".to_variant()));
    wait_until("the editor", || win.page() == "editor");
    let ed = win.editor();
    ed.mode_row()
        .set_selected(bondkit::model::BondMode::ActiveBackup.index() as u32);
    settle();
    assert_eq!(ed.field_problem("lacp_rate"), None);
    assert!(
        ed.review_button().is_sensitive(),
        "a mode switch was blocked"
    );
    click(&ed.review_button());
    let notes = ed.review_notes().join("\n");
    assert!(notes.contains("removes lacp_rate"), "{notes}");
    let review = ed.review_text();
    assert!(
        review.contains("bond.options mode=active-backup,miimon=100"),
        "{review}"
    );
    // Back from the review, then out of the editor, without applying.
    for _ in 0..3 {
        if matches!(win.page().as_str(), "list" | "empty" | "bond") {
            break;
        }
        act(win, "win.back", None);
        settle();
    }
    assert!(
        matches!(win.page().as_str(), "list" | "empty" | "bond"),
        "{}",
        win.page()
    );
}

fn rolls_back_when_the_keep_dialog_is_declined(bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    fill(
        win,
        "bond2",
        BondMode::ActiveBackup,
        &["eno1", "eno2"],
        &[("miimon", "100"), ("primary", "eno1")],
    );
    click(&win.editor().review_button());
    click(&win.editor().apply_button());
    wait_until("the keep dialog", || win.keep_dialog().is_some());
    // While the dialog is open the change is applied...
    assert!(bed.profiles().contains(&"bond2".to_string()));
    win.keep_dialog().unwrap().response("revert");
    wait_until("the roll-back", || {
        win.keep_dialog().is_none() && matches!(win.page().as_str(), "list" | "empty")
    });
    // ...and declining takes all of it back.
    assert!(
        bed.profiles().is_empty(),
        "left behind: {:?}",
        bed.profiles()
    );
    assert_eq!(win.page(), "empty");
}

fn a_vanished_port_is_an_error_with_a_way_forward(bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    fill(win, "bond3", BondMode::ActiveBackup, &["eno4"], &[]);
    click(&win.editor().review_button());
    // The NIC disappears between review and apply (a USB adapter pulled, say).
    let st = std::process::Command::new("ip")
        .args(["-n", &bed.netns(), "link", "del", "eno4"])
        .status()
        .unwrap();
    assert!(st.success());
    click(&win.editor().apply_button());
    let dialog = || {
        gtk::Window::list_toplevels()
            .into_iter()
            .filter_map(|w| w.downcast::<adw::MessageDialog>().ok())
            .find(|d| d.is_visible())
    };
    wait_until("the error dialog", || dialog().is_some());
    let d = dialog().unwrap();
    let body = d.body().to_string();
    assert!(
        body.starts_with("There is no network device named eno4; pick one of: eno1, eno2, eno3."),
        "{body}"
    );
    assert!(
        body.to_lowercase().contains("nothing was changed"),
        "{body}"
    );
    screenshot(&d, "error");
    d.response("close");
    d.close();
    assert_eq!(
        win.page(),
        "editor",
        "the user is back at the form to fix it"
    );
    assert!(bed.profiles().is_empty());
    act(win, "win.back", None);
    act(win, "win.back", None);
}

fn stays_usable_at_360_px(_bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    win.set_default_size(360, 720);
    fill(
        win,
        "bond4",
        BondMode::Ieee8023ad,
        &["eno1"],
        &[("lacp_rate", "fast")],
    );
    wait_until("the narrow layout", || win.width() <= 400);
    let ed = win.editor();
    assert!(ed.width() <= 400, "the editor fits: {} px", ed.width());
    screenshot(win, "narrow");
    act(win, "win.back", None);
    win.set_default_size(760, 900);
}

fn speaks_german(_bed: &Testbed, win: &BondsmithWindow) {
    // A German session: new windows are built from the German catalog.
    std::env::set_var("LANGUAGE", "de");
    bondsmith::i18n::init();
    let app = win
        .application()
        .and_downcast::<adw::Application>()
        .expect("the app");
    let de = BondsmithWindow::new(&app);
    de.set_default_size(760, 900);
    de.present();
    wait_until("the German window to load", || de.page() == "empty");
    let title = find_label(de.upcast_ref(), "Noch keine Bündelungen");
    assert!(title, "the empty state is in German");
    screenshot(&de, "german-empty-state");
    act(&de, "win.create", None);
    wait_until("the German editor", || de.page() == "editor");
    de.editor().name_entry().set_text("bond0");
    de.editor().port_check("eno1").unwrap().set_active(true);
    settle();
    assert!(
        find_label(de.upcast_ref(), "Bündelung"),
        "the form is in German"
    );
    screenshot(&de, "german-create-form");
    de.close();
    std::env::set_var("LANGUAGE", "en");
    bondsmith::i18n::init();
}

fn speaks_french(_bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    // A French session: French runs longer than English, so the form must still fit at 360 px.
    std::env::set_var("LANGUAGE", "fr");
    bondsmith::i18n::init();
    let app = win
        .application()
        .and_downcast::<adw::Application>()
        .expect("the app");
    let fr = BondsmithWindow::new(&app);
    fr.set_default_size(760, 900);
    fr.present();
    wait_until("the French window to load", || fr.page() == "empty");
    assert!(
        find_label(fr.upcast_ref(), "Aucun agrégat pour l’instant"),
        "the empty state is in French"
    );
    screenshot(&fr, "french-empty-state");
    fill(
        &fr,
        "bond0",
        BondMode::Ieee8023ad,
        &["eno1", "eno2"],
        &[("lacp_rate", "fast"), ("xmit_hash_policy", "layer3+4")],
    );
    assert!(
        find_label(fr.upcast_ref(), "Agrégat"),
        "the form is in French"
    );
    screenshot(&fr, "french-create-form");
    click(&fr.editor().review_button());
    assert_eq!(fr.editor().page(), "review");
    screenshot(&fr, "french-review");
    act(&fr, "win.back", None);
    fr.set_default_size(360, 720);
    wait_until("the narrow French layout", || fr.width() <= 400);
    assert!(
        fr.editor().width() <= 400,
        "the French editor fits: {} px",
        fr.editor().width()
    );
    screenshot(&fr, "french-narrow");
    fr.close();
    std::env::set_var("LANGUAGE", "en");
    bondsmith::i18n::init();
}

/// The real app binary, idle on its bond list, must not wake up: no polling timers, no
/// animations left running. Counted as context switches of all its threads (not timed).
fn idle_app_does_not_wake_up(_bed: &Testbed, _win: &BondsmithWindow) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bondsmith"))
        .env("G_DEBUG", "fatal-warnings")
        .spawn()
        .expect("start bondsmith");
    let pid = child.id();
    let switches = || support::context_switches(pid);
    // Let it start, connect and draw its first frame.
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the app exited early (a GTK warning or critical is fatal here)"
    );
    let before = switches();
    std::thread::sleep(Duration::from_secs(3));
    let after = switches();
    let _ = child.kill();
    let _ = child.wait();
    println!("    idle wake-ups (all threads) in 3 s: {}", after - before);
    assert!(
        after - before <= 3,
        "the idle app woke up {} times in 3 s",
        after - before
    );
}

fn nmcli_bond(bed: &Testbed, name: &str) {
    let o = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        name,
        "ifname",
        name,
        "bond.options",
        "mode=active-backup",
        "connection.autoconnect",
        "no",
        "ipv4.method",
        "disabled",
        "ipv6.method",
        "disabled",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn an_unrelated_change_keeps_the_rows_and_focus(bed: &Testbed, win: &BondsmithWindow) {
    nmcli_bond(bed, "bond8");
    wait_until("the bond in the list", || win.bond_rows().len() == 1);
    let row = win.bond_rows()[0].clone();
    row.grab_focus();
    settle();
    assert!(row.has_focus());
    // Another tool changes something that is not a bond: a profile on a NIC comes and goes.
    let o = bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "unrelated",
        "ifname",
        "eno4",
        "connection.autoconnect",
        "no",
    ]);
    assert!(o.status.success());
    wait_until("NM to announce it", || {
        win.snapshot().bonds.len() == 1 && bed.profiles().contains(&"unrelated".to_string())
    });
    for _ in 0..10 {
        settle();
    }
    let now = win.bond_rows();
    assert_eq!(now.len(), 1);
    assert_eq!(
        now[0], row,
        "the list was rebuilt for a change that is not about bonds"
    );
    assert!(row.has_focus(), "the row lost keyboard focus");
}

fn a_bond_deleted_elsewhere_leaves_its_page(bed: &Testbed, win: &BondsmithWindow) {
    nmcli_bond(bed, "bond8");
    wait_until("the bond in the list", || win.bond_rows().len() == 1);
    act(win, "win.show-bond", Some(&"bond8".to_variant()));
    wait_until("the bond page", || win.page() == "bond");
    let o = bed.nmcli(&["connection", "delete", "bond8"]);
    assert!(o.status.success());
    wait_until("the page to close", || {
        matches!(win.page().as_str(), "empty" | "list")
    });
    assert_eq!(win.page(), "empty");
}

/// "bond0 is set up" belongs to the list it was shown on, not to the next page opened.
fn a_toast_stays_with_its_page(bed: &Testbed, win: &BondsmithWindow) {
    nmcli_bond(bed, "bond8");
    wait_until("the bond in the list", || win.bond_rows().len() == 1);
    win.toast("bond8 is set up");
    assert_eq!(win.toast_count(), 1);
    act(win, "win.show-bond", Some(&"bond8".to_variant()));
    wait_until("the bond page", || win.page() == "bond");
    assert_eq!(
        win.toast_count(),
        0,
        "the list's toast followed onto the bond page"
    );
    act(win, "win.back", None);
}

/// `bondsmith --show-bond NAME` while Bondsmith runs: GApplication hands the command line
/// to the running window, which opens the page; the second process exits.
fn a_second_instance_opens_the_bond_page(bed: &Testbed, win: &BondsmithWindow) {
    nmcli_bond(bed, "bond8");
    wait_until("the bond in the list", || win.bond_rows().len() == 1);
    assert_eq!(win.page(), "list");
    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_bondsmith"))
        .args(["--show-bond", "bond8"])
        .spawn()
        .expect("start a second bondsmith");
    let mut status = None;
    wait_until("the second instance to hand over and exit", || {
        status = second.try_wait().expect("wait");
        status.is_some()
    });
    assert!(status.unwrap().success(), "second instance: {status:?}");
    wait_until("the bond page in the running window", || {
        win.page() == "bond"
    });
    assert_eq!(win.title_text(), "bond8");
    act(win, "win.back", None);
}

/// Issue 10: bond-port settings in the form's ports group: the review shows them as nmcli
/// does, the port profile holds them, and editing shows them again. Settings the running
/// NetworkManager does not take (prio before 1.42.8) are not offered.
fn port_settings_in_the_form_reach_the_port_profiles(bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    fill(
        win,
        "bond4",
        BondMode::ActiveBackup,
        &["eno1", "eno2"],
        &[("miimon", "100")],
    );
    let ed = win.editor();
    let queue = ed
        .port_setting("eno1", "queue-id")
        .expect("a queue-id field for eno1");
    assert!(
        ed.port_setting("eno3", "queue-id")
            .is_some_and(|s| !s.is_visible() || !s.is_mapped()),
        "fields of ports that are not chosen are hidden"
    );
    let version = bondkit::model::NmVersion::parse(&String::from_utf8_lossy(
        &bed.nmcli(&["-g", "version", "general"]).stdout,
    ))
    .unwrap();
    assert_eq!(
        ed.port_setting("eno1", "prio").is_some(),
        version >= bondkit::model::NmVersion::new(1, 42, 8),
        "prio is offered exactly when NM {version} takes it"
    );
    queue.set_value(3.0);
    ed.port_settings_row().unwrap().set_expanded(true);
    settle();
    screenshot(win, "editor-port-settings");
    click(&ed.review_button());
    let review = ed.review_text();
    assert!(
        review.contains(
            "ifname eno1 connection.master bond4 connection.slave-type bond bond-port.queue-id 3"
        ),
        "{review}"
    );
    apply_and_answer(win, true, None);
    assert_eq!(bed.nmcli_get("bond4-eno1", "bond-port.queue-id"), "3");
    // A port without settings has NM's defaults (an empty bond-port setting, as nmcli makes it).
    assert_eq!(bed.nmcli_get("bond4-eno2", "bond-port.queue-id"), "0");
    act(win, "win.edit-bond", Some(&"bond4".to_variant()));
    wait_until("the editor", || win.page() == "editor");
    let ed = win.editor();
    assert_eq!(ed.port_setting("eno1", "queue-id").unwrap().value(), 3.0);
    assert!(
        ed.port_settings_row().unwrap().is_expanded(),
        "a bond with port settings shows them"
    );
    assert_eq!(ed.port_setting("eno2", "queue-id").unwrap().value(), 0.0);
    act(win, "win.back", None);
}

/// The keep dialog's "rolls back by itself in 20 seconds" counts down while it is open.
fn the_keep_dialog_counts_down(bed: &Testbed, win: &BondsmithWindow) {
    use bondkit::model::BondMode;
    fill(
        win,
        "bond3",
        BondMode::ActiveBackup,
        &["eno1"],
        &[("miimon", "100")],
    );
    click(&win.editor().review_button());
    click(&win.editor().apply_button());
    wait_until("the keep dialog", || win.keep_dialog().is_some());
    let dialog = win.keep_dialog().unwrap();
    let first = dialog.body().to_string();
    assert!(first.contains("in 20 seconds"), "{first}");
    wait_until("the count to reach 19", || {
        dialog.body().contains("in 19 seconds")
    });
    wait_until("the count to reach 18", || {
        dialog.body().contains("in 18 seconds")
    });
    // Nobody answers: at 0 it rolls back and the dialog goes away by itself.
    set_patience(40);
    wait_until("the roll-back at the end of the count", || {
        win.keep_dialog().is_none()
            && !dialog.is_visible()
            && matches!(win.page().as_str(), "list" | "empty")
    });
    set_patience(15);
    assert!(
        !bed.profiles().iter().any(|p| p.starts_with("bond3")),
        "{:?}",
        bed.profiles()
    );
}

fn an_inactive_bond_page_says_so(bed: &Testbed, win: &BondsmithWindow) {
    // This host's kernel has no bonding driver: the page shows NM's side and says why the
    // live part is empty (the VM tier shows it with a real bond).
    assert!(bed
        .nmcli(&[
            "connection",
            "add",
            "type",
            "bond",
            "con-name",
            "bond6",
            "ifname",
            "bond6",
            "bond.options",
            "mode=802.3ad,lacp_rate=fast",
            "connection.autoconnect",
            "no"
        ])
        .status
        .success());
    wait_until("the bond in the list", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond6")
    });
    act(win, "win.show-bond", Some(&"bond6".to_variant()));
    wait_until("the bond page", || win.page() == "bond");
    assert_eq!(win.title_text(), "bond6", "the title names the bond");
    // The title already names the kernel's mode: not "LACP (802.3ad) (802.3ad)".
    assert_eq!(win.bond_page().mode_text(), "LACP (802.3ad)");
    assert!(find_label(win.upcast_ref(), "This bond is not active, so the kernel has no live state for it. Activate it to see its ports here."));
    assert!(win.bond_page().port_summary().is_empty());
    screenshot(win, "bond-page-inactive");
    act(win, "win.back", None);
    assert_eq!(win.page(), "list");
}

fn nm_not_running_is_a_page_with_a_way_forward(bed: &Testbed, win: &BondsmithWindow) {
    // A window whose bus has no NetworkManager on it (its backend connects on its own).
    std::env::set_var(
        "DBUS_SYSTEM_BUS_ADDRESS",
        "unix:path=/nonexistent/bondsmith-no-bus",
    );
    let app = win
        .application()
        .and_downcast::<adw::Application>()
        .expect("the app");
    let w = BondsmithWindow::new(&app);
    w.set_default_size(760, 700);
    w.present();
    wait_until("the error page", || w.page() == "error");
    // Said for a desktop user: no terminal command (bondctl names systemctl instead).
    assert!(find_label(
        w.upcast_ref(),
        "NetworkManager is not running, or Bondsmith cannot reach it. Start it, or ask your administrator to, then try again."
    ));
    assert!(!find_label(w.upcast_ref(), "NetworkManager is not running or not reachable on the system bus; start it (systemctl start NetworkManager) and try again."));
    screenshot(&w, "nm-not-running");
    // NM comes back: Try Again recovers without restarting the app.
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus);
    act(&w, "win.refresh", None);
    wait_until("the list after Try Again", || {
        matches!(w.page().as_str(), "empty" | "list")
    });
    w.close();
}

fn warns_before_taking_the_default_route_port(bed: &Testbed, win: &BondsmithWindow) {
    // eno3 carries an active profile with the default route, as a desktop's only NIC does.
    assert!(bed
        .nmcli(&[
            "connection",
            "add",
            "type",
            "ethernet",
            "con-name",
            "Wired",
            "ifname",
            "eno3",
            "ipv4.method",
            "manual",
            "ipv4.addresses",
            "10.77.0.50/24",
            "ipv4.gateway",
            "10.77.0.1",
            "ipv6.method",
            "disabled"
        ])
        .status
        .success());
    let up = bed.nmcli(&["--wait", "15", "connection", "up", "Wired"]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    wait_until("NM to report the default route", || {
        act(win, "win.refresh", None);
        win.snapshot()
            .devices
            .iter()
            .any(|d| d.interface == "eno3" && d.default_route)
    });
    act(win, "win.back", None);
    fill(
        win,
        "bond0",
        bondkit::model::BondMode::ActiveBackup,
        &["eno1", "eno3"],
        &[],
    );
    let ed = win.editor();
    let text = ed.port_text("eno3").unwrap();
    assert!(text.contains("carries the default route"), "{text}");
    screenshot(win, "default-route-warning");
    click(&ed.review_button());
    let notes = ed.review_notes();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("eno3 carries this computer's default route.")),
        "{notes:?}"
    );
    act(win, "win.back", None);
    act(win, "win.back", None);
    assert!(bed
        .nmcli(&["connection", "delete", "Wired"])
        .status
        .success());
}

/// Preferences → "Warn When a Bond Loses a Cable": on writes an XDG autostart entry that
/// starts `bondsmith --monitor` at login (valid for desktop-file-validate) and starts the
/// watch; off removes the entry and stops the watch.
fn the_alerts_preference_writes_and_removes_the_autostart_entry(
    _bed: &Testbed,
    win: &BondsmithWindow,
) {
    let file = bondsmith::background::autostart_file();
    assert!(
        file.starts_with(std::env::var("XDG_CONFIG_HOME").unwrap()),
        "{}",
        file.display()
    );
    let _ = std::fs::remove_file(&file);
    act(win, "app.preferences", None);
    let prefs = gtk::Window::list_toplevels()
        .into_iter()
        .find_map(|w| w.downcast::<bondsmith::widgets::Preferences>().ok())
        .expect("the Preferences window");
    wait_until("the Preferences window to show", || prefs.is_visible());
    let switch = prefs.monitor_switch();
    assert!(!switch.is_active(), "alerts are off by default");
    screenshot(&prefs, "preferences");

    switch.set_active(true);
    wait_until("the autostart entry", || file.exists());
    let entry = std::fs::read_to_string(&file).unwrap();
    let exe = std::env::current_exe().unwrap();
    assert!(
        entry.contains(&format!("Exec={} --monitor\n", exe.display())),
        "{entry}"
    );
    assert!(entry.contains("X-GNOME-Autostart-enabled=true"), "{entry}");
    let check = std::process::Command::new("desktop-file-validate")
        .arg(&file)
        .output()
        .expect("desktop-file-validate");
    assert!(
        check.status.success() && check.stdout.is_empty(),
        "desktop-file-validate: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(
        bondsmith::alerts::is_running(),
        "turning it on starts the watch"
    );
    let settings = bondsmith::settings::get().expect("the app's settings");
    assert!(settings.boolean("monitor"));

    switch.set_active(false);
    wait_until("the autostart entry to go", || !file.exists());
    assert!(
        !bondsmith::alerts::is_running(),
        "turning it off stops the watch"
    );
    assert!(!settings.boolean("monitor"));
    prefs.close();
    settle();
}
