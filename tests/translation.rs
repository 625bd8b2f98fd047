//! Every catalog in po/LINGUAS is complete, and German and French are what the app shows when
//! the user's language is German or French: loaded through the app's own i18n set-up from the
//! catalogs build.rs compiled.
//!
//! One test function on purpose: the language is chosen with process-wide environment
//! variables, so the languages are checked one after the other, never in parallel threads.

use bondkit::model::{Arg, Code, Message};
use bondsmith::i18n::{gettext, gettext_f, ngettext_f};

const PO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/po");

fn assert_complete(lang: &str) {
    let path = format!("{PO_DIR}/{lang}.po");
    let po = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(!po.contains("#, fuzzy"), "{lang}.po has fuzzy entries");
    let out = std::process::Command::new("msgfmt")
        .args(["--check", "--statistics", "-o", "/dev/null"])
        .arg(&path)
        .output()
        .expect("msgfmt (gettext) is installed");
    let stats = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stats.contains("untranslated") && !stats.contains("fuzzy"),
        "{lang}: {stats}"
    );
}

/// Switches the running process to `lang`, as a desktop session in that language sets it.
fn use_language(lang: &str) {
    std::env::set_var("LANGUAGE", lang);
    // The catalogs of this build (meson's install path may not be populated yet).
    std::env::set_var("BONDSMITH_LOCALEDIR", env!("BONDSMITH_BUILD_LOCALEDIR"));
    std::env::set_var("LC_ALL", "C.UTF-8");
    // setlocale and textdomain again: gettext drops its cached lookups.
    bondsmith::i18n::init();
}

/// A bondkit message with a nested one, rendered the way the GUI renders it.
fn reactivate_message() -> String {
    let why = Message::new(Code::WhyMode, [""; 0]);
    Message::new(Code::PathReactivate, [Arg::from("bond0"), why.into()]).render(&|t| gettext(t))
}

#[test]
fn catalogs_are_complete_and_load() {
    let linguas = std::fs::read_to_string(format!("{PO_DIR}/LINGUAS")).unwrap();
    let langs: Vec<&str> = linguas
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(langs.contains(&"de") && langs.contains(&"fr"), "{langs:?}");
    for lang in &langs {
        assert_complete(lang);
    }

    use_language("de");
    assert_eq!(gettext("No Bonds Yet"), "Noch keine Bündelungen");
    assert_ne!(
        gettext("Keep This Configuration?"),
        "Keep This Configuration?"
    );
    assert_ne!(gettext("Review"), "Review");
    assert_eq!(
        gettext_f("{} deleted", &["bond0"])
            .split_whitespace()
            .next(),
        Some("bond0")
    );
    // German: singular for 1 only.
    assert_eq!(ngettext_f("{} port", "{} ports", 0, &["0"]), "0 Ports");
    assert_eq!(ngettext_f("{} port", "{} ports", 1, &["1"]), "1 Port");
    assert!(
        reactivate_message().starts_with("Die Bündelung bond0 wird neu aktiviert"),
        "{}",
        reactivate_message()
    );

    use_language("fr");
    assert_eq!(gettext("No Bonds Yet"), "Aucun agrégat pour l’instant");
    // GNOME French typography: a narrow no-break space before '?', a no-break space before ':'.
    assert_eq!(
        gettext("Keep This Configuration?"),
        "Conserver cette configuration\u{202f}?"
    );
    assert_eq!(gettext("Review"), "Vérification");
    assert_eq!(gettext_f("{} deleted", &["bond0"]), "bond0 supprimé");
    assert_eq!(
        gettext_f("{} ms", &["12"]),
        "12\u{a0}ms",
        "a number and its unit stay on one line"
    );
    // French: nplurals=2; plural=(n > 1): zero takes the singular.
    assert_eq!(ngettext_f("{} port", "{} ports", 0, &["0"]), "0 port");
    assert_eq!(ngettext_f("{} port", "{} ports", 1, &["1"]), "1 port");
    assert_eq!(ngettext_f("{} port", "{} ports", 2, &["2"]), "2 ports");
    assert_eq!(
        reactivate_message(),
        "L’agrégat bond0 est réactivé, avec une courte coupure\u{a0}: le mode change."
    );

    // And back: switching languages in one process really switches.
    use_language("de");
    assert_eq!(gettext("No Bonds Yet"), "Noch keine Bündelungen");
}

/// The catalogs hold every string the sources mark for translation: xgettext reads the
/// sources with the keywords meson's `bondsmith-pot` uses, and `msgcmp` finds each msgid in
/// each catalog. A file that calls gettext but is not in POTFILES.in fails too.
#[test]
fn catalogs_cover_every_marked_string() {
    let top = env!("CARGO_MANIFEST_DIR");
    let potfiles = std::fs::read_to_string(format!("{PO_DIR}/POTFILES.in")).unwrap();
    let listed: Vec<&str> = potfiles.lines().map(str::trim).collect();
    let out = std::process::Command::new("grep")
        .args([
            "-rlE",
            r#"gettext_f?\(|ngettext_f?\(|n_\(|translatable="yes""#,
        ])
        .args(["src", "bondkit/src", "data"])
        .current_dir(top)
        .output()
        .expect("grep");
    for f in String::from_utf8_lossy(&out.stdout).lines() {
        // The helpers themselves.
        if f == "src/i18n.rs" || f == "bondkit/src/model/mod.rs" {
            continue;
        }
        assert!(
            listed.contains(&f),
            "{f} marks strings but is not in po/POTFILES.in"
        );
    }
    let pot = std::env::temp_dir().join(format!("bondsmith-check-{}.pot", std::process::id()));
    let status = std::process::Command::new("xgettext")
        .args([
            "--from-code=UTF-8",
            "--keyword=gettext",
            "--keyword=gettext_f",
        ])
        .args([
            "--keyword=ngettext:1,2",
            "--keyword=ngettext_f:1,2",
            "--keyword=n_",
        ])
        .args(["--keyword=_", "--keyword=N_", "--keyword=C_:1c,2"])
        .arg("-f")
        .arg(format!("{PO_DIR}/POTFILES.in"))
        .arg("-o")
        .arg(&pot)
        .current_dir(top)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("xgettext (gettext) is installed");
    assert!(status.success());
    let linguas = std::fs::read_to_string(format!("{PO_DIR}/LINGUAS")).unwrap();
    for lang in linguas.split_whitespace() {
        let out = std::process::Command::new("msgcmp")
            .env("LC_ALL", "C")
            .env_remove("LANGUAGE")
            .arg(format!("{PO_DIR}/{lang}.po"))
            .arg(&pot)
            .output()
            .expect("msgcmp");
        assert!(
            out.status.success(),
            "{lang}.po lacks strings the sources mark (run meson's bondsmith-update-po):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_file(&pot);
}
