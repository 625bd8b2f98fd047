//! What bondkit tells people, as typed codes with arguments. Front ends render them: the
//! CLI in English (`Display`), the GUI through gettext (`Message::render`). Each template is
//! marked with `n_` so xgettext puts it in the catalog; `{0}`, `{1}` … are the arguments, so
//! a translation may reorder them.

use super::n_;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // Input parsing
    NotAnAddressWithPrefix,
    NotAnIpAddress,
    NotAnMtu,
    NotAssignment,
    // Option values and NM's rules (validate.rs)
    NeedsMode,
    DroppedInMode,
    ArpIntervalNotInMode,
    PrimaryOnlyIn,
    NeedsMiimon,
    PeerNotifMultiple,
    ArpIntervalNeedsTarget,
    ArpTargetNeedsInterval,
    Only8023ad,
    ArpMissedNotInMode,
    GratArpEqualsUnsolNa,
    SlbOnlyXor,
    SlbNeedsVlanSrcmac,
    MiimonOverridesArp,
    NoLinkMonitoring,
    ActiveSlaveDeprecated,
    XmitHashNoEffect,
    Layer2OneGateway,
    UnknownOptionDidYouMean,
    UnknownOption,
    NeedsNewerNm,
    IntRange,
    IntRangeUnit,
    OneOf,
    BadIfNameOption,
    BadMacOption,
    EmptyAddressList,
    BadListAddress,
    // Whole-configuration checks
    BadBondName,
    NeedsAPort,
    BadPortName,
    PortIsTheBond,
    PortTwice,
    NotAPortSetting,
    PortSettingIgnoredInMode,
    PortSettingsNotAPort,
    PortConnectionTakenOver,
    ManualNeedsAddress,
    MethodTakesNoAddresses,
    AddressWrongFamily,
    GatewayWrongFamily,
    GatewayNeedsFamily,
    GatewayNeedsAddress,
    GatewayOutsideSubnet,
    DnsWrongFamily,
    DnsNeedsFamily,
    MtuOutOfRange,
    NotAMac,
    MulticastMac,
    PrimaryNotAPort,
    // Edits
    ModeChangeRemoves,
    MethodChangeRemovesAddresses,
    NotAPortOfBond,
    AlreadyAPort,
    // Ports
    PortCarriesDefaultRoute,
    PortCarriesProfile,
    // How an edit is applied
    PathNothing,
    PathProfileOnly,
    PathReapply,
    PathReactivate,
    WhyMode,
    WhyPorts,
    WhyOption,
    WhyMac,
    WhyPortSettings,
    WhyNewEthernetSetting,
    WhyInactive,
    WhyNotAsked,
    // The kernel's live state (kernel/diagnose.rs)
    LacpNoPartner,
    SplitAggregators,
    BondHasNoPorts,
    NoPortUp,
    SinglePort,
    OnlyOneUp,
    WatchesNoLinks,
    Layer2BehindGateway,
    SpeedMismatch,
    DuplexMismatch,
    NmUpKernelDown,
    NmDownKernelUp,
    PortNotManaged,
    // The failover test (failover/)
    RefuseBondInactive,
    RefuseFewPortsUp,
    RefuseNoTarget,
    RefuseNoRoute,
    RefuseRoutedAround,
    RefuseTargetSilent,
    RefuseTargetSilentTcp,
    RefuseCheckpointDenied,
    RefuseLinkDownNeedsAdmin,
    RefuseCableNotPulled,
    RefuseBadInterval,
    RefuseStopped,
    ProbeIcmpNotAllowed,
    ProbeBindDevice,
    ProbeSocket,
    NoteTcpFallback,
    NoteLacpDisconnect,
    NoteCableNotBack,
    MethodDisconnect,
    MethodLinkDown,
    MethodCable,
    ActionUnplug,
    ActionPlug,
    VerdictNoMonitoring,
    VerdictNoFailover,
    VerdictDisconnect,
    VerdictNoLoss,
    VerdictAsExpected,
    VerdictDowndelay,
    VerdictSlowerThanMonitor,
    VerdictArp,
    VerdictMovedPorts,
    FailbackCost,
    FailbackUpdelay,
    FailbackStays,
    FailbackNoPrimary,
    FailbackMissing,
    // Redundancy alerts (monitor/)
    AlertTitleOnePort,
    AlertTitleDown,
    AlertTitleRedundant,
    AlertTitleLacp,
    AlertTitleFlapping,
    AlertLostPort,
    AlertBackOnOne,
    AlertLostLast,
    AlertRedundant,
    AlertLacpNoPartner,
    AlertLacpSplit,
    AlertLacpBack,
    AlertFlapping,
    // Exports (export/)
    ExportLeftOut,
    ExportNeedsNewerSystemd,
    // Drafts (draft/)
    DraftUnknownFormat,
    DraftUnknownKeyDidYouMean,
    DraftUnknownKey,
    DraftUnknownSectionDidYouMean,
    DraftUnknownSection,
    DraftKeyOutsideSection,
    DraftBadLine,
    DraftBareSeconds,
    DraftBadTime,
    DraftBadBool,
    DraftBadValue,
    DraftNewerSystemd,
    DraftBondWithoutNetdev,
    DraftPortOfOtherBond,
    DraftPropertyWithoutValue,
    DraftNoLinkAggregation,
    DraftNmstateSlaves,
    DraftYaml,
    DraftNncpNoState,
    DraftNmSays,
    DraftAsSpelled,
    DraftMaxBondsMissing,
    DraftNoBond,
    DraftNoLinkMonitoring,
    DraftLacpNeedsSwitch,
}

impl Code {
    /// The English template, as the catalog's msgid.
    pub fn template(self) -> &'static str {
        use Code::*;
        match self {
            NotAnAddressWithPrefix => n_("'{0}' is not an {1} address with its prefix; write it like {2}."),
            NotAnIpAddress => n_("'{0}' is not an IP address; write it like 192.168.10.1 or fd00::1."),
            NotAnMtu => n_("'{0}' is not an MTU; give a number such as 1500, or auto."),
            NotAssignment => n_("'{0}' is not KEY=VALUE; write options like miimon=100."),
            NeedsMode => n_("The bond needs a mode: choose one, for example active-backup."),
            DroppedInMode => n_("NetworkManager drops {0} in mode {1}: it only applies to {2}."),
            ArpIntervalNotInMode => n_("arp_interval cannot be used in mode {0}; set it to 0 and use miimon for link monitoring, or choose active-backup."),
            PrimaryOnlyIn => n_("primary only works in mode {0}; remove it or change the mode."),
            NeedsMiimon => n_("{0} needs miimon above 0; set miimon (for example 100) or set {0} to 0."),
            PeerNotifMultiple => n_("peer_notif_delay must be a multiple of miimon ({0}); use for example {1}."),
            ArpIntervalNeedsTarget => n_("arp_interval needs arp_ip_target: add the IPv4 addresses to probe, or set arp_interval to 0."),
            ArpTargetNeedsInterval => n_("arp_ip_target needs arp_interval above 0: set arp_interval (for example 1000) or remove the targets."),
            Only8023ad => n_("{0} only works in mode 802.3ad; remove it or switch the mode to 802.3ad."),
            ArpMissedNotInMode => n_("arp_missed_max cannot be used in mode {0}; remove it or choose a mode with ARP monitoring."),
            GratArpEqualsUnsolNa => n_("num_grat_arp and num_unsol_na must be equal (the kernel keeps one value for both); set them to the same number."),
            SlbOnlyXor => n_("balance-slb only works in mode balance-xor; remove it or switch the mode to balance-xor."),
            SlbNeedsVlanSrcmac => n_("balance-slb needs xmit_hash_policy vlan+srcmac; change it, or remove xmit_hash_policy."),
            MiimonOverridesArp => n_("miimon is set, so NetworkManager turns ARP monitoring off and arp_interval has no effect; set miimon to 0 to use ARP."),
            NoLinkMonitoring => n_("No link monitoring: with miimon 0 and no ARP monitoring the bond never notices a dead port; set miimon to 100."),
            ActiveSlaveDeprecated => n_("active_slave is a deprecated alias of primary; use primary instead."),
            XmitHashNoEffect => n_("xmit_hash_policy has no effect in mode {0}; it is used by balance-xor, 802.3ad, balance-tlb and balance-alb."),
            Layer2OneGateway => n_("layer2 hashing sends all traffic to one gateway over one port; use layer3+4 to spread connections."),
            UnknownOptionDidYouMean => n_("'{0}' is not a bond option NetworkManager knows; did you mean {1}?"),
            UnknownOption => n_("'{0}' is not a bond option NetworkManager knows; see the list of bond options."),
            NeedsNewerNm => n_("{0} needs NetworkManager {1} or newer, and this system runs {2}; remove it or upgrade NetworkManager."),
            IntRange => n_("{0} must be a whole number from {1} to {2}; '{3}' is not."),
            IntRangeUnit => n_("{0} must be a whole number from {1} to {2} (in {3}); '{4}' is not."),
            OneOf => n_("{0} must be one of {1}; '{2}' is not."),
            BadIfNameOption => n_("{0} must be an interface name (1 to 15 characters, no spaces, '/' or ':'); '{1}' is not."),
            BadMacOption => n_("{0} must be a MAC address such as 52:54:00:12:34:56; '{1}' is not."),
            EmptyAddressList => n_("{0} is empty; give at least one {1} address, or remove the option."),
            BadListAddress => n_("{0}: '{1}' is not an {2} address; list addresses such as {3} separated by commas."),
            BadBondName => n_("'{0}' cannot be a bond name: use 1 to 15 characters without spaces, '/' or ':', for example bond0."),
            NeedsAPort => n_("A bond needs at least one port: pick one, for example eno1."),
            BadPortName => n_("'{0}' is not an interface name; give the port's device name, for example eno1."),
            PortIsTheBond => n_("The bond {0} cannot be its own port; pick an ethernet device."),
            PortTwice => n_("{0} is listed twice; give each port once."),
            NotAPortSetting => n_("'{0}' is not a port setting; use queue-id or prio (for example eno1:prio=10)."),
            PortSettingIgnoredInMode => n_("{0} has no effect in mode {1}: the kernel uses it in active-backup, balance-tlb and balance-alb."),
            PortConnectionTakenOver => n_("The bond takes over {0}'s connection “{1}”: its addresses, gateway, DNS and routes (and its MAC, for DHCP), so this computer keeps its address."),
            PortSettingsNotAPort => n_("{0} has port settings but is not one of the bond's ports; add it as a port or drop its settings."),
            ManualNeedsAddress => n_("Manual {0} needs at least one address; give one with its prefix, or pick another method."),
            MethodTakesNoAddresses => n_("{0} method {1} takes no static addresses; remove them ({2}) or pick manual or auto."),
            AddressWrongFamily => n_("{0} is not an {1} address; put it with the other family."),
            GatewayWrongFamily => n_("The gateway {0} is not an {1} address; give it to the other family."),
            GatewayNeedsFamily => n_("The gateway {0} needs {1} on the bond, which is {2}; enable {1} or drop the gateway."),
            GatewayNeedsAddress => n_("The gateway {0} needs an {1} address on the bond; add one with its prefix, or drop the gateway."),
            GatewayOutsideSubnet => n_("The gateway {0} is outside every {1} address of the bond ({2}); check the address or the prefix."),
            DnsWrongFamily => n_("The DNS server {0} is not an {1} address; give it to the other family."),
            DnsNeedsFamily => n_("The DNS server {0} needs {1} on the bond, which is {2}; enable {1} or give a server of the other family."),
            MtuOutOfRange => n_("An MTU of {0} is out of range; use 68 to 65535 (1500 is standard, 9000 for jumbo frames)."),
            NotAMac => n_("'{0}' is not a MAC address; write it like 52:54:00:12:34:56, or use one of NetworkManager's special values: preserve, permanent, random, stable."),
            MulticastMac => n_("{0} is a multicast address and cannot name an interface; clear the lowest bit of the first byte (for example 02:...)."),
            PrimaryNotAPort => n_("The primary port {0} is not one of the bond's ports ({1}); add it or pick another primary."),
            ModeChangeRemoves => n_("Switching the mode removes {0}, which only applies to {1}."),
            MethodChangeRemovesAddresses => n_("Switching {0} to {1} removes its static addresses and gateway ({2})."),
            NotAPortOfBond => n_("{0} is not a port of {1}; its ports are: {2}."),
            AlreadyAPort => n_("{0} is already a port of {1}."),
            PortCarriesDefaultRoute => n_("{0} carries this computer's default route. If the bond does not come up, Bondsmith rolls everything back; if you lose the connection, do nothing and it rolls back by itself."),
            PortCarriesProfile => n_("{0} now carries “{1}”, which stops when the port joins the bond."),
            PathNothing => n_("Nothing changes: the bond already has these settings."),
            PathProfileOnly => n_("Only the profile changes: {0}."),
            PathReapply => n_("The running bond {0} takes the change in place (reapply): no outage."),
            PathReactivate => n_("The bond {0} is re-activated, a short outage: {1}."),
            WhyMode => n_("the mode changes"),
            WhyPorts => n_("ports are added or removed"),
            WhyOption => n_("{0} cannot be changed on a running bond"),
            WhyMac => n_("the MAC address changes"),
            WhyPortSettings => n_("a port's queue ID or priority changes"),
            WhyNewEthernetSetting => n_("the profile gets its first Ethernet setting, which NetworkManager cannot add to a running bond"),
            WhyInactive => n_("the bond is not active"),
            WhyNotAsked => n_("bringing it up was switched off"),
            LacpNoPartner => n_("The switch is not speaking LACP: {0}'s partner MAC is {1}, so the bond uses one port at most. Configure the switch ports as an LACP (802.3ad) port-channel, or change the bond to active-backup."),
            SplitAggregators => n_("The ports sit in different aggregators ({0}), so only aggregator {1} carries traffic. Put all the switch ports in the same port-channel, with the same speed."),
            BondHasNoPorts => n_("{0} has no ports; add at least two for redundancy."),
            NoPortUp => n_("No port of {0} has a link ({1}): the bond is down. Check the cables and the switch ports."),
            SinglePort => n_("{0} has a single port ({1}): there is no redundancy. Add a second port."),
            OnlyOneUp => n_("Only {0} is up, so no redundancy is left: check the cable and switch port of {1}."),
            WatchesNoLinks => n_("{0} watches no links (miimon 0 and no ARP monitoring), so it never notices a dead port. Set miimon to 100."),
            Layer2BehindGateway => n_("{0} hashes by MAC address (layer2) and its traffic goes through one gateway, so all of it uses one port. Set xmit_hash_policy to layer3+4."),
            SpeedMismatch => n_("The ports run at different speeds ({0}); use ports of the same speed, or check for a bad cable."),
            DuplexMismatch => n_("The ports run at different duplex ({0}); set the switch ports to auto-negotiate."),
            NmUpKernelDown => n_("{0} is up in NetworkManager but down in the kernel; something outside NetworkManager changed it. Re-activate it with NetworkManager."),
            NmDownKernelUp => n_("{0} is not active in NetworkManager but up in the kernel; something outside NetworkManager changed it. Re-activate it with NetworkManager."),
            PortNotManaged => n_("{0} is a port of {1} in the kernel but {2} in NetworkManager; re-activate the bond so that NetworkManager manages it again."),
            RefuseBondInactive => n_("{0} is not active, so there is nothing to fail over; bring it up first."),
            RefuseFewPortsUp => n_("Only {1} of the ports of {0} has a link ({2}): a failover test needs two ports with a link, or it would cut the bond off. Fix the other port's link first."),
            RefuseNoTarget => n_("{0} has no gateway to probe; give a target address that is reached through the bond."),
            RefuseNoRoute => n_("There is no route to {0}; give a target on the bond's network."),
            RefuseRoutedAround => n_("The route to {0} leaves through {1}, not through {2}, so the test would not measure the bond; give a target on the bond's network."),
            RefuseTargetSilent => n_("{0} did not answer any of {1} probes during a 1 s baseline; give a target that answers ping, such as the gateway."),
            RefuseTargetSilentTcp => n_("{0} did not answer any of {1} TCP probes to port {2} during a 1 s baseline; give a target that answers, or a port that is not filtered."),
            RefuseCheckpointDenied => n_("You are not allowed to create the checkpoint that protects the test, so it did not start: the system's policy (polkit) denied it."),
            RefuseLinkDownNeedsAdmin => n_("Taking the link of {0} down needs administrator rights (CAP_NET_ADMIN); use the disconnect method or a cable pull instead. Nothing was changed."),
            RefuseCableNotPulled => n_("The link of {0} did not go down within {1} s, so the test stopped; nothing was changed."),
            RefuseStopped => n_("The test was stopped before anything was changed."),
            RefuseBadInterval => n_("The probe interval must be 1 to 1000 ms; {0} is not."),
            ProbeIcmpNotAllowed => n_("ICMP echo sockets are not allowed for your user (net.ipv4.ping_group_range is \"{0}\"); allow them with: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""),
            ProbeBindDevice => n_("Cannot send probes through {0}: {1}."),
            ProbeSocket => n_("Cannot open a probe socket: {0}."),
            NoteTcpFallback => n_("ICMP is not allowed for your user, so the test probes with TCP to port {0} instead. To use ICMP, allow it with: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""),
            NoteLacpDisconnect => n_("On 802.3ad, a disconnect tells the switch that the port stops aggregating, and some switches then disable that switch port; a link-down or cable test avoids that."),
            NoteCableNotBack => n_("The link of {0} did not come back within {1} s; check its cable."),
            MethodDisconnect => n_("NetworkManager releases the port from the bond, and the bond moves to another port at once. This proves that the backup path carries traffic."),
            MethodLinkDown => n_("The port's link goes down as if its cable had failed, and the bond notices through its own link monitoring. This shows the bond's detection delay. It needs administrator rights."),
            MethodCable => n_("You unplug the port's cable when asked, and plug it back in. This tests link detection end to end, cable and switch included."),
            ActionUnplug => n_("Unplug the cable of {0} now."),
            ActionPlug => n_("Plug the cable of {0} back in."),
            VerdictNoMonitoring => n_("No failover: the bond has no link monitoring (miimon=0, no ARP), so it never noticed that {0} went down. Set miimon=100."),
            VerdictNoFailover => n_("No failover: traffic did not come back within {0} s after {1} went down; check that the other ports reach the target."),
            VerdictDisconnect => n_("Outage {0} ms: NetworkManager released {1} and the bond moved to {2} at once, so the backup path carries traffic."),
            VerdictNoLoss => n_("No probe was lost: the bond moved traffic off {0} without a gap."),
            VerdictAsExpected => n_("Outage {0} ms with miimon={1}: as expected."),
            VerdictDowndelay => n_("Outage {0} ms: downdelay={1} adds {1} ms before the bond gives up on a port (miimon={2})."),
            VerdictSlowerThanMonitor => n_("Outage {0} ms, more than miimon={1} and downdelay={2} explain: the switch or the target was slow to follow the new port."),
            VerdictArp => n_("Outage {0} ms with ARP monitoring every {1} ms: the ARP monitor gives up on a port after {2} missed intervals ({3} ms)."),
            VerdictMovedPorts => n_("Outage {0} ms: the bond moved traffic off {1} to its other ports."),
            FailbackCost => n_("Failback: {0} took over again when it came back (primary_reselect={2}), which cost {1} ms."),
            FailbackUpdelay => n_("updelay={0} waits {0} ms before a port that comes back is used."),
            FailbackStays => n_("No failback: primary_reselect=failure keeps {0} active until it fails."),
            FailbackNoPrimary => n_("No failback: the bond has no primary port, so {0} stays active."),
            AlertTitleOnePort => n_("{0} has no redundancy left"),
            AlertTitleDown => n_("{0} is down"),
            AlertTitleRedundant => n_("{0} is redundant again"),
            AlertTitleLacp => n_("{0}: LACP trouble"),
            AlertTitleFlapping => n_("{0}: a port keeps dropping"),
            AlertLostPort => n_("{0} lost {1}: one more cable and the link is gone."),
            AlertBackOnOne => n_("{0} is up again, on {1} alone: one more cable and the link is gone."),
            AlertLostLast => n_("{0} lost its last port ({1}): the bond is down. Check the cables and the switch ports."),
            AlertRedundant => n_("{0} is redundant again: {1} carry the link."),
            AlertLacpNoPartner => n_("{0}'s switch stopped speaking LACP: the bond uses one port at most. Check the switch's port-channel."),
            AlertLacpSplit => n_("{0}'s ports are in different aggregators ({1}): only one of them carries traffic. Put the switch ports in one port-channel."),
            AlertLacpBack => n_("{0} aggregates its ports with the switch again."),
            AlertFlapping => n_("{1} of {0} keeps dropping its link ({2} drops in {3} s): check its cable and switch port."),
            ExportLeftOut => n_("{1} cannot express {0}, so the export leaves it out; set it by hand there, or export for NetworkManager instead."),
            ExportNeedsNewerSystemd => n_("{0} is {1}= in systemd {2} or newer, so the export writes it as a comment; uncomment it where systemd-networkd is that new."),
            DraftUnknownFormat => n_("Bondsmith cannot tell what format this is; give nmcli commands, a NetworkManager keyfile, nmstate YAML or systemd-networkd files (or name the file .nmconnection, .yml, .netdev or .network)."),
            DraftUnknownKeyDidYouMean => n_("'{0}' is not a known {1} key; did you mean {2}?"),
            DraftUnknownKey => n_("'{0}' is not a known {1} key; check its spelling, or remove it."),
            DraftUnknownSectionDidYouMean => n_("'{0}' is not a {1} section; did you mean [{2}]? Section names are case-sensitive."),
            DraftUnknownSection => n_("'{0}' is not a {1} section Bondsmith knows; check its spelling (section names are case-sensitive)."),
            DraftKeyOutsideSection => n_("{0}= comes before any [Section] header; put it under the section it belongs to."),
            DraftBadLine => n_("This line is neither a [Section] header nor Key=Value; fix it, or comment it out with #."),
            DraftBareSeconds => n_("{0}={1} means {1} seconds to systemd-networkd, not milliseconds; write {1}ms if you meant milliseconds."),
            DraftBadTime => n_("{0}={1} is not a time span; write it with a unit, such as 100ms."),
            DraftBadBool => n_("{0}={1} is not a boolean; write yes or no."),
            DraftBadValue => n_("{0}={1} is not a value this takes; use one of {2}."),
            DraftNewerSystemd => n_("{0}= needs systemd {1} or newer; older systemd-networkd (Debian 12 has 252) ignores it."),
            DraftBondWithoutNetdev => n_("A [Bond] section belongs in a .netdev file with [NetDev] Kind=bond; add that, or move the keys there."),
            DraftPortOfOtherBond => n_("This port is put into {0}, which is not the bond this draft defines; use the bond's name."),
            DraftPropertyWithoutValue => n_("{0} has no value after it; give one, or remove the property."),
            DraftNoLinkAggregation => n_("Interface {0} is type bond but has no link-aggregation section; add one with mode and port."),
            DraftNmstateSlaves => n_("nmstate 2 does not take 'slaves'; rename it to 'port'."),
            DraftYaml => n_("This YAML cannot be read: {0}."),
            DraftNncpNoState => n_("The policy has no spec.desiredState; put the nmstate interfaces under it."),
            DraftNmSays => n_("{0}"),
            DraftAsSpelled => n_("{0}: {1}"),
            DraftMaxBondsMissing => n_("The bonding module options do not set max_bonds=0, so loading the module creates a bond0 that nothing manages; add max_bonds=0 to this line."),
            DraftNoBond => n_("No bond found: the draft needs a bond (nmcli connection add type bond, a keyfile with type=bond, an nmstate interface of type bond, or a .netdev with Kind=bond)."),
            DraftNoLinkMonitoring => n_("No link monitoring: the bond would never notice a dead port; set {0}."),
            DraftLacpNeedsSwitch => n_("802.3ad needs the switch ports set up as one LACP port-channel (LAG); if you cannot configure the switch, use active-backup instead."),
            FailbackMissing => n_("No failback within {0} s, although {1} is the primary (primary_reselect={2})."),
        }
    }
}

/// A code with its arguments, some of which may be messages themselves (already rendered
/// by the same front end, see [`Message::render`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub code: Code,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Message(Box<Message>),
    /// A list of messages, joined with "; ".
    Messages(Vec<Message>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<Message> for Arg {
    fn from(m: Message) -> Arg {
        Arg::Message(Box::new(m))
    }
}

impl From<Vec<Message>> for Arg {
    fn from(m: Vec<Message>) -> Arg {
        Arg::Messages(m)
    }
}

impl Message {
    pub fn new<A: Into<Arg>>(code: Code, args: impl IntoIterator<Item = A>) -> Message {
        Message {
            code,
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// The text, with `translate` looking up each template (gettext in the GUI).
    pub fn render(&self, translate: &dyn Fn(&'static str) -> String) -> String {
        let mut out = translate(self.code.template());
        for (i, a) in self.args.iter().enumerate() {
            let text = match a {
                Arg::Text(t) => t.clone(),
                Arg::Message(m) => m.render(translate),
                Arg::Messages(ms) => ms
                    .iter()
                    .map(|m| m.render(translate))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            out = out.replace(&format!("{{{i}}}"), &text);
        }
        out
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&|t| t.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_positional_arguments_and_nested_messages() {
        let why = Message::new(Code::WhyOption, ["lacp_rate"]);
        let m = Message::new(Code::PathReactivate, [Arg::from("bond0"), why.into()]);
        assert_eq!(
            m.to_string(),
            "The bond bond0 is re-activated, a short outage: lacp_rate cannot be changed on a running bond."
        );
        let upper = m.render(&|t| t.to_uppercase());
        assert!(upper.starts_with("THE BOND bond0"), "{upper}");
    }

    #[test]
    fn every_template_uses_its_placeholders_in_order() {
        // A template may not skip a number: translators see exactly the arguments it has.
        use Code::*;
        for c in [
            NotAnAddressWithPrefix,
            GatewayNeedsFamily,
            MethodTakesNoAddresses,
            PathReactivate,
        ] {
            let t = c.template();
            let n = (0..10)
                .take_while(|i| t.contains(&format!("{{{i}}}")))
                .count();
            assert!(n > 0, "{t}");
            assert!(!t.contains(&format!("{{{n}}}")), "{t}");
        }
    }
}
