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
        .build();
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
    app.connect_activate(|app| {
        let win = app.active_window().unwrap_or_else(|| {
            let w = BondsmithWindow::new(app);
            if let Some(name) = SHOW_BOND.with(|b| b.borrow_mut().take()) {
                w.open_bond_when_loaded(&name);
            }
            w.upcast()
        });
        win.present();
    });
    app
}

thread_local! {
    /// `--show-bond NAME`: open that bond's page at start.
    static SHOW_BOND: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
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
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--show-bond") {
        if let Some(name) = args.get(i + 1).cloned() {
            SHOW_BOND.with(|b| b.replace(Some(name)));
            args.drain(i..=i + 1);
        }
    }
    build().run_with_args(&args)
}
