//! `bondctl export`: a bond written for another tool, to stdout or into a directory.

use crate::args::ExportArgs;
use bondkit::export::{export, Format};
use bondkit::nm::{NmClient, NmError};
use std::io::Write;

pub async fn run(a: ExportArgs) -> Result<(), NmError> {
    let format = Format::parse(&a.format).ok_or_else(|| {
        NmError::Invalid(format!(
            "'{}' is not an export format; use one of {}.",
            a.format,
            Format::ALL.map(Format::name).join(", ")
        ))
    })?;
    let nm = NmClient::system().await?;
    let bond = nm.find_bond(&a.name).await?;
    let cfg = bond.to_config();
    // The options exactly as NetworkManager holds them.
    let e = export(&cfg, &cfg.options, format);
    if a.json {
        let v = serde_json::json!({
            "format": format.name(),
            "files": e.files.iter().map(|f| serde_json::json!({"name": f.name, "text": f.text})).collect::<Vec<_>>(),
            "left_out": e.left_out.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("json"));
    }
    for m in &e.left_out {
        eprintln!("bondctl: left out: {m}");
    }
    let Some(dir) = a.output else {
        if !a.json {
            print!("{}", e.joined());
        }
        return Ok(());
    };
    std::fs::create_dir_all(&dir).map_err(|err| {
        NmError::Invalid(format!(
            "Cannot create {}: {err}; pick a directory you can write to.",
            dir.display()
        ))
    })?;
    for f in &e.files {
        let path = dir.join(&f.name);
        write_file(&path, &f.text, f.private).map_err(|err| {
            NmError::Invalid(format!(
                "Cannot write {}: {err}; pick a directory you can write to.",
                path.display()
            ))
        })?;
        if !a.json {
            println!("{}", path.display());
        }
    }
    Ok(())
}

/// Writes through a temporary file and a rename, so a reader never sees half a file;
/// `private` files are created 0600 (NetworkManager ignores keyfiles others can read).
fn write_file(path: &std::path::Path, text: &str, private: bool) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("bondsmith-tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(if private { 0o600 } else { 0o644 })
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
