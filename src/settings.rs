//! The app's GSettings: the installed schema, or else the one build.rs compiled (so that an
//! uninstalled run keeps its preferences too).

use gtk::gio;

pub fn get() -> Option<gio::Settings> {
    let id = crate::config::APP_ID;
    let default = gio::SettingsSchemaSource::default();
    let schema = default
        .as_ref()
        .and_then(|s| s.lookup(id, true))
        .or_else(|| {
            gio::SettingsSchemaSource::from_directory(
                crate::config::BUILD_SCHEMADIR,
                default.as_ref(),
                false,
            )
            .ok()?
            .lookup(id, false)
        })?;
    Some(gio::Settings::new_full(
        &schema,
        None::<&gio::SettingsBackend>,
        None,
    ))
}
