//! "Check a Draft": the user pastes a configuration drafted by hand or by an assistant;
//! bondkit's draft checker judges it as it is typed, each finding is marked on its line (a
//! gutter beside the text, the line tinted) and listed with its sentence, and "Create From
//! This" opens the create form filled in. The page only renders what bondkit decides.

use crate::i18n::{gettext, gettext_f, ngettext_f};
use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::draft::{self, Finding, Severity, Source};
use bondkit::model::BondConfig;
use gtk::glib;
use std::cell::RefCell;
use std::time::Duration;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/widgets/draft_page.ui")]
    pub struct DraftPage {
        #[template_child]
        pub text: TemplateChild<gtk::TextView>,
        #[template_child]
        pub summary: TemplateChild<gtk::Label>,
        #[template_child]
        pub findings: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub create_button: TemplateChild<gtk::Button>,
        pub gutter: super::Gutter,
        pub pending: RefCell<Option<glib::SourceId>>,
        pub last: RefCell<Vec<Finding>>,
        pub config: RefCell<Option<BondConfig>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for DraftPage {
        const NAME: &'static str = "BondsmithDraftPage";
        type Type = super::DraftPage;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for DraftPage {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().setup();
        }
    }
    impl WidgetImpl for DraftPage {}
    impl BoxImpl for DraftPage {}
}

glib::wrapper! {
    pub struct DraftPage(ObjectSubclass<imp::DraftPage>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for DraftPage {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl DraftPage {
    fn setup(&self) {
        let imp = self.imp();
        let buffer = imp.text.buffer();
        buffer.create_tag(Some("warning"), &[("background", &"rgba(229,165,10,0.20)")]);
        // Created last, so it wins where a line has both.
        buffer.create_tag(Some("error"), &[("background", &"rgba(224,27,36,0.16)")]);
        imp.gutter.set_view(&imp.text);
        buffer.connect_changed(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |_| this.schedule()
        ));
        self.check_now();
    }

    /// Checks a moment after the last keystroke, not at each one.
    fn schedule(&self) {
        if let Some(id) = self.imp().pending.take() {
            id.remove();
        }
        let id = glib::timeout_add_local_once(
            Duration::from_millis(250),
            glib::clone!(
                #[weak(rename_to = this)]
                self,
                move || {
                    this.imp().pending.take();
                    this.check_now();
                }
            ),
        );
        self.imp().pending.replace(Some(id));
    }

    pub fn set_text(&self, text: &str) {
        self.imp().text.buffer().set_text(text);
        if let Some(id) = self.imp().pending.take() {
            id.remove();
        }
        self.check_now();
    }

    pub fn text(&self) -> String {
        let b = self.imp().text.buffer();
        b.text(&b.start_iter(), &b.end_iter(), false).to_string()
    }

    /// What the checker said about the text, as shown.
    pub fn findings(&self) -> Vec<Finding> {
        self.imp().last.borrow().clone()
    }

    pub fn summary_text(&self) -> String {
        self.imp().summary.label().to_string()
    }

    /// The bond to create from the draft, when it has no error.
    pub fn config(&self) -> Option<BondConfig> {
        self.imp().config.borrow().clone()
    }

    /// Puts the keyboard in the text, for typing or pasting.
    pub fn focus_text(&self) {
        self.imp().text.grab_focus();
    }

    pub fn create_button(&self) -> gtk::Button {
        self.imp().create_button.get()
    }

    /// The rows of the findings list, for tests: (title, subtitle).
    pub fn finding_rows(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut child = self.imp().findings.first_child();
        while let Some(c) = child {
            if let Some(r) = c.downcast_ref::<adw::ActionRow>() {
                out.push((
                    r.title().to_string(),
                    r.subtitle().unwrap_or_default().to_string(),
                ));
            }
            child = c.next_sibling();
        }
        out
    }

    pub fn check_now(&self) {
        let imp = self.imp();
        let text = self.text();
        let buffer = imp.text.buffer();
        buffer.remove_all_tags(&buffer.start_iter(), &buffer.end_iter());
        while let Some(c) = imp.findings.first_child() {
            imp.findings.remove(&c);
        }
        if text.trim().is_empty() {
            imp.last.replace(Vec::new());
            imp.config.replace(None);
            imp.summary
                .set_label(&gettext("Paste a draft above to check it."));
            imp.findings.set_visible(false);
            imp.create_button.set_sensitive(false);
            imp.gutter.set_marks(Vec::new());
            return;
        }
        let sources = [Source::new("-", &text)];
        let report = draft::check(&sources);
        let config = match draft::import(&sources) {
            Ok((c, _)) => Some(c),
            Err(_) => None,
        };
        let errors = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = report.findings.len() - errors;
        let summary = match (errors, warnings) {
            (0, 0) => gettext("No problems found."),
            (0, w) => ngettext_f("{} warning", "{} warnings", w as u32, &[&w.to_string()]),
            (e, 0) => ngettext_f("{} error", "{} errors", e as u32, &[&e.to_string()]),
            (e, w) => gettext_f(
                "{}, {}",
                &[
                    &ngettext_f("{} error", "{} errors", e as u32, &[&e.to_string()]),
                    &ngettext_f("{} warning", "{} warnings", w as u32, &[&w.to_string()]),
                ],
            ),
        };
        imp.summary.set_label(&summary);
        for f in &report.findings {
            if f.line > 0 {
                if let Some(start) = buffer.iter_at_line(f.line as i32 - 1) {
                    let mut end = start;
                    end.forward_to_line_end();
                    let tag = match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    buffer.apply_tag_by_name(tag, &start, &end);
                }
            }
            imp.findings.append(&self.finding_row(f));
        }
        imp.findings.set_visible(!report.findings.is_empty());
        imp.create_button.set_sensitive(config.is_some());
        imp.gutter.set_marks(
            report
                .findings
                .iter()
                .map(|f| (f.line, f.severity))
                .collect(),
        );
        imp.last.replace(report.findings);
        imp.config.replace(config);
    }

    fn finding_row(&self, f: &Finding) -> adw::ActionRow {
        let (icon, what) = match f.severity {
            Severity::Error => ("dialog-error-symbolic", gettext("Error")),
            Severity::Warning => ("dialog-warning-symbolic", gettext("Warning")),
        };
        let title = if f.line > 0 {
            gettext_f("{} on line {}", &[&what, &f.line.to_string()])
        } else {
            what.clone()
        };
        let row = adw::ActionRow::builder()
            .title(title.as_str())
            .subtitle(glib::markup_escape_text(&f.message.render(&|t| gettext(t))).as_str())
            .subtitle_lines(0)
            .build();
        let image = gtk::Image::from_icon_name(icon);
        image.add_css_class(match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        });
        row.add_prefix(&image);
        if f.line > 0 {
            row.set_activatable(true);
            let line = f.line;
            row.connect_activated(glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_| this.go_to_line(line)
            ));
        }
        row
    }

    fn go_to_line(&self, line: usize) {
        let imp = self.imp();
        let buffer = imp.text.buffer();
        if let Some(mut it) = buffer.iter_at_line(line as i32 - 1) {
            buffer.place_cursor(&it);
            imp.text.scroll_to_iter(&mut it, 0.1, false, 0.0, 0.5);
            imp.text.grab_focus();
        }
    }
}

mod gutter_imp {
    use super::*;

    #[derive(Default)]
    pub struct Gutter {
        pub view: glib::WeakRef<gtk::TextView>,
        pub marks: RefCell<Vec<(usize, Severity)>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Gutter {
        const NAME: &'static str = "BondsmithDraftGutter";
        type Type = super::Gutter;
        type ParentType = gtk::Widget;
    }

    impl ObjectImpl for Gutter {}

    impl WidgetImpl for Gutter {
        fn measure(&self, orientation: gtk::Orientation, _for_size: i32) -> (i32, i32, i32, i32) {
            match orientation {
                gtk::Orientation::Horizontal => (44, 44, -1, -1),
                _ => (0, 0, -1, -1),
            }
        }

        fn snapshot(&self, snapshot: &gtk::Snapshot) {
            self.obj().draw(snapshot);
        }
    }
}

glib::wrapper! {
    /// Line numbers beside the draft, and a mark beside each line with a finding.
    pub struct Gutter(ObjectSubclass<gutter_imp::Gutter>)
        @extends gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget;
}

impl Default for Gutter {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl Gutter {
    fn set_view(&self, view: &gtk::TextView) {
        self.imp().view.set(Some(view));
        view.set_gutter(gtk::TextWindowType::Left, Some(self));
        if let Some(adj) = view.vadjustment() {
            adj.connect_value_changed(glib::clone!(
                #[weak(rename_to = this)]
                self,
                move |_| this.queue_draw()
            ));
        }
    }

    fn set_marks(&self, marks: Vec<(usize, Severity)>) {
        self.imp().marks.replace(marks);
        self.queue_draw();
    }

    fn draw(&self, snapshot: &gtk::Snapshot) {
        let Some(view) = self.imp().view.upgrade() else {
            return;
        };
        let (width, height) = (WidgetExt::width(self), WidgetExt::height(self));
        let visible = view.visible_rect();
        // The top margin puts the first line below y 0.
        let mut it = view
            .iter_at_location(visible.x(), visible.y().max(0))
            .unwrap_or_else(|| view.buffer().start_iter());
        let marks = self.imp().marks.borrow();
        let worst = |line: usize| {
            marks
                .iter()
                .filter(|(l, _)| *l == line)
                .map(|(_, s)| *s)
                .max()
        };
        // GTK 4.8 has no gtk_widget_get_color (4.10).
        #[allow(deprecated)]
        let fg = view.style_context().color();
        let layout = view.create_pango_layout(None);
        loop {
            let (y, h) = view.line_yrange(&it);
            let (_, wy) = view.buffer_to_window_coords(gtk::TextWindowType::Left, 0, y);
            if wy > height {
                break;
            }
            let n = it.line() as usize + 1;
            let mark = worst(n);
            if let Some(sev) = mark {
                let color = match sev {
                    Severity::Error => gtk::gdk::RGBA::new(0.878, 0.106, 0.141, 1.0),
                    Severity::Warning => gtk::gdk::RGBA::new(0.898, 0.647, 0.039, 1.0),
                };
                snapshot.append_color(
                    &color,
                    &gtk::graphene::Rect::new(0.0, wy as f32, 4.0, h as f32),
                );
            }
            layout.set_text(&n.to_string());
            let (tw, _) = layout.pixel_size();
            let alpha = if mark.is_some() { 1.0 } else { 0.45 };
            snapshot.save();
            snapshot.translate(&gtk::graphene::Point::new(
                (width - tw - 6) as f32,
                wy as f32,
            ));
            snapshot.append_layout(
                &layout,
                &gtk::gdk::RGBA::new(fg.red(), fg.green(), fg.blue(), fg.alpha() * alpha),
            );
            snapshot.restore();
            if !it.forward_line() {
                break;
            }
        }
    }
}
