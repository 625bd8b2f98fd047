//! `bondctl export`: a bond written for another tool, to stdout or into a directory.

use crate::args::ExportArgs;
use bondkit::export::{export, Format};
use bondkit::nm::{NmClient, NmError};

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
        let path = bondkit::export::write_file(&dir, f).map_err(|err| {
            let path = dir.join(&f.name);
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
