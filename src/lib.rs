//! Bondsmith, the GNOME app. It renders bondkit's model and sends it intents; it talks
//! neither D-Bus nor netlink itself (see `backend`).

pub mod a11y;
pub mod alerts;
pub mod application;
pub mod backend;
pub mod background;
pub mod config;
pub mod i18n;
pub mod settings;
pub mod widgets;
pub mod window;

pub use window::BondsmithWindow;

/// Loads the compiled GResource bundle (the .ui files and icons).
pub fn register_resources() {
    gtk::gio::resources_register_include!("bondsmith.gresource").expect("bundled resources");
}
