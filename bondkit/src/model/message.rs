//! What bondkit tells people, as typed codes with arguments. Front ends render them: the
//! CLI in English (`Display`), the GUI through gettext (`Message::render`). Each template is
//! marked with `n_` so xgettext puts it in the catalog; `{0}`, `{1}` … are the arguments, so
//! a translation may reorder them.

use super::n_;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // Input parsing
    NotAnAddressWithPrefix,
    NotAnIpAddress,
    NotAnMtu,
    NotAssignment,
    // Whole-configuration checks
    BadBondName,
    NeedsAPort,
    BadPortName,
    PortIsTheBond,
    PortTwice,
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
    WhyInactive,
    WhyNotAsked,
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
            BadBondName => n_("'{0}' cannot be a bond name: use 1 to 15 characters without spaces, '/' or ':', for example bond0."),
            NeedsAPort => n_("A bond needs at least one port: pick one, for example eno1."),
            BadPortName => n_("'{0}' is not an interface name; give the port's device name, for example eno1."),
            PortIsTheBond => n_("The bond {0} cannot be its own port; pick an ethernet device."),
            PortTwice => n_("{0} is listed twice; give each port once."),
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
            WhyOption => n_("the kernel does not change {0} on a running bond"),
            WhyMac => n_("the MAC address changes"),
            WhyInactive => n_("the bond is not active"),
            WhyNotAsked => n_("bringing it up was switched off"),
        }
    }
}

/// A code with its arguments, some of which may be messages themselves (already rendered
/// by the same front end, see [`Message::render`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub code: Code,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
            "The bond bond0 is re-activated, a short outage: the kernel does not change lacp_rate on a running bond."
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
