//! The failover test page: target, interval and method (with what each proves), then the
//! live chart and phase while bondkit's engine runs, a Stop button that restores at once,
//! and the result card. The page holds no test logic: it starts the engine through the
//! backend and renders its events and report.

use super::probe_chart::ProbeChart;
use crate::backend::{Backend, FailoverRun};
use crate::i18n::{gettext, gettext_f};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::failover::{Action, Method, Phase, TestError, TestEvent, TestRecord, TestRequest};
use bondkit::nm::BondProfile;
use gtk::glib;
use std::cell::RefCell;
use std::time::Duration;

const METHODS: [Method; 3] = [Method::Disconnect, Method::LinkDown, Method::Cable];

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/widgets/failover_page.ui")]
    pub struct FailoverPage {
        #[template_child]
        pub setup_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub target_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub interval_spin: TemplateChild<gtk::SpinButton>,
        #[template_child]
        pub method_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub start_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub stop_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub phase_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub action_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub chart: TemplateChild<ProbeChart>,
        #[template_child]
        pub legend: TemplateChild<gtk::FlowBox>,
        #[template_child]
        pub verdict_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub result_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub verdict_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub outage_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub loss_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub kernel_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub failback_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub ports_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub save_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub cable_button: TemplateChild<gtk::Button>,
        pub bond: RefCell<Option<String>>,
        pub backend: RefCell<Option<Backend>>,
        pub stop: RefCell<Option<async_channel::Sender<()>>>,
        pub record: RefCell<Option<TestRecord>>,
        pub error: RefCell<Option<String>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for FailoverPage {
        const NAME: &'static str = "BondsmithFailoverPage";
        type Type = super::FailoverPage;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            ProbeChart::ensure_type();
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for FailoverPage {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            // The legend is text to read, not a row of controls to tab through.
            let mut item = self.legend.first_child();
            while let Some(w) = item {
                w.set_focusable(false);
                item = w.next_sibling();
            }
            obj.describe_method();
            self.method_row.connect_selected_notify(glib::clone!(
                #[weak]
                obj,
                move |_| obj.describe_method()
            ));
            self.start_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| obj.start()
            ));
            self.stop_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| obj.stop()
            ));
            self.save_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| obj.save_report()
            ));
            self.cable_button.connect_clicked(glib::clone!(
                #[weak]
                obj,
                move |_| {
                    obj.imp().method_row.set_selected(2);
                    obj.start();
                }
            ));
        }
    }
    impl WidgetImpl for FailoverPage {}
    impl BoxImpl for FailoverPage {}
}

glib::wrapper! {
    pub struct FailoverPage(ObjectSubclass<imp::FailoverPage>)
        @extends gtk::Widget, gtk::Box,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for FailoverPage {
    fn default() -> Self {
        glib::Object::new()
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(
        || gettext("Does not apply"),
        |v| gettext_f("{} ms", &[&format!("{v:.0}")]),
    )
}

impl FailoverPage {
    /// Prepares a test of `bond`: the target starts as its gateway.
    pub fn load(&self, bond: &BondProfile, backend: Backend) {
        let imp = self.imp();
        imp.bond.replace(Some(bond.name().to_string()));
        imp.backend.replace(Some(backend));
        let gw = bond
            .settings
            .ipv4
            .gateway
            .or(bond.settings.ipv6.gateway)
            .map(|g| g.to_string())
            .unwrap_or_default();
        imp.target_row.set_text(&gw);
        imp.result_group.set_visible(false);
        imp.verdict_group.set_visible(false);
        imp.chart.set_visible(false);
        imp.legend.set_visible(false);
        imp.chart.clear();
        imp.phase_label.set_visible(false);
        imp.action_label.set_visible(false);
        imp.record.replace(None);
        imp.error.replace(None);
        self.set_running(false);
    }

    fn method(&self) -> Method {
        METHODS[(self.imp().method_row.selected() as usize).min(2)]
    }

    fn describe_method(&self) {
        let text = self.method().proves().render(&|t| gettext(t));
        self.imp().setup_group.set_description(Some(&text));
    }

    fn set_running(&self, running: bool) {
        let imp = self.imp();
        imp.start_button.set_visible(!running);
        imp.stop_button.set_visible(running);
        imp.target_row.set_sensitive(!running);
        imp.interval_spin.set_sensitive(!running);
        imp.method_row.set_sensitive(!running);
    }

    pub fn is_running(&self) -> bool {
        self.imp().stop.borrow().is_some()
    }

    /// The last finished test, for tests.
    pub fn record(&self) -> Option<TestRecord> {
        self.imp().record.borrow().clone()
    }

    /// Why the last test did not run, for tests.
    pub fn error(&self) -> Option<String> {
        self.imp().error.borrow().clone()
    }

    pub fn target_row(&self) -> adw::EntryRow {
        self.imp().target_row.get()
    }

    pub fn method_row(&self) -> adw::ComboRow {
        self.imp().method_row.get()
    }

    pub fn start_button(&self) -> gtk::Button {
        self.imp().start_button.get()
    }

    pub fn chart(&self) -> ProbeChart {
        self.imp().chart.get()
    }

    /// The result card's rows as (title, subtitle), for tests.
    pub fn result_rows(&self) -> Vec<(String, String)> {
        let imp = self.imp();
        [
            &imp.outage_row,
            &imp.loss_row,
            &imp.kernel_row,
            &imp.failback_row,
            &imp.ports_row,
        ]
        .iter()
        .map(|r| {
            (
                r.title().to_string(),
                r.subtitle().map(|s| s.to_string()).unwrap_or_default(),
            )
        })
        .collect()
    }

    fn start(&self) {
        let imp = self.imp();
        let Some(backend) = imp.backend.borrow().clone() else {
            return;
        };
        let Some(bond) = imp.bond.borrow().clone() else {
            return;
        };
        let mut req = TestRequest::new(&bond);
        let text = imp.target_row.text();
        if !text.trim().is_empty() {
            match text.trim().parse() {
                Ok(ip) => req.target = Some(ip),
                Err(_) => {
                    imp.target_row.add_css_class("error");
                    return self.show_error(&gettext_f(
                        "“{}” is not an IP address; enter the target like 192.168.1.1 or fd00::1.",
                        &[text.trim()],
                    ));
                }
            }
        }
        imp.target_row.remove_css_class("error");
        req.interval = Duration::from_millis(imp.interval_spin.value_as_int().max(1) as u64);
        req.method = self.method();
        imp.result_group.set_visible(false);
        imp.verdict_group.set_visible(false);
        imp.record.replace(None);
        imp.error.replace(None);
        imp.chart.clear();
        imp.chart.set_visible(true);
        imp.legend.set_visible(true);
        imp.phase_label.set_visible(true);
        self.set_running(true);
        let FailoverRun {
            events,
            result,
            stop,
        } = backend.run_failover(req);
        imp.stop.replace(Some(stop));
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                while let Ok(e) = events.recv().await {
                    this.on_event(e);
                }
            }
        ));
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = this)]
            self,
            async move {
                let r = result.recv().await;
                this.imp().stop.replace(None);
                this.set_running(false);
                this.imp().action_label.set_visible(false);
                match r {
                    Ok(Ok(record)) => this.show_result(record),
                    Ok(Err(e)) => this.show_error(&error_text(&e)),
                    Err(_) => this.show_error(&gettext("The test ended without a result.")),
                }
            }
        ));
    }

    fn stop(&self) {
        if let Some(s) = self.imp().stop.borrow().as_ref() {
            let _ = s.try_send(());
        }
        self.imp()
            .phase_label
            .set_label(&gettext("Stopping: bringing the port back…"));
    }

    fn on_event(&self, e: TestEvent) {
        let imp = self.imp();
        match e {
            TestEvent::Phase { phase, port } => {
                let port = port.unwrap_or_default();
                let text = match phase {
                    Phase::Precheck => gettext("Checking the bond…"),
                    Phase::Baseline => gettext("Measuring the baseline for a second…"),
                    Phase::Trigger => gettext_f("Taking {} down…", &[&port]),
                    Phase::Observe => gettext("Watching the bond fail over…"),
                    Phase::Restore => gettext_f("Bringing {} back…", &[&port]),
                    Phase::Failback => gettext("Watching for failback…"),
                    Phase::Done => gettext("Done"),
                };
                imp.phase_label.set_label(&text);
            }
            TestEvent::Probe(p) => imp.chart.push_probe(&p),
            TestEvent::Mark(m) => imp.chart.push_mark(&m),
            TestEvent::Action(a) => {
                imp.action_label.set_visible(true);
                imp.action_label
                    .set_label(&a.message().render(&|t| gettext(t)));
                if matches!(a, Action::Plug(_)) {
                    imp.action_label.add_css_class("accent");
                }
            }
            TestEvent::Note(n) => {
                if let Some(root) = self.root().and_downcast::<crate::BondsmithWindow>() {
                    root.toast(&n.render(&|t| gettext(t)));
                }
            }
        }
    }

    fn show_error(&self, text: &str) {
        let imp = self.imp();
        imp.error.replace(Some(text.to_string()));
        imp.phase_label.set_visible(true);
        imp.phase_label.set_label(text);
    }

    fn show_result(&self, record: TestRecord) {
        let imp = self.imp();
        let r = &record.report;
        imp.phase_label.set_visible(false);
        let verdict: Vec<String> = record
            .details
            .verdict
            .iter()
            .map(|m| m.render(&|t| gettext(t)))
            .collect();
        imp.verdict_label.set_label(&verdict.join(" "));
        imp.outage_row.set_subtitle(&ms(r.longest_outage_ms));
        imp.loss_row.set_subtitle(&gettext_f(
            "{} of {} ({} %)",
            &[
                &r.lost.unwrap_or(0).to_string(),
                &r.sent.unwrap_or(0).to_string(),
                &format!("{:.2}", r.loss_pct.unwrap_or(0.0)),
            ],
        ));
        imp.kernel_row.set_subtitle(&ms(r.kernel_failover_ms));
        imp.failback_row.set_subtitle(&match r.failback_outage_ms {
            Some(v) => gettext_f("{} ms outage", &[&format!("{v:.0}")]),
            None => gettext("No failback"),
        });
        let dash = || "–".to_string();
        imp.ports_row.set_subtitle(&format!(
            "{} → {} → {}",
            r.active_before.clone().unwrap_or_else(dash),
            r.active_after.clone().unwrap_or_else(dash),
            r.active_final.clone().unwrap_or_else(dash)
        ));
        // A screen reader gets the figures in one go.
        let summary = gettext_f(
            "Outage {} ms, {} of {} probes lost, kernel failover {}, failback {}.",
            &[
                &format!("{:.0}", r.longest_outage_ms.unwrap_or(0.0)),
                &r.lost.unwrap_or(0).to_string(),
                &r.sent.unwrap_or(0).to_string(),
                &ms(r.kernel_failover_ms),
                &ms(r.failback_outage_ms),
            ],
        );
        crate::a11y::set_description(&*imp.result_group, &summary);
        crate::a11y::set_description(&*imp.verdict_label, &summary);
        imp.cable_button
            .set_visible(r.method == Some(Method::Disconnect));
        imp.result_group.set_visible(true);
        imp.verdict_group.set_visible(true);
        imp.record.replace(Some(record));
    }

    fn save_report(&self) {
        let Some(record) = self.record() else {
            return;
        };
        let parent = self.root().and_downcast::<gtk::Window>();
        // GtkFileChooserNative uses the file portal inside a Flatpak (GtkFileDialog needs
        // GTK 4.10).
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Save Failover Report")),
            parent.as_ref(),
            gtk::FileChooserAction::Save,
            Some(&gettext("_Save")),
            Some(&gettext("_Cancel")),
        );
        chooser.set_current_name(&format!(
            "failover-{}-{}.md",
            record.report.bond, record.finished_at
        ));
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = this)]
            self,
            #[strong]
            chooser,
            move |_, response| {
                if response == gtk::ResponseType::Accept {
                    if let Some(path) = chooser.file().and_then(|f| f.path()) {
                        let text = if path.extension().is_some_and(|e| e == "json") {
                            serde_json::to_string_pretty(&record).expect("serializable")
                        } else {
                            record.to_markdown()
                        };
                        if let Err(e) = std::fs::write(&path, text) {
                            this.show_error(&gettext_f(
                                "The report could not be saved: {}",
                                &[&e.to_string()],
                            ));
                        }
                    }
                }
            }
        ));
        chooser.show();
    }
}

fn error_text(e: &TestError) -> String {
    match e {
        TestError::Refused(m) => m.render(&|t| gettext(t)),
        other => other.to_string(),
    }
}
