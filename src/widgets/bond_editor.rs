//! The create/edit form: name, mode, ports, options by mode, addresses. Every change is
//! validated at once by bondkit; each problem is shown at its field, and Review stays
//! insensitive until none is left. The Review page shows the equivalent nmcli commands.

use crate::i18n::{gettext, gettext_f};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::export::nmcli;
use bondkit::model::config::family_field;
use bondkit::model::ip::{parse_ip_list, IpAddress};
use bondkit::model::{
    form, BondConfig, BondEdit, BondMode, Code, Family, IpMethod, Message, NmVersion, OptionSpec,
    Problem, ValueKind, Verdict, OPTIONS,
};
use bondkit::nm::{BondProfile, DeviceInfo, EditPlan};
use gtk::glib;
use std::cell::RefCell;

mod port_settings;
use port_settings::PortSettingRows;

/// A row that holds one bond option.
#[derive(Clone)]
enum OptionRow {
    /// Index 0 is "Default"; the rest are the choices in table order.
    Choice(adw::ComboRow, &'static [&'static str]),
    Text(adw::ActionRow, gtk::Entry),
}

impl OptionRow {
    fn row(&self) -> gtk::Widget {
        match self {
            OptionRow::Choice(r, _) => r.clone().upcast(),
            OptionRow::Text(r, _) => r.clone().upcast(),
        }
    }

    fn value(&self) -> Option<String> {
        match self {
            OptionRow::Choice(r, values) => match r.selected() {
                0 | gtk::INVALID_LIST_POSITION => None,
                i => values.get(i as usize - 1).map(|v| v.to_string()),
            },
            OptionRow::Text(_, e) => Some(e.text().trim().to_string()).filter(|t| !t.is_empty()),
        }
    }

    fn set_value(&self, v: Option<&str>) {
        match self {
            OptionRow::Choice(r, values) => {
                let idx = v.and_then(|v| {
                    values
                        .iter()
                        .position(|c| *c == v)
                        .or_else(|| v.parse::<usize>().ok().filter(|i| *i < values.len()))
                });
                r.set_selected(idx.map_or(0, |i| i as u32 + 1));
            }
            OptionRow::Text(_, e) => e.set_text(v.unwrap_or("")),
        }
    }
}

/// A labelled text field row.
#[derive(Clone)]
pub struct Field {
    row: adw::ActionRow,
    entry: gtk::Entry,
    help: String,
}

/// What the form currently describes.
pub struct Draft {
    pub config: BondConfig,
    /// For an edit: the change relative to the profile being edited.
    pub edit: Option<BondEdit>,
    /// For an edit: how it would be applied, and its nmcli commands.
    pub plan: Option<EditPlan>,
    pub verdict: Verdict,
    pub activate: bool,
    /// The connection a port is on, taken over by the new bond.
    pub adopt: Option<bondkit::nm::Adoption>,
}

#[derive(Default)]
pub struct State {
    version: Option<NmVersion>,
    editing: Option<BondProfile>,
    options: Vec<(&'static OptionSpec, OptionRow)>,
    ports: Vec<(String, gtk::CheckButton, adw::ActionRow)>,
    port_settings: Option<PortSettingRows>,
    /// "Take Over" buttons of ports that run a connection (new bonds only).
    take_over_buttons: Vec<(String, gtk::Button)>,
    adopt: Option<bondkit::nm::Adoption>,
    ipv4: Option<adw::ComboRow>,
    ipv6: Option<adw::ComboRow>,
    /// The method behind each combo entry, per family (a method from a newer NM that has
    /// no label is listed as NM spells it).
    methods: [Vec<IpMethod>; 2],
    fields: Vec<(&'static str, Field)>,
    on_apply: Option<Box<dyn Fn(Draft)>>,
    loading: bool,
    /// Names of the bonds that exist, so a new one cannot take them.
    existing: Vec<String>,
    /// NM's devices, for warnings about ports in use.
    devices: Vec<DeviceInfo>,
    /// The configuration the next new-bond form starts from (an import).
    seed: Option<BondConfig>,
}

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/widgets/bond_editor.ui")]
    pub struct BondEditor {
        #[template_child]
        pub pages: TemplateChild<gtk::Stack>,
        #[template_child]
        pub form_page: TemplateChild<adw::PreferencesPage>,
        #[template_child]
        pub name_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub name_entry: TemplateChild<gtk::Entry>,
        #[template_child]
        pub mode_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub ports_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub options_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub advanced_row: TemplateChild<adw::ExpanderRow>,
        #[template_child]
        pub ip_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub activate_switch: TemplateChild<gtk::Switch>,
        #[template_child]
        pub review_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub review_text: TemplateChild<gtk::TextView>,
        #[template_child]
        pub copy_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub notes_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub apply_button: TemplateChild<gtk::Button>,
        pub state: RefCell<State>,
        pub notes: RefCell<Vec<adw::ActionRow>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for BondEditor {
        const NAME: &'static str = "BondsmithBondEditor";
        type Type = super::BondEditor;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for BondEditor {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().build_static_rows();
        }
    }
    impl WidgetImpl for BondEditor {}
    impl BoxImpl for BondEditor {}
}

glib::wrapper! {
    pub struct BondEditor(ObjectSubclass<imp::BondEditor>)
        @extends gtk::Widget, gtk::Box,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

fn combo(title: &str, items: &[String]) -> adw::ComboRow {
    let list = gtk::StringList::new(&items.iter().map(String::as_str).collect::<Vec<_>>());
    adw::ComboRow::builder().title(title).model(&list).build()
}

fn field(title: &str, help: &str, placeholder: &str) -> Field {
    let entry = gtk::Entry::builder()
        .valign(gtk::Align::Center)
        .width_chars(12)
        .placeholder_text(placeholder)
        .build();
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(help)
        .build();
    row.add_suffix(&entry);
    row.set_activatable_widget(Some(&entry));
    Field {
        row,
        entry,
        help: help.to_string(),
    }
}

impl Default for BondEditor {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl BondEditor {
    /// Rows that do not depend on NM: mode, options, addresses.
    fn build_static_rows(&self) {
        let imp = self.imp();
        let modes: Vec<String> = BondMode::ALL.iter().map(|m| gettext(m.title())).collect();
        imp.mode_row.set_model(Some(&gtk::StringList::new(
            &modes.iter().map(String::as_str).collect::<Vec<_>>(),
        )));
        imp.mode_row
            .set_selected(BondMode::ActiveBackup.index() as u32);
        imp.mode_row.connect_selected_notify(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |_| this.changed()
        ));
        imp.name_entry.connect_changed(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |_| this.changed()
        ));

        let mut state = imp.state.borrow_mut();
        for spec in OPTIONS
            .iter()
            .filter(|o| o.name != "mode" && o.alias_of.is_none())
        {
            let unit = spec.unit.map(|u| format!(", {u}")).unwrap_or_default();
            let title = format!("{} ({}{unit})", gettext(spec.label), spec.name);
            let row = match spec.kind {
                ValueKind::Choice { values } => {
                    let mut items = vec![gettext_f("Default ({})", &[spec.default])];
                    items.extend(values.iter().map(|v| v.to_string()));
                    let r = combo(&title, &items);
                    r.set_subtitle(&gettext(spec.help));
                    r.set_subtitle_lines(4);
                    r.connect_selected_notify(glib::clone!(
                        #[weak(rename_to = this)]
                        self,
                        move |_| this.changed()
                    ));
                    OptionRow::Choice(r, values)
                }
                _ => {
                    let placeholder = if spec.default.is_empty() {
                        gettext("none")
                    } else {
                        spec.default.to_string()
                    };
                    let f = field(&title, &gettext(spec.help), &placeholder);
                    f.row.set_subtitle_lines(4);
                    f.entry.connect_changed(glib::clone!(
                        #[weak(rename_to = this)]
                        self,
                        move |_| this.changed()
                    ));
                    OptionRow::Text(f.row, f.entry)
                }
            };
            if spec.common {
                imp.options_group.add(&row.row());
            } else {
                imp.advanced_row.add_row(&row.row());
            }
            state.options.push((spec, row));
        }

        imp.options_group.add(&imp.advanced_row.get());
        let ipv4 = combo(&gettext("IPv4"), &method_labels(Family::V4, &[]));
        let ipv6 = combo(&gettext("IPv6"), &method_labels(Family::V6, &[]));
        let fam_fields = |f: Family, example: &str, gw: &str, dns: &str| {
            [
                (
                    f,
                    "addresses",
                    field(
                        &gettext_f("{} Addresses", &[f.name()]),
                        &gettext_f(
                            "Address and prefix, such as {}; separate several with commas",
                            &[example],
                        ),
                        example,
                    ),
                ),
                (
                    f,
                    "gateway",
                    field(
                        &gettext_f("{} Gateway", &[f.name()]),
                        &gettext("Optional"),
                        gw,
                    ),
                ),
                (
                    f,
                    "dns",
                    field(
                        &gettext_f("{} DNS Servers", &[f.name()]),
                        &gettext("Optional, separated by commas"),
                        dns,
                    ),
                ),
            ]
        };
        let mut fields: Vec<(&'static str, Field)> = Vec::new();
        let keys4 = ["ipv4_addresses", "ipv4_gateway", "ipv4_dns"];
        let keys6 = ["ipv6_addresses", "ipv6_gateway", "ipv6_dns"];
        for ((_, part, f), key) in fam_fields(
            Family::V4,
            "192.168.10.20/24",
            "192.168.10.1",
            "192.168.10.1",
        )
        .into_iter()
        .zip(keys4)
        {
            debug_assert_eq!(family_field(Family::V4, part), key);
            fields.push((key, f));
        }
        for ((_, part, f), key) in fam_fields(Family::V6, "fd00::20/64", "fd00::1", "fd00::53")
            .into_iter()
            .zip(keys6)
        {
            debug_assert_eq!(family_field(Family::V6, part), key);
            fields.push((key, f));
        }
        fields.push((
            "mtu",
            field(
                &gettext("MTU"),
                &gettext("Optional; 9000 for jumbo frames"),
                "1500",
            ),
        ));
        fields.push((
            "mac",
            field(
                &gettext("Fixed MAC Address"),
                &gettext("Optional; a MAC such as 52:54:00:12:34:56 keeps the LACP system id stable, or permanent, stable, random, preserve"),
                "52:54:00:12:34:56",
            ),
        ));
        imp.ip_group.add(&ipv4);
        for (key, f) in &fields {
            if *key == "ipv6_addresses" {
                imp.ip_group.add(&ipv6);
            }
            imp.ip_group.add(&f.row);
            f.entry.connect_changed(glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_| this.changed()
            ));
        }
        for c in [&ipv4, &ipv6] {
            c.connect_selected_notify(glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_| this.changed()
            ));
        }
        state.ipv4 = Some(ipv4);
        state.ipv6 = Some(ipv6);
        state.methods = [Family::V4, Family::V6].map(|f| {
            IpMethod::known(f)
                .iter()
                .map(|m| IpMethod::parse(m))
                .collect()
        });
        state.fields = fields.into_iter().collect();
        drop(state);

        imp.review_button.connect_clicked(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |_| this.show_review()
        ));
        imp.copy_button.connect_clicked(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |b| {
                b.clipboard().set_text(&this.review_text());
                if let Some(w) = WidgetExt::root(&this).and_downcast::<crate::BondsmithWindow>() {
                    w.toast(&gettext("Commands copied"));
                }
            }
        ));
        imp.apply_button.connect_clicked(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |_| this.request_apply()
        ));
    }

    /// Fills the form for a new bond; `existing` are the names already taken.
    pub fn load_create(&self, devices: &[DeviceInfo], version: NmVersion, existing: Vec<String>) {
        self.imp().state.borrow_mut().existing = existing;
        self.load(None, devices, version);
    }

    /// Fills the form for a new bond from an imported or checked draft, to review and apply.
    pub fn load_import(
        &self,
        cfg: BondConfig,
        devices: &[DeviceInfo],
        version: NmVersion,
        existing: Vec<String>,
    ) {
        self.imp().state.borrow_mut().existing = existing;
        self.imp().state.borrow_mut().seed = Some(cfg);
        self.load(None, devices, version);
    }

    /// Fills the form with an existing bond.
    pub fn load_edit(&self, bond: &BondProfile, devices: &[DeviceInfo], version: NmVersion) {
        self.load(Some(bond.clone()), devices, version);
    }

    fn load(&self, bond: Option<BondProfile>, devices: &[DeviceInfo], version: NmVersion) {
        let imp = self.imp();
        imp.state.borrow_mut().loading = true;
        let seed = imp.state.borrow_mut().seed.take();
        let cfg = bond
            .as_ref()
            .map(BondProfile::to_config)
            .or(seed)
            .unwrap_or_else(|| BondConfig::new("", "active-backup"));
        imp.name_entry.set_text(&cfg.name);
        imp.advanced_row.set_expanded(false);
        imp.name_entry.set_sensitive(bond.is_none());
        let mode = cfg
            .options
            .get("mode")
            .and_then(|m| BondMode::parse(m))
            .unwrap_or(BondMode::ActiveBackup);
        imp.mode_row.set_selected(mode.index() as u32);
        imp.activate_switch.set_active(
            bond.as_ref()
                .is_none_or(|b| b.device_state.as_deref() == Some("activated")),
        );

        // Ports: every device that can be one, plus ports of this bond whose device is gone.
        let old_ports: Vec<(String, gtk::CheckButton, adw::ActionRow)> =
            std::mem::take(&mut imp.state.borrow_mut().ports);
        for (_, _, row) in old_ports {
            imp.ports_group.remove(&row);
        }
        if let Some(old) = imp.state.borrow_mut().port_settings.take() {
            old.remove(&imp.ports_group);
        }
        let mut names: Vec<String> = devices
            .iter()
            .filter(|d| d.can_be_port)
            .map(|d| d.interface.clone())
            .collect();
        for p in &cfg.ports {
            if !names.contains(p) {
                names.push(p.clone());
            }
        }
        let mut ports = Vec::new();
        let mut take_over = Vec::new();
        for name in names {
            let dev = devices.iter().find(|d| d.interface == name);
            let mine = cfg.ports.contains(&name);
            let check = gtk::CheckButton::builder()
                .valign(gtk::Align::Center)
                .active(mine)
                .build();
            let row = adw::ActionRow::builder()
                .title(name.as_str())
                .subtitle(port_subtitle(dev, mine, bond.as_ref()))
                .activatable_widget(&check)
                .build();
            row.set_subtitle_lines(3);
            row.add_prefix(&check);
            if bond.is_none() && dev.is_some_and(|d| d.connection.is_some()) {
                let b = gtk::Button::builder()
                    .label(gettext("Take Over"))
                    .tooltip_text(gettext("Bond this connection: the bond takes over its addresses, gateway, DNS and routes"))
                    .valign(gtk::Align::Center)
                    .action_name("win.adopt-port")
                    .action_target(&name.to_variant())
                    .build();
                crate::a11y::set_label(&b, &gettext_f("Take over the connection of {}", &[&name]));
                row.add_suffix(&b);
                take_over.push((name.clone(), b));
            }
            check.connect_toggled(glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_| this.changed()
            ));
            imp.ports_group.add(&row);
            ports.push((name, check, row));
        }
        let names: Vec<String> = ports.iter().map(|(n, _, _)| n.clone()).collect();
        let port_settings = PortSettingRows::build(
            &imp.ports_group,
            &names,
            &cfg,
            version,
            glib::clone!(
                #[weak(rename_to = this)]
                self,
                move || this.changed()
            ),
        );

        // Setting values fires change handlers, which read the state: no borrow may be held.
        let (options, ipv4, ipv6, fields) = {
            let st = imp.state.borrow();
            (
                st.options.clone(),
                st.ipv4.clone().unwrap(),
                st.ipv6.clone().unwrap(),
                st.fields.clone(),
            )
        };
        for (spec, row) in &options {
            row.set_value(cfg.options.get(spec.name).map(String::as_str));
        }
        self.fill_ip(&cfg, &ipv4, &ipv6, &fields);
        {
            let mut st = imp.state.borrow_mut();
            st.ports = ports;
            st.port_settings = Some(port_settings);
            st.take_over_buttons = take_over;
            st.adopt = None;
            st.devices = devices.to_vec();
            st.version = Some(version);
            st.editing = bond;
            st.loading = false;
        }
        imp.pages.set_visible_child_name("form");
        self.changed();
    }

    pub fn is_editing(&self) -> bool {
        self.imp().state.borrow().editing.is_some()
    }

    /// "review" or "form".
    pub fn page(&self) -> String {
        self.imp()
            .pages
            .visible_child_name()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    pub fn show_form(&self) {
        self.imp().pages.set_visible_child_name("form");
    }

    pub fn connect_apply(&self, f: impl Fn(Draft) + 'static) {
        self.imp().state.borrow_mut().on_apply = Some(Box::new(f));
    }

    fn mode(&self) -> BondMode {
        BondMode::ALL
            .get(self.imp().mode_row.selected() as usize)
            .copied()
            .unwrap_or(BondMode::ActiveBackup)
    }

    /// The IP methods, addresses, gateways, DNS, MTU and MAC fields from `cfg`.
    fn fill_ip(
        &self,
        cfg: &BondConfig,
        ipv4: &adw::ComboRow,
        ipv6: &adw::ComboRow,
        fields: &[(&'static str, Field)],
    ) {
        let imp = self.imp();
        for (i, (f, c)) in [(Family::V4, ipv4), (Family::V6, ipv6)]
            .into_iter()
            .enumerate()
        {
            let fam = cfg.family(f);
            let mut methods: Vec<IpMethod> = IpMethod::known(f)
                .iter()
                .map(|m| IpMethod::parse(m))
                .collect();
            if !methods.contains(&fam.method) {
                methods.push(fam.method.clone());
            }
            let list = gtk::StringList::new(
                &method_labels(f, &methods[IpMethod::known(f).len()..])
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            c.set_model(Some(&list));
            let at = methods.iter().position(|m| *m == fam.method).unwrap_or(0);
            imp.state.borrow_mut().methods[i] = methods;
            c.set_selected(at as u32);
        }
        let join = |v: Vec<String>| v.join(", ");
        for (key, f) in fields {
            let fam = |k: &str| {
                if k.starts_with("ipv4") {
                    &cfg.ipv4
                } else {
                    &cfg.ipv6
                }
            };
            let text = match *key {
                "ipv4_addresses" | "ipv6_addresses" => {
                    join(fam(key).addresses.iter().map(|a| a.to_string()).collect())
                }
                "ipv4_gateway" | "ipv6_gateway" => {
                    fam(key).gateway.map(|g| g.to_string()).unwrap_or_default()
                }
                "ipv4_dns" | "ipv6_dns" => {
                    join(fam(key).dns.iter().map(|d| d.to_string()).collect())
                }
                "mtu" => cfg.mtu.map(|m| m.to_string()).unwrap_or_default(),
                "mac" => cfg.mac.clone().unwrap_or_default(),
                _ => String::new(),
            };
            f.entry.set_text(&text);
        }
    }

    /// Marks the taken-over port's row; the others keep their Take Over button.
    fn refresh_port_subtitles(&self) {
        let st = self.imp().state.borrow();
        let adopted = st.adopt.as_ref().map(|a| a.port.clone());
        for (name, b) in &st.take_over_buttons {
            b.set_visible(adopted.as_ref() != Some(name));
        }
        if let Some(a) = &st.adopt {
            if let Some((_, _, row)) = st.ports.iter().find(|(n, _, _)| *n == a.port) {
                row.set_subtitle(
                    &Message::new(Code::PortConnectionTakenOver, [&a.port, &a.profile])
                        .render(&|t| gettext(t)),
                );
            }
        }
    }

    /// Bonds the connection `a.port` is on: the port is chosen and the form takes that
    /// connection's IP settings (and MAC, for DHCP); applying takes the rest of it over.
    pub fn take_over(&self, a: bondkit::nm::Adoption) {
        let imp = self.imp();
        let mut cfg = self.draft().config;
        a.apply_to(&mut cfg);
        let (ipv4, ipv6, fields, check) = {
            let st = imp.state.borrow();
            (
                st.ipv4.clone().unwrap(),
                st.ipv6.clone().unwrap(),
                st.fields.clone(),
                st.ports
                    .iter()
                    .find(|(n, _, _)| *n == a.port)
                    .map(|(_, c, _)| c.clone()),
            )
        };
        imp.state.borrow_mut().loading = true;
        if let Some(c) = check {
            c.set_active(true);
        }
        self.fill_ip(&cfg, &ipv4, &ipv6, &fields);
        {
            let mut st = imp.state.borrow_mut();
            st.adopt = Some(a);
            st.loading = false;
        }
        self.refresh_port_subtitles();
        self.changed();
    }

    /// Reads the form into a draft and the problems with it.
    pub fn draft(&self) -> Draft {
        let imp = self.imp();
        let st = imp.state.borrow();
        let version = st.version.unwrap_or(NmVersion::OLDEST);
        let mode = self.mode();
        let before = st.editing.as_ref().map(BondProfile::to_config);
        let mut problems: Vec<Problem> = Vec::new();
        let mut p = |field: &str, message: String| problems.push(Problem::new(field, message));

        let name = imp.name_entry.text().trim().to_string();
        let mut cfg = before
            .clone()
            .unwrap_or_else(|| BondConfig::new(&name, mode.name()));
        cfg.options.insert("mode".into(), mode.name().into());
        for (spec, row) in &st.options {
            if spec.offered_in(mode, version) {
                match row.value() {
                    Some(v) => cfg.options.insert(spec.name.to_string(), v),
                    None => cfg.options.remove(spec.name),
                };
            } else if before.is_none() || !spec.kept_in(mode) {
                // An edit keeps what the form does not show, unless the mode cannot.
                cfg.options.remove(spec.name);
            }
        }
        cfg.ports = st
            .ports
            .iter()
            .filter(|(_, c, _)| c.is_active())
            .map(|(n, _, _)| n.clone())
            .collect();
        if let Some(rows) = &st.port_settings {
            rows.read_into(&mut cfg);
        }
        let text = |k: &str| {
            st.fields
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, f)| f.entry.text().trim().to_string())
                .unwrap_or_default()
        };
        let tr = |t: &'static str| gettext(t);
        let mut bad = |field: &str, m: Message| p(field, m.render(&tr));
        for (i, (f, combo)) in [(Family::V4, &st.ipv4), (Family::V6, &st.ipv6)]
            .into_iter()
            .enumerate()
        {
            let at = combo.as_ref().map_or(0, |c| c.selected() as usize);
            let method = st.methods[i].get(at).cloned().unwrap_or(IpMethod::Auto);
            let key = |part: &str| family_field(f, part);
            let fam = cfg.family_mut(f);
            fam.method = method;
            match IpAddress::parse_list(&text(&key("addresses")), f) {
                Ok(a) => fam.addresses = a,
                Err(m) => bad(&key("addresses"), m),
            }
            match form::parse_gateway(&text(&key("gateway"))) {
                Ok(g) => fam.gateway = g,
                Err(m) => bad(&key("gateway"), m),
            }
            match parse_ip_list(&text(&key("dns"))) {
                Ok(d) => fam.dns = d,
                Err(m) => bad(&key("dns"), m),
            }
        }
        match form::parse_mtu(&text("mtu")) {
            Ok(m) => cfg.mtu = m,
            Err(m) => bad("mtu", m),
        }
        cfg.mac = form::parse_mac(&text("mac"));
        if before.is_none() {
            if name.is_empty() {
                p("name", gettext("Give the bond a name, such as bond0."));
            }
            cfg.name = if name.is_empty() {
                "bond0".into()
            } else {
                name
            };
        }

        // An edit is judged by what it produces (a mode switch drops lacp_rate: a note).
        let edit = before.as_ref().map(|b| BondEdit::between(b, &cfg));
        let (cfg, mut verdict) = match (&before, &edit) {
            (Some(b), Some(e)) => e.judge(b, version),
            _ => {
                let v = cfg.check(version);
                (cfg, v)
            }
        };
        if name_taken(&st, &cfg) {
            verdict.errors.push(Problem::new(
                "name",
                gettext_f(
                    "A bond named {} already exists; pick another name.",
                    &[&cfg.name],
                ),
            ));
        }
        verdict.errors.splice(0..0, problems);
        let mut plan = None;
        if let (Some(b), Some(e), Some(bond)) = (&before, &edit, &st.editing) {
            for m in e.consequences(b) {
                verdict.warnings.push(Problem::coded("mode", m));
            }
            if verdict.is_valid() {
                let twins = st.existing.iter().filter(|n| **n == bond.name()).count();
                plan = EditPlan::new(
                    bond.clone(),
                    twins,
                    e,
                    version,
                    imp.activate_switch.is_active(),
                )
                .ok();
            }
        }
        for (name, check, _) in &st.ports {
            if !check.is_active() || before.as_ref().is_some_and(|b| b.ports.contains(name)) {
                continue;
            }
            if let Some(d) = st.devices.iter().find(|d| &d.interface == name) {
                let m = if d.default_route {
                    Message::new(Code::PortCarriesDefaultRoute, [name])
                } else if let Some(c) = &d.connection {
                    Message::new(Code::PortCarriesProfile, [name, c])
                } else {
                    continue;
                };
                verdict.warnings.push(Problem::coded("ports", m));
            }
        }
        let adopt = st
            .adopt
            .clone()
            .filter(|a| st.editing.is_none() && cfg.ports.contains(&a.port));
        if let Some(a) = &adopt {
            // Taking it over is the point: the warning that it stops is not.
            verdict.warnings.retain(|p| {
                !(p.option == "ports" && p.message.starts_with(&format!("{} ", a.port)))
            });
            verdict.warnings.push(Problem::coded(
                "ports",
                Message::new(Code::PortConnectionTakenOver, [&a.port, &a.profile]),
            ));
        }
        Draft {
            config: cfg,
            edit,
            plan,
            verdict,
            activate: imp.activate_switch.is_active(),
            adopt,
        }
    }

    /// Re-validates after any change and shows each problem at its field.
    fn changed(&self) {
        let imp = self.imp();
        if imp.state.try_borrow().map_or(true, |s| s.loading) {
            return;
        }
        let draft = self.draft();
        let st = imp.state.borrow();
        let version = st.version.unwrap_or(NmVersion::OLDEST);
        let mode = self.mode();
        let mode_text = format!("{} (mode={})", gettext(mode.summary()), mode.name());
        imp.mode_row.set_subtitle(&mode_text);
        let error_for = |key: &str| {
            draft
                .verdict
                .errors
                .iter()
                .find(|p| p.option == key || (key == "primary" && p.option == "active_slave"))
                .map(|p| p.render(&|t| gettext(t)))
        };
        let mark = |row: &adw::PreferencesRow, subtitle_ok: &str, err: Option<String>| {
            let r = row.clone();
            if let Some(ar) = r.dynamic_cast_ref::<adw::ActionRow>() {
                ar.set_subtitle(
                    &err.clone()
                        .map(|e| format!("⚠ {e}"))
                        .unwrap_or_else(|| subtitle_ok.to_string()),
                );
            }
            if err.is_some() {
                row.add_css_class("error")
            } else {
                row.remove_css_class("error")
            }
        };

        let mut advanced_visible = 0;
        for (spec, row) in &st.options {
            let offered = spec.offered_in(mode, version) || error_for(spec.name).is_some();
            let w = row.row();
            w.set_visible(offered);
            if offered && !spec.common {
                advanced_visible += 1;
            }
            let help = gettext(spec.help);
            mark(
                w.downcast_ref::<adw::PreferencesRow>().unwrap(),
                &help,
                error_for(spec.name),
            );
            if error_for(spec.name).is_some() && !spec.common {
                imp.advanced_row.set_expanded(true);
            }
        }
        imp.advanced_row.set_visible(advanced_visible > 0);
        mark(
            imp.name_row.upcast_ref(),
            &gettext("The interface name, such as bond0"),
            error_for("name"),
        );
        mark(imp.mode_row.upcast_ref(), &mode_text, error_for("mode"));
        let method = |i: usize, c: &Option<adw::ComboRow>| {
            let at = c.as_ref().map_or(0, |c| c.selected() as usize);
            st.methods[i].get(at).cloned().unwrap_or(IpMethod::Auto)
        };
        let (m4, m6) = (method(0, &st.ipv4), method(1, &st.ipv6));
        for (key, f) in &st.fields {
            let m = if key.starts_with("ipv4") { &m4 } else { &m6 };
            let has_text = !f.entry.text().trim().is_empty();
            // A part the method cannot use is hidden, unless it holds something to remove.
            let visible = match *key {
                k if k.ends_with("_addresses") || k.ends_with("_gateway") => {
                    m.allows_addresses() || has_text
                }
                k if k.ends_with("_dns") => !m.is_off() || has_text,
                _ => true,
            } || error_for(key).is_some();
            f.row.set_visible(visible);
            mark(f.row.upcast_ref(), &f.help, error_for(key));
        }
        if let Some(rows) = &st.port_settings {
            let problems: Vec<Problem> = draft
                .verdict
                .errors
                .iter()
                .chain(&draft.verdict.warnings)
                .cloned()
                .collect();
            rows.refresh(&draft.config.ports, &problems);
        }
        let ports_error = error_for("ports");
        imp.ports_group.set_description(Some(
            &ports_error
                .clone()
                .map(|e| format!("⚠ {e}"))
                .unwrap_or_else(|| gettext("Two or more ports give redundancy.")),
        ));
        if ports_error.is_some() {
            imp.ports_group.add_css_class("error")
        } else {
            imp.ports_group.remove_css_class("error")
        }
        imp.review_button.set_sensitive(draft.verdict.is_valid());
        imp.apply_button.set_sensitive(draft.verdict.is_valid());
    }

    /// The nmcli commands for the current draft.
    pub fn commands(&self, draft: &Draft) -> Vec<String> {
        match &draft.plan {
            Some(plan) => plan.commands(),
            None => {
                nmcli::create_commands(&draft.config, &draft.verdict.normalized, draft.activate)
            }
        }
    }

    pub fn show_review(&self) {
        let imp = self.imp();
        let draft = self.draft();
        if !draft.verdict.is_valid() {
            return;
        }
        let commands = self.commands(&draft);
        let text = if commands.is_empty() {
            gettext("Nothing to change.")
        } else {
            commands.join("\n")
        };
        imp.review_text.buffer().set_text(&text);
        imp.apply_button.set_sensitive(!commands.is_empty());
        for row in imp.notes.take() {
            imp.notes_group.remove(&row);
        }
        let notes: Vec<adw::ActionRow> = draft
            .verdict
            .dropped
            .iter()
            .chain(&draft.verdict.warnings)
            .map(|p| p.render(&|t| gettext(t)))
            .chain(
                draft
                    .plan
                    .iter()
                    .map(|pl| pl.path.message(pl.bond.name()).render(&|t| gettext(t))),
            )
            .map(|text| {
                let r = adw::ActionRow::builder()
                    .title(text.as_str())
                    .title_lines(4)
                    .build();
                r.add_prefix(&gtk::Image::from_icon_name("dialog-information-symbolic"));
                imp.notes_group.add(&r);
                r
            })
            .collect();
        imp.notes_group.set_visible(!notes.is_empty());
        imp.notes.replace(notes);
        imp.pages.set_visible_child_name("review");
    }

    /// The review text as shown.
    pub fn review_text(&self) -> String {
        let b = self.imp().review_text.buffer();
        b.text(&b.start_iter(), &b.end_iter(), false).to_string()
    }

    fn request_apply(&self) {
        let draft = self.draft();
        if !draft.verdict.is_valid() {
            return;
        }
        let st = self.imp().state.borrow();
        if let Some(f) = &st.on_apply {
            f(draft);
        }
    }

    // Handles for tests, which drive the same widgets a user does.

    pub fn name_entry(&self) -> gtk::Entry {
        self.imp().name_entry.get()
    }
    pub fn mode_row(&self) -> adw::ComboRow {
        self.imp().mode_row.get()
    }
    pub fn review_button(&self) -> gtk::Button {
        self.imp().review_button.get()
    }
    pub fn apply_button(&self) -> gtk::Button {
        self.imp().apply_button.get()
    }
    pub fn activate_switch(&self) -> gtk::Switch {
        self.imp().activate_switch.get()
    }
    /// The subtitle of a port's row (link, speed, what it carries now).
    pub fn port_text(&self, name: &str) -> Option<String> {
        let st = self.imp().state.borrow();
        let row = st
            .ports
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, _, r)| r.clone())?;
        row.subtitle().map(|s| s.to_string())
    }

    /// The "Worth Knowing" notes on the review page.
    pub fn review_notes(&self) -> Vec<String> {
        self.imp()
            .notes
            .borrow()
            .iter()
            .map(|r| r.title().to_string())
            .collect()
    }

    /// The "Port Settings" expander of the ports group.
    pub fn port_settings_row(&self) -> Option<adw::ExpanderRow> {
        self.imp()
            .state
            .borrow()
            .port_settings
            .as_ref()
            .map(|r| r.expander())
    }

    /// The number field of a port's bond-port setting (`queue-id`, `prio`), for tests.
    pub fn port_setting(&self, port: &str, key: &str) -> Option<gtk::SpinButton> {
        self.imp()
            .state
            .borrow()
            .port_settings
            .as_ref()
            .and_then(|r| r.spin(port, key))
    }

    pub fn port_check(&self, name: &str) -> Option<gtk::CheckButton> {
        self.imp()
            .state
            .borrow()
            .ports
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, c, _)| c.clone())
    }
    /// Sets an option the way a user would: picks the choice, or types into the entry.
    pub fn set_option(&self, key: &str, value: Option<&str>) {
        let row = self
            .imp()
            .state
            .borrow()
            .options
            .iter()
            .find(|(s, _)| s.name == key)
            .map(|(_, r)| r.clone());
        row.expect("known option").set_value(value);
    }
    pub fn field_entry(&self, key: &str) -> Option<gtk::Entry> {
        self.imp()
            .state
            .borrow()
            .fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, f)| f.entry.clone())
    }
    /// The message shown at an option's or field's row, if it is marked as a problem.
    pub fn field_problem(&self, key: &str) -> Option<String> {
        let st = self.imp().state.borrow();
        let row: gtk::Widget = match key {
            "name" => self.imp().name_row.get().upcast(),
            "mode" => self.imp().mode_row.get().upcast(),
            k => st
                .options
                .iter()
                .find(|(s, _)| s.name == k)
                .map(|(_, r)| r.row())
                .or_else(|| {
                    st.fields
                        .iter()
                        .find(|(f, _)| *f == k)
                        .map(|(_, f)| f.row.clone().upcast())
                })?,
        };
        if !row.has_css_class("error") || !row.is_visible() {
            return None;
        }
        row.dynamic_cast_ref::<adw::ActionRow>().map(|r| {
            r.subtitle()
                .map(|s| s.trim_start_matches("⚠ ").to_string())
                .unwrap_or_default()
        })
    }
    pub fn ipv4_row(&self) -> adw::ComboRow {
        self.imp().state.borrow().ipv4.clone().unwrap()
    }
}

fn name_taken(st: &State, cfg: &BondConfig) -> bool {
    st.editing.is_none() && st.existing.contains(&cfg.name)
}

/// The subtitle of a port row: link, speed and what it is used for now.
fn port_subtitle(dev: Option<&DeviceInfo>, mine: bool, bond: Option<&BondProfile>) -> String {
    let Some(d) = dev else {
        return gettext("Device not present");
    };
    let mut parts = vec![match d.carrier {
        Some(true) => gettext("Link up"),
        Some(false) => gettext("No link"),
        None => gettext("Link unknown"),
    }];
    if let Some(s) = d.speed_mbps {
        parts.push(if s >= 1000 && s % 1000 == 0 {
            format!("{} Gb/s", s / 1000)
        } else {
            format!("{s} Mb/s")
        });
    }
    if d.default_route && !(mine && bond.is_some()) {
        parts.push(gettext("⚠ carries the default route: this computer can lose its network while the bond comes up"));
        return parts.join(" · ");
    }
    match &d.connection {
        Some(c) if !(mine && bond.is_some_and(|b| b.ports.iter().any(|p| &p.id == c))) => {
            parts.push(gettext_f(
                "⚠ now carries “{}”, which stops when it joins the bond",
                &[c],
            ));
        }
        _ => parts.push(gettext("not in use")),
    }
    parts.join(" · ")
}

/// The labels of a family's methods in `IpMethod::known` order, then `extra` as NM spells
/// them.
fn method_labels(f: Family, extra: &[IpMethod]) -> Vec<String> {
    let mut out: Vec<String> = IpMethod::known(f)
        .iter()
        .map(|m| match (f, *m) {
            (Family::V4, "auto") => gettext("Automatic (DHCP)"),
            (Family::V6, "auto") => gettext("Automatic"),
            (_, "dhcp") => gettext("Automatic, DHCP Only"),
            (_, "manual") => gettext("Manual"),
            (_, "link-local") => gettext("Link-Local Only"),
            (_, "shared") => gettext("Shared to Other Computers"),
            (_, "ignore") => gettext("Ignore"),
            (_, "disabled") => gettext("Disabled"),
            (_, other) => other.to_string(),
        })
        .collect();
    out.extend(extra.iter().map(|m| m.to_string()));
    out
}
