//! Starting the monitor at login, as the "monitor" preference says: outside Flatpak an XDG
//! autostart entry in the user's config dir, which the app writes when the preference goes
//! on and removes when it goes off; inside Flatpak the Background portal, which asks the
//! user and writes the entry itself.

use crate::i18n::gettext;
use gtk::glib;
use std::path::{Path, PathBuf};

/// The autostart entry outside Flatpak (`~/.config/autostart/…-monitor.desktop`).
pub fn autostart_file() -> PathBuf {
    glib::user_config_dir()
        .join("autostart")
        .join(format!("{}-monitor.desktop", crate::config::APP_ID))
}

pub fn in_flatpak() -> bool {
    Path::new("/.flatpak-info").exists()
}

/// Turns starting at login on or off. Returns what is now in effect (the portal may say
/// no), or a sentence for the user.
pub async fn set_autostart(on: bool) -> Result<bool, String> {
    if in_flatpak() {
        let reason = gettext(
            "Warn when a network bond loses a cable, also while Bondsmith's window is closed",
        );
        let command = vec!["bondsmith".to_string(), "--monitor".to_string()];
        return crate::backend::request_background(reason, on, command)
            .await
            .map_err(|e| {
                crate::i18n::gettext_f(
                    "The desktop did not let Bondsmith start at login ({}). Allow it in the Settings app under Apps, Bondsmith.",
                    &[&e],
                )
            });
    }
    let file = autostart_file();
    let result = if on {
        write_entry(&file)
    } else {
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    };
    result.map(|()| on).map_err(|e| {
        crate::i18n::gettext_f(
            "Could not change {}: {}. Check that your config folder is writable.",
            &[&file.display().to_string(), &e.to_string()],
        )
    })
}

fn write_entry(file: &Path) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let entry = format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name={name}\n\
         Comment={comment}\n\
         Exec={exec} --monitor\n\
         Icon={icon}\n\
         NoDisplay=true\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n\
         X-GNOME-UsesNotifications=true\n",
        name = gettext("Bondsmith Redundancy Alerts"),
        comment = gettext("Warns when a network bond loses a cable"),
        exec = exec_quote(&exe.to_string_lossy()),
        icon = crate::config::APP_ID,
    );
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Written whole or not at all: a half entry would start nothing, or the wrong thing.
    let tmp = file.with_extension("desktop.tmp");
    std::fs::write(&tmp, entry)?;
    std::fs::rename(&tmp, file)
}

/// A path as one argument of a desktop entry's Exec key (the spec's quoting rules).
fn exec_quote(arg: &str) -> String {
    let plain = arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.+".contains(c));
    if plain {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    // The desktop file format itself escapes backslashes once more.
    out.replace('\\', "\\\\")
}

#[cfg(test)]
mod tests {
    #[test]
    fn exec_arguments_are_quoted_as_the_spec_says() {
        assert_eq!(
            super::exec_quote("/usr/bin/bondsmith"),
            "/usr/bin/bondsmith"
        );
        assert_eq!(
            super::exec_quote("/home/a b/bondsmith"),
            "\"/home/a b/bondsmith\""
        );
        assert_eq!(super::exec_quote("/x/$y"), "\"/x/\\\\$y\"");
    }
}
