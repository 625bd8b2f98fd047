//! One bond in the main list: its name, mode and a one-line health summary.

use crate::i18n::{gettext, gettext_f, ngettext_f};
use adw::prelude::*;
use bondkit::model::BondMode;
use bondkit::nm::{BondProfile, DeviceInfo};

/// "Up · 2 ports" style summary from NM's view of the bond and its port devices.
pub fn health_summary(bond: &BondProfile, devices: &[DeviceInfo]) -> String {
    let mode = bond
        .settings
        .options
        .get("mode")
        .and_then(|m| BondMode::parse(m));
    let mode = mode
        .map(|m| gettext(m.title()))
        .unwrap_or_else(|| gettext("Unknown mode"));
    let ports = bond.ports.len();
    let linked = bond
        .ports
        .iter()
        .filter(|p| {
            devices
                .iter()
                .any(|d| d.interface == p.interface && d.carrier == Some(true))
        })
        .count();
    let state = match bond.device_state.as_deref() {
        Some("activated") if ports > 1 && linked < 2 => gettext("Up, but no redundancy left"),
        Some("activated") => gettext("Up"),
        Some("failed") => gettext("Failed"),
        Some(s) if s != "disconnected" && s != "unavailable" && s != "unmanaged" => {
            gettext("Connecting")
        }
        _ => gettext("Inactive"),
    };
    let ports_text = match ports {
        0 => gettext("no ports"),
        n => ngettext_f("{} port", "{} ports", n as u32, &[&n.to_string()]),
    };
    let linked_text = gettext_f("{} with link", &[&linked.to_string()]);
    format!("{mode} · {state} · {ports_text} ({linked_text})")
}

/// Refreshes a row in place (title and health line): no new widget, so focus stays.
pub fn update(row: &adw::ActionRow, bond: &BondProfile, devices: &[DeviceInfo]) {
    row.set_title(bond.name());
    let summary = health_summary(bond, devices);
    if row.subtitle().as_deref() != Some(summary.as_str()) {
        row.set_subtitle(&summary);
    }
}

pub fn new(bond: &BondProfile, devices: &[DeviceInfo]) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .title(bond.name())
        .subtitle(health_summary(bond, devices))
        .activatable(true)
        .build();
    row.set_widget_name(bond.name());
    let icon = gtk::Image::from_icon_name("go-next-symbolic");
    row.add_suffix(&icon);
    let delete = gtk::Button::builder()
        .icon_name("user-trash-symbolic")
        .valign(gtk::Align::Center)
        .tooltip_text(gettext("Delete Bond"))
        .action_name("win.delete-bond")
        .action_target(&bond.settings.uuid.to_variant())
        .build();
    delete.add_css_class("flat");
    crate::a11y::set_label(&delete, &gettext_f("Delete {}", &[bond.name()]));
    row.add_suffix(&delete);
    row.set_action_name(Some("win.show-bond"));
    // Keyed by UUID: two profiles for one interface are two rows.
    row.set_action_target_value(Some(&bond.settings.uuid.to_variant()));
    row
}
