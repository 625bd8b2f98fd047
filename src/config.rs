//! Build-time settings. meson passes them as environment variables; plain `cargo` builds get
//! the defaults, so `cargo run` and `cargo test` work without meson.

pub const APP_ID: &str = match option_env!("BONDSMITH_APP_ID") {
    Some(v) => v,
    None => "io.github.bondsmith.Bondsmith",
};
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GETTEXT_PACKAGE: &str = "bondsmith";
/// Where the translations are: meson's install path, or the catalogs build.rs compiled.
pub const LOCALEDIR: &str = match option_env!("BONDSMITH_LOCALEDIR") {
    Some(v) => v,
    None => env!("BONDSMITH_BUILD_LOCALEDIR"),
};
/// The schema build.rs compiled, for runs without an installed one (`cargo run`, tests).
pub const BUILD_SCHEMADIR: &str = env!("BONDSMITH_BUILD_SCHEMADIR");
