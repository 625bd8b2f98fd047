pub mod bond_editor;
pub mod bond_page;
pub mod bond_row;
pub mod draft_page;
pub mod export_dialog;
pub mod failover_page;
pub mod preferences;
pub mod probe_chart;

pub use bond_editor::BondEditor;
pub use bond_page::BondPage;
pub use draft_page::DraftPage;
pub use export_dialog::ExportDialog;
pub use failover_page::FailoverPage;
pub use preferences::Preferences;
pub use probe_chart::ProbeChart;
