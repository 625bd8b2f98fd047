use std::path::PathBuf;
use std::process::Command;

fn main() {
    glib_build_tools::compile_resources(
        &["data/resources", "src"],
        "data/resources/resources.gresource.xml",
        "bondsmith.gresource",
    );
    compile_translations();
    compile_schemas();
}

/// Compiles the GSettings schema into OUT_DIR/schemas, so that uninstalled runs keep their
/// settings too (config::SCHEMADIR); meson installs the schema for real installs.
fn compile_schemas() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("schemas");
    let schema = "data/io.github.bondsmith.Bondsmith.gschema.xml";
    println!("cargo:rerun-if-changed={schema}");
    println!(
        "cargo:rustc-env=BONDSMITH_BUILD_SCHEMADIR={}",
        out.display()
    );
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(
        schema,
        out.join("io.github.bondsmith.Bondsmith.gschema.xml"),
    )
    .unwrap();
    match Command::new("glib-compile-schemas").arg("--strict").arg(&out).status() {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("glib-compile-schemas failed on {schema}: {s}"),
        Err(e) => println!("cargo:warning=glib-compile-schemas is missing ({e}): uninstalled builds keep no settings"),
    }
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
