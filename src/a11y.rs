//! What a screen reader hears that the widgets do not say by themselves. gtk4-rs binds
//! GtkAccessible's setters only for GTK 4.10 and newer; the C function has existed since
//! GTK 4.0, so it is declared here.

use adw::prelude::*;
use gtk::glib::translate::ToGlibPtr;
use std::ffi::{c_char, c_int, c_void};

/// GTK_ACCESSIBLE_PROPERTY_DESCRIPTION and _LABEL in GtkAccessibleProperty.
const PROPERTY_DESCRIPTION: c_int = 1;
const PROPERTY_LABEL: c_int = 4;

extern "C" {
    fn gtk_accessible_update_property(accessible: *mut c_void, first_property: c_int, ...);
    fn gtk_accessible_reset_property(accessible: *mut c_void, property: c_int);
}

/// Sets the accessible description of `widget` (read after its name).
pub fn set_description(widget: &impl IsA<gtk::Widget>, text: &str) {
    set_string(widget, PROPERTY_DESCRIPTION, text)
}

/// Sets the accessible name of `widget` (for one without a label of its own).
pub fn set_label(widget: &impl IsA<gtk::Widget>, text: &str) {
    set_string(widget, PROPERTY_LABEL, text)
}

/// Drops the accessible name set on `widget`, so that what labels it is read instead.
fn reset_label(widget: &impl IsA<gtk::Widget>) {
    let w: *mut gtk::ffi::GtkWidget = widget.as_ref().to_glib_none().0;
    // SAFETY: every GtkWidget is a GtkAccessible; PROPERTY_LABEL is a valid property.
    unsafe { gtk_accessible_reset_property(w as *mut c_void, PROPERTY_LABEL) }
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

/// Names the widgets that GTK 4.8 and libadwaita 1.2 build inside their own (the scroller of a
/// status or preferences page, a group's list box, a combo row's list, an expander row, a
/// search entry) after what a sighted user sees around them, so that a screen reader
/// does not read a type name such as "GtkListView". Newer GTK names most of these itself.
pub fn name_internals(root: &impl IsA<gtk::Widget>) {
    // A window's own title names what nothing inside it names (a preferences window's
    // search page, for one).
    let title = root
        .as_ref()
        .downcast_ref::<gtk::Window>()
        .and_then(|w| w.title())
        .map(|t| t.to_string())
        .filter(|t| !t.is_empty());
    walk(root.as_ref(), title);
}

fn walk(w: &gtk::Widget, context: Option<String>) {
    let context = own_title(w).or(context);
    if let Some(button) = w.downcast_ref::<gtk::Button>() {
        // GTK 4.8 names a button by its raw label ("_Apply") and then by the label widget it
        // is labelled by ("Apply"): "_Apply Apply". The label widget alone is what is read.
        if button.label().is_some() && button.uses_underline() {
            reset_label(button);
        }
    } else if let Some(title) = &context {
        let internal = w.is::<gtk::ScrolledWindow>()
            || w.is::<gtk::ListView>()
            || w.is::<gtk::ListBox>()
            || w.is::<adw::ExpanderRow>()
            || w.is::<gtk::SearchEntry>();
        if internal {
            set_label(w, title);
        }
    }
    let mut child = w.first_child();
    while let Some(c) = child {
        walk(&c, context.clone());
        child = c.next_sibling();
    }
}

/// The title a user reads on this widget, which its inner parts are known by.
fn own_title(w: &gtk::Widget) -> Option<String> {
    let title = if let Some(row) = w.downcast_ref::<adw::PreferencesRow>() {
        row.title()
    } else if let Some(group) = w.downcast_ref::<adw::PreferencesGroup>() {
        group.title()
    } else if let Some(page) = w.downcast_ref::<adw::StatusPage>() {
        page.title()
    } else if let Some(page) = w.downcast_ref::<adw::PreferencesPage>() {
        page.title()
    } else {
        return None;
    };
    let title = title.to_string();
    (!title.is_empty()).then_some(title)
}
