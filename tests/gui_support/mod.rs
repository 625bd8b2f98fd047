//! What the GUI tests share: driving the main loop, waiting, clicking, finding labels and
//! taking screenshots of the real window.

#![allow(dead_code)]

use crate::support::Testbed;
use adw::prelude::*;
use bondsmith::BondsmithWindow;
use gtk::glib;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static PATIENCE: AtomicU64 = AtomicU64::new(15);

/// How long [`wait_until`] waits; the emulated guest of test bed B needs longer.
pub fn set_patience(secs: u64) {
    PATIENCE.store(secs, Ordering::Relaxed);
}

pub fn act(win: &BondsmithWindow, name: &str, target: Option<&glib::Variant>) {
    WidgetExt::activate_action(win, name, target).unwrap_or_else(|e| panic!("{name}: {e}"));
    settle();
}

/// Runs the main loop until `cond` holds; fails after [`set_patience`] seconds (15 by
/// default).
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let ctx = glib::MainContext::default();
    let deadline = Instant::now() + Duration::from_secs(PATIENCE.load(Ordering::Relaxed));
    loop {
        // Bounded: under the guest's emulated CPU with AT-SPI on, events can stay pending
        // for many seconds; the condition must still be looked at between them.
        let burst = Instant::now() + Duration::from_millis(50);
        while ctx.pending() && Instant::now() < burst {
            ctx.iteration(false);
        }
        if cond() {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Lets pending redraws and signal handlers run.
pub fn settle() {
    let until = Instant::now() + Duration::from_millis(150);
    wait_until("the UI to settle", || Instant::now() >= until);
}

/// Renders a window (or dialog) to $BONDSMITH_SCREENSHOTS/NAME.png.
pub fn screenshot(window: &impl IsA<gtk::Widget>, name: &str) {
    let Some(dir) = std::env::var_os("BONDSMITH_SCREENSHOTS") else {
        return;
    };
    let w = window.as_ref();
    // A window that has just changed may not have drawn a frame yet (slow under the
    // guest's emulated CPU): wait for one rather than save nothing.
    let mut node = None;
    for _ in 0..40 {
        settle();
        let (width, height) = (w.width(), w.height());
        let paintable = gtk::WidgetPaintable::new(Some(w));
        let snap = gtk::Snapshot::new();
        paintable.snapshot(&snap, width as f64, height as f64);
        node = snap.to_node();
        if node.is_some() {
            break;
        }
    }
    let Some(node) = node else {
        // A screenshot is a record, not an assertion: say so and go on.
        println!("    screenshot {name}: the window drew no frame in 6 s; none saved");
        return;
    };
    let renderer = w
        .native()
        .expect("a native")
        .renderer()
        .expect("a renderer");
    let texture = renderer.render_texture(node, None);
    std::fs::create_dir_all(&dir).unwrap();
    texture
        .save_to_png(std::path::Path::new(&dir).join(format!("{name}.png")))
        .unwrap();
}

pub fn click(b: &gtk::Button) {
    assert!(b.is_sensitive(), "button {:?} is insensitive", b.label());
    b.emit_clicked();
    settle();
}

/// The texts of every mapped label under `w`, in tree order.
pub fn visible_texts(w: &gtk::Widget) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(l) = w.downcast_ref::<gtk::Label>() {
        if l.is_mapped() && !l.label().is_empty() {
            out.push(l.label().to_string());
        }
    }
    let mut child = w.first_child();
    while let Some(c) = child {
        out.extend(visible_texts(&c));
        child = c.next_sibling();
    }
    out
}

/// What a failed case leaves for whoever reads the log: the window's page and texts,
/// any other open window's texts, NetworkManager's last lines and a screenshot.
fn report_failure(bed: &Testbed, win: &BondsmithWindow, name: &str) {
    println!("    page: {}", win.page());
    for t in gtk::Window::list_toplevels() {
        if t.is_visible() {
            println!("    window texts: {:?}", visible_texts(&t));
        }
    }
    let log = bed.nm_log();
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    println!("    NetworkManager's last lines:");
    for l in tail.iter().rev() {
        println!("      {l}");
    }
    screenshot(win, &format!("failed-{name}"));
}

/// Whether a visible label under `w` reads exactly `text`.
pub fn find_label(w: &gtk::Widget, text: &str) -> bool {
    if let Some(l) = w.downcast_ref::<gtk::Label>() {
        if l.label() == text && l.is_mapped() {
            return true;
        }
    }
    let mut child = w.first_child();
    while let Some(c) = child {
        if find_label(&c, text) {
            return true;
        }
        child = c.next_sibling();
    }
    false
}

pub type GuiCase = fn(&Testbed, &BondsmithWindow);

/// The app's real main window, as `bondsmith` opens it, on the display and bus the
/// environment names. Any GTK critical aborts the run.
pub fn open_window() -> BondsmithWindow {
    std::env::set_var("G_DEBUG", "fatal-criticals");
    std::env::set_var("GSK_RENDERER", "cairo");
    // No accessibility bus unless a case reads the window over AT-SPI (gui_vm sets atspi).
    if std::env::var_os("GTK_A11Y").is_none() {
        std::env::set_var("GTK_A11Y", "none");
    }
    // Preferences live in memory: a test never reads or writes the user's dconf.
    std::env::set_var("GSETTINGS_BACKEND", "memory");
    bondsmith::i18n::init();
    gtk::init().expect("GTK could not open the display");
    adw::init().expect("libadwaita");
    bondsmith::register_resources();
    let app = bondsmith::application::build();
    app.register(None::<&gtk::gio::Cancellable>)
        .expect("register application");
    app.activate();
    let win = app
        .active_window()
        .and_downcast::<BondsmithWindow>()
        .expect("main window");
    win.set_default_size(760, 900);
    win
}

/// Runs each case (those whose name contains `filter`) on a fresh test bed and bond list,
/// catching panics so that one failure does not hide the others. Exits non-zero on failure.
pub fn run_cases(
    bed: &Testbed,
    win: &BondsmithWindow,
    cases: &[(&str, GuiCase)],
    filter: Option<&str>,
) {
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, case) in cases {
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        bed.reset();
        act(win, "win.refresh", None);
        wait_until("the list to load", || {
            matches!(win.page().as_str(), "empty" | "list")
        });
        let t = Instant::now();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(bed, win))) {
            Ok(()) => println!("test {name} ... ok ({} ms)", t.elapsed().as_millis()),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(*name);
                report_failure(bed, win, name);
                if let Some(d) = win.keep_dialog() {
                    d.response("revert");
                }
            }
        }
    }
    println!("\n{} passed; {} failed", ran - failed.len(), failed.len());
    if ran == 0 {
        println!("no test matched the filter");
        std::process::exit(1);
    }
    if !failed.is_empty() {
        println!("failed: {}", failed.join(", "));
        std::process::exit(1);
    }
}

/// A private session bus for this process (killed on drop), so the app registers as a
/// unique GApplication as it does on a desktop.
pub struct SessionBus(std::process::Child);

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn private_session_bus() -> SessionBus {
    use std::io::BufRead;
    let mut child = std::process::Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("dbus-daemon --session (package dbus) must start for the GUI tests");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("the session bus address");
    assert!(!line.trim().is_empty(), "dbus-daemon printed no address");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", line.trim());
    SessionBus(child)
}

/// Opens the create form and fills it as a user would (bring-up stays as the form has it).
pub fn fill_form(
    win: &BondsmithWindow,
    name: &str,
    mode: bondkit::model::BondMode,
    ports: &[&str],
    options: &[(&str, &str)],
) {
    act(win, "win.create", None);
    wait_until("the editor", || win.page() == "editor");
    let ed = win.editor();
    ed.name_entry().set_text(name);
    ed.mode_row().set_selected(mode.index() as u32);
    for p in ports {
        ed.port_check(p)
            .unwrap_or_else(|| panic!("no row for port {p}"))
            .set_active(true);
    }
    for (k, v) in options {
        ed.set_option(k, Some(v));
    }
}

/// An X server on :9 for the guest's GUI tests (killed by the caller).
pub fn start_xvfb() -> std::process::Child {
    let xvfb = std::process::Command::new("Xvfb")
        .args([":9", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .spawn()
        .expect("Xvfb");
    let end = Instant::now() + Duration::from_secs(60);
    while !std::path::Path::new("/tmp/.X11-unix/X9").exists() {
        assert!(Instant::now() < end, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    xvfb
}

/// Runs one of tests/a11y's AT-SPI readers against this process's own window (which needs
/// GTK_A11Y=atspi and a session bus), pumping the main loop so the window can answer it.
pub fn screen_reader(script: &str, args: &[String]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/a11y")
        .join(script);
    let mut child = std::process::Command::new("/usr/bin/python3")
        .arg(&path)
        .args(args)
        .env("BONDSMITH_A11Y_PID", std::process::id().to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "python3 {}: {e} (python3-pyatspi, scripts/deps.sh gui)",
                path.display()
            )
        });
    let ctx = glib::MainContext::default();
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        while ctx.pending() {
            ctx.iteration(false);
        }
        if let Some(s) = child.try_wait().expect("the reader's status") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{script} did not finish in 300 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = child.wait_with_output().expect("the reader's output");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        status.success(),
        "{script}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
