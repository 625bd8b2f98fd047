//! LACP port state bits (IEEE 802.1AX actor/partner "port state"), in words.

/// The bits of an LACP port state byte, in order, with a word for each.
const BITS: [&str; 8] = [
    "active",        // LACP_Activity: sends LACPDUs on its own
    "short-timeout", // LACP_Timeout: fast rate
    "aggregatable",
    "in-sync",
    "collecting",
    "distributing",
    "defaulted", // no LACPDU received: using default partner info
    "expired",
];

/// "active, aggregatable, in-sync, collecting, distributing" for 61.
pub fn describe(state: u8) -> Vec<&'static str> {
    (0..8)
        .filter(|b| state & (1 << b) != 0)
        .map(|b| BITS[b])
        .collect()
}

/// Whether a port in this state carries traffic as part of an LACP aggregate.
pub fn is_distributing(state: u8) -> bool {
    state & (1 << 3) != 0 && state & (1 << 5) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_usual_states() {
        // 63 is what a healthy fast-rate port settles on.
        assert_eq!(
            describe(63),
            [
                "active",
                "short-timeout",
                "aggregatable",
                "in-sync",
                "collecting",
                "distributing"
            ]
        );
        assert!(is_distributing(63));
        // 69: active, aggregatable, defaulted: the partner never answered.
        assert_eq!(describe(69), ["active", "aggregatable", "defaulted"]);
        assert!(!is_distributing(69));
        assert!(describe(0).is_empty());
    }
}
