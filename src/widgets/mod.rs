pub mod bond_editor;
pub mod bond_page;
pub mod bond_row;

pub use bond_editor::BondEditor;
pub use bond_page::BondPage;
