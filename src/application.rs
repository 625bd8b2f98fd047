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
    app.add_main_option(
        "monitor",
        glib::Char::from(0),
        glib::OptionFlags::NONE,
        glib::OptionArg::None,
        &gettext("Watch every bond in the background and notify when one loses a cable"),
        None,
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
        let preferences = gio::ActionEntry::builder("preferences")
            .activate(|app: &adw::Application, _, _| show_preferences(app))
            .build();
        // A notification's button (or click) opens the bond it is about.
        let show_bond = gio::ActionEntry::builder("show-bond")
            .parameter_type(Some(&String::static_variant_type()))
            .activate(|app: &adw::Application, _, name| {
                let win = main_window(app);
                if let Some(name) = name.and_then(|n| n.get::<String>()) {
                    win.open_bond(&name);
                }
                win.present();
            })
            .build();
        app.add_action_entries([about, quit, preferences, show_bond]);
        app.set_accels_for_action("app.preferences", &["<Primary>comma"]);
        follow_monitor_preference(app);
        app.set_accels_for_action("app.quit", &["<Primary>q"]);
        app.set_accels_for_action("win.create", &["<Primary>n"]);
        app.set_accels_for_action("win.import", &["<Primary>o"]);
        app.set_accels_for_action("win.refresh", &["<Primary>r", "F5"]);
        app.set_accels_for_action("win.show-help-overlay", &["<Primary>question"]);
    });
    app.connect_activate(|app| main_window(app).present());
    // Runs in the primary instance, also for a command line forwarded by a second
    // `bondsmith --show-bond NAME`.
    app.connect_command_line(|app, cmdline| {
        let options = cmdline.options_dict();
        // `--monitor` (at login): watch, with no window; a window opens only when asked.
        if options.contains("monitor") {
            crate::alerts::start(app);
            return glib::ExitCode::SUCCESS;
        }
        let win = main_window(app);
        let bond = options.lookup::<String>("show-bond").ok().flatten();
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

/// The "monitor" key decides whether the app watches its bonds and starts at login: when
/// the user turns it on (here, in Preferences, or with gsettings) the watch starts at once
/// and the autostart entry is written; off stops both.
fn follow_monitor_preference(app: &adw::Application) {
    let Some(settings) = crate::settings::get() else {
        return;
    };
    if settings.boolean("monitor") {
        crate::alerts::start(app);
    }
    let weak = app.downgrade();
    settings.connect_changed(Some("monitor"), move |settings, key| {
        let Some(app) = weak.upgrade() else { return };
        let on = settings.boolean(key);
        if on {
            crate::alerts::start(&app);
        } else {
            crate::alerts::stop();
        }
        let settings = settings.clone();
        glib::spawn_future_local(async move {
            match crate::background::set_autostart(on).await {
                // The portal's answer wins: the user may have said no.
                Ok(now) if now != on => {
                    let _ = settings.set_boolean("monitor", now);
                }
                Ok(_) => {}
                Err(e) => {
                    if let Some(w) = app.active_window().and_downcast::<BondsmithWindow>() {
                        w.toast(&e);
                    }
                    eprintln!("bondsmith: {e}");
                }
            }
        });
    });
    // The handler lives as long as this settings object: keep it for the app's life.
    KEPT_SETTINGS.with(|k| k.replace(Some(settings)));
}

thread_local! {
    static KEPT_SETTINGS: std::cell::RefCell<Option<gio::Settings>> =
        const { std::cell::RefCell::new(None) };
}

fn show_preferences(app: &adw::Application) {
    let Some(settings) = crate::settings::get() else {
        return;
    };
    let prefs = crate::widgets::Preferences::new(&settings);
    if let Some(w) = app.active_window() {
        GtkWindowExt::set_transient_for(&prefs, Some(&w));
    }
    GtkWindowExt::present(&prefs);
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
