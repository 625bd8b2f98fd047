//! The main window: the bond list (or its empty state), the editor, and the apply flow with
//! its "Keep this configuration?" countdown.

use crate::backend::{Backend, Snapshot};
use crate::i18n::{gettext, gettext_f};
use crate::widgets::{bond_row, BondEditor, BondPage, FailoverPage};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::nm::{ApplyOptions, BondProfile, NmError, Pending};
use gtk::{gio, glib};
use std::cell::{Cell, RefCell};
use std::time::Duration;

mod drafts;

/// Seconds the user has to keep a change before it rolls back.
pub const KEEP_SECONDS: u32 = 20;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/window.ui")]
    pub struct BondsmithWindow {
        #[template_child]
        pub toasts: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub back_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub add_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub error_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub bond_group: TemplateChild<adw::PreferencesGroup>,
        /// The pages behind the list are built on first use: the first window comes
        /// sooner without them.
        #[template_child]
        pub editor_slot: TemplateChild<adw::Bin>,
        pub editor: std::cell::OnceCell<BondEditor>,
        #[template_child]
        pub bond_slot: TemplateChild<adw::Bin>,
        pub bond_page: std::cell::OnceCell<BondPage>,
        #[template_child]
        pub failover_slot: TemplateChild<adw::Bin>,
        pub failover_page: std::cell::OnceCell<FailoverPage>,
        #[template_child]
        pub draft_slot: TemplateChild<adw::Bin>,
        pub draft_page: std::cell::OnceCell<crate::widgets::DraftPage>,
        /// The bond page's subject, and a counter that retires older kernel watchers.
        pub shown_bond: RefCell<Option<String>>,
        pub watch_generation: Cell<u64>,
        /// A bond to open once the list has loaded (`--show-bond`).
        pub pending_bond: RefCell<Option<String>>,
        /// Whether a bond list has been shown, so a bond can be opened at once.
        pub loaded: Cell<bool>,
        #[template_child]
        pub busy_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub loading_spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub busy_spinner: TemplateChild<gtk::Spinner>,
        pub backend: RefCell<Option<Backend>>,
        pub snapshot: RefCell<Snapshot>,
        pub rows: RefCell<Vec<adw::ActionRow>>,
        /// What the open bond page was built from (NM's side), to rebuild it on a change.
        pub shown_state: RefCell<Option<String>>,
        /// The bonds the rows show, by UUID, in order.
        pub row_uuids: RefCell<Vec<String>>,
        pub keep_dialog: RefCell<Option<adw::MessageDialog>>,
        pub watching: Cell<bool>,
        /// Toasts not yet dismissed: they belong to the page they were shown on.
        pub live_toasts: RefCell<Vec<adw::Toast>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for BondsmithWindow {
        const NAME: &'static str = "BondsmithWindow";
        type Type = super::BondsmithWindow;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for BondsmithWindow {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().setup();
        }
    }
    impl WidgetImpl for BondsmithWindow {}
    impl WindowImpl for BondsmithWindow {}
    impl ApplicationWindowImpl for BondsmithWindow {}
    impl AdwApplicationWindowImpl for BondsmithWindow {}
}

glib::wrapper! {
    pub struct BondsmithWindow(ObjectSubclass<imp::BondsmithWindow>)
        @extends gtk::Widget, gtk::Window, gtk::ApplicationWindow, adw::ApplicationWindow,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Buildable,
                    gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl BondsmithWindow {
    pub fn new(app: &adw::Application) -> Self {
        glib::Object::builder().property("application", app).build()
    }

    fn setup(&self) {
        let actions = [
            gio::ActionEntry::builder("refresh")
                .activate(|w: &Self, _, _| w.refresh())
                .build(),
            gio::ActionEntry::builder("create")
                .activate(|w: &Self, _, _| w.start_create())
                .build(),
            gio::ActionEntry::builder("back")
                .activate(|w: &Self, _, _| w.go_back())
                .build(),
            gio::ActionEntry::builder("show-bond")
                .parameter_type(Some(glib::VariantTy::STRING))
                .activate(|w: &Self, _, p| {
                    w.show_bond(&p.and_then(|p| p.get::<String>()).unwrap_or_default())
                })
                .build(),
            gio::ActionEntry::builder("edit-bond")
                .parameter_type(Some(glib::VariantTy::STRING))
                .activate(|w: &Self, _, p| {
                    w.start_edit(&p.and_then(|p| p.get::<String>()).unwrap_or_default())
                })
                .build(),
            gio::ActionEntry::builder("activate-bond")
                .parameter_type(Some(glib::VariantTy::STRING))
                .activate(|w: &Self, _, p| {
                    w.activate_bond(&p.and_then(|p| p.get::<String>()).unwrap_or_default())
                })
                .build(),
            gio::ActionEntry::builder("test-failover")
                .parameter_type(Some(glib::VariantTy::STRING))
                .activate(|w: &Self, _, p| {
                    w.show_failover(&p.and_then(|p| p.get::<String>()).unwrap_or_default())
                })
                .build(),
            gio::ActionEntry::builder("adopt-port")
                .parameter_type(Some(glib::VariantTy::STRING))
                .activate(|w: &Self, _, p| {
                    w.take_over(p.and_then(|p| p.get::<String>()).unwrap_or_default())
                })
                .build(),
            gio::ActionEntry::builder("delete-bond")
                .parameter_type(Some(glib::VariantTy::STRING))
                .activate(|w: &Self, _, p| {
                    w.confirm_delete(&p.and_then(|p| p.get::<String>()).unwrap_or_default())
                })
                .build(),
        ];
        self.add_action_entries(actions);
        self.add_action_entries(drafts::actions());
        let esc = gtk::ShortcutController::new();
        esc.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape|<Alt>Left"),
            Some(gtk::NamedAction::new("win.back")),
        ));
        self.add_controller(esc);
        self.restore_size();
        self.refresh();
    }

    fn restore_size(&self) {
        let Some(settings) = crate::settings::get() else {
            return;
        };
        self.set_default_size(settings.int("window-width"), settings.int("window-height"));
        if settings.boolean("window-maximized") {
            self.maximize();
        }
        self.connect_close_request(move |w| {
            let (width, height) = w.default_size();
            let _ = settings.set_int("window-width", width);
            let _ = settings.set_int("window-height", height);
            let _ = settings.set_boolean("window-maximized", w.is_maximized());
            glib::Propagation::Proceed
        });
    }

    pub fn editor(&self) -> BondEditor {
        let imp = self.imp();
        imp.editor
            .get_or_init(|| {
                let editor = glib::Object::new::<BondEditor>();
                editor.connect_apply(glib::clone!(
                    #[weak(rename_to = this)]
                    self,
                    move |draft| this.apply(draft)
                ));
                imp.editor_slot.set_child(Some(&editor));
                editor
            })
            .clone()
    }

    /// The visible page: loading, error, empty, list, editor or busy.
    pub fn page(&self) -> String {
        self.imp()
            .stack
            .visible_child_name()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    /// The header bar's title, for tests.
    pub fn title_text(&self) -> String {
        self.imp().title.title().to_string()
    }

    pub fn toast(&self, text: &str) {
        let t = adw::Toast::new(text);
        t.connect_dismissed(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |t| this.imp().live_toasts.borrow_mut().retain(|x| x != t)
        ));
        self.imp().live_toasts.borrow_mut().push(t.clone());
        self.imp().toasts.add_toast(t);
    }

    /// Toasts still on screen, for tests.
    pub fn toast_count(&self) -> usize {
        self.imp().live_toasts.borrow().len()
    }

    /// The open "Keep this configuration?" dialog, if any.
    pub fn keep_dialog(&self) -> Option<adw::MessageDialog> {
        self.imp().keep_dialog.borrow().clone()
    }

    pub fn snapshot(&self) -> Snapshot {
        self.imp().snapshot.borrow().clone()
    }

    /// The rows of the bond list, as shown.
    pub fn bond_rows(&self) -> Vec<adw::ActionRow> {
        self.imp().rows.borrow().clone()
    }

    pub(crate) fn show_page(&self, name: &str) {
        let imp = self.imp();
        // Opening a bond, a form or a test leaves the last page's news behind.
        if matches!(name, "bond" | "editor" | "failover") && self.page() != name {
            let old: Vec<adw::Toast> = imp.live_toasts.borrow_mut().drain(..).collect();
            for t in old {
                t.dismiss();
            }
        }
        imp.stack.set_visible_child_name(name);
        // Pages fill their rows before they are shown: name what GTK 4.8 leaves unnamed.
        crate::a11y::name_internals(self);
        // A spinning spinner ticks the frame clock even when hidden: spin only when shown.
        imp.loading_spinner.set_spinning(name == "loading");
        imp.busy_spinner.set_spinning(name == "busy");
        let in_flow = matches!(name, "editor" | "busy");
        imp.back_button
            .set_visible(matches!(name, "editor" | "bond" | "failover" | "draft"));
        imp.add_button.set_visible(!in_flow && name != "error");
        let title = match name {
            "editor" if self.editor().is_editing() => gettext("Edit Bond"),
            "editor" => gettext("New Bond"),
            "failover" => gettext("Test Failover"),
            "draft" => gettext("Check a Draft"),
            "bond" => {
                let snap = imp.snapshot.borrow();
                let key = imp.shown_bond.borrow().clone().unwrap_or_default();
                // The page is keyed by UUID; people know the bond by its interface name.
                find(&snap.bonds, &key)
                    .map(|b| b.name().to_string())
                    .unwrap_or_default()
            }
            _ => "Bondsmith".to_string(),
        };
        imp.title.set_title(&title);
    }

    fn show_error(&self, e: &NmError) {
        let text = match e {
            NmError::Unreachable => gettext(
                "NetworkManager is not running, or Bondsmith cannot reach it. Start it, or ask your administrator to, then try again.",
            ),
            other => other.message(),
        };
        self.imp().error_page.set_description(Some(&text));
        self.show_page("error");
    }

    /// Reloads bonds and devices from NM (connecting first if needed).
    pub fn refresh(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                this.reload().await;
            }
        ));
    }

    async fn reload(&self) {
        let imp = self.imp();
        let backend = imp.backend.borrow().clone();
        let backend = match backend {
            Some(b) => b,
            None => match Backend::connect().await {
                Ok(b) => {
                    imp.backend.replace(Some(b.clone()));
                    b
                }
                Err(e) => return self.show_error(&e),
            },
        };
        match backend.snapshot().await {
            Ok(s) => {
                imp.snapshot.replace(s);
                self.render_list();
                self.watch(&backend);
            }
            Err(e) => {
                imp.backend.replace(None);
                self.show_error(&e);
            }
        }
    }

    /// Refreshes on NM's signals: no polling, no idle wake-ups.
    fn watch(&self, backend: &Backend) {
        if self.imp().watching.replace(true) {
            return;
        }
        let changes = backend.changes();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                while changes.recv().await.is_ok() {
                    let Some(backend) = this.imp().backend.borrow().clone() else {
                        break;
                    };
                    if let Ok(s) = backend.snapshot().await {
                        this.imp().snapshot.replace(s);
                        match this.page().as_str() {
                            "list" | "empty" => this.render_list(),
                            "bond" => this.follow_shown_bond(),
                            _ => {}
                        }
                    }
                }
                this.imp().watching.set(false);
            }
        ));
    }

    fn render_list(&self) {
        let imp = self.imp();
        let snap = imp.snapshot.borrow();
        let uuids: Vec<String> = snap.bonds.iter().map(|b| b.settings.uuid.clone()).collect();
        if *imp.row_uuids.borrow() == uuids {
            // The same bonds: update the rows in place, so focus and scrolling stay.
            for (row, bond) in imp.rows.borrow().iter().zip(&snap.bonds) {
                bond_row::update(row, bond, &snap.devices);
            }
        } else {
            for row in imp.rows.take() {
                imp.bond_group.remove(&row);
            }
            let rows: Vec<adw::ActionRow> = snap
                .bonds
                .iter()
                .map(|b| bond_row::new(b, &snap.devices))
                .collect();
            for r in &rows {
                imp.bond_group.add(r);
            }
            imp.rows.replace(rows);
            imp.row_uuids.replace(uuids);
        }
        let empty = snap.bonds.is_empty();
        if matches!(self.page().as_str(), "loading" | "error" | "list" | "empty") {
            self.show_page(if empty { "empty" } else { "list" });
        }
        drop(snap);
        imp.loaded.set(true);
        if let Some(name) = imp.pending_bond.take() {
            self.show_bond(&name);
        }
    }

    pub fn start_create(&self) {
        let imp = self.imp();
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        let snap = imp.snapshot.borrow().clone();
        let names = snap.bonds.iter().map(|b| b.name().to_string()).collect();
        self.editor()
            .load_create(&snap.devices, backend.version(), names);
        self.show_page("editor");
        self.editor().name_entry().grab_focus();
    }

    pub fn start_edit(&self, name: &str) {
        let imp = self.imp();
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        let snap = imp.snapshot.borrow().clone();
        let Some(bond) = find(&snap.bonds, name) else {
            return self.toast(&gettext_f("{} no longer exists.", &[name]));
        };
        if bond.external {
            // NM only mirrors a bond made with ip link; there is no profile to edit.
            return self.toast(&gettext_f(
                "{} was made outside NetworkManager and can only be viewed here",
                &[bond.name()],
            ));
        }
        self.editor()
            .load_edit(bond, &snap.devices, backend.version());
        self.show_page("editor");
    }

    /// Opens `name` as soon as the bond list has loaded.
    /// Opens a bond's page now, or once the first list has loaded.
    pub fn open_bond(&self, name: &str) {
        let imp = self.imp();
        if imp.loaded.get() {
            self.show_bond(name);
        } else {
            imp.pending_bond.replace(Some(name.to_string()));
        }
    }

    /// The open bond page follows NM: a bond brought up or changed elsewhere is shown as NM
    /// now holds it, and a bond that is gone leaves its page.
    fn follow_shown_bond(&self) {
        let imp = self.imp();
        let Some(uuid) = imp.shown_bond.borrow().clone() else {
            return;
        };
        let snap = imp.snapshot.borrow().clone();
        match find(&snap.bonds, &uuid) {
            Some(bond) => {
                let changed = imp.shown_state.borrow().as_ref() != Some(&shown_key(bond, &snap));
                if changed {
                    self.show_bond(&uuid);
                }
            }
            None => {
                imp.shown_bond.replace(None);
                imp.watch_generation.set(imp.watch_generation.get() + 1);
                self.render_list();
                self.show_page(if snap.bonds.is_empty() {
                    "empty"
                } else {
                    "list"
                });
                self.toast(&gettext("The bond was deleted elsewhere"));
            }
        }
    }

    /// The bond page, live from the kernel.
    pub fn show_bond(&self, name: &str) {
        let imp = self.imp();
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        let snap = imp.snapshot.borrow().clone();
        let Some(bond) = find(&snap.bonds, name) else {
            return self.toast(&gettext_f("{} no longer exists.", &[name]));
        };
        imp.shown_bond.replace(Some(bond.settings.uuid.clone()));
        imp.shown_state.replace(Some(shown_key(bond, &snap)));
        self.bond_page().load(bond);
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            #[strong]
            backend,
            #[strong(rename_to = name)]
            bond.name().to_string(),
            async move {
                let tests = backend.failover_history(name).await;
                this.bond_page().set_history(&tests);
            }
        ));
        self.show_page("bond");
        let generation = imp.watch_generation.get() + 1;
        imp.watch_generation.set(generation);
        let updates = backend.watch_kernel(bond.clone(), snap.devices.clone());
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                while let Ok(update) = updates.recv().await {
                    if this.imp().watch_generation.get() != generation {
                        break;
                    }
                    if let Some((k, diags)) = update {
                        this.bond_page().update(&k, &diags);
                    }
                }
            }
        ));
    }

    /// Brings the bond up; its page follows NM and the kernel as it comes.
    fn activate_bond(&self, uuid: &str) {
        let Some(backend) = self.imp().backend.borrow().clone() else {
            return;
        };
        let uuid = uuid.to_string();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                if let Err(e) = backend.activate(uuid).await {
                    this.report_failure(&e);
                    this.bond_page().activate_button().set_sensitive(true);
                }
            }
        ));
    }

    /// The failover test page for the bond whose UUID (or name) is `key`.
    pub fn show_failover(&self, key: &str) {
        let imp = self.imp();
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        let snap = imp.snapshot.borrow().clone();
        let Some(bond) = find(&snap.bonds, key) else {
            return self.toast(&gettext_f("{} no longer exists.", &[key]));
        };
        imp.shown_bond.replace(Some(bond.settings.uuid.clone()));
        // The bond page's live watch stops while the test page is shown.
        imp.watch_generation.set(imp.watch_generation.get() + 1);
        self.failover_page().load(bond, backend);
        self.show_page("failover");
    }

    pub fn failover_page(&self) -> FailoverPage {
        let imp = self.imp();
        imp.failover_page
            .get_or_init(|| {
                let page = glib::Object::new::<FailoverPage>();
                imp.failover_slot.set_child(Some(&page));
                page
            })
            .clone()
    }

    pub fn bond_page(&self) -> BondPage {
        let imp = self.imp();
        imp.bond_page
            .get_or_init(|| {
                let page = glib::Object::new::<BondPage>();
                imp.bond_slot.set_child(Some(&page));
                page
            })
            .clone()
    }

    fn go_back(&self) {
        let imp = self.imp();
        if self.page() == "failover" {
            // A running test finishes (or is stopped) first: it owns the port.
            let shown = imp.shown_bond.borrow().clone();
            if let (false, Some(uuid)) = (self.failover_page().is_running(), shown) {
                self.show_bond(&uuid);
            }
            return;
        }
        if self.page() == "bond" {
            imp.watch_generation.set(imp.watch_generation.get() + 1);
            self.render_list();
            self.show_page(if imp.snapshot.borrow().bonds.is_empty() {
                "empty"
            } else {
                "list"
            });
            return;
        }
        if self.page() == "draft" {
            self.render_list();
            self.show_page(if imp.snapshot.borrow().bonds.is_empty() {
                "empty"
            } else {
                "list"
            });
            return;
        }
        if self.page() != "editor" {
            return;
        }
        if self.editor().page() == "review" {
            self.editor().show_form();
        } else {
            self.render_list();
            self.show_page(if imp.snapshot.borrow().bonds.is_empty() {
                "empty"
            } else {
                "list"
            });
        }
    }

    /// The editor's "Take Over": reads the port's connection off the UI thread, then fills
    /// the form with it.
    fn take_over(&self, port: String) {
        let Some(backend) = self.imp().backend.borrow().clone() else {
            return;
        };
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                match backend.adoption(port).await {
                    Ok(a) => this.editor().take_over(a),
                    Err(e) => this.toast(&e.cause().message()),
                }
            }
        ));
    }

    fn apply(&self, draft: crate::widgets::bond_editor::Draft) {
        let Some(backend) = self.imp().backend.borrow().clone() else {
            return;
        };
        let opts = ApplyOptions {
            activate: draft.activate,
            confirm_timeout: Duration::from_secs(KEEP_SECONDS.into()),
            adopt: draft.adopt.clone(),
            ..Default::default()
        };
        let name = draft.config.name.clone();
        // The profile being edited, by UUID (its interface name may have a twin).
        let key = draft
            .plan
            .as_ref()
            .map(|p| p.bond.settings.uuid.clone())
            .unwrap_or_else(|| name.clone());
        let (progress, result) = match draft.edit {
            Some(edit) => {
                let (p, r) = backend.edit(key, edit, opts);
                (p, futures_util::future::Either::Left(r))
            }
            None => {
                let (p, r) = backend.create(draft.config, opts);
                (p, futures_util::future::Either::Right(r))
            }
        };
        let busy = self.imp().busy_page.get();
        busy.set_title(&gettext_f("Applying {}…", &[&name]));
        busy.set_description(None);
        self.show_page("busy");
        glib::spawn_future_local(glib::clone!(
            #[weak]
            busy,
            async move {
                while let Ok(step) = progress.recv().await {
                    busy.set_description(Some(&step));
                }
            }
        ));
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                match result.await {
                    Ok(pending) => this.ask_keep(backend, pending),
                    Err(e) => {
                        this.show_page("editor");
                        this.report_failure(&e);
                    }
                }
            }
        ));
    }

    fn report_failure(&self, e: &NmError) {
        let dialog = adw::MessageDialog::builder()
            .transient_for(self)
            .modal(true)
            .heading(gettext("The Change Was Not Applied"))
            .body(format!("{}\n\n{}", e.cause().message(), rollback_text(e)))
            .build();
        dialog.add_response("close", &gettext("_Close"));
        crate::a11y::name_internals(&dialog);
        dialog.present();
    }

    /// "Keep this configuration?" with a countdown; no answer means roll back.
    fn ask_keep(&self, backend: Backend, pending: Pending) {
        let name = pending.report.bond.clone();
        let dialog = adw::MessageDialog::builder()
            .transient_for(self)
            .modal(true)
            .heading(gettext("Keep This Configuration?"))
            .build();
        dialog.add_response("revert", &gettext("_Roll Back"));
        dialog.add_response("keep", &gettext("_Keep"));
        dialog.set_response_appearance("keep", adw::ResponseAppearance::Suggested);
        dialog.set_response_appearance("revert", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("revert"));
        dialog.set_close_response("revert");
        // A take-over says how long the connection was gone while it happened.
        let outage = pending.report.outage.as_ref().map(|o| {
            gettext_f(
                "The connection to {} was gone for {} ms while {} took it over.",
                &[
                    &o.target.to_string(),
                    &format!("{:.0}", o.longest_ms),
                    &pending.report.bond,
                ],
            )
        });
        let body = move |left: u32| {
            let text = gettext_f("{} is applied. If this computer is still reachable, keep it. Otherwise it rolls back by itself in {} seconds.", &[&name, &left.to_string()]);
            match &outage {
                Some(o) => format!("{o}\n\n{text}"),
                None => text,
            }
        };
        dialog.set_body(&body(KEEP_SECONDS));
        let left = std::rc::Rc::new(Cell::new(KEEP_SECONDS));
        // The countdown runs only while the dialog is open.
        let tick = glib::timeout_add_seconds_local(
            1,
            glib::clone!(
                #[weak]
                dialog,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    let n = left.get().saturating_sub(1);
                    left.set(n);
                    if n == 0 {
                        // `response` only emits the signal: the dialog must be closed too.
                        dialog.response("revert");
                        dialog.close();
                        return glib::ControlFlow::Break;
                    }
                    dialog.set_body(&body(n));
                    glib::ControlFlow::Continue
                }
            ),
        );
        let tick = RefCell::new(Some(tick));
        let pending = RefCell::new(Some(pending));
        dialog.connect_response(
            None,
            glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_, response| {
                    if let Some(t) = tick.take() {
                        t.remove();
                    }
                    this.imp().keep_dialog.replace(None);
                    let Some(pending) = pending.take() else {
                        return;
                    };
                    let keep = response == "keep";
                    let backend = backend.clone();
                    glib::spawn_future_local(glib::clone!(
                        #[weak]
                        this,
                        async move {
                            let name = pending.report.bond.clone();
                            let notes = pending.report.notes.clone();
                            if keep {
                                match backend.keep(pending).await {
                                    Ok(_) => {
                                        this.toast(&gettext_f("{} is set up", &[&name]));
                                        for n in notes.iter().take(2) {
                                            this.toast(&n.render(&|t| gettext(t)));
                                        }
                                    }
                                    Err(e) => this.report_failure(&e),
                                }
                            } else {
                                let r = backend.undo(pending).await;
                                this.toast(&if r.is_clean() {
                                    gettext("Rolled back: nothing was changed")
                                } else {
                                    gettext(
                                        "The roll-back was incomplete; check the bond's profiles",
                                    )
                                });
                            }
                            this.show_page("loading");
                            this.reload().await;
                        }
                    ));
                }
            ),
        );
        self.imp().keep_dialog.replace(Some(dialog.clone()));
        crate::a11y::name_internals(&dialog);
        dialog.present();
    }

    fn confirm_delete(&self, key: &str) {
        let name = find(&self.imp().snapshot.borrow().bonds, key)
            .map(|b| b.name().to_string())
            .unwrap_or_else(|| key.to_string());
        let name = name.as_str();
        let key = key.to_string();
        let dialog = adw::MessageDialog::builder()
            .transient_for(self)
            .modal(true)
            .heading(gettext_f("Delete {}?", &[name]))
            .body(gettext(
                "The bond and its port profiles are removed. The ports become free for other use.",
            ))
            .build();
        dialog.add_response("cancel", &gettext("_Cancel"));
        dialog.add_response("delete", &gettext("_Delete"));
        dialog.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
        let name = name.to_string();
        dialog.connect_response(
            Some("delete"),
            glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_, _| {
                    let Some(backend) = this.imp().backend.borrow().clone() else {
                        return;
                    };
                    let (name, key) = (name.clone(), key.clone());
                    glib::spawn_future_local(glib::clone!(
                        #[weak]
                        this,
                        async move {
                            match backend.delete(key).await {
                                Ok(_) => this.toast(&gettext_f("{} deleted", &[&name])),
                                Err(e) => this.report_failure(&e),
                            }
                            this.reload().await;
                        }
                    ));
                }
            ),
        );
        crate::a11y::name_internals(&dialog);
        dialog.present();
    }
}

/// The bond whose UUID (or, for links from outside, interface name) is `key`.
fn find<'a>(bonds: &'a [BondProfile], key: &str) -> Option<&'a BondProfile> {
    bonds
        .iter()
        .find(|b| b.settings.uuid == key)
        .or_else(|| bonds.iter().find(|b| b.name() == key))
}

/// What the rollback after a failure did, in the user's language.
fn rollback_text(e: &NmError) -> String {
    match e {
        NmError::RolledBack { rollback, .. } if rollback.is_clean() => {
            gettext("Everything was rolled back; nothing was changed.")
        }
        NmError::RolledBack { rollback, .. } => {
            let mut parts: Vec<String> = rollback.failed.iter().map(|d| d.device.clone()).collect();
            parts.extend(rollback.errors.iter().cloned());
            gettext_f(
                "The roll-back was incomplete ({}); check the bond's profiles.",
                &[&parts.join(", ")],
            )
        }
        _ => gettext("Nothing was changed."),
    }
}

/// NM's side of a bond page, in one comparable string: the profile's settings, the bond's
/// and ports' device states.
fn shown_key(bond: &BondProfile, snap: &Snapshot) -> String {
    let nm = bondkit::kernel::NmView::of(bond, &snap.devices);
    format!(
        "{:?}|{:?}|{:?}|{:?}",
        bond.settings.options,
        nm.bond_state,
        nm.port_states,
        bond.ports.len()
    )
}
