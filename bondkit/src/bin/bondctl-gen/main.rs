//! Writes bondctl's shell completions and man pages from its clap definitions, at build time
//! (meson runs it; nothing installs it): `bondctl-gen OUTDIR [PAGE.1...]`.
//!
//! OUTDIR gets `bondctl` (the bash completion, named as bash-completion loads it), `_bondctl`
//! (zsh), `bondctl.fish`, `bondctl.1` and one `bondctl-SUBCOMMAND.1` per subcommand. The man
//! pages meson declares as outputs follow OUTDIR; when they are not exactly the pages clap
//! has, the build fails, so a new subcommand cannot ship without its page.

#[allow(dead_code)] // the generator reads the definitions, never parsed values
#[path = "../bondctl/args.rs"]
mod args;

use clap::CommandFactory;
use clap_complete::{generate, Shell};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn man_pages(cmd: &clap::Command) -> Vec<(String, clap::Command)> {
    let mut pages = vec![("bondctl.1".to_owned(), cmd.clone())];
    // clap's own `help` subcommand needs no page of its own.
    let documented = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help");
    for sub in documented {
        let name = format!("bondctl-{}", sub.get_name());
        // The page's own title and synopsis read "bondctl-create", as git's pages do.
        // clap names are &'static str without its "string" feature; this runs once, at build.
        let title: &'static str = Box::leak(name.clone().into_boxed_str());
        let page = sub
            .clone()
            .name(title)
            .bin_name(format!("bondctl {}", sub.get_name()));
        pages.push((format!("{name}.1"), page));
    }
    pages
}

/// What every page ends with: the exit codes bondctl uses (NmError::exit_code) and where to
/// read on.
const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Done, and checked (a failover test ran to its report, whatever the loss).
.TP
\fB2\fR
Invalid input: a wrong command line, or an option, value, address or device that bondctl or NetworkManager rejects; nothing was changed.
.TP
\fB3\fR
NetworkManager refused, polkit denied the change, or NetworkManager is not reachable.
.TP
\fB4\fR
No such bond or device.
.SH "SEE ALSO"
\fBbondctl\fR(1), \fBnmcli\fR(1), \fBnm-settings-nmcli\fR(5), \fBNetworkManager\fR(8)
"#;

fn write_all(out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut cmd = args::Cli::command();
    cmd.build();
    for (shell, file) in [
        (Shell::Bash, "bondctl"),
        (Shell::Zsh, "_bondctl"),
        (Shell::Fish, "bondctl.fish"),
    ] {
        let mut script = Vec::new();
        generate(shell, &mut cmd, "bondctl", &mut script);
        std::fs::write(out.join(file), script)?;
    }
    for (file, page) in man_pages(&cmd) {
        let mut roff = Vec::new();
        clap_mangen::Man::new(page)
            .section("1")
            .source(format!("bondctl {}", env!("CARGO_PKG_VERSION")))
            .manual("Bondsmith")
            .render(&mut roff)?;
        roff.extend_from_slice(EXTRA.as_bytes());
        std::fs::write(out.join(file), roff)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, declared)) = argv.split_first().filter(|(d, _)| !d.starts_with('-')) else {
        eprintln!("usage: bondctl-gen OUTDIR [PAGE.1...]");
        return ExitCode::from(2);
    };
    let mut cmd = args::Cli::command();
    cmd.build();
    let pages: Vec<String> = man_pages(&cmd).into_iter().map(|(f, _)| f).collect();
    if !declared.is_empty() {
        let (mut want, mut have) = (pages.clone(), declared.to_vec());
        want.sort();
        have.sort();
        if want != have {
            eprintln!(
                "bondctl-gen: src/terminal/meson.build declares the man pages {} but bondctl has {}; list exactly these there.",
                have.join(" "),
                want.join(" ")
            );
            return ExitCode::FAILURE;
        }
    }
    match write_all(&PathBuf::from(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bondctl-gen: cannot write to {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}
