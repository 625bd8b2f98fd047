//! bondctl's command line.

use bondkit::failover::Method;
use bondkit::model::BondMode;
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand};

/// A value that shells complete from a list but that bondkit validates, so a wrong one gets
/// bondkit's sentence (and a mode may still be given by its index, as NM allows).
#[derive(Clone)]
pub struct Candidates(fn() -> Vec<&'static str>);

impl TypedValueParser for Candidates {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter().map(PossibleValue::new)))
    }
}

fn modes() -> Vec<&'static str> {
    BondMode::ALL.iter().map(|m| m.name()).collect()
}

fn methods() -> Vec<&'static str> {
    Method::ALL.iter().map(|m| m.name()).collect()
}

fn export_formats() -> Vec<&'static str> {
    bondkit::export::Format::ALL.map(|f| f.name()).to_vec()
}

fn probe_kinds() -> Vec<&'static str> {
    vec!["auto", "icmp", "tcp"]
}

#[derive(Parser)]
#[command(
    name = "bondctl",
    version,
    about = "Build, inspect and change Linux network bonds through NetworkManager"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a bond and its port profiles, then bring it up
    Create(CreateArgs),
    /// List bond profiles
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one bond, with its options exactly as NetworkManager holds them
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a bond; settings it does not name are kept as they are
    Edit(EditArgs),
    /// Delete a bond together with its port profiles
    Delete {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Activate a bond and wait until it is up
    Up {
        name: String,
        /// Seconds to wait for activation
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Watch every bond and print an alert when one loses a port, its last port or its LACP
    /// partner, and when it recovers (a flapping port is summed up)
    Monitor {
        /// One JSON object per alert and line
        #[arg(long)]
        json: bool,
    },
    /// The kernel's live view of a bond: active port, MII, link failures, LACP, diagnostics
    Status {
        name: String,
        #[arg(long)]
        json: bool,
        /// Keep running and print each change as it happens
        #[arg(long)]
        watch: bool,
    },
    /// List network devices and whether they can be bond ports
    Devices {
        #[arg(long)]
        json: bool,
    },
    /// Test failover on a live bond: probe a target every few ms, take the port that
    /// carries the traffic down, bring it back, and report loss, outage and failback
    FailoverTest(FailoverArgs),
    /// Write a bond for another tool: an nmcli script, NetworkManager keyfiles, nmstate YAML,
    /// a kubernetes-nmstate policy or systemd-networkd files
    Export(ExportArgs),
    /// Check a drafted configuration (nmcli commands, keyfiles, nmstate YAML, networkd files,
    /// a modprobe options file) and say what is wrong on which line; exit 0 clean, 1 warnings,
    /// 2 errors
    Check(CheckArgs),
    /// Create a bond from a drafted or exported configuration, judged like `check` and
    /// applied like `create` (rolled back if it does not come up)
    Import(ImportArgs),
    /// List every bond option with its type, default and modes
    Options {
        /// Show only the options that apply to this mode
        #[arg(long, value_parser = Candidates(modes))]
        mode: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct CreateArgs {
    /// Interface name of the bond, also its profile name (for example bond0)
    pub name: String,
    /// Bonding mode (or its index, 0 to 6)
    #[arg(long, value_parser = Candidates(modes))]
    pub mode: String,
    /// A port device (repeat for each port), with its bond-port settings if any:
    /// eno1:prio=10,queue-id=2
    #[arg(long, value_name = "IFACE[:KEY=VALUE,...]")]
    pub port: Vec<String>,
    /// A bond option (repeat), for example miimon=100
    #[arg(long, value_name = "KEY=VALUE")]
    pub option: Vec<String>,
    /// ADDR/PREFIX[,ADDR/PREFIX...], dhcp, disabled, or a method as NM spells it (default dhcp)
    #[arg(long, value_name = "ADDR/PREFIX|dhcp|disabled|METHOD")]
    pub ipv4: Option<String>,
    /// A gateway (repeat for both families: an IPv6 address sets ipv6.gateway)
    #[arg(long, value_name = "IP")]
    pub gateway: Vec<String>,
    /// A DNS server of either family (repeat)
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// ADDR/PREFIX[,ADDR/PREFIX...], auto, dhcp, disabled, ignore or another method (default auto)
    #[arg(long, value_name = "ADDR/PREFIX|auto|disabled|METHOD")]
    pub ipv6: Option<String>,
    #[arg(long)]
    pub mtu: Option<u32>,
    /// A fixed MAC for the bond (so LACP partners see a stable system id), or one of
    /// NetworkManager's values: preserve, permanent, random, stable
    #[arg(long)]
    pub mac: Option<String>,
    /// Create the profiles but do not bring the bond up
    #[arg(long)]
    pub no_activate: bool,
    /// Only validate, and print the equivalent nmcli commands; touch nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Judge options as this NetworkManager version would (dry runs only)
    #[arg(long, value_name = "VERSION")]
    pub nm_version: Option<String>,
    /// Keep the profiles in memory only (gone when NetworkManager restarts)
    #[arg(long)]
    pub in_memory: bool,
    /// Seconds to wait for activation before rolling back
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Bond the connection IFACE is on: the bond takes over the IP settings of the profile
    /// IFACE runs (and its MAC, for DHCP), the outage is measured against the gateway, and
    /// everything rolls back if the gateway does not answer afterwards
    #[arg(long, value_name = "IFACE")]
    pub adopt: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct EditArgs {
    pub name: String,
    /// A new bonding mode (or its index, 0 to 6)
    #[arg(long, value_parser = Candidates(modes))]
    pub mode: Option<String>,
    /// Set a bond option (repeat), for example miimon=200
    #[arg(long, value_name = "KEY=VALUE")]
    pub option: Vec<String>,
    /// Remove a bond option so the kernel default applies (repeat)
    #[arg(long, value_name = "KEY")]
    pub remove_option: Vec<String>,
    /// Add a port (repeat), with its bond-port settings if any: eno3:prio=5
    #[arg(long, value_name = "IFACE[:KEY=VALUE,...]")]
    pub add_port: Vec<String>,
    /// Change bond-port settings of a port the bond has (repeat): eno1:prio=10,queue-id=0
    #[arg(long, value_name = "IFACE:KEY=VALUE,...")]
    pub port_setting: Vec<String>,
    #[arg(long, value_name = "IFACE")]
    pub remove_port: Vec<String>,
    /// IPv4 method (dhcp, disabled, manual, link-local, shared) or the addresses
    /// ADDR/PREFIX[,...] (method manual); other IPv4 settings stay
    #[arg(long, value_name = "ADDR/PREFIX|dhcp|disabled|METHOD")]
    pub ipv4: Option<String>,
    /// IPv6 method (auto, dhcp, manual, link-local, ignore, disabled, shared) or addresses
    #[arg(long, value_name = "ADDR/PREFIX|auto|disabled|METHOD")]
    pub ipv6: Option<String>,
    /// Add a static address of either family, keeping the others (repeat)
    #[arg(long, value_name = "ADDR/PREFIX")]
    pub add_address: Vec<String>,
    /// Remove one static address (repeat)
    #[arg(long, value_name = "ADDR/PREFIX")]
    pub remove_address: Vec<String>,
    /// A gateway: an IPv4 address sets ipv4.gateway, an IPv6 one ipv6.gateway (repeat for
    /// both); none removes both
    #[arg(long, value_name = "IP|none")]
    pub gateway: Vec<String>,
    /// DNS servers: each family given gets exactly these (repeat); none clears both
    #[arg(long, value_name = "IP|none")]
    pub dns: Vec<String>,
    /// An MTU, or auto
    #[arg(long, value_name = "N|auto")]
    pub mtu: Option<String>,
    /// A fixed MAC, one of NM's values (preserve, permanent, random, stable), or none
    #[arg(long, value_name = "MAC|none")]
    pub mac: Option<String>,
    /// Change the profile only: do not reapply or re-activate a running bond
    #[arg(long)]
    pub no_activate: bool,
    /// Only validate, and print the equivalent nmcli commands and how the change would be
    /// applied; touch nothing
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct FailoverArgs {
    /// The bond to test
    pub name: String,
    /// Where to send probes (default: the bond's gateway); it must be reached through the bond
    #[arg(long, value_name = "IP")]
    pub target: Option<String>,
    /// Probe interval in milliseconds, 1 to 1000
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub interval_ms: u64,
    /// disconnect (NetworkManager releases the port), link-down (netlink, needs root) or
    /// cable (you pull the cable when told)
    #[arg(long, default_value = "disconnect", value_parser = Candidates(methods))]
    pub method: String,
    /// Probe kind: auto (ICMP, or TCP when ICMP sockets are not allowed), icmp or tcp
    #[arg(long, default_value = "auto", value_parser = Candidates(probe_kinds))]
    pub probe: String,
    /// The target's TCP port for TCP probes (a closed port is fine: its RST answers)
    #[arg(long, value_name = "PORT", default_value_t = 9)]
    pub tcp_port: u16,
    /// Seconds to wait for a cable to be pulled, and to be plugged back in
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub cable_timeout: u64,
    /// Print the report as one JSON object
    #[arg(long)]
    pub json: bool,
    /// Also write the report as Markdown to FILE
    #[arg(long, value_name = "FILE.md", value_hint = clap::ValueHint::FilePath)]
    pub report: Option<std::path::PathBuf>,
    /// List the tests kept for this bond instead of running one
    #[arg(long)]
    pub history: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The bond to export
    pub name: String,
    /// nmcli, keyfile, nmstate, nncp (kubernetes-nmstate) or networkd
    #[arg(long, value_parser = Candidates(export_formats))]
    pub format: String,
    /// Write the files into DIR (keyfiles mode 0600) instead of printing them
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub output: Option<std::path::PathBuf>,
    /// Print the files and what was left out as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The draft's files (all of one bond: a .netdev and its .network files, say); none or -
    /// reads standard input
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<std::path::PathBuf>,
    /// Print the findings and the bond as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The files of one bond; none or - reads standard input
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<std::path::PathBuf>,
    /// Only check, and print the equivalent nmcli commands; touch nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Create the profiles but do not bring the bond up
    #[arg(long)]
    pub no_activate: bool,
    /// Seconds to wait for activation before rolling back
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    #[arg(long)]
    pub json: bool,
}
