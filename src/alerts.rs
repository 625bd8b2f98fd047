//! Redundancy alerts as notifications. bondkit's monitor judges the kernel's link events
//! (on the backend thread); this delivers each alert as a GNotification, which GLib hands to
//! the notification portal inside Flatpak and to the desktop's notification server outside.
//! While it watches, the application holds itself: closing the window leaves it running.

use crate::i18n::gettext;
use bondkit::monitor::{Alert, Severity};
use gtk::prelude::*;
use gtk::{gio, glib};
use std::cell::RefCell;

thread_local! {
    /// The running watch: dropping the receiver ends it; the guard releases the hold.
    static RUNNING: RefCell<Option<(glib::JoinHandle<()>, gio::ApplicationHoldGuard)>> =
        const { RefCell::new(None) };
}

/// Starts watching every bond, unless it already does.
pub fn start(app: &adw::Application) {
    if is_running() {
        return;
    }
    let rx = crate::backend::watch_redundancy();
    let weak = app.downgrade();
    let task = glib::spawn_future_local(async move {
        while let Ok(alert) = rx.recv().await {
            let Some(app) = weak.upgrade() else { return };
            notify(&app, &alert);
        }
    });
    let hold = app.hold();
    RUNNING.with(|r| *r.borrow_mut() = Some((task, hold)));
}

/// Stops watching (the hold goes with it, so a window-less app then quits).
pub fn stop() {
    if let Some((task, hold)) = RUNNING.with(|r| r.borrow_mut().take()) {
        task.abort();
        drop(hold);
    }
}

pub fn is_running() -> bool {
    RUNNING.with(|r| r.borrow().is_some())
}

/// One notification per bond: a newer alert replaces the older one on screen.
fn notify(app: &adw::Application, alert: &Alert) {
    let title = alert.title.render(&|t| gettext(t));
    let n = gio::Notification::new(&title);
    n.set_body(Some(&alert.render_body(&|t| gettext(t))));
    n.set_priority(match alert.severity {
        Severity::Urgent => gio::NotificationPriority::Urgent,
        Severity::High => gio::NotificationPriority::High,
        Severity::Normal => gio::NotificationPriority::Normal,
    });
    n.set_icon(&gio::ThemedIcon::new(crate::config::APP_ID));
    n.set_default_action_and_target_value("app.show-bond", Some(&alert.bond.to_variant()));
    n.add_button_with_target_value(
        &gettext("Show Bond"),
        "app.show-bond",
        Some(&alert.bond.to_variant()),
    );
    app.send_notification(Some(&format!("bond-{}", alert.bond)), &n);
}
