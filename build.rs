use std::path::PathBuf;
use std::process::Command;

fn main() {
    glib_build_tools::compile_resources(
        &["data/resources", "src"],
        "data/resources/resources.gresource.xml",
        "bondsmith.gresource",
    );
    compile_translations();
}

/// Compiles po/*.po into OUT_DIR/locale, so that uninstalled runs (`cargo run`, the demo,
/// the tests) are translated too. meson installs its own copies for real installs.
fn compile_translations() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("locale");
    println!("cargo:rerun-if-changed=po/LINGUAS");
    println!(
        "cargo:rustc-env=BONDSMITH_BUILD_LOCALEDIR={}",
        out.display()
    );
    let linguas = std::fs::read_to_string("po/LINGUAS").unwrap_or_default();
    for lang in linguas.split_whitespace().filter(|l| !l.starts_with('#')) {
        let po = format!("po/{lang}.po");
        println!("cargo:rerun-if-changed={po}");
        let dir = out.join(lang).join("LC_MESSAGES");
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("msgfmt")
            .arg("-o")
            .arg(dir.join("bondsmith.mo"))
            .arg(&po)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!("msgfmt failed on {po}: {s}"),
            Err(e) => println!("cargo:warning=msgfmt is missing ({e}): install gettext for translated uninstalled builds"),
        }
    }
}
