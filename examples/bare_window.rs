//! The yardstick of scripts/bench-startup.sh: the barest GTK4 + libadwaita window (a header
//! bar and a status page), started as Bondsmith starts, so the benchmark can tell the
//! toolkit's start-up cost from ours.

use adw::prelude::*;

fn main() -> gtk::glib::ExitCode {
    let app = adw::Application::builder()
        .application_id("io.github.bondsmith.BareWindow")
        .build();
    app.connect_activate(|app| {
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&adw::HeaderBar::new());
        content.append(
            &adw::StatusPage::builder()
                .title("Bare Window")
                .vexpand(true)
                .build(),
        );
        adw::ApplicationWindow::builder()
            .application(app)
            .content(&content)
            .default_width(760)
            .default_height(640)
            .build()
            .present();
    });
    app.run()
}
