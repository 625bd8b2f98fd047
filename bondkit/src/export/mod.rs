//! A bond written for other tools, one module per format, all driven by the one option
//! table ([`crate::model::OPTIONS`] and its per-format names): an nmcli script, NetworkManager
//! keyfiles, nmstate YAML (plain or as a kubernetes-nmstate policy) and systemd-networkd
//! files. What a format cannot say is listed in [`Export::left_out`] and in a comment at the
//! top of each file, never dropped silently.

pub mod keyfile;
pub mod networkd;
pub mod nmcli;
pub mod nmstate;

use crate::model::{BondConfig, Code, Message, OptionMap};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Nmcli,
    Keyfile,
    Nmstate,
    /// nmstate wrapped as a kubernetes-nmstate `NodeNetworkConfigurationPolicy`.
    Nncp,
    Networkd,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Nmcli,
        Format::Keyfile,
        Format::Nmstate,
        Format::Nncp,
        Format::Networkd,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Nmcli => "nmcli",
            Format::Keyfile => "keyfile",
            Format::Nmstate => "nmstate",
            Format::Nncp => "nncp",
            Format::Networkd => "networkd",
        }
    }

    /// What people call the consumer, for sentences.
    pub fn title(self) -> &'static str {
        match self {
            Format::Nmcli => "nmcli",
            Format::Keyfile => "NetworkManager keyfiles",
            Format::Nmstate => "nmstate",
            Format::Nncp => "kubernetes-nmstate",
            Format::Networkd => "systemd-networkd",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportFile {
    /// A file name (no directory), such as `bond0.nmconnection`.
    pub name: String,
    pub text: String,
    /// Only its owner may read it (NetworkManager ignores keyfiles others can read).
    pub private: bool,
}

/// A bond in one format.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    pub format: Format,
    pub files: Vec<ExportFile>,
    /// What the format cannot say, each as a sentence naming what to do.
    pub left_out: Vec<Message>,
}

impl Export {
    /// All files as one text, each after a `# ==> NAME <==` line when there are several.
    pub fn joined(&self) -> String {
        if self.files.len() == 1 {
            return self.files[0].text.clone();
        }
        self.files
            .iter()
            .map(|f| format!("# ==> {} <==\n{}", f.name, f.text))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `cfg` with its (already normalized) `options` in `format`.
pub fn export(cfg: &BondConfig, options: &OptionMap, format: Format) -> Export {
    let (files, left_out) = match format {
        Format::Nmcli => (
            vec![ExportFile {
                name: format!("{}.sh", cfg.name),
                text: nmcli::script(cfg, options, true),
                private: false,
            }],
            Vec::new(),
        ),
        Format::Keyfile => (keyfile::files(cfg, options), Vec::new()),
        Format::Nmstate | Format::Nncp => nmstate::files(cfg, options, format == Format::Nncp),
        Format::Networkd => networkd::files(cfg, options),
    };
    Export {
        format,
        files,
        left_out,
    }
}

/// `# ` comment lines for the top of a file: what the export leaves out.
pub(crate) fn left_out_comment(left_out: &[Message]) -> String {
    let mut s = String::new();
    if !left_out.is_empty() {
        s.push_str("# Left out, because this format cannot say it:\n");
        for m in left_out {
            s.push_str(&format!("#   {m}\n"));
        }
    }
    s
}

/// "`key=value` cannot be written for FORMAT …".
pub(crate) fn cannot_say(what: &str, format: Format) -> Message {
    Message::new(Code::ExportLeftOut, [what, format.title()])
}

/// Writes one file into `dir` through a temporary file and a rename, so a reader never sees
/// half of it; private files (keyfiles) are created 0600, as NetworkManager wants them.
pub fn write_file(dir: &Path, f: &ExportFile) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(&f.name);
    let tmp = dir.join(format!(".{}.bondsmith-tmp", f.name));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(if f.private { 0o600 } else { 0o644 })
        .open(&tmp)?;
    out.write_all(f.text.as_bytes())?;
    out.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}
