fn main() -> gtk::glib::ExitCode {
    bondsmith::application::run()
}
