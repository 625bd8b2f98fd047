fn main() {
    glib_build_tools::compile_resources(
        &["data/resources", "src"],
        "data/resources/resources.gresource.xml",
        "bondsmith.gresource",
    );
}
