//! The form's per-port settings (`bond-port.queue-id`, `bond-port.prio`): an expander in the
//! ports group with a number per chosen port and setting, from bondkit's port table. Only
//! settings the running NetworkManager takes are offered.

use crate::i18n::{gettext, gettext_f};
use adw::prelude::*;
use bondkit::model::{BondConfig, NmVersion, PortOptionSpec, Problem, PORT_OPTIONS};

struct Field {
    port: String,
    spec: &'static PortOptionSpec,
    row: adw::ActionRow,
    spin: gtk::SpinButton,
}

/// The expander and its rows, rebuilt with the port rows on every load.
pub struct PortSettingRows {
    expander: adw::ExpanderRow,
    fields: Vec<Field>,
}

impl PortSettingRows {
    /// One row per port and setting; `changed` runs when a value changes.
    pub fn build(
        group: &adw::PreferencesGroup,
        ports: &[String],
        cfg: &BondConfig,
        version: NmVersion,
        changed: impl Fn() + Clone + 'static,
    ) -> PortSettingRows {
        let offered: Vec<&PortOptionSpec> =
            PORT_OPTIONS.iter().filter(|s| version >= s.since).collect();
        let names: Vec<String> = offered.iter().map(|s| gettext(s.label)).collect();
        let expander = adw::ExpanderRow::builder()
            .title(gettext("Port Settings"))
            .subtitle(gettext_f("{} of each chosen port", &[&names.join(", ")]))
            // A profile that has some shows them at once.
            .expanded(!cfg.port_settings.is_empty())
            .build();
        let mut fields = Vec::new();
        for port in ports {
            let mine = cfg.port_settings.get(port).cloned().unwrap_or_default();
            for spec in offered.iter().copied() {
                let spin = gtk::SpinButton::with_range(spec.min as f64, spec.max as f64, 1.0);
                spin.set_valign(gtk::Align::Center);
                spin.set_numeric(true);
                spin.set_value(mine.get(spec.name).unwrap_or(spec.default) as f64);
                let title = gettext_f("{}: {}", &[port, &gettext(spec.label)]);
                let row = adw::ActionRow::builder()
                    .title(title.as_str())
                    .subtitle(gettext(spec.help))
                    .subtitle_lines(2)
                    .activatable_widget(&spin)
                    .build();
                row.add_suffix(&spin);
                crate::a11y::set_label(&spin, &title);
                let changed = changed.clone();
                spin.connect_value_changed(move |_| changed());
                expander.add_row(&row);
                fields.push(Field {
                    port: port.clone(),
                    spec,
                    row,
                    spin,
                });
            }
        }
        group.add(&expander);
        PortSettingRows { expander, fields }
    }

    pub fn remove(&self, group: &adw::PreferencesGroup) {
        group.remove(&self.expander);
    }

    /// Puts the form's values into `cfg` (which starts from the profile's own settings):
    /// a value the user did not move from what the profile has, or from the default when
    /// it has none, is left as it is.
    pub fn read_into(&self, cfg: &mut BondConfig) {
        for f in self.fields.iter().filter(|f| cfg.ports.contains(&f.port)) {
            let value = f.spin.value_as_int() as i64;
            let had = cfg
                .port_settings
                .get(&f.port)
                .and_then(|s| s.get(f.spec.name));
            if had.unwrap_or(f.spec.default) == value {
                continue;
            }
            let s = cfg.port_settings.entry(f.port.clone()).or_default();
            // Within the spin's range, so the table's own parser accepts it.
            let _ = s.set(f.spec.name, &value.to_string());
        }
        cfg.port_settings
            .retain(|p, s| cfg.ports.contains(p) && !s.is_empty());
    }

    /// Rows of chosen ports only; a problem shows at its port's rows.
    pub fn refresh(&self, chosen: &[String], problems: &[Problem]) {
        let mut any = false;
        for f in &self.fields {
            let shown = chosen.contains(&f.port);
            any |= shown;
            f.row.set_visible(shown);
            let problem = problems.iter().find(|p| {
                p.option == format!("port:{}", f.port) && p.message.contains(f.spec.name)
            });
            match problem {
                Some(p) => {
                    f.row
                        .set_subtitle(&format!("⚠ {}", p.render(&|t| gettext(t))));
                    f.row.add_css_class("warning");
                }
                None => {
                    f.row.set_subtitle(&gettext(f.spec.help));
                    f.row.remove_css_class("warning");
                }
            }
        }
        self.expander.set_visible(any);
    }

    pub fn expander(&self) -> adw::ExpanderRow {
        self.expander.clone()
    }

    /// The spin button of `port`'s `key`, for tests.
    pub fn spin(&self, port: &str, key: &str) -> Option<gtk::SpinButton> {
        self.fields
            .iter()
            .find(|f| f.port == port && f.spec.name == key)
            .map(|f| f.spin.clone())
    }
}
