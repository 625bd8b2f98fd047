//! A bond's live page: the kernel's view of every port (active or backup, MII, link
//! failures, speed, LACP aggregator and partner) with diagnostics as banners. It renders
//! what the backend streams from netlink events; nothing here polls.

use crate::i18n::{gettext, gettext_f, ngettext_f};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::kernel::{Diagnostic, KernelBond, KernelPort};
use bondkit::nm::BondProfile;
use gtk::glib;
use std::cell::RefCell;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/widgets/bond_page.ui")]
    pub struct BondPage {
        #[template_child]
        pub banners: TemplateChild<gtk::Box>,
        #[template_child]
        pub mode_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub active_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub monitor_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub lacp_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub ports_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub edit_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub export_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub test_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub activate_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub history_row: TemplateChild<adw::ExpanderRow>,
        pub history_rows: RefCell<Vec<adw::ActionRow>>,
        pub port_rows: RefCell<Vec<adw::ActionRow>>,
        pub banner_texts: RefCell<Vec<String>>,
        pub port_badges: RefCell<Vec<(String, String)>>,
        pub bond: RefCell<Option<String>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for BondPage {
        const NAME: &'static str = "BondsmithBondPage";
        type Type = super::BondPage;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for BondPage {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            self.activate_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |b| {
                    if let Some(uuid) = obj.imp().bond.borrow().clone() {
                        b.set_sensitive(false);
                        let _ = WidgetExt::activate_action(
                            &obj,
                            "win.activate-bond",
                            Some(&uuid.to_variant()),
                        );
                    }
                }
            ));
            self.test_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| {
                    if let Some(uuid) = obj.imp().bond.borrow().clone() {
                        let _ = WidgetExt::activate_action(
                            &obj,
                            "win.test-failover",
                            Some(&uuid.to_variant()),
                        );
                    }
                }
            ));
            self.export_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| {
                    if let Some(uuid) = obj.imp().bond.borrow().clone() {
                        let _ = WidgetExt::activate_action(
                            &obj,
                            "win.export-bond",
                            Some(&uuid.to_variant()),
                        );
                    }
                }
            ));
            self.edit_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| {
                    if let Some(name) = obj.imp().bond.borrow().clone() {
                        let _ = WidgetExt::activate_action(
                            &obj,
                            "win.edit-bond",
                            Some(&name.to_variant()),
                        );
                    }
                }
            ));
        }
    }
    impl WidgetImpl for BondPage {}
    impl BoxImpl for BondPage {}
}

glib::wrapper! {
    pub struct BondPage(ObjectSubclass<imp::BondPage>)
        @extends gtk::Widget, gtk::Box,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for BondPage {
    fn default() -> Self {
        glib::Object::new()
    }
}

fn banner(text: &str) -> gtk::Widget {
    let b = gtk::Box::builder()
        .spacing(12)
        .css_classes(["diagnostic-banner"])
        .build();
    b.append(&gtk::Image::from_icon_name("dialog-warning-symbolic"));
    let label = gtk::Label::builder()
        .label(text)
        .wrap(true)
        .xalign(0.0)
        .hexpand(true)
        .build();
    b.append(&label);
    b.upcast()
}

/// The mode's title, with the kernel's name for it where the title does not say it
/// already ("Round-robin (balance-rr)", but "LACP (802.3ad)").
fn mode_text(m: bondkit::model::BondMode) -> String {
    let title = gettext(m.title());
    if title.to_lowercase().contains(m.name()) {
        title
    } else {
        format!("{title} ({})", m.name())
    }
}

fn speed_text(p: &KernelPort) -> Option<String> {
    let s = p.speed_mbps?;
    let speed = if s >= 1000 && s % 1000 == 0 {
        format!("{} Gb/s", s / 1000)
    } else {
        format!("{s} Mb/s")
    };
    Some(match &p.duplex {
        Some(d) => format!("{speed} {d}"),
        None => speed,
    })
}

impl BondPage {
    /// Shows NM's side while the kernel's is not known (or the bond is not active).
    pub fn load(&self, bond: &BondProfile) {
        let imp = self.imp();
        imp.bond.replace(Some(bond.settings.uuid.clone()));
        let mode = bond
            .settings
            .options
            .get("mode")
            .and_then(|m| bondkit::model::BondMode::parse(m));
        imp.mode_row
            .set_subtitle(&mode.map(mode_text).unwrap_or_default());
        imp.active_row
            .set_subtitle(&gettext("Not active in the kernel"));
        let miimon = bond
            .settings
            .options
            .get("miimon")
            .map(String::as_str)
            .unwrap_or("100");
        imp.monitor_row.set_subtitle(&gettext_f(
            "MII every {} ms, as the profile asks",
            &[miimon],
        ));
        imp.lacp_row.set_visible(false);
        self.set_ports(&[]);
        self.set_banners(&[]);
        let inactive = bond.device_state.as_deref() != Some("activated");
        imp.activate_button.set_visible(inactive);
        imp.activate_button.set_sensitive(true);
        imp.test_button.set_visible(!inactive);
        imp.ports_group.set_description(Some(&if inactive {
            gettext("As the profile lists them: the bond is not active")
        } else {
            gettext("Live from the kernel")
        }));
        if inactive {
            let note = gettext("This bond is not active, so the kernel has no live state for it. Activate it to see its ports here.");
            self.set_banners(&[note]);
            self.set_profile_ports(bond);
        }
    }

    /// Renders a fresh kernel reading and its diagnostics.
    pub fn update(&self, k: &KernelBond, diagnostics: &[Diagnostic]) {
        let imp = self.imp();
        imp.active_row
            .set_subtitle(&k.active_port.clone().unwrap_or_else(|| {
                if k.mode == "active-backup" {
                    gettext("None")
                } else {
                    gettext("All ports carry traffic in this mode")
                }
            }));
        let monitor = if k.miimon > 0 {
            gettext_f(
                "MII every {} ms (up delay {} ms, down delay {} ms)",
                &[
                    &k.miimon.to_string(),
                    &k.updelay.to_string(),
                    &k.downdelay.to_string(),
                ],
            )
        } else if k.arp_interval > 0 {
            gettext_f(
                "ARP every {} ms to {}",
                &[&k.arp_interval.to_string(), &k.arp_targets.join(", ")],
            )
        } else {
            gettext("None")
        };
        imp.monitor_row.set_subtitle(&monitor);
        match &k.ad_info {
            Some(ad) => {
                imp.lacp_row.set_visible(true);
                imp.lacp_row.set_subtitle(&gettext_f(
                    "{} · aggregator {} with {} ports",
                    &[
                        &ad.partner_mac,
                        &ad.aggregator.to_string(),
                        &ad.num_ports.to_string(),
                    ],
                ));
            }
            None => imp.lacp_row.set_visible(false),
        }
        imp.ports_group
            .set_description(Some(&gettext("Live from the kernel")));
        self.set_ports(&k.ports);
        let texts: Vec<String> = diagnostics
            .iter()
            .map(|d| d.message.render(&|t| gettext(t)))
            .collect();
        self.set_banners(&texts);
    }

    fn set_banners(&self, texts: &[String]) {
        let imp = self.imp();
        while let Some(c) = imp.banners.first_child() {
            imp.banners.remove(&c);
        }
        for t in texts {
            imp.banners.append(&banner(t));
        }
        imp.banners.set_visible(!texts.is_empty());
        imp.banner_texts.replace(texts.to_vec());
    }

    fn set_ports(&self, ports: &[KernelPort]) {
        let imp = self.imp();
        for r in imp.port_rows.take() {
            imp.ports_group.remove(&r);
        }
        let mut badges = Vec::new();
        let rows: Vec<adw::ActionRow> = ports
            .iter()
            .map(|p| {
                let mut parts = vec![gettext_f("MII {}", &[&p.mii])];
                if let Some(s) = speed_text(p) {
                    parts.push(s);
                }
                parts.push(ngettext_f(
                    "{} link failure",
                    "{} link failures",
                    p.link_failures,
                    &[&p.link_failures.to_string()],
                ));
                if let Some(a) = p.aggregator_id {
                    parts.push(gettext_f("aggregator {}", &[&a.to_string()]));
                }
                // The kernel's bond-port values, where they differ from its defaults.
                if let Some(q) = p.queue_id.filter(|q| *q != 0) {
                    parts.push(gettext_f("queue {}", &[&q.to_string()]));
                }
                if let Some(n) = p.prio.filter(|n| *n != 0) {
                    parts.push(gettext_f("priority {}", &[&n.to_string()]));
                }
                if !p.partner_state_words.is_empty() {
                    parts.push(gettext_f(
                        "partner: {}",
                        &[&p.partner_state_words.join(", ")],
                    ));
                }
                let row = adw::ActionRow::builder()
                    .title(p.name.as_str())
                    .subtitle(parts.join(" · "))
                    .subtitle_lines(3)
                    .build();
                let icon = gtk::Image::from_icon_name(if p.mii == "up" {
                    "network-wired-symbolic"
                } else {
                    "network-wired-disconnected-symbolic"
                });
                row.add_prefix(&icon);
                // A port without a link is down, not a standby.
                let (text, class) = if p.mii != "up" {
                    (gettext("Down"), "badge-down")
                } else if p.state == "active" {
                    (gettext("Active"), "badge-active")
                } else {
                    (gettext("Backup"), "badge-backup")
                };
                let badge = gtk::Label::builder()
                    .label(text.as_str())
                    .valign(gtk::Align::Center)
                    .css_classes(["badge", class])
                    .build();
                badges.push((p.name.clone(), text));
                row.add_suffix(&badge);
                if p.mii != "up" {
                    row.add_css_class("error");
                }
                row.set_widget_name(&p.name);
                imp.ports_group.add(&row);
                row
            })
            .collect();
        imp.port_rows.replace(rows);
        imp.port_badges.replace(badges);
    }

    /// The kept failover tests, newest first: the last one in the row, the rest behind it.
    pub fn set_history(&self, tests: &[bondkit::failover::TestRecord]) {
        let imp = self.imp();
        for r in imp.history_rows.take() {
            imp.history_row.remove(&r);
        }
        imp.history_row.set_visible(!tests.is_empty());
        let Some(last) = tests.first() else {
            return;
        };
        imp.history_row.set_subtitle(&test_line(last));
        let rows: Vec<adw::ActionRow> = tests
            .iter()
            .take(20)
            .map(|t| {
                let row = adw::ActionRow::builder()
                    .title(bondkit::failover::history::format_utc(t.finished_at))
                    .subtitle(test_line(t))
                    .build();
                imp.history_row.add_row(&row);
                row
            })
            .collect();
        imp.history_rows.replace(rows);
    }

    /// What the history row says, for tests.
    pub fn history_text(&self) -> String {
        let r = &self.imp().history_row;
        if !r.is_visible() {
            return String::new();
        }
        r.subtitle().to_string()
    }

    /// The ports the profile has, while the kernel has none to show.
    fn set_profile_ports(&self, bond: &BondProfile) {
        let imp = self.imp();
        let mut badges = Vec::new();
        let rows: Vec<adw::ActionRow> = bond
            .ports
            .iter()
            .map(|p| {
                let row = adw::ActionRow::builder()
                    .title(p.interface.as_str())
                    .subtitle(gettext_f("Profile “{}”", &[&p.id]))
                    .build();
                row.add_prefix(&gtk::Image::from_icon_name(
                    "network-wired-disconnected-symbolic",
                ));
                let text = gettext("Not Active");
                row.add_suffix(
                    &gtk::Label::builder()
                        .label(text.as_str())
                        .valign(gtk::Align::Center)
                        .css_classes(["badge", "badge-backup"])
                        .build(),
                );
                badges.push((p.interface.clone(), text));
                imp.ports_group.add(&row);
                row
            })
            .collect();
        imp.port_rows.replace(rows);
        imp.port_badges.replace(badges);
    }

    pub fn export_button(&self) -> gtk::Button {
        self.imp().export_button.get()
    }

    pub fn activate_button(&self) -> gtk::Button {
        self.imp().activate_button.get()
    }

    /// Each port's badge (Active, Backup, Down), for tests.
    pub fn port_badges(&self) -> Vec<(String, String)> {
        self.imp().port_badges.borrow().clone()
    }

    /// What the mode row says, for tests.
    pub fn mode_text(&self) -> String {
        self.imp()
            .mode_row
            .subtitle()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    /// The banners' texts, for tests.
    pub fn banner_texts(&self) -> Vec<String> {
        self.imp().banner_texts.borrow().clone()
    }

    /// What the "Active port" row says, for tests.
    pub fn active_port_text(&self) -> String {
        self.imp()
            .active_row
            .subtitle()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    /// The port rows' subtitles and badges, for tests.
    pub fn port_summary(&self) -> Vec<(String, String)> {
        self.imp()
            .port_rows
            .borrow()
            .iter()
            .map(|r| {
                (
                    r.title().to_string(),
                    r.subtitle().map(|s| s.to_string()).unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// "Tested 3 days ago: 104 ms outage, failback 96 ms".
fn test_line(t: &bondkit::failover::TestRecord) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let age = now.saturating_sub(t.finished_at);
    let when = match age {
        0..=59 => gettext("Tested just now"),
        60..=3599 => {
            let n = (age / 60) as u32;
            ngettext_f(
                "Tested {} minute ago",
                "Tested {} minutes ago",
                n,
                &[&n.to_string()],
            )
        }
        3600..=86_399 => {
            let n = (age / 3600) as u32;
            ngettext_f(
                "Tested {} hour ago",
                "Tested {} hours ago",
                n,
                &[&n.to_string()],
            )
        }
        _ => {
            let n = (age / 86_400) as u32;
            ngettext_f(
                "Tested {} day ago",
                "Tested {} days ago",
                n,
                &[&n.to_string()],
            )
        }
    };
    let r = &t.report;
    let outage = format!("{:.0}", r.longest_outage_ms.unwrap_or(0.0));
    match r.failback_outage_ms {
        Some(f) => gettext_f(
            "{}: {} ms outage, failback {} ms",
            &[&when, &outage, &format!("{f:.0}")],
        ),
        None => gettext_f("{}: {} ms outage", &[&when, &outage]),
    }
}
