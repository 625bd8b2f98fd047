//! Preferences: the redundancy alerts switch, bound to the "monitor" key. What turning it
//! on or off does (the watch, starting at login) follows the key, in `application`.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(resource = "/io/github/bondsmith/Bondsmith/widgets/preferences.ui")]
    pub struct Preferences {
        #[template_child]
        pub monitor_switch: TemplateChild<gtk::Switch>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Preferences {
        const NAME: &'static str = "BondsmithPreferences";
        type Type = super::Preferences;
        type ParentType = adw::PreferencesWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Preferences {}
    impl WidgetImpl for Preferences {}
    impl WindowImpl for Preferences {}
    impl AdwWindowImpl for Preferences {}
    impl PreferencesWindowImpl for Preferences {}
}

glib::wrapper! {
    pub struct Preferences(ObjectSubclass<imp::Preferences>)
        @extends adw::PreferencesWindow, adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl Preferences {
    pub fn new(settings: &gio::Settings) -> Preferences {
        let p: Preferences = glib::Object::new();
        settings
            .bind("monitor", &*p.imp().monitor_switch, "active")
            .build();
        crate::a11y::name_internals(&p);
        p
    }

    pub fn monitor_switch(&self) -> gtk::Switch {
        self.imp().monitor_switch.get()
    }
}
