//! gettext set-up. Strings are marked with `gettext("...")`.

pub use gettextrs::{gettext, ngettext};

/// Binds the text domain; `BONDSMITH_LOCALEDIR` overrides the built-in directory (tests and
/// uninstalled runs point it at the freshly compiled catalogs).
pub fn init() {
    let dir = std::env::var("BONDSMITH_LOCALEDIR")
        .unwrap_or_else(|_| crate::config::LOCALEDIR.to_string());
    let _ = gettextrs::setlocale(gettextrs::LocaleCategory::LcAll, "");
    let _ = gettextrs::bindtextdomain(crate::config::GETTEXT_PACKAGE, dir);
    let _ = gettextrs::bind_textdomain_codeset(crate::config::GETTEXT_PACKAGE, "UTF-8");
    let _ = gettextrs::textdomain(crate::config::GETTEXT_PACKAGE);
}

/// `gettext` with `{}` placeholders filled in order.
pub fn gettext_f(msgid: &str, args: &[&str]) -> String {
    let mut s = gettext(msgid);
    for a in args {
        s = s.replacen("{}", a, 1);
    }
    s
}

/// `ngettext` for `n`, with `{}` placeholders filled in order.
pub fn ngettext_f(singular: &str, plural: &str, n: u32, args: &[&str]) -> String {
    let mut s = ngettext(singular, plural, n);
    for a in args {
        s = s.replacen("{}", a, 1);
    }
    s
}
