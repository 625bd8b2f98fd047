//! The German catalog is complete and is what the app shows when the user's language is
//! German: loaded through the app's own i18n set-up from the catalog build.rs compiled.

use bondsmith::i18n::gettext;

#[test]
fn german_catalog_is_complete_and_loads() {
    let po = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/po/de.po")).unwrap();
    assert!(!po.contains("#, fuzzy"), "de.po has fuzzy entries");
    let out = std::process::Command::new("msgfmt")
        .args(["--check", "--statistics", "-o", "/dev/null"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/po/de.po"))
        .output()
        .expect("msgfmt (gettext) is installed");
    let stats = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stats.contains("untranslated") && !stats.contains("fuzzy"),
        "{stats}"
    );

    // The user's language, as a German desktop session sets it.
    std::env::set_var("LANGUAGE", "de");
    // The catalogs of this build (meson's install path may not be populated yet).
    std::env::set_var("BONDSMITH_LOCALEDIR", env!("BONDSMITH_BUILD_LOCALEDIR"));
    std::env::set_var("LC_ALL", "C.UTF-8");
    bondsmith::i18n::init();
    assert_eq!(gettext("No Bonds Yet"), "Noch keine Bündelungen");
    assert_ne!(
        gettext("Keep This Configuration?"),
        "Keep This Configuration?"
    );
    assert_ne!(gettext("Review"), "Review");
    assert_eq!(
        bondsmith::i18n::gettext_f("{} deleted", &["bond0"])
            .split_whitespace()
            .next(),
        Some("bond0")
    );
}
