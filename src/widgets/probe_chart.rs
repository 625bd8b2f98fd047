//! The live probe timeline of a failover test: RTT as a line, lost probes as red marks,
//! and vertical markers where the port went down, the active port changed, the port came
//! back. It only renders what the engine streams (kept in a ring buffer) and redraws per
//! sample; there is no timer.

use adw::prelude::*;
use adw::subclass::prelude::*;
use bondkit::clock::Mono;
use bondkit::failover::{Mark, MarkKind};
use bondkit::probe::ProbeEvent;
use gtk::glib;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Samples kept: a minute at 10 ms.
const CAPACITY: usize = 6000;

#[derive(Debug, Clone, Copy)]
struct Sample {
    sent: Mono,
    rtt_ms: Option<f64>,
    lost: bool,
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct ProbeChart {
        pub(super) samples: RefCell<BTreeMap<u32, Sample>>,
        pub marks: RefCell<Vec<Mark>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ProbeChart {
        const NAME: &'static str = "BondsmithProbeChart";
        type Type = super::ProbeChart;
        type ParentType = gtk::Widget;

        fn class_init(klass: &mut Self::Class) {
            klass.set_css_name("probechart");
            klass.set_accessible_role(gtk::AccessibleRole::Img);
        }
    }

    impl ObjectImpl for ProbeChart {}

    impl WidgetImpl for ProbeChart {
        fn measure(&self, orientation: gtk::Orientation, _for_size: i32) -> (i32, i32, i32, i32) {
            match orientation {
                gtk::Orientation::Horizontal => (200, 600, -1, -1),
                _ => (160, 200, -1, -1),
            }
        }

        fn snapshot(&self, snapshot: &gtk::Snapshot) {
            let w = self.obj().width() as f64;
            let h = self.obj().height() as f64;
            if w <= 0.0 || h <= 0.0 {
                return;
            }
            let cr = snapshot.append_cairo(&gtk::graphene::Rect::new(0.0, 0.0, w as f32, h as f32));
            #[allow(deprecated)] // widget.color() needs GTK 4.10
            let fg = self.obj().style_context().color();
            draw(&cr, w, h, &self.samples.borrow(), &self.marks.borrow(), fg);
        }
    }
}

glib::wrapper! {
    pub struct ProbeChart(ObjectSubclass<imp::ProbeChart>)
        @extends gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget;
}

impl Default for ProbeChart {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ProbeChart {
    pub fn clear(&self) {
        self.imp().samples.borrow_mut().clear();
        self.imp().marks.borrow_mut().clear();
        self.queue_draw();
    }

    pub fn push_probe(&self, e: &ProbeEvent) {
        let mut s = self.imp().samples.borrow_mut();
        match *e {
            ProbeEvent::Sent { seq, at, .. } => {
                s.insert(
                    seq,
                    Sample {
                        sent: at,
                        rtt_ms: None,
                        lost: false,
                    },
                );
                while s.len() > CAPACITY {
                    s.pop_first();
                }
            }
            ProbeEvent::Reply { seq, sent, at } => {
                if let Some(x) = s.get_mut(&seq) {
                    x.rtt_ms = Some(at.ms_after(sent));
                }
            }
            ProbeEvent::Lost { seq, .. } => {
                if let Some(x) = s.get_mut(&seq) {
                    x.lost = true;
                }
            }
        }
        drop(s);
        self.queue_draw();
    }

    pub fn push_mark(&self, m: &Mark) {
        self.imp().marks.borrow_mut().push(m.clone());
        self.queue_draw();
    }

    /// (samples, lost, marks) drawn, for tests.
    pub fn counts(&self) -> (usize, usize, usize) {
        let s = self.imp().samples.borrow();
        (
            s.len(),
            s.values().filter(|x| x.lost).count(),
            self.imp().marks.borrow().len(),
        )
    }
}

fn mark_color(kind: MarkKind) -> (f64, f64, f64) {
    match kind {
        MarkKind::Trigger => (0.88, 0.11, 0.14),
        MarkKind::ActiveChanged => (0.21, 0.52, 0.89),
        MarkKind::Restore => (0.96, 0.47, 0.0),
        MarkKind::PortBack => (0.15, 0.64, 0.41),
    }
}

fn draw(
    cr: &gtk::cairo::Context,
    w: f64,
    h: f64,
    samples: &BTreeMap<u32, Sample>,
    marks: &[Mark],
    fg: gtk::gdk::RGBA,
) {
    let (r, g, b) = (fg.red() as f64, fg.green() as f64, fg.blue() as f64);
    // Frame and baseline.
    cr.set_source_rgba(r, g, b, 0.08);
    cr.rectangle(0.0, 0.0, w, h);
    let _ = cr.fill();
    let (Some(first), Some(last)) = (samples.values().next(), samples.values().next_back()) else {
        return;
    };
    let t0 = first.sent;
    let span = last.sent.ms_after(t0).max(1000.0);
    let x = |t: Mono| 8.0 + (t.ms_after(t0) / span) * (w - 16.0);
    let top = 12.0;
    let bottom = h - 22.0;
    // Scale to the 98th percentile, so one slow reply does not flatten the rest.
    let mut rtts: Vec<f64> = samples.values().filter_map(|s| s.rtt_ms).collect();
    rtts.sort_by(f64::total_cmp);
    let p98 = rtts
        .get(rtts.len().saturating_sub(1) * 98 / 100)
        .copied()
        .unwrap_or(1.0);
    let max_rtt = (p98 * 1.5).max(0.5);
    let y = |rtt: f64| bottom - (rtt.min(max_rtt) / max_rtt) * (bottom - top);
    // Markers first, so the line draws over them.
    cr.set_line_width(2.0);
    for m in marks {
        let (mr, mg, mb) = mark_color(m.kind);
        cr.set_source_rgb(mr, mg, mb);
        let mx = x(m.at);
        cr.move_to(mx, top - 8.0);
        cr.line_to(mx, h);
        let _ = cr.stroke();
    }
    // RTT line, broken where probes were lost.
    cr.set_source_rgb(r, g, b);
    cr.set_line_width(1.5);
    let mut drawing = false;
    for s in samples.values() {
        match s.rtt_ms {
            Some(rtt) => {
                if drawing {
                    cr.line_to(x(s.sent), y(rtt));
                } else {
                    cr.move_to(x(s.sent), y(rtt));
                    drawing = true;
                }
            }
            None if s.lost => drawing = false,
            None => {}
        }
    }
    let _ = cr.stroke();
    // Lost probes: red ticks along the bottom.
    cr.set_source_rgb(0.88, 0.11, 0.14);
    cr.set_line_width(2.0);
    for s in samples.values().filter(|s| s.lost) {
        cr.move_to(x(s.sent), bottom + 1.0);
        cr.line_to(x(s.sent), bottom + 8.0);
    }
    let _ = cr.stroke();
    // The scale, so the line means something.
    cr.set_source_rgba(r, g, b, 0.7);
    cr.set_font_size(11.0);
    cr.move_to(8.0, 11.0);
    let _ = cr.show_text(&format!("{max_rtt:.1} ms RTT"));
    // Seconds along the time axis.
    let mut sec = 0.0;
    while sec * 1000.0 <= span {
        let tx = 8.0 + (sec * 1000.0 / span) * (w - 16.0);
        cr.move_to(tx + 2.0, h - 2.0);
        let _ = cr.show_text(&format!("{sec:.0} s"));
        sec += if span > 10_000.0 { 5.0 } else { 1.0 };
    }
}
