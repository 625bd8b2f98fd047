//! Every finished test is kept, one JSON file per test, under the user's data directory
//! (`$XDG_DATA_HOME/bondsmith/failover-tests/BOND/`), as the article advises: "document the
//! observed failover time".

use super::TestRecord;
use std::io;
use std::path::{Path, PathBuf};

/// `$BONDSMITH_HISTORY_DIR`, else `$XDG_DATA_HOME/bondsmith/failover-tests`, else
/// `~/.local/share/bondsmith/failover-tests`.
pub fn root() -> PathBuf {
    if let Some(d) = std::env::var_os("BONDSMITH_HISTORY_DIR") {
        return PathBuf::from(d);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/".into()))
                .join(".local/share")
        });
    data.join("bondsmith/failover-tests")
}

fn bond_dir(root: &Path, bond: &str) -> PathBuf {
    // Interface names cannot hold '/', but a hand-edited name must not escape the root.
    root.join(bond.replace(['/', '\0'], "_"))
}

/// `secs` since the Unix epoch as "2026-12-01 23:50 UTC".
pub fn format_utc(secs: u64) -> String {
    let (y, m, d) = crate::clock::civil_date(secs);
    let t = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        t / 3600,
        t / 60 % 60
    )
}

/// Keeps `record`; returns the file it went to.
pub fn save(root: &Path, record: &TestRecord) -> io::Result<PathBuf> {
    let dir = bond_dir(root, &record.report.bond);
    std::fs::create_dir_all(&dir)?;
    let mut path = dir.join(format!("{}.json", record.finished_at));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{}-{n}.json", record.finished_at));
        n += 1;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(record).expect("serializable"),
    )?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// The bond's tests, newest first. Files that do not parse are skipped.
pub fn list(root: &Path, bond: &str) -> Vec<TestRecord> {
    let Ok(entries) = std::fs::read_dir(bond_dir(root, bond)) else {
        return Vec::new();
    };
    let mut out: Vec<TestRecord> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok())
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.finished_at));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failover::{Details, Report};

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_796_168_400), "2026-12-01 23:40 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn saves_and_lists_newest_first() {
        let root = std::env::temp_dir().join(format!("bsm-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for t in [100, 300, 200, 300] {
            let r = TestRecord {
                finished_at: t,
                report: Report {
                    bond: "bond0".into(),
                    longest_outage_ms: Some(t as f64),
                    ..Default::default()
                },
                details: Details::default(),
            };
            save(&root, &r).unwrap();
        }
        std::fs::write(root.join("bond0/garbage.json"), "{").unwrap();
        let l = list(&root, "bond0");
        assert_eq!(
            l.iter().map(|r| r.finished_at).collect::<Vec<_>>(),
            [300, 300, 200, 100]
        );
        assert!(list(&root, "bond1").is_empty());
        let _ = std::fs::remove_dir_all(&root);
    }
}
