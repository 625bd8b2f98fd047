//! The window's part in drafts and exports: "Check a Draft…" (a page), "Import…" (files read
//! by bondkit's draft reader, then the create form filled in for review), "Create From This"
//! and "Export…" on the bond page (a dialog).

use super::{find, BondsmithWindow};
use crate::i18n::{gettext, gettext_f};
use crate::widgets::{DraftPage, ExportDialog};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::draft::{self, Severity, Source};
use bondkit::model::BondConfig;
use gtk::{gio, glib};

pub(super) fn actions() -> Vec<gio::ActionEntry<BondsmithWindow>> {
    vec![
        gio::ActionEntry::builder("check-draft")
            .activate(|w: &BondsmithWindow, _, _| w.show_draft_page())
            .build(),
        gio::ActionEntry::builder("create-from-draft")
            .activate(|w: &BondsmithWindow, _, _| {
                if let Some(cfg) = w.draft_page().config() {
                    w.start_create_from(cfg);
                }
            })
            .build(),
        gio::ActionEntry::builder("import")
            .activate(|w: &BondsmithWindow, _, _| w.choose_import())
            .build(),
        gio::ActionEntry::builder("export-bond")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|w: &BondsmithWindow, _, p| {
                w.export_bond(&p.and_then(|p| p.get::<String>()).unwrap_or_default());
            })
            .build(),
    ]
}

impl BondsmithWindow {
    pub fn draft_page(&self) -> DraftPage {
        let imp = self.imp();
        imp.draft_page
            .get_or_init(|| {
                let page = DraftPage::default();
                imp.draft_slot.set_child(Some(&page));
                page
            })
            .clone()
    }

    pub fn show_draft_page(&self) {
        let page = self.draft_page();
        self.show_page("draft");
        page.focus_text();
    }

    /// The create form, filled with `cfg`, for the user to review and apply.
    pub fn start_create_from(&self, cfg: BondConfig) {
        let imp = self.imp();
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        let snap = imp.snapshot.borrow().clone();
        let names = snap.bonds.iter().map(|b| b.name().to_string()).collect();
        self.editor()
            .load_import(cfg, &snap.devices, backend.version(), names);
        self.show_page("editor");
        self.editor().review_button().grab_focus();
    }

    /// Reads `files` as one bond: the create form when they hold one, or the findings that
    /// stop it.
    pub fn import_files(&self, files: &[std::path::PathBuf]) {
        let mut sources = Vec::new();
        for f in files {
            match std::fs::read(f) {
                Ok(b) => sources.push(Source::new(
                    &f.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    &String::from_utf8_lossy(&b),
                )),
                Err(e) => {
                    return self.toast(&gettext_f(
                        "Could not read {}: {}",
                        &[&f.display().to_string(), &e.to_string()],
                    ))
                }
            }
        }
        match draft::import(&sources) {
            Ok((cfg, findings)) => {
                self.start_create_from(cfg);
                // The files are not on screen: say their warnings themselves.
                for f in findings
                    .iter()
                    .filter(|f| f.severity == Severity::Warning)
                    .take(2)
                {
                    self.toast(&f.message.render(&|t| gettext(t)));
                }
            }
            Err(findings) => {
                if sources.len() == 1 {
                    // One file: the draft page shows each finding on its line.
                    self.draft_page().set_text(&sources[0].text);
                    self.show_draft_page();
                    return;
                }
                let lines: Vec<String> = findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .take(6)
                    .map(|f| {
                        gettext_f(
                            "{}, line {}: {}",
                            &[
                                &f.file,
                                &f.line.to_string(),
                                &f.message.render(&|t| gettext(t)),
                            ],
                        )
                    })
                    .collect();
                let dialog = adw::MessageDialog::builder()
                    .transient_for(self)
                    .modal(true)
                    .heading(gettext("These Files Cannot Be Imported"))
                    .body(format!(
                        "{}\n\n{}",
                        lines.join("\n"),
                        gettext("Nothing was created. Fix the files and import them again.")
                    ))
                    .build();
                dialog.add_response("close", &gettext("_Close"));
                crate::a11y::name_internals(&dialog);
                dialog.present();
            }
        }
    }

    fn choose_import(&self) {
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Import a Bond")),
            Some(self),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Import")),
            Some(&gettext("_Cancel")),
        );
        chooser.set_select_multiple(true);
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = this)]
            self,
            #[strong]
            chooser,
            move |_, response| {
                if response != gtk::ResponseType::Accept {
                    return;
                }
                let files = chooser.files();
                let paths: Vec<std::path::PathBuf> = (0..files.n_items())
                    .filter_map(|i| files.item(i)?.downcast::<gio::File>().ok()?.path())
                    .collect();
                this.import_files(&paths);
            }
        ));
        chooser.show();
    }

    pub fn export_bond(&self, key: &str) -> Option<ExportDialog> {
        let snap = self.imp().snapshot.borrow().clone();
        let Some(bond) = find(&snap.bonds, key) else {
            self.toast(&gettext_f("{} no longer exists.", &[key]));
            return None;
        };
        let d = ExportDialog::new(self, bond.to_config());
        GtkWindowExt::present(&d);
        Some(d)
    }
}
