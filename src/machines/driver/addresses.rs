//! A machine's addresses as MCM types them: `NodeAddress {type, address}`, with Kubernetes'
//! address types.
//!
//! The engine reports the guest's IP addresses (from the guest agent, under the VM's
//! `reported_devices`) and its `fqdn`, untyped. They are typed here: the machine name is
//! the `Hostname` (it is the guest host name by the driver's identity rule), the reported
//! FQDN is the `InternalDNS` name, private addresses (RFC 1918, shared 100.64/10, IPv6
//! unique-local) are `InternalIP` and the rest `ExternalIP`. Loopback, unspecified and
//! link-local addresses are no way to reach a node and are left out.

use std::net::IpAddr;

use serde::{Deserialize, Deserializer, Serialize};

/// Kubernetes' `NodeAddressType`, as MCM's `NodeAddress.type` carries it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub enum AddressType {
    /// The node's host name.
    Hostname,
    /// An address reachable from outside the node's network.
    #[serde(rename = "ExternalIP")]
    ExternalIp,
    /// An address within the node's network.
    #[serde(rename = "InternalIP")]
    InternalIp,
    /// A DNS name that resolves within the node's network.
    #[serde(rename = "InternalDNS")]
    InternalDns,
    /// A DNS name that resolves from outside.
    #[serde(rename = "ExternalDNS")]
    ExternalDns,
}

/// MCM's `NodeAddress`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub struct NodeAddress {
    /// What kind of address it is.
    #[serde(rename = "type")]
    pub kind: AddressType,
    /// The address or name.
    pub address: String,
}

impl NodeAddress {
    /// An address of `kind`.
    pub fn new(kind: AddressType, address: impl Into<String>) -> NodeAddress {
        NodeAddress {
            kind,
            address: address.into(),
        }
    }

    /// The type as MCM writes it (`InternalIP`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            AddressType::Hostname => "Hostname",
            AddressType::ExternalIp => "ExternalIP",
            AddressType::InternalIp => "InternalIP",
            AddressType::InternalDns => "InternalDNS",
            AddressType::ExternalDns => "ExternalDNS",
        }
    }

    /// Whether it is an IP address (the sign that the guest has reported in).
    pub fn is_ip(&self) -> bool {
        matches!(self.kind, AddressType::InternalIp | AddressType::ExternalIp)
    }
}

/// Reads an address as MCM writes it, or as a bare string (machines recorded before
/// addresses were typed): a bare IP is typed as [`ip`] types it, anything else is a
/// `Hostname`.
impl<'de> Deserialize<'de> for NodeAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Typed {
                #[serde(rename = "type")]
                kind: AddressType,
                address: String,
            },
            Bare(String),
        }
        Ok(match Either::deserialize(d)? {
            Either::Typed { kind, address } => NodeAddress { kind, address },
            Either::Bare(s) => ip(&s).unwrap_or_else(|| NodeAddress::new(AddressType::Hostname, s)),
        })
    }
}

/// An IP address typed as internal or external; `None` for text that is no IP address,
/// and for loopback, unspecified and link-local addresses.
pub fn ip(text: &str) -> Option<NodeAddress> {
    let parsed: IpAddr = text.parse().ok()?;
    let internal = match parsed {
        IpAddr::V4(a) => {
            if a.is_loopback() || a.is_unspecified() || a.is_link_local() {
                return None;
            }
            let [first, second, ..] = a.octets();
            a.is_private() || (first == 100 && (64..128).contains(&second))
        }
        IpAddr::V6(a) => {
            let head = a.segments()[0];
            if a.is_loopback() || a.is_unspecified() || head & 0xffc0 == 0xfe80 {
                return None;
            }
            head & 0xfe00 == 0xfc00
        }
    };
    let kind = if internal {
        AddressType::InternalIp
    } else {
        AddressType::ExternalIp
    };
    Some(NodeAddress::new(kind, parsed.to_string()))
}

/// A machine's addresses: its host name, the guest's FQDN when it reports one, then its
/// IP addresses in the order the engine gave them, each once.
pub fn node_addresses(hostname: &str, fqdn: Option<&str>, ips: &[String]) -> Vec<NodeAddress> {
    let mut out = vec![NodeAddress::new(AddressType::Hostname, hostname)];
    if let Some(fqdn) = fqdn
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != hostname)
    {
        out.push(NodeAddress::new(AddressType::InternalDns, fqdn));
    }
    for a in ips.iter().filter_map(|t| ip(t)) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_addresses_as_mcm_does() {
        let got = node_addresses(
            "web-1",
            Some("web-1.example.com"),
            &[
                "10.0.0.5".into(),
                "fe80::1".into(),
                "203.0.113.7".into(),
                "fd00::5".into(),
                "2001:db8::1".into(),
                "127.0.0.1".into(),
                "100.64.1.1".into(),
                "10.0.0.5".into(),
                "not an address".into(),
            ],
        );
        let json = serde_json::to_value(&got).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"type": "Hostname", "address": "web-1"},
                {"type": "InternalDNS", "address": "web-1.example.com"},
                {"type": "InternalIP", "address": "10.0.0.5"},
                {"type": "ExternalIP", "address": "203.0.113.7"},
                {"type": "InternalIP", "address": "fd00::5"},
                {"type": "ExternalIP", "address": "2001:db8::1"},
                {"type": "InternalIP", "address": "100.64.1.1"},
            ])
        );
        assert_eq!(node_addresses("m", Some("m"), &[]).len(), 1);
    }

    #[test]
    fn reads_typed_and_bare_addresses() {
        let got: Vec<NodeAddress> = serde_json::from_value(serde_json::json!([
            {"type": "ExternalDNS", "address": "a.example.com"},
            "192.168.1.2",
            "host-a",
        ]))
        .unwrap();
        assert_eq!(
            got,
            [
                NodeAddress::new(AddressType::ExternalDns, "a.example.com"),
                NodeAddress::new(AddressType::InternalIp, "192.168.1.2"),
                NodeAddress::new(AddressType::Hostname, "host-a"),
            ]
        );
        assert!(
            serde_json::from_value::<NodeAddress>(
                serde_json::json!({"type": "Nope", "address": "x"})
            )
            .is_err()
        );
    }
}
