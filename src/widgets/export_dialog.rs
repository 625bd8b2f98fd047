//! "Export…" on the bond page: the bond in a format for another tool (nmcli script,
//! NetworkManager keyfiles, nmstate, a kubernetes-nmstate policy, systemd-networkd files),
//! previewed, copied or saved. bondkit writes the text and says what a format leaves out;
//! this only shows it.

use crate::i18n::{gettext, gettext_f};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::export::{export, Export, Format};
use bondkit::model::BondConfig;
use gtk::glib;
use std::cell::RefCell;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/widgets/export_dialog.ui")]
    pub struct ExportDialog {
        #[template_child]
        pub toasts: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub copy_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub save_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub format_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub left_out: TemplateChild<gtk::Label>,
        #[template_child]
        pub preview: TemplateChild<gtk::TextView>,
        pub config: RefCell<Option<BondConfig>>,
        pub current: RefCell<Option<Export>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ExportDialog {
        const NAME: &'static str = "BondsmithExportDialog";
        type Type = super::ExportDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ExportDialog {}
    impl WidgetImpl for ExportDialog {}
    impl WindowImpl for ExportDialog {}
    impl AdwWindowImpl for ExportDialog {}
}

glib::wrapper! {
    pub struct ExportDialog(ObjectSubclass<imp::ExportDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

/// The formats in the order offered, with what people call them.
fn formats() -> [(Format, String); 5] {
    [
        (Format::Nmcli, gettext("nmcli Script")),
        (Format::Keyfile, gettext("NetworkManager Keyfiles")),
        (Format::Nmstate, gettext("nmstate YAML")),
        (Format::Nncp, gettext("kubernetes-nmstate Policy")),
        (Format::Networkd, gettext("systemd-networkd Files")),
    ]
}

impl ExportDialog {
    pub fn new(parent: &impl IsA<gtk::Window>, cfg: BondConfig) -> ExportDialog {
        let d: ExportDialog = glib::Object::builder()
            .property("transient-for", parent)
            .build();
        let imp = d.imp();
        GtkWindowExt::set_title(&d, Some(&gettext_f("Export {}", &[&cfg.name])));
        imp.config.replace(Some(cfg));
        let names: Vec<String> = formats().into_iter().map(|(_, n)| n).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        imp.format_row
            .set_model(Some(&gtk::StringList::new(&names)));
        imp.format_row.connect_selected_notify(glib::clone!(
            #[weak]
            d,
            move |_| d.render()
        ));
        imp.copy_button.connect_clicked(glib::clone!(
            #[weak]
            d,
            move |_| d.copy()
        ));
        imp.save_button.connect_clicked(glib::clone!(
            #[weak]
            d,
            move |_| d.save()
        ));
        // Escape closes it, as it closes a dialog.
        let keys = gtk::ShortcutController::new();
        keys.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        d.add_controller(keys);
        d.render();
        crate::a11y::name_internals(&d);
        d
    }

    pub fn format(&self) -> Format {
        formats()
            .get(self.imp().format_row.selected() as usize)
            .map(|(f, _)| *f)
            .unwrap_or(Format::Nmcli)
    }

    pub fn set_format(&self, f: Format) {
        if let Some(i) = formats().iter().position(|(x, _)| *x == f) {
            self.imp().format_row.set_selected(i as u32);
        }
    }

    pub fn preview_text(&self) -> String {
        let b = self.imp().preview.buffer();
        b.text(&b.start_iter(), &b.end_iter(), false).to_string()
    }

    pub fn left_out_text(&self) -> Option<String> {
        let l = &self.imp().left_out;
        l.is_visible().then(|| l.label().to_string())
    }

    fn render(&self) {
        let imp = self.imp();
        let Some(cfg) = imp.config.borrow().clone() else {
            return;
        };
        // The options exactly as NetworkManager holds them.
        let e = export(&cfg, &cfg.options, self.format());
        imp.preview.buffer().set_text(&e.joined());
        if e.left_out.is_empty() {
            imp.left_out.set_visible(false);
        } else {
            let lines: Vec<String> = e
                .left_out
                .iter()
                .map(|m| format!("• {}", m.render(&|t| gettext(t))))
                .collect();
            imp.left_out.set_label(&format!(
                "{}\n{}",
                gettext("Left out, because this format cannot say it:"),
                lines.join("\n")
            ));
            imp.left_out.set_visible(true);
        }
        imp.current.replace(Some(e));
    }

    fn toast(&self, text: &str) {
        self.imp().toasts.add_toast(adw::Toast::new(text));
    }

    fn copy(&self) {
        WidgetExt::clipboard(self).set_text(&self.preview_text());
        self.toast(&gettext("Copied"));
    }

    /// One file is saved under a name the user picks; several go into a folder.
    fn save(&self) {
        let Some(e) = self.imp().current.borrow().clone() else {
            return;
        };
        let single = e.files.len() == 1;
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Save Export")),
            Some(self),
            if single {
                gtk::FileChooserAction::Save
            } else {
                gtk::FileChooserAction::SelectFolder
            },
            Some(&gettext("_Save")),
            Some(&gettext("_Cancel")),
        );
        if single {
            chooser.set_current_name(&e.files[0].name);
        }
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = this)]
            self,
            #[strong]
            chooser,
            move |_, response| {
                if response != gtk::ResponseType::Accept {
                    return;
                }
                let Some(path) = chooser.file().and_then(|f| f.path()) else {
                    return;
                };
                let result = if single {
                    let mut f = e.files[0].clone();
                    let dir = path.parent().map(ToOwned::to_owned).unwrap_or_default();
                    f.name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or(f.name);
                    bondkit::export::write_file(&dir, &f).map(|_| ())
                } else {
                    e.files
                        .iter()
                        .try_for_each(|f| bondkit::export::write_file(&path, f).map(|_| ()))
                };
                match result {
                    Ok(()) => this.toast(&gettext_f("Saved to {}", &[&path.display().to_string()])),
                    Err(err) => this.toast(&gettext_f(
                        "Could not save to {}: {}. Pick a folder you can write to.",
                        &[&path.display().to_string(), &err.to_string()],
                    )),
                }
            }
        ));
        chooser.show();
    }
}
