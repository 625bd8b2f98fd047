//! What a screen reader hears that the widgets do not say by themselves. gtk4-rs binds
//! GtkAccessible's setters only for GTK 4.10 and newer; the C function has existed since
//! GTK 4.0, so it is declared here.

use gtk::glib::translate::ToGlibPtr;
use gtk::prelude::*;
use std::ffi::{c_char, c_int, c_void};

/// GTK_ACCESSIBLE_PROPERTY_DESCRIPTION and _LABEL in GtkAccessibleProperty.
const PROPERTY_DESCRIPTION: c_int = 1;
const PROPERTY_LABEL: c_int = 4;

extern "C" {
    fn gtk_accessible_update_property(accessible: *mut c_void, first_property: c_int, ...);
}

/// Sets the accessible description of `widget` (read after its name).
pub fn set_description(widget: &impl IsA<gtk::Widget>, text: &str) {
    set_string(widget, PROPERTY_DESCRIPTION, text)
}

/// Sets the accessible name of `widget` (for one without a label of its own).
pub fn set_label(widget: &impl IsA<gtk::Widget>, text: &str) {
    set_string(widget, PROPERTY_LABEL, text)
}

fn set_string(widget: &impl IsA<gtk::Widget>, property: c_int, text: &str) {
    let text = std::ffi::CString::new(text.replace('\0', " ")).expect("no NUL left");
    let w: *mut gtk::ffi::GtkWidget = widget.as_ref().to_glib_none().0;
    // SAFETY: every GtkWidget is a GtkAccessible; the variadic list is one (property,
    // string) pair terminated by -1, as gtk_accessible_update_property wants, and GTK
    // copies the string before returning.
    unsafe {
        gtk_accessible_update_property(
            w as *mut c_void,
            property,
            text.as_ptr() as *const c_char,
            -1 as c_int,
        );
    }
}
