//! The GUI's drafts and exports (issue 12): "Check a Draft…" marks the article's typo on its
//! line and "Create From This" fills the create form; "Import…" of an exported keyfile fills
//! it too; "Export…" on the bond page previews each format and says what one leaves out.

use crate::gui_support::{act, click, screenshot, settle, wait_until};
use crate::support::{ok, Testbed};
use adw::prelude::*;
use bondsmith::BondsmithWindow;

/// The article's systemd-networkd example, its files one after the other.
const ARTICLE_NETWORKD: &str = "[NetDev]\nName=bond0\nKind=bond\n[Bond]\nMode=active-backup\nMIIMonitorSec=100ms\nPrimaryReslectPolicy=always\n[Match]\nName=eno1\n[Network]\nBond=bond0\n[Match]\nName=eno2\n[Network]\nBond=bond0\n[Match]\nName=bond0\n[Network]\nDHCP=no\nAddress=192.168.10.20/24\nGateway=192.168.10.1\nDNS=192.168.10.1\n";

pub fn a_pasted_draft_is_checked_line_by_line(_bed: &Testbed, win: &BondsmithWindow) {
    act(win, "win.check-draft", None);
    wait_until("the draft page", || win.page() == "draft");
    assert_eq!(win.title_text(), "Check a Draft");
    let page = win.draft_page();
    page.set_text(ARTICLE_NETWORKD);
    settle();
    let rows = page.finding_rows();
    let errors: Vec<_> = rows
        .iter()
        .filter(|(t, _)| t.starts_with("Error"))
        .collect();
    assert_eq!(errors.len(), 1, "{rows:?}");
    assert_eq!(errors[0].0, "Error on line 7");
    assert!(
        errors[0].1.contains("did you mean PrimaryReselectPolicy?"),
        "{}",
        errors[0].1
    );
    assert_eq!(page.summary_text(), "1 error");
    assert!(
        !page.create_button().is_sensitive(),
        "an error stops Create From This"
    );
    screenshot(win, "draft-check-typo");
    // The typo fixed by hand: the draft is clean and becomes the create form.
    page.set_text(&ARTICLE_NETWORKD.replace("PrimaryReslectPolicy", "PrimaryReselectPolicy"));
    settle();
    assert_eq!(
        page.summary_text(),
        "No problems found.",
        "{:?}",
        page.finding_rows()
    );
    assert!(page.create_button().is_sensitive());
    screenshot(win, "draft-check-clean");
    click(&page.create_button());
    wait_until("the create form", || win.page() == "editor");
    let ed = win.editor();
    assert_eq!(ed.name_entry().text(), "bond0");
    assert!(ed.port_check("eno1").unwrap().is_active());
    assert!(ed.port_check("eno2").unwrap().is_active());
    assert_eq!(
        ed.field_entry("ipv4_addresses").unwrap().text(),
        "192.168.10.20/24"
    );
    assert_eq!(
        ed.field_entry("ipv4_gateway").unwrap().text(),
        "192.168.10.1"
    );
    screenshot(win, "draft-create-form");
    click(&ed.review_button());
    let review = ed.review_text();
    assert!(
        review.contains("bond.options mode=active-backup,miimon=100,primary_reselect=always"),
        "{review}"
    );
    act(win, "win.back", None);
    act(win, "win.back", None);
}

pub fn an_exported_bond_imports_into_the_form_and_the_export_dialog_shows_each_format(
    bed: &Testbed,
    win: &BondsmithWindow,
) {
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond9",
        "ifname",
        "bond9",
        "bond.options",
        "mode=802.3ad,miimon=100,lacp_rate=fast,xmit_hash_policy=layer3+4,use_carrier=0",
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.9.0.2/24",
        "ipv6.method",
        "disabled",
        "connection.autoconnect",
        "no",
    ]));
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "bond9-eno3",
        "ifname",
        "eno3",
        "master",
        "bond9",
        "slave-type",
        "bond",
        "connection.autoconnect",
        "no",
    ]));
    act(win, "win.refresh", None);
    wait_until("bond9 in the list", || {
        win.snapshot().bonds.iter().any(|b| b.name() == "bond9")
    });
    act(win, "win.show-bond", Some(&"bond9".to_variant()));
    wait_until("the bond page", || win.page() == "bond");
    let button = win.bond_page().export_button();
    click(&button);
    let dialog = gtk::Window::list_toplevels()
        .into_iter()
        .find_map(|w| w.downcast::<bondsmith::widgets::ExportDialog>().ok())
        .expect("the export dialog is open");
    use bondkit::export::Format;
    assert!(dialog
        .preview_text()
        .contains("nmcli connection add type bond con-name bond9"));
    dialog.set_format(Format::Networkd);
    settle();
    let text = dialog.preview_text();
    assert!(
        text.contains("# ==> 10-bond9.netdev <==") && text.contains("LACPTransmitRate=fast"),
        "{text}"
    );
    let left = dialog
        .left_out_text()
        .expect("use_carrier cannot be said in networkd");
    assert!(left.contains("use_carrier=0"), "{left}");
    screenshot(&dialog, "export-dialog-networkd");
    dialog.set_format(Format::Keyfile);
    settle();
    assert!(dialog.left_out_text().is_none());
    // The keyfiles, saved by bondkit's writer and imported back: the create form, filled in.
    let dir = bed.dir().join("gui-export");
    std::fs::create_dir_all(&dir).unwrap();
    let e = bondkit::export::export(
        &win.snapshot()
            .bonds
            .iter()
            .find(|b| b.name() == "bond9")
            .unwrap()
            .to_config(),
        &win.snapshot()
            .bonds
            .iter()
            .find(|b| b.name() == "bond9")
            .unwrap()
            .settings
            .options,
        Format::Keyfile,
    );
    assert_eq!(dialog.preview_text(), e.joined());
    dialog.close();
    let paths: Vec<_> = e
        .files
        .iter()
        .map(|f| bondkit::export::write_file(&dir, f).unwrap())
        .collect();
    ok(&bed.nmcli(&["connection", "delete", "bond9", "bond9-eno3"]));
    act(win, "win.refresh", None);
    wait_until("bond9 gone", || {
        !win.snapshot().bonds.iter().any(|b| b.name() == "bond9")
    });
    win.import_files(&paths);
    wait_until("the create form", || win.page() == "editor");
    let ed = win.editor();
    assert_eq!(ed.name_entry().text(), "bond9");
    assert!(ed.port_check("eno3").unwrap().is_active());
    assert_eq!(
        ed.field_entry("ipv4_addresses").unwrap().text(),
        "10.9.0.2/24"
    );
    click(&ed.review_button());
    let review = ed.review_text();
    assert!(
        review.contains("lacp_rate=fast") && review.contains("xmit_hash_policy=layer3+4"),
        "{review}"
    );
    screenshot(win, "import-review");
    act(win, "win.back", None);
    act(win, "win.back", None);
}
