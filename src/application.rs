//! Application set-up: actions, accelerators, About.

use crate::config;
use crate::i18n::gettext;
use crate::window::BondsmithWindow;
use adw::prelude::*;
use gtk::{gio, glib};

pub fn build() -> adw::Application {
    let app = adw::Application::builder()
        .application_id(config::APP_ID)
        .resource_base_path("/io/github/bondsmith/Bondsmith")
        .flags(gio::ApplicationFlags::HANDLES_COMMAND_LINE)
        .build();
    app.add_main_option(
        "show-bond",
        glib::Char::from(0),
        glib::OptionFlags::NONE,
        glib::OptionArg::String,
        &gettext("Open the page of this bond"),
        Some(&gettext("NAME")),
    );
    app.connect_startup(|app| {
        let provider = gtk::CssProvider::new();
        provider.load_from_resource("/io/github/bondsmith/Bondsmith/style.css");
        if let Some(display) = gtk::gdk::Display::default() {
            gtk::style_context_add_provider_for_display(
                &display,
                &provider,
                gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
            );
            gtk::IconTheme::for_display(&display)
                .add_resource_path("/io/github/bondsmith/Bondsmith/icons");
        }
        let about = gio::ActionEntry::builder("about")
            .activate(|app: &adw::Application, _, _| show_about(app))
            .build();
        let quit = gio::ActionEntry::builder("quit")
            .activate(|app: &adw::Application, _, _| app.quit())
            .build();
        app.add_action_entries([about, quit]);
        app.set_accels_for_action("app.quit", &["<Primary>q"]);
        app.set_accels_for_action("win.create", &["<Primary>n"]);
        app.set_accels_for_action("win.refresh", &["<Primary>r", "F5"]);
        app.set_accels_for_action("win.show-help-overlay", &["<Primary>question"]);
    });
    app.connect_activate(|app| main_window(app).present());
    // Runs in the primary instance, also for a command line forwarded by a second
    // `bondsmith --show-bond NAME`.
    app.connect_command_line(|app, cmdline| {
        let win = main_window(app);
        let bond = cmdline
            .options_dict()
            .lookup::<String>("show-bond")
            .ok()
            .flatten();
        if let Some(name) = bond {
            win.open_bond(&name);
        }
        win.present();
        glib::ExitCode::SUCCESS
    });
    app
}

/// The one main window, made on first use.
fn main_window(app: &adw::Application) -> BondsmithWindow {
    app.active_window()
        .and_downcast::<BondsmithWindow>()
        .unwrap_or_else(|| BondsmithWindow::new(app))
}

fn show_about(app: &adw::Application) {
    let about = adw::AboutWindow::builder()
        .application_name("Bondsmith")
        .application_icon(config::APP_ID)
        .developer_name(gettext("The Bondsmith developers"))
        .version(config::VERSION)
        .comments(gettext("Build, watch and test network bonds safely"))
        .license_type(gtk::License::Gpl30)
        .website("https://github.com/bondsmith/bondsmith")
        .translator_credits(gettext("translator-credits"))
        .modal(true)
        .build();
    if let Some(w) = app.active_window() {
        about.set_transient_for(Some(&w));
    }
    about.present();
}

pub fn run() -> glib::ExitCode {
    crate::i18n::init();
    crate::register_resources();
    build().run()
}
